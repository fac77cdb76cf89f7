"""Injected Bot API failures, for tests of what the bot does when Telegram is away:
`fail(status=502, seconds=3)` answers every call with a 502 for three seconds (the bot
starting while Telegram is down); `fail(count=1, methods=["sendMessage"])` fails the next
send only (a network error on a reply). Answered the way a gateway answers: an HTML body,
not Telegram's JSON. `hold(after=10, methods=["sendMessage"], seconds=30)` lets ten sends
through and holds the eleventh before it is carried out, so a test can kill the bot at a
known point of a batch (`held` counts calls being held).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Fault:
    status: int
    until: float | None  # monotonic deadline, or None for count-based
    count: int | None
    methods: frozenset[str]  # empty: every method


class Faults:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._faults: list[Fault] = []
        self.injected = 0
        self._holds: list[tuple[int, float, frozenset[str]]] = []  # (let through, seconds, methods)
        self.held = 0

    def fail(
        self,
        status: int = 502,
        seconds: float | None = None,
        count: int | None = None,
        methods: list[str] | None = None,
    ) -> dict:
        if (seconds is None) == (count is None):
            raise ValueError("fail needs exactly one of seconds and count")
        until = self.clock() + float(seconds) if seconds is not None else None
        self._faults.append(
            Fault(
                int(status), until, None if count is None else int(count), frozenset(methods or ())
            )
        )
        return {"status": int(status), "seconds": seconds, "count": count}

    def take(self, method: str) -> int | None:
        """The status to answer this call with, or None to answer it normally."""
        now = self.clock()
        self._faults = [
            f
            for f in self._faults
            if (f.until is None or f.until > now) and (f.count is None or f.count > 0)
        ]
        for fault in self._faults:
            if fault.methods and method not in fault.methods:
                continue
            if fault.count is not None:
                fault.count -= 1
            self.injected += 1
            return fault.status
        return None

    def hold(self, seconds: float, after: int = 0, methods: list[str] | None = None) -> dict:
        self._holds.append((int(after), float(seconds), frozenset(methods or ())))
        return {"seconds": seconds, "after": after}

    def hold_for(self, method: str) -> float:
        """Seconds to hold this call before carrying it out (0: not held)."""
        for index, (after, seconds, methods) in enumerate(self._holds):
            if methods and method not in methods:
                continue
            if after > 0:
                self._holds[index] = (after - 1, seconds, methods)
                return 0.0
            del self._holds[index]
            self.held += 1
            return seconds
        return 0.0


def body(status: int) -> str:
    return f"<html><head><title>{status}</title></head><body>{status}</body></html>"
