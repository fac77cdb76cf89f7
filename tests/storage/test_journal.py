"""The journal: each volunteer searches only their own entries, whatever they type."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from storage import journal, users

VERA, WIM = 11, 22


@pytest.fixture
def two_volunteers(db, now):
    users.create(db, VERA, "volunteer", "Vera", "nl", now)
    users.create(db, WIM, "volunteer", "Wim", "nl", now)
    return db


def write(db, user_id, text, now):
    return journal.add(
        db,
        user_id,
        "reflectie",
        now,
        resident_id=None,
        complete=True,
        energy=3,
        answers={"antwoord_1": text},
        texts=[text],
    )


def test_search_never_returns_another_volunteers_entry(two_volunteers, now):
    db = two_volunteers
    mine = write(db, VERA, "We dronken koffie en keken naar foto's", now)
    theirs = write(db, WIM, "We dronken koffie en keken naar foto's", now)
    assert [e.id for e in journal.search(db, VERA, "koffie")] == [mine]
    assert [e.id for e in journal.search(db, WIM, "koffie foto")] == [theirs]
    assert journal.search(db, VERA, "thee") == []


def test_search_matches_prefixes_and_ignores_case_and_accents(two_volunteers, now):
    db = two_volunteers
    entry = write(db, VERA, "Ze vertelde over haar Kleinkinderen en het café", now)
    assert [e.id for e in journal.search(db, VERA, "klein")] == [entry]
    assert [e.id for e in journal.search(db, VERA, "KLEINKIND")] == [entry]
    assert [e.id for e in journal.search(db, VERA, "cafe")] == [entry]
    assert [e.id for e in journal.search(db, VERA, "vertel kleinkind")] == [entry]
    assert journal.search(db, VERA, "vertel giraf") == []  # every word must match


HOSTILE = [
    "koffie OR",
    "OR koffie",
    '"koffie',
    'koffie"',
    '"koffie" OR "thee"',
    "*",
    "koffie*",
    "owner:u22",
    "owner:u22 OR koffie",
    "body:koffie OR owner:u22",
    "u22",
    "NEAR(koffie thee)",
    "koffie NOT owner",
    "^koffie",
    "(koffie",
    "koffie)",
    "-koffie",
    "{owner body}: u22",
    "'; DROP TABLE journal_entries; --",
    "",
    "   ",
    "!!!",
]


@pytest.mark.parametrize("words", HOSTILE)
def test_fts_syntax_in_user_input_cannot_break_out(two_volunteers, now, words):
    db = two_volunteers
    write(db, VERA, "koffie bij mevrouw L", now)
    write(db, WIM, "koffie en thee bij meneer K owner u22", now)
    found = journal.search(db, VERA, words)  # raises nothing
    wims = {r[0] for r in db.execute("SELECT id FROM journal_entries WHERE user_id = ?", [WIM])}
    assert not {e.id for e in found} & wims
    assert db.execute("SELECT count(*) FROM journal_entries").fetchone()[0] == 2


def test_searching_for_the_other_owner_token_finds_nothing(two_volunteers, now):
    db = two_volunteers
    write(db, WIM, "u11 u22 owner", now)
    assert journal.search(db, VERA, "u22") == []
    assert journal.search(db, VERA, "owner u11") == []


def test_page_walks_back_with_keyset_paging(two_volunteers, now):
    db = two_volunteers
    ids = [write(db, VERA, f"bezoek nummer {n}", now + timedelta(days=n)) for n in range(12)]
    write(db, WIM, "niet van vera", now)
    first = journal.page(db, VERA, size=5)
    assert [e.id for e in first] == ids[::-1][:5]
    second = journal.page(db, VERA, before_id=first[-1].id, size=5)
    assert [e.id for e in second] == ids[::-1][5:10]
    third = journal.page(db, VERA, before_id=second[-1].id, size=5)
    assert [e.id for e in third] == ids[::-1][10:]
    assert journal.page(db, VERA, before_id=third[-1].id, size=5) == []


def test_page_and_get_are_per_owner(two_volunteers, now):
    db = two_volunteers
    wims = write(db, WIM, "van wim", now)
    assert journal.page(db, VERA) == []
    assert journal.get(db, VERA, wims) is None
    assert journal.get(db, WIM, wims).body == "van wim"


def test_answers_round_trip(two_volunteers, now):
    db = two_volunteers
    entry = journal.add(
        db,
        VERA,
        "reflectie",
        now,
        resident_id=None,
        complete=False,
        energy=2,
        answers={"bezoek": "ja", "energie": 2, "zorgen": ["eenzaam"], "x": None},
        texts=[],
    )
    assert journal.answers(db, entry) == {
        "bezoek": "ja",
        "energie": 2,
        "zorgen": ["eenzaam"],
        "x": None,
    }
    assert journal.count(db, VERA) == 0 and journal.count(db, VERA, complete_only=False) == 1


@pytest.mark.parametrize("words", HOSTILE)
def test_search_terms_are_quoted_body_prefixes_only(words):
    """The owner filter lives in the MATCH: no term may name a column or an operator."""
    for term in journal.fts_terms(words):
        assert re.fullmatch(r'body:"\w+"\*', term), term
