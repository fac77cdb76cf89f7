"""Driving volunteers through the emulator's control API, and seeing the bot's replies.

One `Replies` watcher reads the emulator's call log every POLL seconds and counts each chat's
sent messages, so hundreds of volunteers wait on one poller instead of polling each.
A latency is from handing the update to the emulator until the watcher sees the reply:
it includes up to one POLL step, the same for both bots.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict

from bench.procs import Control

POLL = 0.01
TURN_TIMEOUT = 15.0
SHORT_TEXTS = ("koffie gedronken", "samen gewandeld", "over vroeger gepraat", "foto's gekeken")
# Answers that keep a reflection a reflection (no worry escalations, no leaving the flow).
CALM = ("Niets bijzonders", "Nee", "Ja 🙂", "Samen", "🙂", "Gelukt")


class Replies:
    def __init__(self, control: Control) -> None:
        self.control = control
        self.seen = 0
        self.sent: dict[int, int] = defaultdict(int)
        self.changed: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.methods: Counter[str] = Counter()  # every Bot API call but the long poll

    async def watch(self) -> None:
        while True:
            calls = await self.control.get("calls", since=self.seen)
            self.seen += len(calls)
            for call in calls:
                if call["method"] != "getUpdates":
                    self.methods[call["method"]] += 1
                if call["method"] == "sendMessage" and call["status"] == 200:
                    chat = int(call["params"]["chat_id"])
                    self.sent[chat] += 1
                    self.changed[chat].set()
            await asyncio.sleep(POLL)

    async def polling_started(self, timeout: float = 60.0) -> None:
        """Until the bot has called the API. The emulator logs a call when it answers it, so
        the first long poll shows only when it ends; getMe (PTB's initialize) shows at once,
        and updates sent before the poll starts wait for it in the emulator."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = await self.control.get("calls")
            if any(call["method"] in ("getMe", "getUpdates") for call in calls):
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("the bot never polled")

    async def reply_after(self, chat: int, before: int) -> bool:
        """Until chat has more than `before` sent messages; False after TURN_TIMEOUT."""
        deadline = time.monotonic() + TURN_TIMEOUT
        while self.sent[chat] <= before:
            event = self.changed[chat]
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return False
        return True


class Volunteer:
    """One person: in Omzien, reflections (/bezoek, then presses and short texts) over and
    over; with the echo bot, short texts."""

    def __init__(
        self, control: Control, replies: Replies, chat: int, reflect: bool, rng: random.Random
    ) -> None:
        self.control, self.replies, self.chat = control, replies, chat
        self.reflect = reflect
        self.rng = rng

    async def turn(self) -> float | None:
        """One update in, its reply out: the latency in seconds, None when none came."""
        action, body = await self._next_input()
        before = self.replies.sent[self.chat]
        started = time.perf_counter()
        await self.control.post(action, user_id=self.chat, **body)
        if not await self.replies.reply_after(self.chat, before):
            return None
        return time.perf_counter() - started

    async def _next_input(self) -> tuple[str, dict]:
        if not self.reflect:
            return "text", {"text": self.rng.choice(SHORT_TEXTS)}
        messages = await self.control.get("messages", chat_id=self.chat)
        newest = messages[-1] if messages else {}
        buttons = [
            b
            for row in (newest.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]
        if not buttons:
            return "text", {"text": "/bezoek"}
        if any(b["text"] == "Sla over" for b in buttons):
            return "text", {"text": self.rng.choice(SHORT_TEXTS)}
        calm = [b for b in buttons if b["text"] in CALM] or buttons
        return "press", {"message_id": newest["message_id"], "data": calm[0]["callback_data"]}
