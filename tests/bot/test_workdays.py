"""add_working_days: Monday to Friday in Europe/Amsterdam, the same local time of day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.timekeeping.workdays import add_working_days

AMS = ZoneInfo("Europe/Amsterdam")


def local(y, m, d, h=16, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=AMS)


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (local(2026, 1, 5), 2, local(2026, 1, 7)),  # Monday → Wednesday
        (local(2026, 1, 8), 2, local(2026, 1, 12)),  # Thursday → Monday, over the weekend
        (local(2026, 1, 9), 2, local(2026, 1, 13)),  # Friday → Tuesday
        (local(2026, 1, 9), 1, local(2026, 1, 12)),  # Friday → Monday
        (local(2026, 1, 10, 11), 2, local(2026, 1, 14, 0)),  # Saturday counts from Monday 00:00
        (local(2026, 1, 11, 23), 1, local(2026, 1, 13, 0)),  # Sunday night likewise
        (local(2026, 1, 5), 0, local(2026, 1, 5)),
        (local(2026, 1, 2), 10, local(2026, 1, 16)),  # two whole weeks
    ],
)
def test_add_working_days_skips_weekends(start, days, expected):
    assert add_working_days(start, days, AMS) == expected


def test_the_local_time_survives_a_clock_change():
    # 2026-03-27 is a Friday; summer time starts on Sunday 29 March.
    friday = local(2026, 3, 27, 16)
    due = add_working_days(friday.astimezone(UTC), 2, "Europe/Amsterdam")
    assert due == local(2026, 3, 31, 16)
    assert due.utcoffset().total_seconds() == 7200


def test_utc_input_is_read_in_the_given_zone():
    # Friday 23:30 UTC is already Saturday in Amsterdam: the count starts on Monday.
    late_friday = datetime(2026, 1, 9, 23, 30, tzinfo=UTC)
    assert add_working_days(late_friday, 2, AMS) == local(2026, 1, 14, 0)


# ---- Dutch public holidays (the `holidays` package) -----------------------------------------


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (local(2026, 12, 24), 2, local(2026, 12, 29)),  # Christmas and Boxing Day, then the weekend
        (
            local(2026, 4, 4, 11),
            2,
            local(2026, 4, 9, 0),
        ),  # Easter Saturday: Monday is off, count from Tuesday
        (local(2026, 4, 24), 1, local(2026, 4, 28)),  # Friday → over King's Day (Monday 27 April)
        (local(2026, 5, 13), 1, local(2026, 5, 15)),  # Ascension Day (Thursday 14 May)
        (local(2026, 12, 31), 1, local(2027, 1, 4)),  # New Year's Day, then the weekend
    ],
)
def test_public_holidays_are_not_working_days(start, days, expected):
    assert add_working_days(start, days, AMS) == expected


def test_a_worry_on_christmas_eve_escalates_after_two_working_days(db):
    """The escalation task deliver_new schedules for a level-2 signal skips the holidays."""
    from bot.signals import service as bot_signals
    from storage import links, signals, users

    christmas_eve = local(2026, 12, 24, 10).astimezone(UTC)
    with db.atomic():
        users.create(db, 2, "professional", "Pim", "nl", christmas_eve)
        users.create(db, 3, "volunteer", "Vera", "nl", christmas_eve)
        links.link(db, 3, 2, christmas_eve)
        signal_id = signals.record_support(db, 3, christmas_eve)  # level 2
        bot_signals.deliver_new(db, signal_id, christmas_eve, "Europe/Amsterdam")
    [(due_at,)] = db.execute(
        "SELECT due_at FROM due_tasks WHERE kind = 'signal_escalate' AND signal_id = ?", [signal_id]
    ).fetchall()
    assert datetime.fromisoformat(due_at) == local(2026, 12, 29, 10)
