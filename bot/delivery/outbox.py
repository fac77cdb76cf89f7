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
- a message Telegram accepted is never sent again: if marking it fails (disk full,
  database locked) the outcome is kept in memory and written first, and nothing new
  is sent until the database takes writes again;
- every attempt is counted in the row (`maybe_sent`) BEFORE the request; a known
  outcome takes the count back. A lost answer (connection dropped after sending, a
  timeout) or a crash leaves it, and a row is sent again only while it is below 2, so
  no message goes out more than twice; after that it is settled "uncertain".
See "The outbox" in docs/architecture.md for the at-least-once window as it is.

Hooks per row kind:
- `@delivers(kind)`: async, replaces the plain sendMessage for rows of that kind (e.g. a
  broadcast's report edits its progress message into the end state); it raises the Bot
  API's errors like sendMessage does, so the rules above hold for it too;
- `@on_settle(kind)`: synchronous, runs on the writer thread INSIDE the transaction that
  marks the row sent / unreachable / failed (e.g. a broadcast's final report row is
  written together with its last delivery, so nothing can fall between the two);
- `@after_delivery(kind)`: async, called afterwards (e.g. editing a progress message).
  It must not block for long: the worker waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import httpx
from sqlite_utils import Database
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.runtime import Runtime
from bot.transport import unparsed
from bot.transport.sender import flood_wait, markup
from dialogues.model import Button
from dialogues.registry import Registry
from storage import outbox, users
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)
Hook = Callable[[Runtime, OutboxRow, str], Awaitable[None]]
Settle = Callable[
    [Database, Runtime, OutboxRow, str, datetime], None
]  # (db, rt, row, outcome, now)
Deliver = Callable[[Runtime, OutboxRow, str, str | None], Awaitable[unparsed.Sent]]
AFTER_DELIVERY: Registry[Hook] = (
    Registry()
)  # kind → called with outcome "sent" | "unreachable" | "failed"
ON_SETTLE: Registry[Settle] = Registry()
DELIVERERS: Registry[Deliver] = Registry()
MAX_BACKOFF = 300.0
DONE, HELD, PAUSE, BLOCKED = "done", "held", "pause", "blocked"  # what _deliver did
MAX_ATTEMPTS = 8  # for errors that are neither flood control nor the network
MAX_UNANSWERED = 2  # sends without a known outcome after which a row is not sent again
HOLD_FIRST, HOLD_MAX = 0.5, 5.0  # seconds between tries while the database cannot be written
IDLE_MAX = 60.0  # longest sleep with nothing due; bounds a row another process wrote
MIN_WAIT = 0.01  # a due time that just passed is handled by the next pass, not a spin
# httpx errors raised before a request was on its way: certainly nothing was sent.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


after_delivery = AFTER_DELIVERY.register
on_settle = ON_SETTLE.register
delivers = DELIVERERS.register


async def send_plain(rt: Runtime, row: OutboxRow, text: str, buttons: str | None) -> unparsed.Sent:
    return await unparsed.send_message(rt.bot, row.chat_id, text, buttons)


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


class Worker:
    """The delivery loop's memory: the rate gate, and outcomes Telegram gave us that the
    database has not taken yet (a full disk, a lock). While any is held, nothing new is
    sent; they are written first, so an accepted message is never sent again."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.gate = RateGate(rt.settings.outbox_global_rate, rt.settings.outbox_chat_interval)
        self.unsettled: dict[int, tuple] = {}  # row id → (row, outcome, error, message_id)
        self.blocked_since: float | None = None
        self.chat_wait: float | None = None  # seconds until a skipped chat may get its next row

    async def settle(
        self, row: OutboxRow, outcome: str, error: str | None, message_id: int | None = None
    ) -> bool:
        """Mark the row; if the database refuses, keep the outcome and stop sending."""
        try:
            await _settle(self.rt, row, outcome, error, message_id)
        except Exception as exc:  # noqa: BLE001 - the outcome is kept, retried by flush()
            self.unsettled[row.id] = (row, outcome, error, message_id)
            self.hold(exc, row)
            return False
        return True

    async def flush(self) -> bool:
        """Write the kept outcomes, oldest first; True when none is left."""
        for row_id, (row, outcome, error, message_id) in list(self.unsettled.items()):
            try:
                await _settle(self.rt, row, outcome, error, message_id)
            except Exception as exc:  # noqa: BLE001 - still not writable: keep holding
                self.hold(exc, row)
                return False
            del self.unsettled[row_id]
            self.writable()
        return True

    def writable(self) -> None:
        if self.blocked_since is not None:
            log.warning(
                "outbox resumed: database writable again after=%.0fs",
                time.monotonic() - self.blocked_since,
            )
            self.blocked_since = None

    def hold(self, exc: Exception, row: OutboxRow) -> None:
        if self.blocked_since is None:
            self.blocked_since = time.monotonic()
            log.error(
                "outbox holding: database not writable row=%s error=%s", row.id, type(exc).__name__
            )

    async def begin(self, row: OutboxRow) -> bool:
        """Count the attempt before the request goes out; no count, no send."""
        try:
            await self.rt.store.run(outbox.begin_attempt, row.id)
        except Exception as exc:  # noqa: BLE001 - e.g. database or disk is full
            self.hold(exc, row)
            return False
        self.writable()
        return True


async def deliver_due(worker: Worker) -> int:
    """One pass over due rows; returns how many were handled (-1: holding, the database
    cannot be written). Rows left for their chat's interval set `worker.chat_wait`."""
    rt, gate = worker.rt, worker.gate
    worker.chat_wait = None
    if not await worker.flush():
        return -1
    rows = await rt.store.run(outbox.due, rt.clock.now(), 200)
    handled = 0
    waiting_chats: set[int] = set()
    for row in rows:
        ready_in = gate.chat_ready_in(row.chat_id)
        if row.chat_id in waiting_chats or ready_in > 0:
            waiting_chats.add(row.chat_id)  # keep this chat's later rows behind this one
            if ready_in > 0:
                worker.chat_wait = min(worker.chat_wait or ready_in, ready_in)
            continue
        await gate.take()
        result = await _deliver(worker, row)
        if result == PAUSE:
            break
        if result == BLOCKED:
            return -1
        if result == HELD:
            waiting_chats.add(row.chat_id)
        handled += 1
    return handled


async def _deliver(worker: Worker, row: OutboxRow) -> str:
    """Send one row: DONE (settled), HELD (retry later; the chat waits), PAUSE (429) or
    BLOCKED (the database cannot be written; nothing more is sent for now)."""
    rt, gate = worker.rt, worker.gate
    if row.maybe_sent >= MAX_UNANSWERED:
        # Sent twice and never heard back (or a crash in between): a third copy is worse
        # than not knowing. A worry's escalation task still follows it up.
        log.warning("outbox uncertain row=%s kind=%s sends=%s", row.id, row.kind, row.maybe_sent)
        return DONE if await worker.settle(row, "uncertain", "no answer") else BLOCKED
    try:
        text = row.payload["text"]
        buttons = markup(
            [[Button(b["label"], b["data"]) for b in line] for line in row.payload["buttons"]]
        )
    except Exception as exc:  # noqa: BLE001 - a malformed row never gets better
        log.error("outbox malformed row=%s kind=%s error=%s", row.id, row.kind, type(exc).__name__)
        return DONE if await worker.settle(row, "failed", type(exc).__name__) else BLOCKED
    if not await worker.begin(row):
        return BLOCKED
    try:
        message = await DELIVERERS.get(row.kind, send_plain)(rt, row, text, buttons)
    except RetryAfter as exc:
        delay = flood_wait(exc)
        gate.pause(delay)
        log.info("outbox flood control row=%s wait=%.1fs", row.id, delay)
        await _write_quietly(rt, outbox.not_sent, row.id)
        return PAUSE
    except Forbidden:
        log.info("outbox recipient unreachable row=%s recipient=%s", row.id, row.recipient_id)
        return DONE if await worker.settle(row, "unreachable", "Forbidden") else BLOCKED
    except BadRequest as exc:
        log.error("outbox bad request row=%s kind=%s", row.id, row.kind)
        return DONE if await worker.settle(row, "failed", type(exc).__name__) else BLOCKED
    except NetworkError as exc:
        # Includes timeouts. The row keeps its place: storage.outbox.due holds back the
        # chat's later rows until this one is through.
        await _retry(rt, row, type(exc).__name__, reached=maybe_reached(exc))
        return HELD
    except Exception as exc:  # noqa: BLE001 - one odd row must never stop the queue
        log.error(
            "outbox unexpected error row=%s kind=%s error=%s", row.id, row.kind, type(exc).__name__
        )
        if row.attempts + 1 >= MAX_ATTEMPTS:
            return DONE if await worker.settle(row, "failed", type(exc).__name__) else BLOCKED
        await _retry(rt, row, type(exc).__name__, reached=True)  # it may have gone out
        return HELD
    gate.sent(row.chat_id)
    return DONE if await worker.settle(row, "sent", None, message.message_id) else BLOCKED


def maybe_reached(exc: NetworkError) -> bool:
    """False only when the request certainly never left (no connection was made); a lost
    or late answer means Telegram may have the message. A 5xx answer has no httpx cause:
    Telegram answered, so it did not take the message."""
    cause = exc.__cause__
    if cause is None:
        return False
    return not isinstance(cause, NEVER_SENT)


async def _retry(rt: Runtime, row: OutboxRow, error: str, *, reached: bool) -> None:
    backoff = min(MAX_BACKOFF, 2.0 ** (row.attempts + 1))
    until = rt.clock.now() + timedelta(seconds=backoff)
    await _write_quietly(rt, outbox.retry_later, row.id, until, error, reached)
    log.info("outbox retry row=%s in=%.0fs error=%s maybe_sent=%s", row.id, backoff, error, reached)


async def _write_quietly(rt: Runtime, fn, *args) -> None:
    """A bookkeeping write after a request that sent nothing certain; if the database
    refuses it, the count `begin_attempt` wrote stays (the safe side) and the next
    `begin_attempt` fails too, so the worker holds."""
    try:
        await rt.store.run(fn, *args)
    except Exception as exc:  # noqa: BLE001
        log.error("outbox bookkeeping not written error=%s", type(exc).__name__)


async def _settle(
    rt: Runtime, row: OutboxRow, outcome: str, error: str | None, message_id: int | None = None
) -> None:
    """Mark the row, and run its kind's settle hook in the same transaction. A hook that
    fails (a bug, not the database) is rolled back on its own: the mark stays, so a
    message Telegram accepted is never sent again because of it."""
    now = rt.clock.now()

    def write(db) -> None:
        with db.atomic():
            if outcome == "sent":
                outbox.mark_sent(db, row.id, message_id, now)
            elif outcome == "unreachable":
                outbox.mark_unreachable(db, row.id, error or "Forbidden")
                if row.recipient_id is not None:
                    users.set_reachable(db, row.recipient_id, False)
            elif outcome == "uncertain":
                outbox.mark_uncertain(db, row.id, error or "no answer")
            else:
                outbox.mark_failed(db, row.id, error or "failed")
            _run_settle_hook(db, rt, row, outcome, now)

    await rt.store.run(write)
    await _after(rt, row, outcome)


def _run_settle_hook(db, rt: Runtime, row: OutboxRow, outcome: str, now) -> None:
    hook = ON_SETTLE.get(row.kind)
    if hook is None:
        return
    try:
        with db.atomic():  # a savepoint inside the marking transaction
            hook(db, rt, row, outcome, now)
    except sqlite3.OperationalError:
        raise  # the database itself: nothing is written
    except Exception as exc:  # noqa: BLE001
        log.error(
            "outbox settle hook failed row=%s kind=%s error=%s",
            row.id,
            row.kind,
            type(exc).__name__,
        )


async def _after(rt: Runtime, row: OutboxRow, outcome: str) -> None:
    hook = AFTER_DELIVERY.get(row.kind)
    if hook is None:
        return
    try:
        await hook(rt, row, outcome)
    except Exception:  # noqa: BLE001 - the row is settled; a hook's trouble stays its own
        log.exception("outbox after-delivery hook failed row=%s kind=%s", row.id, row.kind)


async def run_worker(rt: Runtime) -> None:
    worker = Worker(rt)
    rt.outbox_wakeup = asyncio.Event()
    holding = HOLD_FIRST
    while True:
        rt.outbox_wakeup.clear()  # a row added from here on wakes the next wait
        try:
            handled = await deliver_due(worker)
        except Exception as exc:  # keep delivering; the row stays pending
            log.error("outbox pass failed error=%s", type(exc).__name__)
            handled = 0
        if handled < 0:  # the database cannot be written: wait, retry
            await asyncio.sleep(holding)
            holding = min(HOLD_MAX, holding * 2)
            continue
        holding = HOLD_FIRST
        if handled == 0:
            await _sleep_until_due(worker)


async def _sleep_until_due(worker: Worker) -> None:
    """Nothing to send now: sleep until a row is added (`rt.wake_outbox`), the next row
    falls due, a chat's interval or a flood pause ends, or IDLE_MAX has passed (a row
    written by another process)."""
    rt = worker.rt
    assert rt.outbox_wakeup is not None
    # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that arrives
    # as the wake-up does, and the worker then never stops (a shutdown hung on it).
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(await next_wait(worker)):
            await rt.outbox_wakeup.wait()


async def next_wait(worker: Worker) -> float:
    """Seconds the worker may sleep: never more than IDLE_MAX, never less than MIN_WAIT."""
    rt = worker.rt
    now = rt.clock.now()
    waits = [IDLE_MAX, worker.gate.paused_until - time.monotonic()]
    if worker.chat_wait is not None:
        waits.append(worker.chat_wait)
    due = await rt.store.run(outbox.next_due_after, now)
    if due is not None:
        waits.append((due - now).total_seconds())
    positive = [w for w in waits if w > 0]
    return max(MIN_WAIT, min(positive))


def start_worker(app, rt: Runtime) -> None:
    app.bot_data["outbox_task"] = asyncio.get_running_loop().create_task(run_worker(rt))


async def stop_worker(app) -> None:
    task = app.bot_data.pop("outbox_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
