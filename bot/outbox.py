"""The one delivery worker for messages to people other than the current user
(signals to professionals, appreciation, reminders, escalations).

Rules it keeps (Telegram's limits, see docs/architecture.md):
- at most one message per `outbox_chat_interval` seconds per chat, and at most
  `outbox_global_rate` messages per second overall;
- a 429 pauses all sending for `retry_after`; the row stays pending, so nothing is
  dropped and a chat's messages keep their order (rows go strictly by id per chat);
- network errors retry with backoff; 403 marks the recipient unreachable;
- rows survive restarts: pending rows are simply picked up again.
The one possible duplicate: a crash after Telegram accepted a message and before the
row was marked sent. Rows are sent one at a time, so that window is one message wide.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Awaitable, Callable

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.runtime import Runtime
from bot.sender import markup
from dialogues.model import Button
from storage import outbox, users
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)
Hook = Callable[[Runtime, OutboxRow, str], Awaitable[None]]
AFTER_DELIVERY: dict[str, Hook] = {}   # kind → called with outcome "sent" | "unreachable" | "failed"
MAX_BACKOFF = 300.0


def after_delivery(kind: str):
    def register(fn: Hook) -> Hook:
        AFTER_DELIVERY[kind] = fn
        return fn
    return register


class RateGate:
    """Token bucket overall, plus a minimum interval per chat."""

    def __init__(self, rate: float, chat_interval: float) -> None:
        self.rate = rate
        self.chat_interval = chat_interval
        self.tokens = rate
        self.stamp = time.monotonic()
        self.last_per_chat: dict[int, float] = {}
        self.paused_until = 0.0

    def chat_ready_in(self, chat_id: int) -> float:
        last = self.last_per_chat.get(chat_id)
        return 0.0 if last is None else max(0.0, last + self.chat_interval - time.monotonic())

    async def take(self) -> None:
        while True:
            now = time.monotonic()
            if now < self.paused_until:
                await asyncio.sleep(self.paused_until - now)
                continue
            self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)

    def sent(self, chat_id: int) -> None:
        self.last_per_chat[chat_id] = time.monotonic()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


async def deliver_due(rt: Runtime, gate: RateGate) -> int:
    """One pass over due rows; returns how many were handled."""
    rows = await rt.store.run(outbox.due, rt.clock.now(), 200)
    handled = 0
    waiting_chats: set[int] = set()
    for row in rows:
        if row.chat_id in waiting_chats or gate.chat_ready_in(row.chat_id) > 0:
            waiting_chats.add(row.chat_id)   # keep this chat's later rows behind this one
            continue
        await gate.take()
        if not await _deliver(rt, gate, row):
            waiting_chats.add(row.chat_id)
            break
        handled += 1
    return handled


async def _deliver(rt: Runtime, gate: RateGate, row: OutboxRow) -> bool:
    """Send one row. False when sending must pause (flood control)."""
    buttons = [[Button(b["label"], b["data"]) for b in line] for line in row.payload["buttons"]]
    try:
        message = await rt.bot.send_message(row.chat_id, row.payload["text"], parse_mode=ParseMode.HTML,
                                            reply_markup=markup(buttons))
    except RetryAfter as exc:
        delay = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else float(exc.retry_after)
        gate.pause(delay)
        log.info("outbox flood control row=%s wait=%.1fs", row.id, delay)
        return False
    except Forbidden:
        await rt.store.run(_unreachable, row)
        await _after(rt, row, "unreachable")
        return True
    except BadRequest as exc:
        await rt.store.run(outbox.mark_failed, row.id, type(exc).__name__)
        log.error("outbox bad request row=%s kind=%s", row.id, row.kind)
        await _after(rt, row, "failed")
        return True
    except NetworkError as exc:
        backoff = min(MAX_BACKOFF, 2.0 ** (row.attempts + 1))
        await rt.store.run(outbox.retry_later, row.id, rt.clock.now() + timedelta(seconds=backoff),
                           type(exc).__name__)
        return True
    gate.sent(row.chat_id)
    await rt.store.run(outbox.mark_sent, row.id, message.message_id, rt.clock.now())
    await _after(rt, row, "sent")
    return True


def _unreachable(db, row: OutboxRow) -> None:
    with db.atomic():
        outbox.mark_unreachable(db, row.id, "Forbidden")
        if row.recipient_id is not None:
            users.set_reachable(db, row.recipient_id, False)
    log.info("outbox recipient unreachable row=%s recipient=%s", row.id, row.recipient_id)


async def _after(rt: Runtime, row: OutboxRow, outcome: str) -> None:
    hook = AFTER_DELIVERY.get(row.kind)
    if hook is not None:
        await hook(rt, row, outcome)


async def run_worker(rt: Runtime) -> None:
    gate = RateGate(rt.settings.outbox_global_rate, rt.settings.outbox_chat_interval)
    rt.outbox_wakeup = asyncio.Event()
    while True:
        try:
            handled = await deliver_due(rt, gate)
        except Exception:  # keep delivering; the row stays pending
            log.exception("outbox pass failed")
            handled = 0
        if handled == 0:
            rt.outbox_wakeup.clear()
            try:
                await asyncio.wait_for(rt.outbox_wakeup.wait(), timeout=0.5)
            except asyncio.TimeoutError:
                pass


def start_worker(app, rt: Runtime) -> None:
    app.bot_data["outbox_task"] = asyncio.get_running_loop().create_task(run_worker(rt))


async def stop_worker(app) -> None:
    task = app.bot_data.pop("outbox_task", None)
    if task is not None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
