"""Consistent copies of the live database, and putting one back.

A plain file copy of a WAL database taken while the bot runs misses whatever is still in
the -wal file. `backup` uses SQLite's online backup on a second connection instead: it
copies the database as one reader sees it, WAL included, while the bot goes on writing.
Every copy is checked (integrity_check, and that its schema versions are ones this code
knows) before it counts as a backup or is restored.

With a key (storage/crypt.py) both ends of every copy are opened with it: the backup of
an encrypted database is encrypted with the same key, and its check also verifies every
page's HMAC (`cipher_integrity_check`).

`restore` refuses while a bot has the target open: a running `Store` holds a shared lock
on `<database>.lock` (storage/db.py), and restore needs it exclusively.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage import crypt
from storage.db import ENVIRONMENT, connect, lock_path
from storage.migrations import migrations

COUNTED = ("users", "journal_entries", "signals", "outbox")


class BackupError(Exception):
    """The copy is not a usable Omzien database, or the target is in use."""


@dataclass(frozen=True)
class Checked:
    path: Path
    size: int
    applied: tuple[str, ...]
    counts: dict[str, int]
    encrypted: bool = False

    def summary(self) -> str:
        counts = ", ".join(f"{t} {n}" for t, n in self.counts.items())
        sealed = "encrypted" if self.encrypted else "not encrypted"
        return (
            f"{self.path}: {self.size} bytes, {sealed}, integrity ok, "
            f"schema {len(self.applied)} of "
            f"{len(known_versions())} versions ({self.applied[-1]}); {counts}"
        )


def known_versions() -> tuple[str, ...]:
    return tuple(m.name for m in migrations._migrations)


def backup(source: Path | str, target: Path | str) -> Checked:
    """Copy the database at `source` to `target` (a new file), then check the copy."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    copy_database(Path(source), partial)
    try:
        checked = check(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return Checked(target, checked.size, checked.applied, checked.counts, checked.encrypted)


def copy_database(source: Path, target: Path, key=ENVIRONMENT) -> None:
    """SQLite's online backup into a new file, both ends opened with the same key."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    try:
        src = connect(source, key)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} cannot be read ({exc})") from exc
    dst = connect(target, key)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
    finally:
        dst.close()
        src.close()


def check(path: Path | str, key=ENVIRONMENT) -> Checked:
    """Integrity and schema of a copy; raises BackupError when it is not usable."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no file at {path}")
    try:
        conn = connect(path, key)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable database ({exc})") from exc
    try:
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is not a readable database ({exc})") from exc
        if result != "ok":
            raise BackupError(f"{path} fails integrity_check: {result}")
        encrypted = isinstance(conn, crypt.Connection)
        if encrypted:
            _check_pages(conn, path)
        applied = _applied(conn, path)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    finally:
        conn.close()
    return Checked(path, path.stat().st_size, applied, counts, encrypted)


def _check_pages(conn, path: Path) -> None:
    """integrity_check reads what decrypts; this also checks every page's HMAC."""
    problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    if problems:
        raise BackupError(f"{path} fails cipher_integrity_check: {problems[0]}")


def _applied(conn: sqlite3.Connection, path: Path) -> tuple[str, ...]:
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [migrations.name],
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise BackupError(f"{path} is not an Omzien database (no schema versions)") from exc
    applied = tuple(r[0] for r in rows)
    unknown = [name for name in applied if name not in known_versions()]
    if not applied or unknown:
        raise BackupError(
            f"{path} has schema versions this Omzien does not know: {unknown}"
            if unknown
            else f"{path} has no schema versions"
        )
    return applied


def restore(
    copy: Path | str, target: Path | str, now: datetime | None = None
) -> tuple[Checked, Path | None]:
    """Put a checked copy in place of `target`; the old file is kept aside (returned)."""
    copy, target = Path(copy), Path(target)
    with exclusive(target):
        checked = check(copy)
        aside = None
        if target.exists():
            stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
            aside = target.with_name(f"{target.name}.before-restore-{stamp}")
            copy_database(target, aside)  # with whatever its WAL still held
        incoming = target.with_name(target.name + ".restoring")
        copy_database(copy, incoming)
        for companion in ("-wal", "-shm"):  # the old WAL must not replay onto the copy
            Path(f"{target}{companion}").unlink(missing_ok=True)
        os.replace(incoming, target)
    return (
        Checked(target, target.stat().st_size, checked.applied, checked.counts, checked.encrypted),
        aside,
    )


@contextmanager
def exclusive(target: Path):
    """Held while the file is replaced; refused while a Store (a bot) has it open."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(target), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupError(f"a bot is running on {target}: stop it first") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
