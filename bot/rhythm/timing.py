"""When reminders may come: the usual visit moment, a few hours after it, never in quiet
hours. Pure functions of an aware datetime and the settings; all local times are
Europe/Amsterdam (settings.timezone)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.timekeeping.local import at_local, next_weekday_at
from bot.timekeeping.local import local as _local

# Dagdeel: when it starts and ends (local hour). A reminder comes AFTER_END after its end.
DAYPARTS = {"ochtend": (9, 12), "middag": (13, 17), "avond": (18, 21)}
AFTER_END = timedelta(hours=2)
FOLLOW_UP_HOUR = 10  # the one follow-up: the next day at this hour
SWEEP_HOUR = 10  # daily check-in sweep and the weekly milestone list


def next_daily_at(now: datetime, hour: int, tz: str) -> datetime:
    today = at_local(now, hour, tz)
    return today if today > now else at_local(_local(now, tz) + timedelta(days=1), hour, tz)


def reminder_moment(now: datetime, weekday: int, part: str, tz: str) -> tuple[datetime, datetime]:
    """(the next visit's start, when to ask about it): AFTER_END after the dagdeel ends."""
    start_hour, end_hour = DAYPARTS[part]
    ask = next_weekday_at(now, weekday, end_hour, tz) + AFTER_END
    visit = ask - AFTER_END - timedelta(hours=end_hour - start_hour)
    return visit, ask


def outside_quiet(moment: datetime, tz: str, quiet_start: int, quiet_end: int) -> datetime:
    """`moment` itself, or — inside quiet hours (e.g. 21:00–09:00) — the next quiet_end."""
    local = _local(moment, tz)
    hour = local.hour + local.minute / 60
    quiet = (
        hour >= quiet_start or hour < quiet_end
        if quiet_start > quiet_end
        else quiet_start <= hour < quiet_end
    )
    if not quiet:
        return moment
    day = local if hour < quiet_end else local + timedelta(days=1)
    return at_local(day, quiet_end, tz)
