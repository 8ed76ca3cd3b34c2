"""Keys, checkpoints and proofs as a user runs them: `key generate`, `checkpoint`, `prove`, `check-proof`
(offline: no database at all) and `verify --checkpoint`. A reader holding an exported event, its proof
and a signed checkpoint can check inclusion and authorship; flipping a bit of any of them fails the check
(exit 5); malformed input is one error line (exit 3), never a traceback."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from support.factories import EVERY_TYPE, talks
from support.runner import exported, jsonl, ledger_cli, one_error_line, state

import ledger
from ledger.transparency import merkle, note
from ledger.transparency.checkpoint import parse_checkpoint
from ledger.transparency.proof import verify_consistency

N = len(EVERY_TYPE)
NAME = "example.com/news"
NOWHERE = "sqlite:////nonexistent-folder/never.db"  # check-proof must not need it


def run(*args: str, input: str | None = None):
    return ledger_cli(NOWHERE, *args, input=input)


@pytest.fixture
def signed(db_url: str, tmp_path: Path) -> dict[str, Path]:
    """A ledger holding one event of every type, a signer key, and a signed checkpoint of it: the files a
    third party is handed (the event at position 5, its proof, the checkpoint, the verifier key)."""
    assert ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE)).exit_code == 0
    key = tmp_path / "news.key"
    generated = ledger_cli(db_url, "key", "generate", NAME, "--out", str(key))
    assert generated.exit_code == 0, generated.stderr
    files = {"key": key, "vkey": tmp_path / "news.vkey", "checkpoint": tmp_path / "checkpoint.txt"}
    files["vkey"].write_text(generated.stdout)
    issued = ledger_cli(db_url, "checkpoint", "--sign", str(key))
    assert issued.exit_code == 0, issued.stderr
    files["checkpoint"].write_text(issued.stdout)
    proof = ledger_cli(db_url, "prove", "5")
    assert proof.exit_code == 0, proof.stderr
    files["proof"] = tmp_path / "event-5.tlog-proof"
    files["proof"].write_text(proof.stdout)
    files["event"] = tmp_path / "event-5.json"
    files["event"].write_text(json.dumps(exported(db_url)[4]) + "\n")
    return files


def check(files: dict[str, Path], **replaced: Path | str):
    paths = {**files, **replaced}
    return run(
        "check-proof",
        "--event",
        str(paths["event"]),
        "--proof",
        str(paths["proof"]),
        "--checkpoint",
        str(paths["checkpoint"]),
        "--key",
        str(paths["vkey"]),
    )


# -- keys ----------------------------------------------------------------------------------------------
def test_key_generate_writes_a_secret_signer_key_and_prints_its_verifier_key(tmp_path):
    path = tmp_path / "k.key"

    result = run("key", "generate", NAME, "--out", str(path))

    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    signer = note.parse_signer(path.read_text())
    verifier = note.parse_verifier(result.stdout.strip())
    assert signer.verifier() == verifier
    assert (verifier.name, verifier.key_id) == (NAME, note.key_id(NAME, verifier.public))
    assert result.stdout == verifier.vkey() + "\n"
    assert signer.skey() not in result.stdout + result.stderr


def test_key_generate_never_overwrites_a_file(tmp_path):
    path = tmp_path / "k.key"
    path.write_text("precious\n")

    result = run("key", "generate", NAME, "--out", str(path))

    assert result.exit_code == 1
    assert one_error_line(result) == f"error: {path} already exists; not overwritten (give another --out)"
    assert path.read_text() == "precious\n"


def test_key_generate_refuses_a_name_the_spec_refuses(tmp_path):
    result = run("key", "generate", "two words", "--out", str(tmp_path / "k.key"))

    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: NAME: key name 'two words' holds ' '")
    assert not (tmp_path / "k.key").exists()


# -- checkpoints ---------------------------------------------------------------------------------------
def test_a_signed_checkpoint_names_the_log_by_origin_size_and_root_and_is_recorded(db_url, signed):
    parsed = note.parse_note(signed["checkpoint"].read_text())
    checkpoint = parse_checkpoint(parsed.text)
    leaves = [bytes.fromhex(e["hash"]) for e in exported(db_url)]

    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (NAME, N, merkle.root_of(leaves))
    verifier = note.parse_verifier(signed["vkey"].read_text())
    assert note.verify(parsed, [verifier]) == [verifier]
    recorded = json.loads(ledger_cli(db_url, "checkpoint", "--json").stdout)
    assert recorded["seq"] == 2  # the signed one was the first
    with ledger.open(db_url) as lg, lg.store.reading() as tx:
        first = tx.sql.rows("SELECT origin, tree_size, note FROM checkpoints WHERE seq = 1")[0]
    assert tuple(first) == (NAME, N, signed["checkpoint"].read_text())


def test_an_unsigned_checkpoint_is_the_bare_text_with_the_origin_given(db_url):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE[:3]))

    result = ledger_cli(db_url, "checkpoint", "--origin", "newsroom.example/ledger")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("newsroom.example/ledger\n3\n") and result.stdout.count("\n") == 3
    default = ledger_cli(db_url, "checkpoint")
    assert default.stdout.startswith("ledger\n3\n")


# -- proofs, checked offline ---------------------------------------------------------------------------
def test_a_reader_with_the_event_its_proof_a_checkpoint_and_the_key_checks_it_without_any_ledger(signed):
    result = check(signed)

    assert result.exit_code == 0, result.stderr
    event_id = json.loads(signed["event"].read_text())["id"]
    assert result.stdout == (
        f"ok: event {event_id} at position 5 is in the tree of {N} events that {NAME} checkpointed, "
        f"signed by {NAME}\n"
    )
    assert not Path("/nonexistent-folder").exists()


def test_the_proof_is_a_tlog_proof_carrying_the_checkpoint(signed):
    proof = signed["proof"].read_text()

    assert proof.startswith("c2sp.org/tlog-proof@v1\nindex 4\n")
    assert proof.endswith("\n\n" + signed["checkpoint"].read_text())
    # the proof's own checkpoint serves when none is given
    alone = run(
        "check-proof",
        "--event",
        str(signed["event"]),
        "--proof",
        str(signed["proof"]),
        "--key",
        signed["vkey"].read_text().strip(),
    )
    assert alone.exit_code == 0, alone.stderr


def test_a_json_proof_checks_out_too(db_url, signed, tmp_path):
    as_json = ledger_cli(db_url, "prove", json.loads(signed["event"].read_text())["id"], "--json")
    assert as_json.exit_code == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert (document["position"], document["index"], document["tree_size"]) == (5, 4, N)
    path = tmp_path / "proof.json"
    path.write_text(as_json.stdout)

    assert check(signed, proof=path).exit_code == 0


def _flipped_b64(line: str, bit: int) -> str:
    raw = bytearray(base64.b64decode(line))
    raw[bit // 8] ^= 1 << (bit % 8)
    return base64.b64encode(bytes(raw)).decode()


def _with_line(path: Path, number: int, new: str, out: Path) -> Path:
    lines = path.read_text().split("\n")
    lines[number] = new
    out.write_text("\n".join(lines))
    return out


def test_flipping_a_bit_of_any_proof_hash_the_root_the_size_or_the_signature_fails_the_check(
    signed, tmp_path
):
    proof_lines = signed["proof"].read_text().split("\n")
    hash_lines = [i for i, line in enumerate(proof_lines[: proof_lines.index("")]) if i >= 2]
    assert len(hash_lines) >= 4
    bad: dict[str, dict[str, Path]] = {}
    for i in hash_lines:
        for bit in (0, 131, 255):
            new = _flipped_b64(proof_lines[i], bit)
            bad[f"proof hash {i} bit {bit}"] = {
                "proof": _with_line(signed["proof"], i, new, tmp_path / f"p{i}-{bit}")
            }
    bad["proof index"] = {"proof": _with_line(signed["proof"], 1, "index 5", tmp_path / "pi")}
    checkpoint = signed["checkpoint"].read_text().split("\n")
    bad["checkpoint root"] = {
        "checkpoint": _with_line(signed["checkpoint"], 2, _flipped_b64(checkpoint[2], 7), tmp_path / "cr")
    }
    bad["checkpoint size"] = {"checkpoint": _with_line(signed["checkpoint"], 1, str(N + 1), tmp_path / "cs")}
    dash, name, signature = checkpoint[4].split(" ")
    bad["signature"] = {
        "checkpoint": _with_line(
            signed["checkpoint"], 4, f"{dash} {name} {_flipped_b64(signature, 300)}", tmp_path / "cg"
        )
    }
    event = json.loads(signed["event"].read_text())
    (tmp_path / "ev").write_text(json.dumps({**event, "occurred_at": "2025-07-08"}))
    bad["event content"] = {"event": tmp_path / "ev"}
    other_key = tmp_path / "other.vkey"
    other_key.write_text(run("key", "generate", NAME, "--out", str(tmp_path / "o.key")).stdout)
    bad["another key of the same name"] = {"vkey": other_key}

    for what, replaced in bad.items():
        result = check(signed, **replaced)
        assert result.exit_code == 5, (what, result.stdout, result.stderr)
        one_error_line(result)


@pytest.mark.parametrize(
    ("what", "content", "message"),
    [
        ("proof", "not a proof\n", "error: --proof: not a tlog-proof nor `prove --json` output: "),
        (
            "checkpoint",
            "hello\n\n— x AAAAAAA=\n",
            "error: --checkpoint: a checkpoint has at least three lines",
        ),
        ("vkey", "example.com/news+1234", "error: --key: the verifier key is not NAME+HEXID+BASE64"),
        ("event", "{not json", "error: --event: not one JSON object: "),
        ("event", '{"position": 5}', "error: --event: an exported event has a `position` and a `hash`"),
    ],
)
def test_malformed_input_to_check_proof_is_one_line_and_exit_3(signed, tmp_path, what, content, message):
    path = tmp_path / "bad"
    path.write_text(content)

    result = check(signed, **{what: path})

    assert result.exit_code == 3, result.stderr
    assert one_error_line(result).startswith(message)


def test_a_missing_file_is_named(signed, tmp_path):
    result = check(signed, proof=tmp_path / "absent")

    assert result.exit_code == 1
    assert one_error_line(result) == f"error: cannot read {tmp_path / 'absent'}: No such file or directory"


# -- prove's own errors --------------------------------------------------------------------------------
def test_prove_says_what_is_missing(db_url):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE[:3]))
    assert one_error_line(ledger_cli(db_url, "prove", "2")) == (
        "error: no checkpoint yet has been issued; `ledger checkpoint` issues one"
    )
    ledger_cli(db_url, "checkpoint")
    ledger_cli(db_url, "append", "--file", "-", input=json.dumps(talks(partnership="partnership:x-y")))
    cases = {
        ("prove", "4"): (1, "error: the event at position 4 came after the checkpoint of size 3; "),
        ("prove", "9"): (1, "error: no event at position 9 (the log holds 4)"),
        ("prove", "2", "--size", "2"): (1, "error: no checkpoint of size 2 has been issued; "),
        ("prove", "00000000-0000-4000-8000-000000000000"): (1, "error: no event has id 00000000-"),
        ("prove", "2", "--consistency", "1"): (2, "error: EVENT_ID|POSITION: give EVENT_ID|POSITION or "),
        ("prove", "--consistency", "5"): (2, "error: --consistency: expected an old size from 1 to 4, got 5"),
        ("prove", "--consistency", "1", "--size", "7"): (2, "error: --size: the log holds 4 events; "),
    }
    for args, (code, start) in cases.items():
        result = ledger_cli(db_url, *args)
        assert result.exit_code == code, (args, result.stderr)
        assert one_error_line(result).startswith(start), (args, result.stderr)


def test_the_ledger_proves_consistency_between_two_of_its_checkpoints(db_url, signed):
    ledger_cli(db_url, "append", "--file", "-", input=json.dumps(talks(partnership="partnership:x-y")))
    later = ledger_cli(db_url, "checkpoint", "--sign", str(signed["key"]))

    result = ledger_cli(db_url, "prove", "--consistency", str(N), "--size", str(N + 1))

    assert result.exit_code == 0, result.stderr
    proof = json.loads(result.stdout)
    verifier = note.parse_verifier(signed["vkey"].read_text())
    old = parse_checkpoint(note.parse_note(proof["old_checkpoint"]).text)
    new = parse_checkpoint(note.parse_note(proof["new_checkpoint"]).text)
    assert proof["old_checkpoint"] == signed["checkpoint"].read_text()
    assert proof["new_checkpoint"] == later.stdout
    for signed_note in (proof["old_checkpoint"], proof["new_checkpoint"]):
        note.verify(note.parse_note(signed_note), [verifier])
    hashes = [base64.b64decode(h) for h in proof["proof"]]
    verify_consistency(old.size, new.size, old.root, new.root, hashes)


# -- verify --checkpoint -------------------------------------------------------------------------------
def test_verify_checks_an_old_checkpoint_and_its_signature(db_url, signed):
    ledger_cli(db_url, "append", "--file", "-", input=json.dumps(talks(partnership="partnership:x-y")))

    result = ledger_cli(
        db_url, "verify", "--checkpoint", str(signed["checkpoint"]), "--key", str(signed["vkey"])
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        f"ok: the ledger holds the tree of checkpoint {NAME}@{N}, consistent with its tree of {N + 1} "
        f"events; signed by {NAME}"
    )
    report = json.loads(
        ledger_cli(db_url, "verify", "--checkpoint", str(signed["checkpoint"]), "--json").stdout
    )
    assert report["checkpoint"] == {
        "origin": NAME,
        "tree_size": N,
        "root": signed["checkpoint"].read_text().split("\n")[2],
        "consistent": True,
        "signed_by": [],
    }


def test_verify_refuses_a_checkpoint_another_key_signed_before_reading_the_log(db_url, signed, tmp_path):
    other = tmp_path / "other.vkey"
    other.write_text(run("key", "generate", "someone.else", "--out", str(tmp_path / "o.key")).stdout)
    before = state(db_url)

    result = ledger_cli(db_url, "verify", "--checkpoint", str(signed["checkpoint"]), "--key", str(other))

    assert result.exit_code == 5
    assert one_error_line(result).startswith(
        "error: --checkpoint: the note carries no signature by someone.else+"
    )
    assert state(db_url) == before


def test_verify_wants_a_checkpoint_for_its_keys(db_url, signed):
    result = ledger_cli(db_url, "verify", "--key", str(signed["vkey"]))

    assert result.exit_code == 2
    assert one_error_line(result) == "error: --key: verifier keys check a checkpoint; give one"


def test_check_proof_wants_a_key(signed):
    result = run("check-proof", "--event", str(signed["event"]), "--proof", str(signed["proof"]))

    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: --key: give at least one verifier key")


def test_a_reader_holding_an_old_checkpoint_checks_a_proof_against_its_size(db_url, signed, tmp_path):
    ledger_cli(db_url, "append", "--file", "-", input=json.dumps(talks(partnership="partnership:x-y")))
    assert ledger_cli(db_url, "checkpoint", "--sign", str(signed["key"])).exit_code == 0
    newer = tmp_path / "newer.tlog-proof"
    newer.write_text(ledger_cli(db_url, "prove", "5").stdout)
    older = tmp_path / "older.tlog-proof"
    older.write_text(ledger_cli(db_url, "prove", "5", "--size", str(N)).stdout)

    assert check(signed, proof=older).exit_code == 0  # signed["checkpoint"] is the one of size N
    mismatched = check(signed, proof=newer)
    assert mismatched.exit_code == 5
    assert one_error_line(mismatched) == (
        f"error: --proof: the proof is for the tree of size {N + 1}; the checkpoint names size {N} "
        f"(ask for `ledger prove 5 --size {N}`)"
    )
