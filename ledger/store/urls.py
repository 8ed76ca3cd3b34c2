"""Database URLs: where one points (the backend, what its driver connects with) and how to print it
without its password."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from ledger.errors import StorageError

_QUERY_SECRET = re.compile(r"(?i)((?:^|[?&\s])(?:password|sslpassword)=)([^&#\s]*)")


def _masked(url: str) -> tuple[str, list[str]]:
    """The URL with its secrets masked, and the secrets: the password of `user:password@host`, and
    `password=` parameters, which libpq also reads from the query string."""
    secrets: list[str] = []
    scheme, sep, rest = url.partition("://")
    query_at = rest.find("?")
    at = rest.rfind("@", 0, query_at if query_at >= 0 else len(rest))
    if sep and at >= 0 and ":" in rest[:at]:
        user, _, password = rest[:at].partition(":")
        secrets += [password, unquote(password)]
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


def parse_url(url: str) -> Target:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise StorageError(f"not a database URL: {safe_url(url)} (use sqlite:///FILE or postgresql://...)")
    backend = scheme.split("+", 1)[0].lower()
    if backend == "sqlite" and scheme.lower() in ("sqlite", "sqlite+pysqlite"):
        # sqlite:///relative/path, sqlite:////absolute/path, sqlite:// (in memory): SQLAlchemy's forms.
        path = rest[1:] if rest.startswith("/") else rest
        path = unquote(path.split("?", 1)[0])
        return Target("sqlite", path or ":memory:", None)
    if backend in ("postgresql", "postgres") and scheme.lower() in (
        "postgresql",
        "postgres",
        "postgresql+psycopg",
    ):
        return Target("postgresql", None, "postgresql://" + rest)
    raise StorageError(f"unsupported database URL {safe_url(url)}: use sqlite:/// or postgresql+psycopg://")


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy and Alembic take it (psycopg 3 for PostgreSQL)."""
    return re.sub(r"^(postgresql|postgres)(\+psycopg)?://", "postgresql+psycopg://", url)
