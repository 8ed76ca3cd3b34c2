"""Signed notes (c2sp.org/signed-note) with Ed25519 keys, and the key formats of Go's reference
implementation (golang.org/x/mod/sumdb/note), so other tools read our keys and notes and we read theirs.

A note is text ending in a newline, a blank line, then one signature line per key:
`— NAME base64(key id ‖ signature)`. The key id is the first four bytes of
SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key). A verifier key is `NAME+HEXID+base64(0x01 ‖ public key)`; a
signer key is `PRIVATE+KEY+NAME+HEXID+base64(0x01 ‖ private seed)`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ED25519 = 0x01  # the signature type byte of Ed25519 notes
DASH = "\u2014 "  # em dash and space: how a signature line starts
MAX_SIGNATURES = 100  # the spec asks verifiers to take at least 16
MAX_NOTE_BYTES = 1 << 20
_SIGNER_PREFIX = "PRIVATE+KEY+"


class NoteError(ValueError):
    """A note, a key or a signature is malformed, or a signature does not verify; the message says which."""


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _unb64(text: str, what: str) -> bytes:
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not base64") from None
    if base64.b64encode(value).decode() != text:  # unused bits set: another spelling of the same bytes
        raise NoteError(f"{what} is not canonical base64")
    return value


def check_name(name: str) -> str:
    """A key name: non-empty, no Unicode space, no plus sign (the spec), no control character."""
    if not name:
        raise NoteError("a key name cannot be empty")
    bad = next((c for c in name if c.isspace() or c == "+" or ord(c) < 0x20 or c == "\x7f"), None)
    if bad is not None:
        raise NoteError(f"key name {name!r} holds {bad!r}; a key name has no spaces and no '+'")
    return name


def key_id(name: str, public: bytes) -> int:
    """The key id c2sp.org/signed-note recommends: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: the key's name and id, and the signature bytes."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        return f"{DASH}{self.name} {_b64(self.key_id.to_bytes(4, 'big') + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class Verifier:
    """A verifier key: checks the signatures made by its signer."""

    name: str
    key_id: int
    public: bytes

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{_b64(bytes([ED25519]) + self.public)}"

    def signed(self, text: str, signature: Signature) -> bool:
        """Whether `signature` is this key's, made over `text`."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        if (signature.name, signature.key_id) != (self.name, self.key_id) or len(signature.signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature.signature, text.encode())
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Signer:
    """A signer key (keep it secret): signs note texts."""

    name: str
    key_id: int
    seed: bytes  # the 32-byte Ed25519 private key

    def skey(self) -> str:
        return f"{_SIGNER_PREFIX}{self.name}+{self.key_id:08x}+{_b64(bytes([ED25519]) + self.seed)}"

    def _private(self):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def verifier(self) -> Verifier:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        public = self._private().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, self.key_id, public)

    def sign(self, text: str) -> Signature:
        return Signature(self.name, self.key_id, self._private().sign(text.encode()))


def generate(name: str) -> Signer:
    """A new random Ed25519 signer key named `name`."""
    import os

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    check_name(name)
    seed = os.urandom(32)
    public_key = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    public = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Signer(name, key_id(name, public), seed)


def _key_parts(text: str, what: str) -> tuple[str, int, bytes]:
    name, sep1, rest = text.strip().partition("+")
    hex_id, sep2, material = rest.partition("+")
    if not (sep1 and sep2) or len(hex_id) != 8 or any(c not in "0123456789abcdef" for c in hex_id):
        raise NoteError(f"{what} is not NAME+HEXID+BASE64")
    check_name(name)
    raw = _unb64(material, f"{what}'s key material")
    if len(raw) != 33 or raw[0] != ED25519:
        raise NoteError(f"{what} is not an Ed25519 key (type 0x01 and 32 bytes)")
    return name, int(hex_id, 16), raw[1:]


def parse_verifier(text: str) -> Verifier:
    """A verifier key as `key generate` prints it (NAME+HEXID+BASE64); its id must match its key."""
    name, hex_id, public = _key_parts(text, "the verifier key")
    if key_id(name, public) != hex_id:
        raise NoteError(f"the verifier key's id {hex_id:08x} does not match its name and public key")
    return Verifier(name, hex_id, public)


def parse_signer(text: str) -> Signer:
    """A signer key as `key generate` writes it (PRIVATE+KEY+NAME+HEXID+BASE64)."""
    stripped = text.strip()
    if not stripped.startswith(_SIGNER_PREFIX):
        raise NoteError(f"the signer key does not start with {_SIGNER_PREFIX}")
    name, hex_id, seed = _key_parts(stripped[len(_SIGNER_PREFIX) :], "the signer key")
    signer = Signer(name, hex_id, seed)
    if key_id(name, signer.verifier().public) != hex_id:
        raise NoteError(f"the signer key's id {hex_id:08x} does not match its name and key")
    return signer


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text (ending in a newline) and its signatures."""

    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def sign(text: str, signers: Sequence[Signer]) -> Note:
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    return Note(text, tuple(signer.sign(text) for signer in signers))


def parse_note(data: bytes | str) -> Note:
    """Split a signed note into its text and signature lines; nothing is verified here."""
    if isinstance(data, bytes):
        if len(data) > MAX_NOTE_BYTES:
            raise NoteError(f"the note is over {MAX_NOTE_BYTES} bytes")
        try:
            data = data.decode()
        except UnicodeDecodeError:
            raise NoteError("the note is not UTF-8") from None
    bad = next((c for c in data if (ord(c) < 0x20 and c != "\n") or c == "\x7f"), None)
    if bad is not None:
        raise NoteError(f"the note holds the control character {bad!r}")
    if not data.endswith("\n"):
        raise NoteError("the note does not end with a newline")
    split = data.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line before its signatures")
    text, lines = data[: split + 1], data[split + 2 :].splitlines()
    if not lines:
        raise NoteError("the note has no signature")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has over {MAX_SIGNATURES} signatures")
    signatures = []
    for number, line in enumerate(lines, 1):
        name, space, encoded = line.removeprefix(DASH).rpartition(" ")
        if not line.startswith(DASH) or not space:
            raise NoteError(f"signature line {number} is not `— NAME BASE64`")
        check_name(name)
        raw = _unb64(encoded, f"signature line {number}")
        if len(raw) < 5:
            raise NoteError(f"signature line {number} is too short")
        signatures.append(Signature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
    return Note(text, tuple(signatures))


def verify(note: Note, verifiers: Iterable[Verifier]) -> list[Verifier]:
    """The verifiers whose signatures on the note verify. As the spec says, signatures by unknown keys
    are ignored; one by a known key that fails rejects the note; a note no known key signed is rejected."""
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = []
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        if not verifier.signed(note.text, signature):
            raise NoteError(f"the signature by {signature.name} ({signature.key_id:08x}) does not verify")
        verified.append(verifier)
    if not verified:
        names = ", ".join(f"{name}+{kid:08x}" for name, kid in known) or "no key"
        raise NoteError(f"the note carries no signature by {names}")
    return verified
