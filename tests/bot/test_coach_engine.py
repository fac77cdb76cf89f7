"""Reflections through the engine against a real database: the context comes from
bot/flows/facts.py and the effects are applied by bot/flows/effects.py, as in the bot, without
Telegram.

    .venv/bin/python -m pytest tests/bot/test_coach_engine.py -q
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import bot.features  # noqa: F401  (registers the effect appliers)
from bot.flows import effects, facts
from content.render import Content
from dialogues.engine import Engine
from dialogues.model import Context, Input
from dialogues.prepare import RECENT_WINDOW
from storage import journal, relationship, residents, users

VERA = 31


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Content())


@pytest.fixture
def vera(db, now):
    users.create(db, VERA, "volunteer", "Vera", "nl", now)
    residents.add(db, VERA, "mevrouw L", now)
    return db


def reflect(engine: Engine, db, now, answer=lambda state, buttons: buttons[0][0].data) -> list[str]:
    """One whole reflection; returns the states asked. Every button press takes the first
    button unless `answer` says otherwise; effects are applied as the bot does."""
    user = users.get(db, VERA)

    def ctx():
        found = facts.for_user(db, user, "reflectie", now)
        return Context("nl", now, {"voornaam": "Vera", **found.vars}, found.facts)

    def apply(result):
        for effect in result.effects:
            effects.apply(db, VERA, effect, now, "Europe/Amsterdam")

    result = engine.start("reflectie", ctx())
    apply(result)
    asked = []
    while result.conversation is not None:
        conv = result.conversation
        asked.append(conv.state)
        assert len(asked) < 30, asked
        buttons = engine.prompt(conv, ctx()).buttons
        data = answer(conv.state, buttons)
        inp = Input("button", data=data) if data.startswith("f.") else Input("text", text=data)
        result = engine.step(conv, inp, ctx())
        assert result.changed, (conv.state, result.replies)
        apply(result)
    return asked


def test_rotation_never_repeats_one_of_the_last_three_questions(engine, vera, now):
    history: list[str] = []
    for number in range(12):
        moment = now + timedelta(days=2 * number, minutes=number * 7)
        reflect(engine, vera, moment)
        asked = [
            q
            for q in vera.execute(
                "SELECT question FROM asked_questions WHERE user_id = ? ORDER BY id", [VERA]
            ).fetchall()
        ]
        new = [q[0] for q in asked[len(history) :]]
        assert new, f"reflection {number}: no question asked"
        assert len(set(new)) == len(new), new
        assert not set(new) & set(history[-RECENT_WINDOW:]), (number, new, history[-RECENT_WINDOW:])
        history += new
    assert len(history) == 12  # one appreciative question a time, never a checklist
    assert journal.count(vera, VERA, "reflectie") == 12


def test_the_three_month_review_comes_once_inside_its_window(engine, vera, now):
    assert "terugblik_1" not in reflect(engine, vera, now + timedelta(days=89))
    asked = reflect(engine, vera, now + timedelta(days=91))
    assert asked[asked.index("energie") + 1 : asked.index("energie") + 4] == [
        "terugblik_1",
        "terugblik_2",
        "terugblik_3",
    ]
    assert "terugblik_1" not in reflect(engine, vera, now + timedelta(days=95))
    kinds = [r[0] for r in vera.execute("SELECT kind FROM journal_entries ORDER BY id")]
    assert kinds.count("terugblik_3") == 1
    entry = vera.execute(
        "SELECT id, resident_id, body FROM journal_entries WHERE kind = 'terugblik_3'"
    ).fetchone()
    answers = journal.answers(vera, entry[0])
    assert answers["moment"] == "drie_maanden" and answers["terugblik_vraag_1"] == "ja"
    assert entry[1] is not None and entry[2] == ""
    # eleven months on: the other set, once
    asked = reflect(engine, vera, now + timedelta(days=331))
    assert "terugblik_1" in asked
    assert "terugblik_1" not in reflect(engine, vera, now + timedelta(days=335))
    assert [
        r[0]
        for r in vera.execute(
            "SELECT kind FROM journal_entries WHERE kind LIKE 'terugblik%' ORDER BY id"
        )
    ] == ["terugblik_3", "terugblik_11"]


@pytest.mark.parametrize(
    "days, done, expected",
    [
        (10, set(), None),
        (89, set(), None),
        (90, set(), "drie_maanden"),
        (179, set(), "drie_maanden"),
        (180, set(), None),
        (120, {"terugblik_3"}, None),
        (330, set(), "elf_maanden"),
        (330, {"terugblik_3"}, "elf_maanden"),
        (400, {"terugblik_11"}, None),
        (540, set(), None),
    ],
)
def test_review_windows(now, days, done, expected):
    assert relationship.moment_for(now, done, now + timedelta(days=days)) == expected


def test_an_ended_contact_gets_no_review(vera, now):
    resident = residents.active(vera, VERA)[0]
    assert relationship.due_reviews(vera, VERA, now + timedelta(days=100)) == {
        resident.id: "drie_maanden"
    }
    residents.end(vera, VERA, resident.id, now)
    assert relationship.due_reviews(vera, VERA, now + timedelta(days=100)) == {}


def test_renaming_to_an_alias_in_use(vera, now):
    first = residents.active(vera, VERA)[0]
    other = residents.add(vera, VERA, "meneer B", now)
    assert residents.rename(vera, VERA, other.id, "mevrouw L") is False  # active: refused
    residents.end(vera, VERA, first.id, now)
    assert residents.rename(vera, VERA, other.id, "mevrouw L") is True  # ended: gives way
    assert residents.get(vera, VERA, other.id).alias == "mevrouw L"
    assert residents.get(vera, VERA, first.id).alias == f"mevrouw L ({first.id})"


def test_no_professional_no_signal(db, now):
    users.create(db, VERA, "volunteer", "Vera", "nl", now)
    assert relationship.record_need(db, VERA, None, now) is None
    assert db.execute("SELECT count(*) FROM signals").fetchone()[0] == 0
