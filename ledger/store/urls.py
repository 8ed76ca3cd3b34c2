"""Database URLs: where one points (the backend, what its driver connects with) and how to print it
without its password."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.errors import StorageError


def unquote(text: str) -> str:
    """`urllib.parse.unquote`, imported only for text that has an escape in it (a read command's
    start-up: urllib and the ipaddress module it loads)."""
    if "%" not in text:
        return text
    from urllib.parse import unquote as decoded

    return decoded(text)


_QUERY_SECRET = re.compile(r"(?i)((?:^|[?&\s])(?:password|sslpassword)=)([^&#\s]*)")


def _masked(url: str) -> tuple[str, list[str]]:
    """The URL with its secrets masked, and the secrets: the password of `user:password@host`, and
    `password=` parameters, which libpq also reads from the query string.

    The password runs from the first `:` to the last `@`, whatever it holds: an unencoded `?`, `/` or
    `@` in it must not leave any of it in view (a URL whose readers would split it elsewhere is refused
    by `parse_url`, but its message still names the URL). Each part between two `@` is a secret too:
    libpq, ending the password at the first `@`, echoes the rest as a host name."""
    secrets: list[str] = []
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if sep and at >= 0 and ":" in rest[:at]:
        user, _, password = rest[:at].partition(":")
        secrets += [password, unquote(password), *password.split("@")[1:]]
        rest = f"{user}:***{rest[at:]}"
    masked = f"{scheme}{sep}{rest}"

    def mask(match: re.Match[str]) -> str:
        secrets.extend([match[2], unquote(match[2])])
        return match[1] + "***"

    masked = _QUERY_SECRET.sub(mask, masked)
    return masked, sorted({s for s in secrets if s and s != "***"}, key=len, reverse=True)


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    return _masked(url)[0]


def redact(text: str, url: str) -> str:
    """`text` (a driver's message, a traceback) with the URL's secrets masked wherever they appear."""
    masked, secrets = _masked(url)
    text = text.replace(url, masked)
    for secret in secrets:
        # A very short password would mask half the message; it is masked where it stands after ':'.
        text = text.replace(secret, "***") if len(secret) >= 4 else text.replace(f":{secret}@", ":***@")
    return _QUERY_SECRET.sub(lambda m: m[1] + "***", text)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a database URL points: the backend and what its driver connects with."""

    dialect: str  # "sqlite" or "postgresql"
    sqlite_path: str | None  # a file path or ":memory:"
    conninfo: str | None  # a libpq URI for psycopg
    read_only: bool = False  # asked for in the URL (SQLite `?mode=ro`)


_SQLITE_MODES = {"ro": True, "rw": False, "rwc": False}  # mode= -> read-only


def parse_url(url: str) -> Target:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise StorageError(f"not a database URL: {safe_url(url)} (use sqlite:///FILE or postgresql://...)")
    backend = scheme.split("+", 1)[0].lower()
    if backend == "sqlite" and scheme.lower() in ("sqlite", "sqlite+pysqlite"):
        # sqlite:///relative/path, sqlite:////absolute/path, sqlite:// (in memory): SQLAlchemy's forms.
        path, _, query = (rest[1:] if rest.startswith("/") else rest).partition("?")
        return Target("sqlite", unquote(path) or ":memory:", None, _sqlite_read_only(url, query))
    if backend in ("postgresql", "postgres") and scheme.lower() in (
        "postgresql",
        "postgres",
        "postgresql+psycopg",
    ):
        _check_credentials(url, rest)
        return Target("postgresql", None, "postgresql://" + rest)
    raise StorageError(f"unsupported database URL {safe_url(url)}: use sqlite:/// or postgresql+psycopg://")


def _sqlite_read_only(url: str, query: str) -> bool:
    """Whether an SQLite URL's parameters ask for a read-only ledger; a parameter the ledger does not
    read is refused rather than ignored (`?mode=ro` ignored once let a write through)."""
    read_only = False
    for name, _, value in (part.partition("=") for part in query.split("&") if part):
        if name == "mode" and value in _SQLITE_MODES:
            read_only = _SQLITE_MODES[value]
        else:
            raise StorageError(
                f"{safe_url(url)}: the ledger reads no SQLite URL parameter {name}"
                + (f"={value}" if name == "mode" else "")
                + " (only mode=ro, mode=rw, mode=rwc)"
            )
    return read_only


def _check_credentials(url: str, rest: str) -> None:
    """Refuse a PostgreSQL URL whose user and password its readers would split differently: libpq (and
    SQLAlchemy) end them at the first `@`, unless a `/` comes first; an unencoded `@` or `/` in a password
    would send part of it to the server as a host name, which it then prints."""
    last = rest.rfind("@")
    if last < 0:
        return
    first = rest.find("@")
    slash = rest.find("/")
    if first != last or 0 <= slash < first:
        raise StorageError(
            f"the database URL is ambiguous: percent-encode '@' as %40 and '/' as %2F in its user and "
            f"password: {safe_url(url)}"
        )


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy and Alembic take it (psycopg 3 for PostgreSQL)."""
    return re.sub(r"^(postgresql|postgres)(\+psycopg)?://", "postgresql+psycopg://", url)
