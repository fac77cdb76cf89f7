"""Timing of reminders (quiet hours), milestones as moments, the outbox keeping order."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.rhythm import timing
from storage import journal, outbox, team, users

TZ = "Europe/Amsterdam"
AMS = ZoneInfo(TZ)


def test_reminder_comes_two_hours_after_the_dagdeel_ends():
    sunday = datetime(2026, 3, 1, 12, 0, tzinfo=AMS)  # a Sunday
    visit, ask = timing.reminder_moment(sunday, 0, "middag", TZ)
    assert ask.astimezone(AMS) == datetime(2026, 3, 2, 19, 0, tzinfo=AMS)
    assert visit.astimezone(AMS) == datetime(2026, 3, 2, 13, 0, tzinfo=AMS)


def test_quiet_hours_push_a_message_to_nine_in_the_morning():
    late = datetime(2026, 3, 2, 23, 0, tzinfo=AMS)
    assert timing.outside_quiet(late, TZ, 21, 9).astimezone(AMS) == datetime(
        2026, 3, 3, 9, 0, tzinfo=AMS
    )
    early = datetime(2026, 3, 3, 6, 0, tzinfo=AMS)
    assert timing.outside_quiet(early, TZ, 21, 9).astimezone(AMS) == datetime(
        2026, 3, 3, 9, 0, tzinfo=AMS
    )
    day = datetime(2026, 3, 3, 14, 0, tzinfo=AMS)
    assert timing.outside_quiet(day, TZ, 21, 9) == day


def test_the_tenth_reflection_is_a_milestone_the_ninth_is_not(db, now):
    users.create(db, 5, "volunteer", "Vera", "nl", now - timedelta(days=200))
    for i in range(9):
        journal.add(
            db,
            5,
            "reflectie",
            now - timedelta(days=60 - i),
            resident_id=None,
            complete=True,
            energy=3,
            answers={},
            texts=[],
        )
    assert (5, "tiende") not in team.milestones(db, now)
    journal.add(
        db,
        5,
        "reflectie",
        now - timedelta(days=2),
        resident_id=None,
        complete=True,
        energy=3,
        answers={},
        texts=[],
    )
    found = team.milestones(db, now)
    assert (5, "tiende") in found and (5, "eerste") not in found


def test_a_row_in_network_backoff_holds_back_its_chat_only(db, now):
    first = outbox.enqueue(db, 7, "x", "een", now)
    second = outbox.enqueue(db, 7, "x", "twee", now)
    other = outbox.enqueue(db, 8, "x", "ander", now)
    later = outbox.enqueue(db, 9, "reminder", "straks", now, not_before=now + timedelta(hours=5))
    outbox.enqueue(db, 9, "x", "nu", now)
    outbox.retry_later(db, first, now + timedelta(seconds=30), "NetworkError")
    due = [r.id for r in outbox.due(db, now)]
    assert first not in due and second not in due  # chat 7 keeps its order
    assert other in due  # other chats go on
    assert later not in due and len(due) == 2  # a scheduled row blocks nothing
    assert [r.id for r in outbox.due(db, now + timedelta(seconds=31))][:2] == [first, second]
