"""Opening the one SQLite file, and the single writer the async bot talks to.

sqlite-utils is synchronous. The bot gives it one connection on one thread
(`Store.run`), so every read and write is serialised there and the event loop never
blocks on disk.
"""
from __future__ import annotations

import asyncio
import fcntl
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from sqlite_utils import Database

from storage.migrations import migrations

T = TypeVar("T")


def open_db(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (and create) the database file with the pragmas Omzien relies on."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(connect(path))
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA synchronous = NORMAL")
    if str(path) != ":memory:":
        db.enable_wal()
    if migrate:
        migrations.apply(db)
    return db


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection to the file; every connection Omzien makes goes through here."""
    return sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)


def lock_path(path: Path | str) -> Path:
    return Path(f"{path}.lock")


def hold_shared_lock(path: Path | str):
    """While the returned file stays open, `omzien restore` refuses to replace `path`.
    The kernel drops the lock when the process ends, however it ends."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path(path), "a+b")
    fcntl.flock(handle, fcntl.LOCK_SH)     # waits while a restore is busy
    return handle


class Store:
    """One connection, one thread: the bot's only door to the database."""

    def __init__(self, db: Database, lock=None) -> None:
        self.db = db
        self._lock = lock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="omzien-db")

    @classmethod
    def open(cls, path: Path | str) -> "Store":
        lock = hold_shared_lock(path) if str(path) != ":memory:" else None
        return cls(open_db(path), lock)

    async def run(self, fn: Callable[..., T], *args) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, self.db, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.db.close()
        if self._lock is not None:
            self._lock.close()
