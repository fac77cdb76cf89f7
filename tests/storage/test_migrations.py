"""The schema from an empty file, the pragmas the bot relies on, and deletion by cascade."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from storage import dialogue_state, journal, links, outbox, residents, steps, users
from storage.db import open_db
from storage.dialogue_state import SavedState
from storage.migrations import migrations
from storage.times import iso

TABLES = {
    "users",
    "invites",
    "links",
    "residents",
    "dialogue_state",
    "journal_entries",
    "journal_answers",
    "asked_questions",
    "steps",
    "signals",
    "signal_events",
    "broadcasts",
    "outbox",
    "due_tasks",
    "journal_entries_fts",
}


def schema(db) -> list[tuple]:
    return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def test_migrations_from_an_empty_file_create_every_table(tmp_path):
    path = tmp_path / "empty.db"
    assert not path.exists()
    db = open_db(path)
    assert set(db.table_names()) >= TABLES
    assert migrations.pending(db) == []
    assert [m.name for m in migrations.applied(db)][:2] == [
        "m001_initial_schema",
        "m002_journal_search",
    ]


def test_applying_the_migrations_again_changes_nothing(tmp_path):
    path = tmp_path / "again.db"
    first = open_db(path)
    before = schema(first)
    applied = migrations.applied(first)
    first.close()
    again = open_db(path)  # applies the migrations a second time
    migrations.apply(again)  # and a third, explicitly
    assert schema(again) == before
    assert migrations.applied(again) == applied
    assert len(before) > len(TABLES)


def test_foreign_keys_are_on_and_the_journal_is_in_wal_mode(db):
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"


def test_a_foreign_key_violation_is_refused(db, now):
    with pytest.raises(sqlite3.IntegrityError):
        residents.add(db, 424242, "mevrouw X", now)  # no such user


def _seed(db, now):
    """A volunteer with everything that can be theirs, a professional, and a bystander."""
    vera = users.create(db, 11, "volunteer", "Vera", "nl", now).id
    pim = users.create(db, 22, "professional", "Pim", "nl", now).id
    wim = users.create(db, 33, "volunteer", "Wim", "nl", now).id
    links.link(db, vera, pim, now)
    links.link(db, wim, pim, now)
    res = residents.add(db, vera, "mevrouw L", now).id
    wim_res = residents.add(db, wim, "meneer K", now).id
    journal.add(
        db,
        vera,
        "reflectie",
        now,
        resident_id=res,
        complete=True,
        energy=4,
        answers={"bezoek": "ja", "energie": 4},
        texts=["zeldzaamwoord koffie"],
    )
    journal.add(
        db,
        wim,
        "reflectie",
        now,
        resident_id=wim_res,
        complete=True,
        energy=3,
        answers={"bezoek": "ja"},
        texts=["thee gedronken"],
    )
    steps.add(db, vera, res, "samen wandelen", now)
    steps.add(db, wim, wim_res, "krant lezen", now)
    dialogue_state.save(
        db,
        SavedState(
            vera, "reflectie", "energie", "ab12", 2, {"bezoek": "ja"}, {}, iso(now), iso(now)
        ),
    )
    outbox.enqueue(db, vera, "note", "aan vera", now, recipient_id=vera)
    outbox.enqueue(db, pim, "signal", "over vera", now, recipient_id=pim, about_id=vera)
    outbox.enqueue(db, pim, "signal", "over wim", now, recipient_id=pim, about_id=wim)
    return vera, pim, wim


def _count(db, sql, *params) -> int:
    return db.execute(sql, list(params)).fetchone()[0]


def test_deleting_a_user_cascades_to_everything_that_is_theirs(db, now):
    vera, pim, wim = _seed(db, now)
    fts_hit = "SELECT count(*) FROM journal_entries_fts WHERE journal_entries_fts MATCH ?"
    assert _count(db, fts_hit, "zeldzaamwoord") == 1
    assert _count(db, "SELECT count(*) FROM journal_answers") == 3

    users.delete(db, vera)

    assert users.get(db, vera) is None
    assert _count(db, "SELECT count(*) FROM residents WHERE volunteer_id = ?", vera) == 0
    assert _count(db, "SELECT count(*) FROM journal_entries WHERE user_id = ?", vera) == 0
    assert _count(db, fts_hit, "zeldzaamwoord") == 0  # the FTS copy is gone too
    assert _count(db, fts_hit, "u11") == 0
    assert _count(db, "SELECT count(*) FROM journal_answers") == 1  # only wim's
    assert _count(db, "SELECT count(*) FROM steps WHERE user_id = ?", vera) == 0
    assert dialogue_state.load(db, vera) is None
    assert _count(db, "SELECT count(*) FROM links WHERE volunteer_id = ?", vera) == 0
    assert (
        _count(db, "SELECT count(*) FROM outbox WHERE recipient_id = ? OR about_id = ?", vera, vera)
        == 0
    )
    assert journal.search(db, vera, "zeldzaamwoord") == []
    # Other people's rows are untouched.
    assert users.get(db, pim) is not None and users.get(db, wim) is not None
    assert _count(db, "SELECT count(*) FROM outbox") == 1
    assert [e.body for e in journal.search(db, wim, "thee")] == ["thee gedronken"]
    assert len(steps.open_steps(db, wim)) == 1
    assert links.volunteers_of(db, pim) == [wim]


def test_deleting_a_professional_removes_their_links_but_not_the_volunteers(db, now):
    vera, pim, wim = _seed(db, now)
    users.delete(db, pim)
    assert links.unlinked_volunteers(db) == [vera, wim]
    assert journal.count(db, vera) == 1


def test_purging_old_entries_removes_their_search_copies(db, now):
    vera, _pim, _wim = _seed(db, now)
    assert journal.purge_older_than(db, now + timedelta(seconds=1)) == 2
    assert journal.search(db, vera, "zeldzaamwoord") == []
    assert db.execute("SELECT count(*) FROM journal_entries_fts").fetchone()[0] == 0
