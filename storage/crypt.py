"""Encryption at rest: where the key comes from, and a connection that opens with it.

With `OMZIEN_DB_KEY` (or `OMZIEN_DB_KEY_FILE`, a file holding the key) set, every
connection Omzien makes (storage/db.connect) is a SQLCipher connection keyed with it, so
the database, its -wal file and every backup are encrypted (AES-256, an HMAC per page).
Without a key nothing here is used: plain SQLite from the standard library.

sqlcipher3 raises its own exception classes, with the standard library's names but not
its types. The connection below turns them into `sqlite3` ones at this one boundary, so
`except sqlite3.OperationalError` in Omzien and inside sqlite-utils holds with a key too.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import sqlcipher3

KEY_VARIABLE = "OMZIEN_DB_KEY"
KEY_FILE_VARIABLE = "OMZIEN_DB_KEY_FILE"
_PLAIN_HEADER = b"SQLite format 3\x00"  # an encrypted file starts with random salt


class DatabaseKeyError(sqlite3.DatabaseError):
    """The key is missing, unreadable or does not open the file. A DatabaseError, so
    every place that reports an unusable database reports this one too (exit 2)."""


def key_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The key from the environment, or None for a plain database."""
    environ = os.environ if environ is None else environ
    key, key_file = environ.get(KEY_VARIABLE), environ.get(KEY_FILE_VARIABLE)
    if key and key_file:
        raise DatabaseKeyError(f"both {KEY_VARIABLE} and {KEY_FILE_VARIABLE} are set: set one")
    if key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise DatabaseKeyError(
                f"cannot read the key file {key_file} ({KEY_FILE_VARIABLE}): {type(exc).__name__}"
            ) from None
        if not key:
            raise DatabaseKeyError(f"the key file {key_file} ({KEY_FILE_VARIABLE}) is empty")
    return key or None


def is_plain(path: Path | str) -> bool:
    """True for an existing, unencrypted SQLite file."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_PLAIN_HEADER)) == _PLAIN_HEADER
    except OSError:
        return False


def has_content(path: Path | str) -> bool:
    return Path(path).is_file() and Path(path).stat().st_size > 0


def connect(path: Path | str, key: str) -> Connection:
    """A SQLCipher connection to `path` with `key`, checked: a wrong key fails here, with
    a message that says what to do, and not at some later statement."""
    if has_content(path) and is_plain(path):
        raise DatabaseKeyError(
            f"it is not encrypted, but {KEY_VARIABLE} is set: encrypt it "
            "with `omzien db encrypt PATH`, or unset the key"
        )
    raw = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        raw.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our one line, not three
        raw.execute(f"PRAGMA key = {quote(key)}")
        raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        raw.close()
        raise DatabaseKeyError(
            "file is not a database, or the key in "
            f"{KEY_VARIABLE} / {KEY_FILE_VARIABLE} does not open it"
        ) from None
    return Connection(raw)


def export(
    source: Path | str, source_key: str | None, target: Path | str, target_key: str | None
) -> None:
    """Write the whole database at `source` into the new file `target`, encrypted with
    `target_key` or plain without one (SQLCipher's `sqlcipher_export`)."""
    raw = sqlcipher3.connect(str(source), isolation_level=None)
    try:
        raw.execute("PRAGMA cipher_log_level = NONE")
        if source_key is not None:
            raw.execute(f"PRAGMA key = {quote(source_key)}")
        raw.execute(f"ATTACH DATABASE {quote(str(target))} AS target KEY {quote(target_key or '')}")
        raw.execute("SELECT sqlcipher_export('target')")
        raw.execute("DETACH DATABASE target")
    except sqlcipher3.Error as exc:
        raise _as_sqlite3(exc) from exc
    finally:
        raw.close()


def quote(text: str) -> str:
    """A string literal: PRAGMA key takes no parameters, so the quoting is ours."""
    if "\x00" in text:
        raise DatabaseKeyError("the key holds a NUL character")
    return "'" + text.replace("'", "''") + "'"


def _as_sqlite3(exc: sqlcipher3.Error) -> sqlite3.Error:
    kind = getattr(sqlite3, type(exc).__name__, sqlite3.DatabaseError)
    translated = kind(*exc.args)
    for name in ("sqlite_errorcode", "sqlite_errorname"):
        if hasattr(exc, name):
            setattr(translated, name, getattr(exc, name))
    return translated


class _Translating:
    """Forwards to a sqlcipher3 object; what it raises comes out as `sqlite3` errors, and
    the cursors it returns are wrapped too."""

    def __init__(self, inner) -> None:
        object.__setattr__(self, "_inner", inner)

    def __getattr__(self, name: str):
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            args = tuple(a._inner if isinstance(a, _Translating) else a for a in args)
            return _wrap(_guarded(value, *args, **kwargs))

        return call

    def __setattr__(self, name: str, value) -> None:
        setattr(self._inner, name, value)

    def __iter__(self):
        return self

    def __next__(self):
        return _guarded(next, self._inner)

    def __enter__(self):
        _guarded(self._inner.__enter__)
        return self

    def __exit__(self, *exc_info):
        return _guarded(self._inner.__exit__, *exc_info)


class Connection(_Translating):
    """A keyed SQLCipher connection that raises what a `sqlite3.Connection` raises."""


class Cursor(_Translating):
    pass


def _guarded(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except sqlcipher3.Error as exc:
        raise _as_sqlite3(exc) from exc


def _wrap(value):
    if isinstance(value, sqlcipher3.Cursor):
        return Cursor(value)
    if isinstance(value, sqlcipher3.Connection):
        return Connection(value)
    return value
