"""Flood control as Telegram applies it to a bot: token buckets per chat and for the whole bot.

Telegram allows about 1 message per second per chat (short bursts tolerated), 20 per minute
per group and about 30 per second overall; past that it answers 429 with
``parameters.retry_after`` and keeps refusing that chat (or, for the global limit, every
chat) until the window has passed. The emulator asks this module before every send or edit::

    flood = FloodControl(FloodPolicy(per_chat_rate=1.0, per_chat_burst=5))
    retry_after = flood.check(chat_id=42)   # None: go ahead; N: answer 429, retry after N s

The clock is injectable so that tests can move time instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["FloodControl", "FloodPolicy", "TokenBucket"]


@dataclass(frozen=True)
class FloodPolicy:
    """Rates in messages per second; bursts in messages."""

    enabled: bool = True
    per_chat_rate: float = 1.0
    per_chat_burst: int = 5
    global_rate: float = 30.0
    global_burst: int = 30
    per_group_rate: float = 20 / 60
    per_group_burst: int = 20

    def changed(self, **changes: Any) -> FloodPolicy:
        """A copy with `changes`; unknown names raise TypeError (a typo must not pass)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown flood settings: {sorted(unknown)}")
        return replace(self, **changes)


class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; an exhausted bucket blocks a window."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now
        self.blocked_until = 0.0

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def retry_after(self, now: float) -> int | None:
        """None when a token is available; otherwise whole seconds to wait (at least 1).

        The first refusal opens a window of that length; refusals inside it report what is
        left of it, as Telegram does.
        """
        if now < self.blocked_until:
            return max(1, math.ceil(self.blocked_until - now))
        self._refill(now)
        if self.tokens >= 1:
            return None
        seconds = max(1, math.ceil((1 - self.tokens) / self.rate)) if self.rate > 0 else 3600
        self.blocked_until = now + seconds
        return seconds

    def take(self) -> None:
        self.tokens -= 1


class FloodControl:
    """Decides per send whether Telegram would answer 429, and for how long."""

    def __init__(
        self, policy: FloodPolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or FloodPolicy()
        self.clock = clock
        self._chats: dict[int | str, TokenBucket] = {}
        self._global: TokenBucket | None = None
        self._forced: list[int] = []

    def configure(self, **changes: object) -> FloodPolicy:
        """Change the policy; buckets start full again."""
        self.policy = self.policy.changed(**changes)
        self._chats.clear()
        self._global = None
        return self.policy

    def force(self, count: int, retry_after: int = 1) -> None:
        """The next `count` checks answer 429 with `retry_after`, whatever the buckets say."""
        if count < 0 or retry_after < 1:
            raise ValueError("force_429 needs count >= 0 and retry_after >= 1")
        self._forced = [retry_after] * count

    @property
    def forced_left(self) -> int:
        return len(self._forced)

    def check(self, chat_id: int | str, group: bool = False) -> int | None:
        """None to allow one message to `chat_id` (and count it), else retry_after seconds."""
        if self._forced:
            return self._forced.pop()
        if not self.policy.enabled:
            return None
        now = self.clock()
        overall = self._global_bucket(now)
        chat = self._chat_bucket(chat_id, group, now)
        for bucket in (overall, chat):
            wait = bucket.retry_after(now)
            if wait is not None:
                return wait
        overall.take()
        chat.take()
        return None

    def _global_bucket(self, now: float) -> TokenBucket:
        if self._global is None:
            self._global = TokenBucket(self.policy.global_rate, self.policy.global_burst, now)
        return self._global

    def _chat_bucket(self, chat_id: int | str, group: bool, now: float) -> TokenBucket:
        if chat_id not in self._chats:
            policy = self.policy
            rate, burst = (
                (policy.per_group_rate, policy.per_group_burst)
                if group
                else (policy.per_chat_rate, policy.per_chat_burst)
            )
            self._chats[chat_id] = TokenBucket(rate, burst, now)
        return self._chats[chat_id]
