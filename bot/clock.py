"""The bot's sense of "now".

Everything timed in Omzien asks a Clock, never `datetime.now()` directly, so tests and the
sandbox (`clock +2d`) can move time forward and see reminders and escalations at once.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class OffsetClock:
    """Real time plus an offset that only ever moves forward."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset

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
