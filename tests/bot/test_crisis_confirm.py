"""Crisis words bring one question: pass it on now? The answer and the 15-minute timeout
race for the same question; whichever comes first decides, and the worry goes to the
professional exactly once (or, after "Nee, het is anders", not at all).

Real SQLite file (the demo organisation: vera linked to pim), the real signal service.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.signals import crisis as service
from sandbox import demo
from storage import signals
from storage.db import open_db

VERA = demo.persona_id("vera")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=15)


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "confirm.db")
    demo.seed(database, NOW)
    yield database
    database.close()


def asked(db) -> int:
    return service.ask_confirm(db, VERA, NOW, 15, ["veiligheid"], None, "Europe/Amsterdam")


def urgent_signals(db) -> list[tuple]:
    return db.execute("SELECT id, volunteer_id FROM signals").fetchall()


def test_yes_passes_it_on_once_and_the_timeout_then_does_nothing(db):
    task_id = asked(db)
    assert service.answer_confirm(db, task_id, VERA, True, NOW) == "sent"
    assert service.confirm_timed_out(db, task_id, LATER) is False
    assert len(urgent_signals(db)) == 1


def test_no_passes_nothing_on_and_the_timeout_then_does_nothing(db):
    task_id = asked(db)
    assert service.answer_confirm(db, task_id, VERA, False, NOW) == "dropped"
    assert service.confirm_timed_out(db, task_id, LATER) is False
    assert urgent_signals(db) == []


def test_the_timeout_passes_it_on_unconfirmed_and_a_late_answer_adds_nothing(db):
    task_id = asked(db)
    assert service.confirm_timed_out(db, task_id, LATER) is True
    assert service.answer_confirm(db, task_id, VERA, True, LATER) == "already"
    assert service.answer_confirm(db, task_id, VERA, False, LATER) == "already"
    found = urgent_signals(db)
    assert len(found) == 1
    assert signals.get(db, found[0][0]).volunteer_id == VERA


def test_an_answer_to_someone_elses_question_changes_nothing(db):
    task_id = asked(db)
    assert service.answer_confirm(db, task_id, demo.persona_id("wim"), True, NOW) == "gone"
    assert service.confirm_timed_out(db, task_id, LATER) is True
    assert len(urgent_signals(db)) == 1
