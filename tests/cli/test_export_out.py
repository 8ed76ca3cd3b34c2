"""`export --out FILE` (issue 13, item 5): never the ledger's own database, never over an existing file
unless `--force`, never through a planted symlink; written through an exclusive temporary file in the
target's folder and renamed into place when complete, so a failure — a full disk included — leaves
nothing behind and is one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reliability.support import subprocess_env
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli, one_error_line, state

N = len(EVERY_TYPE)


@pytest.fixture
def filled(db_url: str) -> str:
    assert ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE)).exit_code == 0
    return db_url


def _export_text(url: str) -> str:
    return ledger_cli(url, "export").stdout


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("which", ["the file", "its -wal file", "a symlink to it"])
@pytest.mark.parametrize("force", [False, True], ids=["", "--force"])
def test_export_never_writes_over_the_ledgers_own_database(filled, tmp_path, which, force):
    database = Path(filled.removeprefix("sqlite:///"))
    target = {"the file": database, "its -wal file": Path(f"{database}-wal")}.get(which)
    if target is None:
        target = tmp_path / "link.jsonl"
        target.symlink_to(database)
    before = state(filled)

    result = ledger_cli(filled, "export", "--out", str(target), *(["--force"] if force else []))

    assert result.exit_code == 1
    assert one_error_line(result) == (
        f"error: {target} is the ledger's own database (or one of its files); export somewhere else"
    )
    assert state(filled) == before
    assert ledger_cli(filled, "verify").exit_code == 0


def test_an_existing_file_is_replaced_only_with_force(filled, tmp_path):
    out = tmp_path / "exports" / "export.jsonl"
    out.parent.mkdir()
    out.write_text("precious\n")

    refused = ledger_cli(filled, "export", "--out", str(out))

    assert refused.exit_code == 1
    assert one_error_line(refused) == f"error: {out} exists; give --force to replace it"
    assert out.read_text() == "precious\n"
    forced = ledger_cli(filled, "export", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert forced.stderr == f"exported {N} events to {out}\n"
    assert out.read_text() == _export_text(filled)
    assert [p.name for p in out.parent.iterdir()] == ["export.jsonl"]  # no temporary file left


def test_a_planted_partial_symlink_is_not_written_through(filled, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    out = tmp_path / "export.jsonl"
    Path(f"{out}.partial").symlink_to(victim)

    result = ledger_cli(filled, "export", "--out", str(out))

    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "untouched\n"
    assert out.read_text() == _export_text(filled)


def test_a_folder_or_a_missing_folder_is_one_line(filled, tmp_path):
    folder = ledger_cli(filled, "export", "--out", str(tmp_path))
    missing = ledger_cli(filled, "export", "--out", str(tmp_path / "no" / "such" / "export.jsonl"))

    assert folder.exit_code == missing.exit_code == 1
    assert one_error_line(folder) == f"error: {tmp_path} is a folder; give --out a file name"
    no_such = tmp_path / "no" / "such"
    assert one_error_line(missing) == f"error: no folder {no_such} to write {no_such / 'export.jsonl'} in"


FULL_DISK = """
import json, os, sys
from support.runner import ledger_cli
result = ledger_cli(sys.argv[1], "export", "--out", sys.argv[2])
print(json.dumps([result.exit_code, result.stderr, os.listdir(os.path.dirname(sys.argv[2]))]))
"""


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(filled, tmp_path):
    """A 16 KiB file system, mounted in a user namespace of its own: the export does not fit."""
    small = tmp_path / "small"
    small.mkdir()
    out = small / "export.jsonl"
    script = f'mount -t tmpfs -o size=16k none "{small}" && exec "$@"'
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, "-c", FULL_DISK, filled, str(out)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    if done.returncode != 0 and "mount" in done.stderr:
        pytest.skip(f"no user namespace with mounts here: {done.stderr.strip()}")

    assert done.returncode == 0, done.stderr
    code, stderr, left = json.loads(done.stdout)
    assert code == 1
    assert stderr == f"error: no space left on the device of {small}: {out} was not written\n"
    assert left == []  # as seen inside the namespace, before its mount went away
