"""Working days (Monday to Friday) in the organisation's time zone, for escalations."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def add_working_days(moment: datetime, days: int, tz: str | ZoneInfo) -> datetime:
    """`days` working days after `moment`, at the same local time of day.

    A moment in the weekend counts from Monday 00:00 local time, so a worry raised on
    Saturday is due on Wednesday 00:00 for two working days. Returns an aware datetime in
    the same zone as `tz`; pure, no clock.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = moment.astimezone(zone)
    if local.weekday() >= 5:
        local = (local + timedelta(days=7 - local.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0)
    day = local.date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    naive = datetime.combine(day, local.time())
    return naive.replace(tzinfo=zone)

