"""The one delivery worker for messages to people other than the current user
(signals to professionals, appreciation, reminders, escalations).

Rules it keeps (Telegram's limits, see docs/architecture.md):
- at most one message per `outbox_chat_interval` seconds per chat, and at most
  `outbox_global_rate` messages per second overall;
- a 429 pauses all sending for `retry_after`; the row stays pending, so nothing is
  dropped and a chat's messages keep their order (rows go strictly by id per chat);
- network errors retry with backoff; 403 marks the recipient unreachable;
- a row in network backoff holds back the later rows of its chat (storage/outbox.due),
  so a chat's messages never overtake each other; a row that keeps failing for another
  reason is marked failed after MAX_ATTEMPTS instead of blocking the queue;
- rows survive restarts: pending rows are simply picked up again.
The one possible duplicate: a crash after Telegram accepted a message and before the
row was marked sent. Rows are sent one at a time, so that window is one message wide.

Two kinds of hooks per row kind:
- `@on_settle(kind)`: synchronous, runs on the writer thread INSIDE the transaction that
  marks the row sent / unreachable / failed (e.g. a broadcast's final report row is
  written together with its last delivery, so nothing can fall between the two);
- `@after_delivery(kind)`: async, called afterwards (e.g. editing a progress message).
  It must not block for long: the worker waits for it.
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
Settle = Callable[[object, Runtime, OutboxRow, str, object], None]   # (db, rt, row, outcome, now)
AFTER_DELIVERY: dict[str, Hook] = {}   # kind → called with outcome "sent" | "unreachable" | "failed"
ON_SETTLE: dict[str, Settle] = {}
MAX_BACKOFF = 300.0
DONE, HELD, PAUSE = "done", "held", "pause"   # what _deliver did with a row
MAX_ATTEMPTS = 8          # for errors that are neither flood control nor the network


def after_delivery(kind: str):
    def register(fn: Hook) -> Hook:
        AFTER_DELIVERY[kind] = fn
        return fn
    return register


def on_settle(kind: str):
    def register(fn: Settle) -> Settle:
        ON_SETTLE[kind] = fn
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
        result = await _deliver(rt, gate, row)
        if result == PAUSE:
            break
        if result == HELD:
            waiting_chats.add(row.chat_id)
        handled += 1
    return handled


async def _deliver(rt: Runtime, gate: RateGate, row: OutboxRow) -> str:
    """Send one row: DONE (settled), HELD (retry later; the chat waits) or PAUSE (429)."""
    try:
        buttons = [[Button(b["label"], b["data"]) for b in line] for line in row.payload["buttons"]]
        message = await rt.bot.send_message(row.chat_id, row.payload["text"], parse_mode=ParseMode.HTML,
                                            reply_markup=markup(buttons))
    except RetryAfter as exc:
        delay = _seconds(exc.retry_after)
        gate.pause(delay)
        log.info("outbox flood control row=%s wait=%.1fs", row.id, delay)
        return PAUSE
    except Forbidden:
        await _settle(rt, row, "unreachable", "Forbidden")
        log.info("outbox recipient unreachable row=%s recipient=%s", row.id, row.recipient_id)
        return DONE
    except BadRequest as exc:
        await _settle(rt, row, "failed", type(exc).__name__)
        log.error("outbox bad request row=%s kind=%s", row.id, row.kind)
        return DONE
    except NetworkError as exc:
        # Includes timeouts. The row keeps its place: storage.outbox.due holds back the
        # chat's later rows until this one is through.
        await _retry(rt, row, type(exc).__name__)
        return HELD
    except Exception as exc:  # noqa: BLE001 - one odd row must never stop the queue
        log.exception("outbox unexpected error row=%s kind=%s", row.id, row.kind)
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await _settle(rt, row, "failed", type(exc).__name__)
        else:
            await _retry(rt, row, type(exc).__name__)
            return HELD
        return DONE
    gate.sent(row.chat_id)
    await _settle(rt, row, "sent", None, message.message_id)
    return DONE


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


async def _retry(rt: Runtime, row: OutboxRow, error: str) -> None:
    backoff = min(MAX_BACKOFF, 2.0 ** (row.attempts + 1))
    await rt.store.run(outbox.retry_later, row.id, rt.clock.now() + timedelta(seconds=backoff), error)
    log.info("outbox retry row=%s in=%.0fs error=%s", row.id, backoff, error)


async def _settle(rt: Runtime, row: OutboxRow, outcome: str, error: str | None,
                  message_id: int | None = None) -> None:
    """Mark the row, and run its kind's settle hook in the same transaction."""
    now = rt.clock.now()

    def write(db) -> None:
        with db.atomic():
            if outcome == "sent":
                outbox.mark_sent(db, row.id, message_id, now)
            elif outcome == "unreachable":
                outbox.mark_unreachable(db, row.id, error or "Forbidden")
                if row.recipient_id is not None:
                    users.set_reachable(db, row.recipient_id, False)
            else:
                outbox.mark_failed(db, row.id, error or "failed")
            hook = ON_SETTLE.get(row.kind)
            if hook is not None:
                hook(db, rt, row, outcome, now)
    await rt.store.run(write)
    await _after(rt, row, outcome)


async def _after(rt: Runtime, row: OutboxRow, outcome: str) -> None:
    hook = AFTER_DELIVERY.get(row.kind)
    if hook is None:
        return
    try:
        await hook(rt, row, outcome)
    except Exception:  # noqa: BLE001 - the row is settled; a hook's trouble stays its own
        log.exception("outbox after-delivery hook failed row=%s kind=%s", row.id, row.kind)


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
