"""Read-only ledgers (issue 13, item 8): opened with `?mode=ro`, kept on read-only media (an archive, a
mounted backup), or a PostgreSQL database that refuses writes. `verify`, `export` and every query answer
as they would on a writable copy — from projections folded in memory if the tables are behind the log,
since they cannot be caught up — and every write is refused with one line, writing nothing.

Read-only media are real: a read-only bind mount in a user namespace of its own (`unshare`); where the
machine does not allow one, those cases skip and say why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.databases import pg_connect
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli, one_error_line, state

from reliability.support import APPEND_COMPANY, subprocess_env

QUERIES = (
    ("verify",),
    ("export",),
    ("events", "--entity", "plant:nissan-oppama"),
    ("show", "plant:nissan-oppama", "--json"),
    ("history", "company:nissan", "--json"),
    ("list", "plants", "--json"),
    ("claims", "--json"),
    ("show", "company:nissan", "--as-of", "2025-07-08", "--json"),
)
WRITES = (APPEND_COMPANY, ("import", "-"), ("rebuild",), ("checkpoint",))
NEW_EVENT = jsonl([{**EVERY_TYPE[0], "id": "99999999-9999-4999-8999-999999999999"}])


def _filled(url: str) -> dict[tuple[str, ...], str]:
    """Fill the ledger; what each query prints while it is writable."""
    assert ledger_cli(url, "import", "-", input=jsonl(EVERY_TYPE)).exit_code == 0
    return {query: ledger_cli(url, *query).stdout for query in QUERIES}


def _behind(url: str) -> None:
    """The projections behind the log, as an import killed between its two transactions leaves them."""
    from reliability.support import probe

    with probe(url) as p:
        p.connection.execute("DELETE FROM projection_checkpoint")


WRITE_REFUSED = "is read-only (?mode=ro, read-only media or a read-only database); nothing was written"


def answers_queries_and_refuses_writes(url: str, expected: dict) -> None:
    """Through `url`, every query prints what it printed on the writable ledger, and every write exits 1
    with the one read-only line."""
    for query, output in expected.items():
        result = ledger_cli(url, *query)
        assert (result.exit_code, result.stdout) == (0, output), (query, result.stderr)
    for write in WRITES:
        result = ledger_cli(url, *write, input=NEW_EVENT)
        assert result.exit_code == 1, write
        assert one_error_line(result) == f"error: {url} {WRITE_REFUSED}"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("behind", [False, True], ids=["projections current", "projections behind"])
def test_mode_ro_answers_every_query_and_refuses_every_write(db_url, behind):
    expected = _filled(db_url)
    if behind:
        _behind(db_url)
    before = state(db_url)
    read_only = f"{db_url}?mode=ro"

    answers_queries_and_refuses_writes(read_only, expected)
    assert state(db_url) == before


def _unshare_works() -> str | None:
    """Why a read-only mount cannot be made here, or None."""
    if shutil.which("unshare") is None:
        return "no unshare(1) on this machine"
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs none /mnt"], capture_output=True, text=True
    )
    return None if done.returncode == 0 else f"no user namespace with mounts: {done.stderr.strip()}"


RUN_INSIDE = """
import json, sys
from support.runner import ledger_cli
url, queries, writes, new = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
out = {}
for args in queries + writes:
    result = ledger_cli(url, *args, input=new)
    out[" ".join(args)] = [result.exit_code, result.stdout, result.stderr]
print(json.dumps(out))
"""


def _on_read_only_media(folder: Path, url: str) -> dict[str, list]:
    """Each query and write, run by a process that sees `folder` mounted read-only."""
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && '
        f'touch "{folder}/probe" 2>/dev/null && exit 99; exec "$@"'
    )
    done = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            script,
            "sh",
            sys.executable,
            "-c",
            RUN_INSIDE,
            url,
            json.dumps(QUERIES),
            json.dumps(WRITES),
            NEW_EVENT,
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("behind", [False, True], ids=["projections current", "projections behind"])
def test_a_ledger_on_read_only_media_answers_every_query_and_refuses_every_write(db_url, behind):
    why = _unshare_works()
    if why is not None:
        pytest.skip(why)
    expected = _filled(db_url)
    if behind:
        _behind(db_url)
    before = state(db_url)
    folder = Path(db_url.removeprefix("sqlite:///")).parent

    found = _on_read_only_media(folder, db_url)

    for query, output in expected.items():
        assert found[" ".join(query)][:2] == [0, output], (query, found[" ".join(query)][2])
    for write in WRITES:
        code, _stdout, stderr = found[" ".join(write)]
        assert code == 1, write
        assert stderr == f"error: {db_url} {WRITE_REFUSED}\n", write
    assert state(db_url) == before


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("behind", [False, True], ids=["projections current", "projections behind"])
def test_a_postgresql_database_that_refuses_writes_answers_every_query(db_url, behind):
    expected = _filled(db_url)
    if behind:
        _behind(db_url)
    before = state(db_url)
    name = db_url.rsplit("/", 1)[1]
    with pg_connect() as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')

    answers_queries_and_refuses_writes(db_url, expected)
    assert state(db_url) == before
