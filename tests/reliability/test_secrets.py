"""Secrets (issue 5): a password in the database URL never appears in what the ledger prints or logs —
on success, on every kind of failure, and in the traceback LEDGER_DEBUG=1 asks for.

PostgreSQL only: an SQLite URL has no password. The server here trusts local connections, so any
password in the URL connects and the successful paths are exercised for real.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli, one_error_line

import ledger.api
from reliability.support import APPEND_COMPANY

PASSWORD = "Sup3r-s3cret-pw"
ENCODED = "p%40ss-w0rd%2F1"  # `p@ss-w0rd/1`, percent-encoded in the URL as it must be
FORMS = {
    "user:password@host": lambda url: url.replace("postgres@", f"postgres:{PASSWORD}@", 1),
    "percent-encoded password": lambda url: url.replace("postgres@", f"postgres:{ENCODED}@", 1),
    "password= in the query": lambda url: f"{url}?password={PASSWORD}",
    "a 2-letter password": lambda url: url.replace("postgres@", "postgres:pw@", 1),
    # Unencoded, libpq and SQLAlchemy both read `s3?cret-pw` as the password (issue 13, item 2).
    "an unencoded ? in the password": lambda url: url.replace("postgres@", "postgres:s3?cret-pw@", 1),
}
LEAKS = (PASSWORD, ENCODED, "p@ss-w0rd/1", ":pw@", "s3?cret", "cret-pw")

on_postgresql = pytest.mark.parametrize("backend", ["postgresql"])


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for leak in LEAKS:
            assert leak not in text, f"{leak!r} shown in: {text[:400]!r}"


@pytest.fixture(params=FORMS, ids=FORMS)
def secret_url(request, db_url: str) -> str:
    return FORMS[request.param](db_url)


@on_postgresql
def test_no_command_shows_the_password_when_it_succeeds(secret_url, tmp_path: Path, caplog):
    caplog.set_level(logging.DEBUG)
    events = tmp_path / "events.jsonl"
    events.write_text(jsonl(EVERY_TYPE))
    outputs = []
    for args in (
        ("init",),
        ("import", str(events)),
        APPEND_COMPANY,
        ("export",),
        ("events", "--limit", "3"),
        ("verify",),
        ("rebuild",),
        ("rebuild", "--check"),
        ("show", "plant:nissan-oppama"),
        ("history", "company:nissan"),
        ("list", "plants"),
        ("claims", "partnership:nissan-foxconn-oppama"),
    ):
        result = ledger_cli(secret_url, *args)
        assert result.exit_code == 0, (args, result.stderr)
        outputs += [result.stdout, result.stderr]
    assert "***" in outputs[1]  # `init` names the database, masked
    assert_no_secret(*outputs, caplog.text)


@on_postgresql
def test_no_failure_shows_the_password(secret_url, blank_db_url, caplog):
    caplog.set_level(logging.DEBUG)
    broken = {
        "no such database": secret_url.replace("/ledger_test_", "/no_such_db_"),
        "connection refused": secret_url.replace(":5432/", ":1/"),
        "a bad port": secret_url.replace(":5432/", ":notaport/"),
        "an unparseable host": secret_url.replace("127.0.0.1:5432", "[::1"),
        "no ledger schema": FORMS["user:password@host"](blank_db_url),
    }
    for what, url in broken.items():
        for command in (("show", "company:nissan"), ("init",)):
            if what == "no ledger schema" and command == ("init",):
                continue  # that one succeeds
            result = ledger_cli(url, *command)
            assert result.exit_code == 1, (what, command, result.stdout, result.stderr)
            line = one_error_line(result)
            assert_no_secret(line, caplog.text)
            assert "***" in line, (what, line)


@on_postgresql
@pytest.mark.parametrize("password", ["s3@cret-pw", "pw@cret-pw", "s3/cr@t-pw"])
def test_a_password_read_two_ways_is_refused_before_connecting_and_never_shown(db_url, password):
    """An unencoded `@` (or `/` before it): libpq ends the password at the first `@`, and echoes the rest
    as the host name. Refused in one line that names neither part, before anything connects."""
    url = db_url.replace("postgres@", f"postgres:{password}@", 1)
    for command in (("init",), ("show", "company:nissan")):
        result = ledger_cli(url, *command)
        assert result.exit_code == 1
        line = one_error_line(result)
        assert line.startswith("error: the database URL is ambiguous: percent-encode ") and "***" in line
        for part in (password, *password.replace("/", "@").split("@")):
            assert part not in line, (part, line)


def test_a_locked_database_message_names_the_url(monkeypatch, tmp_path: Path):
    monkeypatch.setattr("ledger.store.connection.BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}"
    assert ledger_cli(url, "init").exit_code == 0
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = ledger_cli(f"{url}?mode=rw", *APPEND_COMPANY)
    finally:
        holder.close()
    assert result.exit_code == 1
    assert one_error_line(result) == (
        f"error: {url}?mode=rw stayed locked by another writer for 0 s (LEDGER_BUSY_TIMEOUT); "
        "nothing was written"
    )


def test_an_sqlite_url_parameter_the_ledger_does_not_read_is_refused_and_its_value_hidden(tmp_path: Path):
    """SQLite has no password, but whatever follows `password=` in any URL is masked."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}?password={PASSWORD}"

    result = ledger_cli(url, "init")

    assert result.exit_code == 1
    line = one_error_line(result)
    assert line == (
        f"error: sqlite:///{tmp_path / 'ledger.db'}?password=***: the ledger reads no SQLite URL parameter "
        "password (only mode=ro, mode=rw, mode=rwc)"
    )
    assert_no_secret(line)


@on_postgresql
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "LEDGER_DEBUG=1"])
def test_an_unexpected_error_quoting_the_url_shows_it_masked(secret_url, monkeypatch, debug):
    """A bug that puts the URL (or the driver's form of it) in an exception: the one-line report, and
    the traceback LEDGER_DEBUG=1 prints, mask it."""
    conninfo = secret_url.replace("postgresql+psycopg://", "postgresql://")

    def broken_verify(self, head=None, **_options):
        raise RuntimeError(f"cannot verify {self.url} (driver said: {conninfo})")

    monkeypatch.setattr(ledger.api.Ledger, "verify", broken_verify)
    if debug:
        monkeypatch.setenv("LEDGER_DEBUG", "1")
    result = ledger_cli(secret_url, "verify")
    assert result.exit_code == 1
    if debug:
        assert "Traceback" in result.stderr and "RuntimeError: cannot verify" in result.stderr
    else:
        assert one_error_line(result).startswith("error: unexpected RuntimeError: cannot verify")
    assert "***" in result.stderr
    assert_no_secret(result.stdout, result.stderr)
