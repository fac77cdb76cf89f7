"""Everything a handler needs, built once at start and shared: settings, the store,
the clock, the content, the engine, and the Bot once the Application exists."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.timekeeping.clock import Clock
from content.render import Content
from dialogues.engine import Engine
from storage.db import Store


@dataclass
class Activity:
    """Counts turns in flight, so the sandbox can wait until the bot is idle."""

    in_flight: int = 0
    handled: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def begin(self) -> None:
        self.in_flight += 1
        self.idle.clear()

    def end(self) -> None:
        self.in_flight -= 1
        self.handled += 1
        if self.in_flight == 0:
            self.idle.set()


@dataclass
class Runtime:
    settings: Settings
    store: Store
    clock: Clock
    content: Content
    engine: Engine
    bot: Any = None
    activity: Activity = field(default_factory=Activity)
    outbox_wakeup: asyncio.Event | None = None
    ticker_wakeup: asyncio.Event | None = None
    tick_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # task id → when it ran: done, but the database refused the mark (bot/delivery/ticker.py)
    ran_unmarked: dict[int, datetime] = field(default_factory=dict)

    @property
    def bot_username(self) -> str:
        return bot_username(self)

    def wake_outbox(self) -> None:
        if self.outbox_wakeup is not None:
            self.outbox_wakeup.set()

    def wake_ticker(self) -> None:
        """A task may have been scheduled: the ticker looks again when it is next due."""
        if self.ticker_wakeup is not None:
            self.ticker_wakeup.set()


def bot_username(rt: Runtime) -> str:
    """The username Telegram reports (getMe), or the configured one before start."""
    username = getattr(rt.bot, "username", None) if rt.bot is not None else None
    return username or rt.settings.bot_username
