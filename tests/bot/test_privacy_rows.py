"""/export holds every row about the user, and /vergeet leaves none: not in any table, not
in the search index, not in the database file's bytes. Driven through the sandbox (the real
bot and the emulator); rows in every table are made first.

    .venv/bin/python -m pytest tests/bot/test_privacy_rows.py -q
"""

from __future__ import annotations

import json
from datetime import timedelta

from sandbox.demo import PERSONAS
from storage import dialogue_state, invites, journal, outbox, privacy, relationship, steps, tasks
from storage.db import is_encrypted
from storage.dialogue_state import SavedState
from storage.times import iso

VERA, PIM = PERSONAS["vera"][0], PERSONAS["pim"][0]
WORD = "zwaluwstaartxyz"  # a word nobody else writes


def user_columns(db) -> dict[str, list[str]]:
    """{table: columns that reference users(id)}, read from the schema itself."""
    found: dict[str, list[str]] = {}
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for fk in db.execute(f"PRAGMA foreign_key_list({table})").fetchall():
            if fk[2] == "users":
                found.setdefault(table, []).append(fk[3])
    found["users"] = ["id"]
    return found


def make_rows_about(db, user_id: int, now) -> dict[str, int]:
    """One row (at least) about the user in every table that can hold one; {table: id}."""
    later = now + timedelta(days=400)  # outbox and tasks: not due during the test
    code = invites.create(db, "volunteer", PERSONAS["cora"][0], now, timedelta(days=14))
    invite_id = db.execute("SELECT max(id) FROM invites").fetchone()[0]
    invites.mark_used(db, invite_id, user_id, now)
    assert code
    resident_id = db.execute(
        "SELECT id FROM residents WHERE volunteer_id = ?", [user_id]
    ).fetchone()[0]
    entry = journal.add(
        db,
        user_id,
        "reflectie",
        now,
        resident_id=resident_id,
        complete=True,
        energy=4,
        answers={"antwoord_1": f"we aten {WORD}"},
        texts=[f"we aten {WORD}"],
    )
    journal.record_asked(db, user_id, ["mooiste_moment"], now)
    step = steps.add(db, user_id, resident_id, f"samen {WORD} bakken", now)
    signal = relationship.record_need(db, user_id, resident_id, now)
    to_pim = outbox.enqueue(
        db,
        PIM,
        "test",
        "over vera",
        now,
        recipient_id=PIM,
        about_id=user_id,
        signal_id=signal,
        not_before=later,
    )
    task = tasks.schedule(db, "test_task", later, user_id=user_id, now=now)
    return {
        "users": user_id,
        "invites": invite_id,
        "residents": resident_id,
        "journal_entries": entry,
        "asked_questions": db.execute("SELECT max(id) FROM asked_questions").fetchone()[0],
        "steps": step,
        "signals": signal,
        "outbox": to_pim,
        "due_tasks": task,
        "journal_answers": db.execute("SELECT max(id) FROM journal_answers").fetchone()[0],
        "signal_events": db.execute("SELECT max(id) FROM signal_events").fetchone()[0],
        "links": user_id,
    }


def save_state(db, user_id: int, now) -> None:
    dialogue_state.save(
        db,
        SavedState(
            user_id,
            "reflectie",
            "energie",
            "abcd",
            3,
            {"bezoek": "ja", "notitie": WORD},
            {},
            iso(now),
            iso(now),
        ),
    )


def file_bytes(sandbox) -> bytes:
    """The database file and its -wal and -shm companions, as they are on disk."""
    sandbox.rt.store.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    files = sorted(sandbox.db_path.parent.glob(sandbox.db_path.name + "*"))
    assert files, "the database file is where the test thinks"
    return b"".join(p.read_bytes() for p in files)


def row_key(table: str, row: dict):
    return row["volunteer_id"] if table == "links" else row.get("id", row.get("user_id"))


def test_export_function_covers_every_table_that_references_users(db, now):
    from sandbox import demo

    demo.seed(db, now)
    made = make_rows_about(db, VERA, now)
    save_state(db, VERA, now)
    exported = privacy.export(db, VERA)
    for table in user_columns(db):
        assert table in exported, f"/export leaves out table {table}"
    for table, row_id in made.items():
        assert row_id in [row_key(table, r) for r in exported[table]], f"{table} row {row_id}"
    assert exported["dialogue_state"][0]["user_id"] == VERA
    assert all("code_hash" not in r for r in exported["invites"])


async def test_export_sends_every_row_as_json_and_html(sandbox):
    now = sandbox.clock.now()
    made = await sandbox.rt.store.run(make_rows_about, VERA, now)
    await sandbox.say("vera", "/export")
    documents = [m for m in sandbox.messages("vera") if m.document]
    names = [m.document_file_name for m in documents]
    assert names == ["omzien-export.json", "omzien-export.html"]
    stored = sandbox.emulator._files[documents[0].document["file_id"]].data
    exported = json.loads(stored.decode("utf-8"))
    for table, row_id in made.items():
        assert row_id in [row_key(table, r) for r in exported[table]], f"{table} row {row_id}"
    assert WORD in stored.decode("utf-8")
    page = sandbox.emulator._files[documents[1].document["file_id"]].data.decode("utf-8")
    assert WORD in page and "<section" in page  # a page per area now, no table dump


async def test_forget_leaves_no_row_no_index_entry_and_no_bytes(sandbox):
    now = sandbox.clock.now()
    await sandbox.rt.store.run(make_rows_about, VERA, now)
    # Her own words, typed in a reflection through the bot.
    await sandbox.say("vera", "/bezoek")
    await sandbox.press("vera", "Ja")
    await sandbox.press("vera", "#4")
    await sandbox.say("vera", f"Ze vertelde over {WORD}")
    db = sandbox.rt.store.db

    def hits(db):
        return db.execute(
            "SELECT rowid FROM journal_entries_fts WHERE journal_entries_fts MATCH ?", [WORD]
        ).fetchall()

    assert await sandbox.rt.store.run(hits)
    await sandbox.say("vera", "/stop")  # keeps an unfinished entry with her words

    if is_encrypted(db):  # the pass with OMZIEN_DB_KEY: not even before /vergeet
        assert WORD.encode() not in file_bytes(sandbox), "her word is readable on disk"
    else:
        assert WORD.encode() in file_bytes(sandbox), "the check below must be able to see her word"

    await sandbox.say("vera", "/vergeet")
    await sandbox.press("vera", "wis alles")
    await sandbox.press("vera", "echt wissen")
    assert "Alles is gewist" in sandbox.messages("vera")[-1].raw_text

    def leftovers(db):
        found = []
        for table, columns in user_columns(db).items():
            for column in columns:
                count = db.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} = ?", [VERA]
                ).fetchone()[0]
                if count:
                    found.append(f"{table}.{column}")
        exported = privacy.export(db, VERA)
        found += [f"{table} (export)" for table, rows in exported.items() if rows]
        found += [
            "outbox chat"
            for _ in db.execute("SELECT id FROM outbox WHERE chat_id = ?", [VERA]).fetchall()
        ]
        return found

    assert await sandbox.rt.store.run(leftovers) == []
    assert await sandbox.rt.store.run(hits) == []
    assert file_bytes(sandbox).find(WORD.encode()) == -1, "her word is still in the file"
    assert db is sandbox.rt.store.db


def test_a_contact_persons_export_holds_no_note_the_volunteer_kept_to_herself(db, now):
    from storage import links, residents, signals, users

    for uid, role, name in ((VERA, "volunteer", "Vera"), (PIM, "professional", "Pim")):
        users.create(db, uid, role, name, "nl", now)
    links.link(db, VERA, PIM, now)
    resident = residents.add(db, VERA, "mevrouw L", now).id
    for shared in (False, True):
        signals.create(
            db,
            VERA,
            now,
            level=3,
            categories=["acuut"],
            resident_id=resident,
            note=f"{WORD} {shared}",
            share_note=shared,
            consent=True,
            resident_knows="nee",
            status="open",
            professional_id=PIM,
        )
    notes_pim = [s["note"] for s in privacy.export(db, PIM)["signals"]]
    notes_vera = [s["note"] for s in privacy.export(db, VERA)["signals"]]
    assert notes_pim == [None, f"{WORD} True"]
    assert notes_vera == [f"{WORD} False", f"{WORD} True"]
