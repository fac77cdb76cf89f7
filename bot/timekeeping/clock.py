"""The bot's sense of "now".

Everything timed in Omzien asks a Clock, never `datetime.now()` directly, so tests and the
sandbox (`clock +2d`) can move time forward and see reminders and escalations at once.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.timekeeping.local import next_weekday_at


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """Real time plus an offset that only ever moves forward."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += delta

    @property
    def offset(self) -> timedelta:
        return self._offset


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '2h', '3d' → timedelta (the sandbox script's `clock +2d`)."""
    text = text.strip().lstrip("+")
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].replace(".", "", 1).isdigit():
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 2h, 3d)")
    return timedelta(**{units[text[-1]]: float(text[:-1])})


WEEKDAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "ma": 0,
    "di": 1,
    "wo": 2,
    "do": 3,
    "vr": 4,
    "za": 5,
    "zo": 6,
}


def parse_weekday_time(text: str) -> tuple[int, int, int]:
    """'mon 19:30' or 'ma 19:30' → (0, 19, 30) (the sandbox script's `clock to`)."""
    parts = text.lower().split()
    if len(parts) != 2 or parts[0] not in WEEKDAYS or ":" not in parts[1]:
        raise ValueError(f"not a weekday and time: {text!r} (use e.g. mon 19:30)")
    hour, minute = parts[1].split(":", 1)
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"not a time: {parts[1]!r}")
    return WEEKDAYS[parts[0]], int(hour), int(minute)


def until_next(now: datetime, weekday: int, hour: int, minute: int, tz: str) -> timedelta:
    """How far to move forward to reach the next `weekday` hour:minute in timezone `tz`."""
    return next_weekday_at(now, weekday, hour, tz, minute) - now
