"""`storage.backup`: a copy taken while the bot writes holds what is still in the WAL (a plain
file copy does not), every copy is checked, and restore refuses while a Store has the
target open, refuses copies it cannot trust, and keeps the old file aside.

    .venv/bin/python -m pytest tests/storage/test_backup.py -q
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from storage import users
from storage.backup import BackupError, backup, check, restore
from storage.db import Store, connect, open_db


def add_users(db, first: int, count: int, now) -> None:
    with db.atomic():
        for user_id in range(first, first + count):
            users.create(db, user_id, "volunteer", f"V{user_id}", "nl", now)


def users_in(path) -> int:
    conn = connect(path)  # with OMZIEN_DB_KEY set, encrypted as the bot's file is
    try:
        return conn.execute("SELECT count(*) FROM users").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not even the table: it was still in the WAL too
    finally:
        conn.close()


def test_a_backup_holds_what_is_still_in_the_wal_and_a_plain_copy_does_not(tmp_path, now):
    live = tmp_path / "omzien.db"
    db = open_db(live)
    db.execute("PRAGMA wal_autocheckpoint = 0")  # keep the rows in the WAL, as under load
    add_users(db, 1, 50, now)
    shutil.copyfile(live, tmp_path / "plain.db")
    written = backup(live, tmp_path / "copy.db")
    db.close()
    assert users_in(tmp_path / "plain.db") < 50, "the plain copy should show the problem"
    assert written.counts["users"] == 50
    copy = open_db(tmp_path / "copy.db")
    assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == 50
    assert not (tmp_path / "copy.db-wal").exists() or (tmp_path / "copy.db-wal").stat().st_size == 0
    assert "integrity ok" in written.summary()


def test_backup_never_overwrites_and_check_rejects_what_is_not_ours(tmp_path, now):
    live = tmp_path / "omzien.db"
    open_db(live).close()
    backup(live, tmp_path / "copy.db")
    with pytest.raises(BackupError, match="exists"):
        backup(live, tmp_path / "copy.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a readable database"):
        check(tmp_path / "junk.db")
    connect(tmp_path / "other.db").execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match="not an Omzien database"):
        check(tmp_path / "other.db")
    newer = tmp_path / "newer.db"
    shutil.copyfile(tmp_path / "copy.db", newer)
    conn = connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('omzien', 'm999_from_the_future', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="does not know"):
        check(newer)


def test_restore_refuses_while_a_store_is_open_then_restores_and_keeps_the_old(tmp_path, now):
    live = tmp_path / "omzien.db"
    store = Store.open(live)
    add_users(store.db, 1, 3, now)
    backup(live, tmp_path / "copy.db")
    add_users(store.db, 100, 4, now)  # after the backup
    with pytest.raises(BackupError, match="a bot is running"):
        restore(tmp_path / "copy.db", live)
    assert store.db.execute("SELECT count(*) FROM users").fetchone()[0] == 7
    store.close()

    restored, aside = restore(tmp_path / "copy.db", live)
    assert restored.counts["users"] == 3
    assert open_db(aside).execute("SELECT count(*) FROM users").fetchone()[0] == 7
    reopened = Store.open(live)
    assert reopened.db.execute("SELECT count(*) FROM users").fetchone()[0] == 3
    reopened.close()


def test_restore_checks_the_copy_before_touching_anything(tmp_path, now):
    live = tmp_path / "omzien.db"
    db = open_db(live)
    add_users(db, 1, 2, now)
    db.close()
    (tmp_path / "broken.db").write_bytes(b"\0" * 4096)
    with pytest.raises(BackupError):
        restore(tmp_path / "broken.db", live)
    assert open_db(live).execute("SELECT count(*) FROM users").fetchone()[0] == 2
    assert not list(tmp_path.glob("omzien.db.before-restore-*"))
