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
}
LEAKS = (PASSWORD, ENCODED, "p@ss-w0rd/1", ":pw@")

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


def test_a_locked_database_message_hides_the_password(monkeypatch, tmp_path: Path):
    """SQLite has no password, but its path can be in a URL with a query string: the message names it
    without anything after `password=`."""
    monkeypatch.setattr("ledger.store.connection.BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}"
    assert ledger_cli(url, "init").exit_code == 0
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = ledger_cli(f"{url}?password={PASSWORD}", *APPEND_COMPANY)
    finally:
        holder.close()
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "stayed locked" in line
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
