"""When reminders may come: the usual visit moment, a few hours after it, never in quiet
hours. Pure functions of an aware datetime and the settings; all local times are
Europe/Amsterdam (settings.timezone)."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Dagdeel: when it starts and ends (local hour). A reminder comes AFTER_END after its end.
DAYPARTS = {"ochtend": (9, 12), "middag": (13, 17), "avond": (18, 21)}
AFTER_END = timedelta(hours=2)
FOLLOW_UP_HOUR = 10          # the one follow-up: the next day at this hour
SWEEP_HOUR = 10              # daily check-in sweep and the weekly milestone list


def _local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def at_local(day: datetime, hour: int, tz: str, minute: int = 0) -> datetime:
    """That local calendar day at hour:minute, as an aware UTC datetime."""
    local = _local(day, tz)
    wall = datetime.combine(local.date(), time(hour, minute), ZoneInfo(tz))
    return wall.astimezone(UTC)


def next_weekday_at(now: datetime, weekday: int, hour: int, tz: str, minute: int = 0) -> datetime:
    """The first moment strictly after `now` that is `weekday` (0 = Monday) at hour:minute."""
    local = _local(now, tz)
    for days in range(0, 8):
        candidate = at_local(local + timedelta(days=days), hour, tz, minute)
        if candidate > now and _local(candidate, tz).weekday() == weekday:
            return candidate
    raise AssertionError("unreachable: a week always holds the weekday")


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
    quiet = hour >= quiet_start or hour < quiet_end if quiet_start > quiet_end \
        else quiet_start <= hour < quiet_end
    if not quiet:
        return moment
    day = local if hour < quiet_end else local + timedelta(days=1)
    return at_local(day, quiet_end, tz)
