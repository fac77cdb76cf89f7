"""Encryption at rest (storage/crypt.py, storage/convert.py, `omzien db`): with a key the
database, its WAL and its backups cannot be read without that key, a wrong key is one
clear error, and what the bot relies on (migrations, FTS5 search, cascades, /vergeet's
VACUUM, backup and restore, errors that are sqlite3's) works as without a key.

    .venv/bin/python -m pytest tests/storage/test_crypt.py -q
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from bot import cli
from storage import crypt, journal, privacy, residents, users
from storage.backup import BackupError, backup, check, restore
from storage.convert import decrypt, encrypt
from storage.db import Store, connect, is_encrypted, open_db
from storage.migrations import migrations

KEY = "correct horse 'battery' staple"  # a quote in it: PRAGMA key is quoted by hand
SECRET = "zeldzaamwoord"  # a word that only the journal holds
ALIAS = "mevrouw Lammers"
VERA = 11


@pytest.fixture
def key(monkeypatch) -> str:
    monkeypatch.setenv(crypt.KEY_VARIABLE, KEY)
    monkeypatch.delenv(crypt.KEY_FILE_VARIABLE, raising=False)
    return KEY


@pytest.fixture
def no_key(monkeypatch) -> None:
    monkeypatch.delenv(crypt.KEY_VARIABLE, raising=False)
    monkeypatch.delenv(crypt.KEY_FILE_VARIABLE, raising=False)


def seed(db, now) -> None:
    with db.atomic():
        users.create(db, VERA, "volunteer", "Vera", "nl", now)
        resident = residents.add(db, VERA, ALIAS, now).id
        journal.add(
            db,
            VERA,
            "reflectie",
            now,
            resident_id=resident,
            complete=True,
            energy=4,
            answers={"bezoek": "ja"},
            texts=[f"{SECRET} bij de koffie"],
        )


def files_of(path) -> list:
    return [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]


def readable_by_plain_sqlite(path) -> bool:
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def found(db) -> list[str]:
    return [e.body for e in journal.search(db, VERA, SECRET)]


def seeded_with_wal(path, now):
    """A database whose latest rows are still in its -wal file, as under load."""
    db = open_db(path)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    seed(db, now)
    return db


def test_with_a_key_neither_the_file_nor_its_wal_shows_the_text(tmp_path, now, key, monkeypatch):
    path = tmp_path / "omzien.db"
    db = seeded_with_wal(path, now)
    assert is_encrypted(db)
    assert len(files_of(path)) == 2, "the rows should still be in the WAL"
    for part in files_of(path):
        content = part.read_bytes()
        assert SECRET.encode() not in content and ALIAS.encode() not in content, part
    assert not readable_by_plain_sqlite(path)
    assert found(db) == [f"{SECRET} bij de koffie"]
    db.close()

    # The same steps without a key: the check above does see the text when it is there.
    monkeypatch.delenv(crypt.KEY_VARIABLE)
    plain = tmp_path / "plain.db"
    seeded_with_wal(plain, now).close()
    assert SECRET.encode() in b"".join(p.read_bytes() for p in files_of(plain))
    assert readable_by_plain_sqlite(plain)


def test_a_wrong_or_missing_key_is_one_clear_error(tmp_path, now, key):
    path = tmp_path / "omzien.db"
    open_db(path).close()
    with pytest.raises(crypt.DatabaseKeyError, match="key .* does not open it"):
        open_db(path, key="not the key")
    with pytest.raises(sqlite3.DatabaseError, match="it is encrypted: set OMZIEN_DB_KEY"):
        open_db(path, key=None)
    plain = tmp_path / "plain.db"
    open_db(plain, key=None).close()
    with pytest.raises(crypt.DatabaseKeyError, match="not encrypted, but OMZIEN_DB_KEY is set"):
        open_db(plain)
    assert readable_by_plain_sqlite(plain), "a refused open must not touch the file"


def test_migrations_search_cascade_and_forget_work_with_a_key(tmp_path, now, key):
    db = open_db(tmp_path / "omzien.db")
    assert migrations.pending(db) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    seed(db, now)
    assert found(db) == [f"{SECRET} bij de koffie"]
    journal.add(
        db,
        VERA,
        "reflectie",
        now,
        resident_id=None,
        complete=True,
        energy=3,
        answers={},
        texts=["nog een keer"],
    )

    privacy.forget(db, VERA)  # delete, merge the index, checkpoint, VACUUM

    assert found(db) == []
    assert db.execute("SELECT count(*) FROM journal_entries_fts").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM residents").fetchone()[0] == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA cipher_integrity_check").fetchall() == []
    db.close()
    assert not readable_by_plain_sqlite(tmp_path / "omzien.db")
    assert is_encrypted(open_db(tmp_path / "omzien.db"))


def test_with_a_key_errors_are_the_standard_librarys(tmp_path, now, key):
    db = open_db(tmp_path / "omzien.db")
    with pytest.raises(sqlite3.IntegrityError):
        residents.add(db, 424242, "meneer X", now)  # no such user
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        db.execute("SELECT * FROM nowhere")
    db["nowhere"].drop(ignore=True)  # sqlite-utils catches sqlite3.OperationalError itself
    with pytest.raises(sqlite3.OperationalError):
        db["nowhere"].drop()


def test_the_backup_of_an_encrypted_database_is_encrypted_with_the_same_key(tmp_path, now, key):
    live = tmp_path / "omzien.db"
    db = seeded_with_wal(live, now)
    written = backup(live, tmp_path / "copy.db")
    db.close()
    assert written.encrypted and "encrypted, integrity ok" in written.summary()
    assert written.counts["users"] == 1 and written.counts["journal_entries"] == 1
    assert not readable_by_plain_sqlite(tmp_path / "copy.db")
    with pytest.raises(BackupError, match="not a readable database"):
        check(tmp_path / "copy.db", key="another key")
    assert found(open_db(tmp_path / "copy.db")) == [f"{SECRET} bij de koffie"]

    restored, aside = restore(tmp_path / "copy.db", live)
    assert restored.encrypted and aside is not None and not readable_by_plain_sqlite(aside)
    store = Store.open(live)
    assert found(store.db) == [f"{SECRET} bij de koffie"]
    store.close()


def test_a_changed_page_in_an_encrypted_backup_fails_its_check(tmp_path, now, key):
    live = tmp_path / "omzien.db"
    seeded_with_wal(live, now).close()
    backup(live, tmp_path / "copy.db")
    broken = tmp_path / "broken.db"
    shutil.copyfile(tmp_path / "copy.db", broken)
    data = bytearray(broken.read_bytes())
    data[3 * 4096 + 100] ^= 0x01  # one bit in the third page
    broken.write_bytes(bytes(data))
    check(tmp_path / "copy.db")
    with pytest.raises(BackupError):
        check(broken)


def test_restore_refuses_a_plain_copy_while_a_key_is_set(tmp_path, now, key):
    plain = tmp_path / "plain.db"
    open_db(plain, key=None).close()
    live = tmp_path / "omzien.db"
    open_db(live).close()
    with pytest.raises(BackupError, match="not encrypted, but OMZIEN_DB_KEY is set"):
        restore(plain, live)
    assert is_encrypted(open_db(live))


def test_the_key_from_the_environment_or_a_key_file(tmp_path):
    assert crypt.key_from_env({}) is None
    assert crypt.key_from_env({"OMZIEN_DB_KEY": "k1"}) == "k1"
    key_file = tmp_path / "key"
    key_file.write_text("from a file\n")
    assert crypt.key_from_env({"OMZIEN_DB_KEY_FILE": str(key_file)}) == "from a file"
    with pytest.raises(crypt.DatabaseKeyError, match="set one"):
        crypt.key_from_env({"OMZIEN_DB_KEY": "k1", "OMZIEN_DB_KEY_FILE": str(key_file)})
    with pytest.raises(crypt.DatabaseKeyError, match="cannot read the key file"):
        crypt.key_from_env({"OMZIEN_DB_KEY_FILE": str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(crypt.DatabaseKeyError, match="is empty"):
        crypt.key_from_env({"OMZIEN_DB_KEY_FILE": str(tmp_path / "empty")})
    with pytest.raises(crypt.DatabaseKeyError, match="NUL"):
        connect(tmp_path / "x.db", key="a\x00b")


def test_a_key_file_opens_what_the_same_key_encrypted(tmp_path, now, monkeypatch, no_key):
    key_file = tmp_path / "omzien.key"
    key_file.write_text(KEY + "\n")
    monkeypatch.setenv(crypt.KEY_FILE_VARIABLE, str(key_file))
    seeded_with_wal(tmp_path / "omzien.db", now).close()
    assert found(open_db(tmp_path / "omzien.db", key=KEY)) == [f"{SECRET} bij de koffie"]


def crashed_copy(tmp_path, now):
    """A plain database as a killed bot leaves it: its newest rows only in the -wal file."""
    live = tmp_path / "live.db"
    db = seeded_with_wal(live, now)
    path = tmp_path / "omzien.db"
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{live}{suffix}", f"{path}{suffix}")
    db.close()
    return path


def test_encrypt_then_decrypt_keeps_every_row_and_the_old_file_aside(tmp_path, now, no_key):
    path = crashed_copy(tmp_path, now)

    done, aside = encrypt(path, KEY)

    assert done.encrypted and done.counts["users"] == 1 and done.counts["journal_entries"] == 1
    assert not readable_by_plain_sqlite(path)
    assert not path.with_name(path.name + "-wal").exists()
    db = open_db(path, key=KEY)
    assert found(db) == [f"{SECRET} bij de koffie"]  # FTS5 index came along
    db.execute("INSERT INTO journal_entries_fts(journal_entries_fts) VALUES ('integrity-check')")
    db.close()
    assert aside.name.startswith("omzien.db.before-encrypt-")
    assert found(open_db(aside, key=None)) == [f"{SECRET} bij de koffie"]

    done, aside = decrypt(path, KEY)

    assert not done.encrypted and readable_by_plain_sqlite(path)
    assert found(open_db(path, key=None)) == [f"{SECRET} bij de koffie"]
    assert aside.name.startswith("omzien.db.before-decrypt-")
    assert not readable_by_plain_sqlite(aside)


def test_encrypt_refuses_while_a_bot_runs_and_changes_nothing(tmp_path, now, no_key):
    path = tmp_path / "omzien.db"
    store = Store.open(path)
    seed(store.db, now)
    with pytest.raises(BackupError, match="a bot is running"):
        encrypt(path, KEY)
    assert not is_encrypted(store.db)
    store.close()
    assert readable_by_plain_sqlite(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["omzien.db", "omzien.db.lock"]


def test_encrypt_and_decrypt_refuse_what_they_cannot_use(tmp_path, now, no_key):
    path = tmp_path / "omzien.db"
    open_db(path, key=KEY).close()
    with pytest.raises(BackupError, match="not a plain SQLite database"):
        encrypt(path, "another key")
    with pytest.raises(BackupError, match="not a readable database"):
        decrypt(path, "another key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["omzien.db", "omzien.db.lock"]
    assert is_encrypted(open_db(path, key=KEY))
    plain = tmp_path / "plain.db"
    open_db(plain, key=None).close()
    with pytest.raises(BackupError, match="is not encrypted"):
        decrypt(plain, KEY)


def test_omzien_db_encrypt_and_decrypt(tmp_path, now, no_key, monkeypatch, capsys):
    path = crashed_copy(tmp_path, now)
    assert cli.main(["db", "encrypt", str(path)]) == 1
    assert "set OMZIEN_DB_KEY or OMZIEN_DB_KEY_FILE first" in capsys.readouterr().err
    assert readable_by_plain_sqlite(path)

    monkeypatch.setenv(crypt.KEY_VARIABLE, KEY)
    assert cli.main(["db", "encrypt", str(path)]) == 0
    out = capsys.readouterr().out
    assert "encrypted: " in out and "users 1, journal_entries 1" in out
    assert "the unencrypted original is kept at" in out and "delete it" in out
    assert not readable_by_plain_sqlite(path)
    assert cli.main(["db", "encrypt", str(path)]) == 1
    assert "encrypted already" in capsys.readouterr().err

    monkeypatch.setenv(crypt.KEY_VARIABLE, "not the key")
    assert cli.main(["db", "decrypt", str(path)]) == 1
    assert "does not open it" in capsys.readouterr().err
    monkeypatch.setenv(crypt.KEY_VARIABLE, KEY)
    assert cli.main(["db", "decrypt", str(path)]) == 0
    assert "without OMZIEN_DB_KEY from now on" in capsys.readouterr().out
    assert readable_by_plain_sqlite(path)


async def test_the_fixtures_follow_the_key_in_the_environment(db, sandbox, tmp_path):
    """`make test-encrypted` proves something only if, with OMZIEN_DB_KEY set, the shared
    fixtures open encrypted databases (and plain ones without it)."""
    keyed = crypt.key_from_env() is not None
    assert is_encrypted(db) is keyed
    assert is_encrypted(sandbox.rt.store.db) is keyed
    assert crypt.is_plain(tmp_path / "t.db") is not keyed
