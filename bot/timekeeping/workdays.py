"""Working days in the organisation's time zone, for escalations: Monday to Friday,
except Dutch public holidays (Easter Monday, King's Day, Christmas, … from the `holidays`
package, which keeps the moving feasts and the rules per year right)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

# Expands itself per year on first use; no list of dates to maintain here.
DUTCH_HOLIDAYS = holidays.country_holidays("NL")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in DUTCH_HOLIDAYS


def add_working_days(moment: datetime, days: int, tz: str | ZoneInfo) -> datetime:
    """`days` working days after `moment`, at the same local time of day.

    A moment on a day off (weekend, public holiday) counts from the next working day at
    00:00 local time, so a worry raised on Saturday is due on Wednesday 00:00 for two
    working days. Returns an aware datetime in the same zone as `tz`; pure, no clock.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = moment.astimezone(zone)
    if not is_working_day(local.date()):
        day = local.date() + timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
        local = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    day = local.date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    naive = datetime.combine(day, local.time())
    return naive.replace(tzinfo=zone)
