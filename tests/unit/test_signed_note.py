"""Signed notes, keys and checkpoints against the public vectors (tests/data/signed-note): Go's reference
key signs Go's text into Go's signature byte for byte, the C2SP example note verifies with its key, key
ids are those the spec defines, and any change to a signed note is caught."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from ledger.transparency import note
from ledger.transparency.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from ledger.transparency.note import NoteError

DATA = Path(__file__).resolve().parents[1] / "data" / "signed-note"
VECTORS = json.loads((DATA / "vectors.json").read_text())
GO, C2SP, CHECKPOINT = VECTORS["go"], VECTORS["c2sp"], VECTORS["c2sp_checkpoint"]


def test_gos_signer_key_signs_gos_text_into_gos_signature():
    signer = note.parse_signer(GO["signer_key"])

    signed = note.sign(GO["text"], [signer]).render()

    assert signed == GO["text"] + "\n" + GO["signature_line"]
    assert signer.skey() == GO["signer_key"]
    assert signer.verifier().vkey() == GO["verifier_key"]


def test_gos_signature_verifies_with_gos_verifier_key():
    verifier = note.parse_verifier(GO["verifier_key"])
    parsed = note.parse_note(GO["text"] + "\n" + GO["signature_line"])

    assert note.verify(parsed, [verifier]) == [verifier]
    assert parsed.text == GO["text"]


def test_the_c2sp_example_note_verifies_with_its_key():
    verifier = note.parse_verifier(C2SP["verifier_key"])
    parsed = note.parse_note(C2SP["note"])

    assert note.verify(parsed, [verifier]) == [verifier]
    assert parsed.text == "This is an example message.\n"


@pytest.mark.parametrize(
    ("vkey", "name", "key_id"),
    [(GO["verifier_key"], "PeterNeumann", 0xC74F20A3), (C2SP["verifier_key"], "example.com/foo", 0x530D903A)],
)
def test_key_ids_are_the_first_four_bytes_of_sha256_of_name_newline_type_and_key(vkey, name, key_id):
    verifier = note.parse_verifier(vkey)
    expected = hashlib.sha256(name.encode() + b"\n\x01" + verifier.public).digest()[:4]

    assert (verifier.name, verifier.key_id) == (name, key_id)
    assert note.key_id(name, verifier.public) == int.from_bytes(expected, "big") == key_id


def test_a_generated_key_round_trips_and_signs_what_it_verifies():
    signer = note.generate("ledger.example/news")
    verifier = note.parse_verifier(signer.verifier().vkey())

    assert note.parse_signer(signer.skey()) == signer
    signed = note.sign("hello\n", [signer]).render()
    assert note.verify(note.parse_note(signed), [verifier]) == [verifier]


def _flip_bit(text: str, index: int, bit: int) -> bytes:
    data = bytearray(text.encode())
    data[index] ^= 1 << bit
    return bytes(data)


def test_any_flipped_bit_of_a_signed_note_is_refused():
    verifier = note.parse_verifier(GO["verifier_key"])
    signed = GO["text"] + "\n" + GO["signature_line"]
    for index in range(len(signed.encode())):
        for bit in range(8):
            with pytest.raises(NoteError):
                note.verify(note.parse_note(_flip_bit(signed, index, bit)), [verifier])


def test_a_note_signed_only_by_other_keys_is_refused_and_unknown_signatures_are_ignored():
    other = note.generate("PeterNeumann")  # same name, another key and id
    go = note.parse_verifier(GO["verifier_key"])
    both = note.parse_note(GO["text"] + "\n" + GO["signature_line"] + other.sign(GO["text"]).line())

    assert note.verify(both, [go]) == [go]
    with pytest.raises(NoteError, match="no signature by"):
        note.verify(note.parse_note(GO["text"] + "\n" + other.sign(GO["text"]).line()), [go])


def test_a_known_key_whose_signature_fails_rejects_the_note():
    go = note.parse_verifier(GO["verifier_key"])
    signature = note.parse_note(GO["text"] + "\n" + GO["signature_line"]).signatures[0]
    forged = note.Note("Another text.\n", (signature,))

    with pytest.raises(NoteError, match="does not verify"):
        note.verify(note.parse_note(forged.render()), [go])


@pytest.mark.parametrize(
    "bad",
    [
        "no blank line\n— a AAAAAAA=\n",
        "text\n\n",
        "text\n\n— a AAAAAAA=",
        "text\n\n- a AAAAAAAA\n",
        "text\n\n— a not-base64!\n",
        "text\n\n— a AAA=\n",
        "text\n\n— a+b AAAAAAA=\n",
        "te\x01xt\n\n— a AAAAAAA=\n",
    ],
)
def test_malformed_notes_are_refused(bad: str):
    with pytest.raises(NoteError):
        note.parse_note(bad)


@pytest.mark.parametrize(
    "bad",
    [
        GO["verifier_key"].replace("c74f20a3", "c74f20a4"),  # an id that is not the key's
        GO["verifier_key"].replace("+ARpc", "+AhpC"),  # another signature type
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        GO["signer_key"],
    ],
)
def test_malformed_verifier_keys_are_refused(bad: str):
    with pytest.raises(NoteError):
        note.parse_verifier(bad)


def test_the_c2sp_example_checkpoint_reads_as_origin_size_and_root():
    parsed = note.parse_note(CHECKPOINT["note"])
    checkpoint = parse_checkpoint(parsed.text)

    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert base64.b64encode(checkpoint.root).decode() == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    assert checkpoint.text() == parsed.text
    assert parsed.signatures[0].name == "example.com/behind-the-sofa"


@pytest.mark.parametrize(
    "bad",
    [
        "origin\n12\n",
        "\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
    ],
)
def test_malformed_checkpoints_are_refused(bad: str):
    with pytest.raises(CheckpointError):
        parse_checkpoint(bad)


def test_a_checkpoint_with_extension_lines_round_trips():
    checkpoint = Checkpoint("o", 0, hashlib.sha256(b"").digest(), ("ext one",))
    assert parse_checkpoint(checkpoint.text()) == checkpoint
