"""add_working_days: Monday to Friday in Europe/Amsterdam, the same local time of day."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.workdays import add_working_days

AMS = ZoneInfo("Europe/Amsterdam")


def local(y, m, d, h=16, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=AMS)


@pytest.mark.parametrize("start, days, expected", [
    (local(2026, 1, 5), 2, local(2026, 1, 7)),          # Monday → Wednesday
    (local(2026, 1, 8), 2, local(2026, 1, 12)),         # Thursday → Monday, over the weekend
    (local(2026, 1, 9), 2, local(2026, 1, 13)),         # Friday → Tuesday
    (local(2026, 1, 9), 1, local(2026, 1, 12)),         # Friday → Monday
    (local(2026, 1, 10, 11), 2, local(2026, 1, 14, 0)),  # Saturday counts from Monday 00:00
    (local(2026, 1, 11, 23), 1, local(2026, 1, 13, 0)),  # Sunday night likewise
    (local(2026, 1, 5), 0, local(2026, 1, 5)),
    (local(2026, 1, 2), 10, local(2026, 1, 16)),        # two whole weeks
])
def test_add_working_days_skips_weekends(start, days, expected):
    assert add_working_days(start, days, AMS) == expected


def test_the_local_time_survives_a_clock_change():
    # 2026-03-27 is a Friday; summer time starts on Sunday 29 March.
    friday = local(2026, 3, 27, 16)
    due = add_working_days(friday.astimezone(timezone.utc), 2, "Europe/Amsterdam")
    assert due == local(2026, 3, 31, 16)
    assert due.utcoffset().total_seconds() == 7200


def test_utc_input_is_read_in_the_given_zone():
    # Friday 23:30 UTC is already Saturday in Amsterdam: the count starts on Monday.
    late_friday = datetime(2026, 1, 9, 23, 30, tzinfo=timezone.utc)
    assert add_working_days(late_friday, 2, AMS) == local(2026, 1, 14, 0)

