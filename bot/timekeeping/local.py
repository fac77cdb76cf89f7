"""Moments on the organisation's wall clock (settings.timezone, Europe/Amsterdam): a local
day at a time, and the next weekday at a time. Aware datetimes in, aware UTC out; the one
place such a moment is worked out."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def at_local(day: datetime, hour: int, tz: str, minute: int = 0) -> datetime:
    """That local calendar day at hour:minute, as an aware UTC datetime."""
    wall = datetime.combine(local(day, tz).date(), time(hour, minute), ZoneInfo(tz))
    return wall.astimezone(UTC)


def next_weekday_at(now: datetime, weekday: int, hour: int, tz: str, minute: int = 0) -> datetime:
    """The first moment strictly after `now` that is `weekday` (0 = Monday) at hour:minute."""
    today = local(now, tz)
    for days in range(0, 8):
        candidate = at_local(today + timedelta(days=days), hour, tz, minute)
        if candidate > now and local(candidate, tz).weekday() == weekday:
            return candidate
    raise AssertionError("unreachable: a week always holds the weekday")
