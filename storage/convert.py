"""Encrypting an existing database file, or decrypting one: `omzien db encrypt|decrypt`.

The whole database is written into a new file (SQLCipher's `sqlcipher_export`), that
file is checked (integrity, every page's HMAC when encrypted, schema versions, the same
row counts as before), the old file is kept aside as `<name>.before-<verb>-<time>`, and
the new one takes its place. Like `omzien restore`, it refuses while a bot has the file
open (storage/backup.exclusive), and it changes nothing when any step fails.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from storage import crypt
from storage.backup import BackupError, Checked, check, copy_database, exclusive
from storage.db import connect


def encrypt(path: Path | str, key: str, now: datetime | None = None) -> tuple[Checked, Path]:
    """Encrypt the plain database at `path` with `key`; returns the check and the old file."""
    path = Path(path)
    if path.is_file() and not crypt.is_plain(path):
        raise BackupError(f"{path} is not a plain SQLite database (encrypted already?)")
    return _convert(path, None, key, "encrypt", now)


def decrypt(path: Path | str, key: str, now: datetime | None = None) -> tuple[Checked, Path]:
    """Decrypt the database at `path` (encrypted with `key`) into plain SQLite."""
    path = Path(path)
    if crypt.is_plain(path):
        raise BackupError(f"{path} is not encrypted")
    return _convert(path, key, None, "decrypt", now)


def _convert(
    path: Path, old_key: str | None, new_key: str | None, verb: str, now: datetime | None
) -> tuple[Checked, Path]:
    with exclusive(path):
        before = check(path, key=old_key)
        incoming = path.with_name(f"{path.name}.{verb}ing")
        incoming.unlink(missing_ok=True)
        try:
            after = _export(path, old_key, incoming, new_key, before)
        except BaseException:
            incoming.unlink(missing_ok=True)
            raise
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
        aside = path.with_name(f"{path.name}.before-{verb}-{stamp}")
        copy_database(path, aside, key=old_key)  # with whatever its WAL still held
        for companion in ("-wal", "-shm"):  # the old WAL must not meet the new file
            Path(f"{path}{companion}").unlink(missing_ok=True)
        os.replace(incoming, path)
    return Checked(path, path.stat().st_size, after.applied, after.counts, after.encrypted), aside


def _export(
    path: Path, old_key: str | None, incoming: Path, new_key: str | None, before: Checked
) -> Checked:
    try:
        crypt.export(path, old_key, incoming, new_key)
    except sqlite3.Error as exc:
        raise BackupError(f"could not write {incoming} ({exc})") from exc
    after = check(incoming, key=new_key)
    old, new = _rows(path, old_key), _rows(incoming, new_key)
    if old != new or after.applied != before.applied:
        differ = sorted(t for t in old.keys() | new.keys() if old.get(t) != new.get(t))
        raise BackupError(f"{incoming} does not hold what {path} holds (tables {differ})")
    return after


def _rows(path: Path, key: str | None) -> dict[str, int]:
    """Rows per table, search index and schema versions included."""
    conn = connect(path, key)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
                "'CREATE VIRTUAL TABLE%' ORDER BY name"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()
