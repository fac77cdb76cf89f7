"""Long polling through the durable inbox (storage/inbox.py), instead of PTB's Updater.

PTB's Updater moves the getUpdates offset past a batch as soon as it has fetched it, so the
next call confirms the batch to Telegram while the updates exist only in memory: a crash
then loses them. Here one loop does, in this order:

1. handle every stored, unhandled update, oldest first (after a restart: what was left);
2. getUpdates with the offset after the newest stored update (this confirms them);
3. store the batch in one transaction; then back to 1.

So an update is in SQLite before Telegram forgets it. PTB stays the transport and the
dispatcher. getUpdates goes through PTB's request machinery (its errors and timeouts), but
its answer is stored as the JSON Telegram sent (bot/transport/unparsed.py) and parsed into
an `Update` once, when it is handled by `Application.process_update` (the same handlers and
error handler as before). A turn marks its update handled inside its own transaction where
it writes a conversation step (bot/flows/runner.commit); otherwise the loop marks it right
after the turn. Each trip to the database thread costs about 50 µs of CPU, so the loop
makes few: the batch is stored and the waiting updates read back in one, and an update
handed over is never read again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from contextlib import suppress
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter

from bot.runtime import Runtime
from bot.transport import unparsed
from bot.transport.sender import flood_wait
from storage import inbox

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when nothing comes
PURGE_EVERY = 600.0  # seconds between purges of handled ids
MAX_BACKOFF = 30.0


def backoff(failures: int) -> float:
    """1, 2, 4, … seconds, at most MAX_BACKOFF."""
    return min(MAX_BACKOFF, 2.0 ** max(0, failures - 1))


class Poller:
    """The fetch-store-handle loop as one asyncio task."""

    def __init__(self, app: Application, rt: Runtime, poll_timeout: int = POLL_TIMEOUT) -> None:
        self.app = app
        self.rt = rt
        self.poll_timeout = poll_timeout
        self.offset: int | None = None
        self._task: asyncio.Task | None = None
        self._fetching = False
        self._stopping = False
        self._unmarked: list[int] = []  # handled, but the mark failed: never handle again
        self._inflight: dict[int, asyncio.Task] = {}  # handed to the processor, not done yet
        self._dispatched_upto: int | None = None  # the newest update handed to the processor
        self._purged_at = 0.0

    def start(self) -> asyncio.Task:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="omzien-inbox")
        return self._task

    @property
    def task(self) -> asyncio.Task | None:
        return self._task

    async def stop(self) -> None:
        """Let a running turn finish; only a waiting getUpdates is cut short."""
        self._stopping = True
        task, self._task = self._task, None
        if task is None or task.done():
            return
        if self._fetching:
            task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        if self._inflight:
            await asyncio.gather(*self._inflight.values(), return_exceptions=True)

    async def _run(self) -> None:
        self.offset = await self.rt.store.run(inbox.next_offset)
        failures = 0
        fresh: list[inbox.Stored] | None = None  # what the last store read back
        while not self._stopping:
            try:
                await self.handle_pending(fresh)
            except sqlite3.Error as exc:  # the database is unavailable: wait, keep the rest
                log.warning("inbox read failed error=%s", type(exc).__name__)
                await asyncio.sleep(1.0)
                continue
            fresh = None  # handed over: a failed fetch next must not offer it again
            if self._stopping:
                return
            try:
                updates = await self._fetch()
            except RetryAfter as exc:
                await asyncio.sleep(flood_wait(exc))
                continue
            except (NetworkError, Conflict) as exc:  # TimedOut is a NetworkError
                failures += 1
                # One warning per outage; the retries after it only at INFO.
                log.log(
                    logging.WARNING if failures == 1 else logging.INFO,
                    "getUpdates failed error=%s retry_in=%.0fs",
                    type(exc).__name__,
                    backoff(failures),
                )
                await asyncio.sleep(backoff(failures))
                continue
            if failures:
                log.warning("getUpdates works again after %d failure(s)", failures)
            failures = 0
            fresh = await self._store(updates) if updates else None

    async def _fetch(self) -> list[dict]:
        """The batch as Telegram sent it: it is stored as it came, and parsed once, when
        handled (`_decode`); PTB's get_updates would parse every update on arrival too."""
        self._fetching = True
        try:
            return await unparsed.get_updates(
                self.app.bot, self.offset, self.poll_timeout, Update.ALL_TYPES
            )
        finally:
            self._fetching = False

    async def _store(self, updates: list[dict]) -> list[inbox.Stored] | None:
        """Write the batch; only then move the offset (the next fetch confirms it).
        If the write fails the offset stays, so Telegram sends the batch again.
        Returns what is now waiting to be handled, read in the same trip (None: not read)."""
        while True:
            try:
                waiting = await self.rt.store.run(
                    inbox.store_then_pending, updates, self.rt.clock.now(), self._dispatched_upto
                )
                break
            except sqlite3.Error as exc:
                log.warning("inbox store failed error=%s", type(exc).__name__)
                await asyncio.sleep(1.0)
                if self._stopping:
                    return None
        self.offset = updates[-1]["update_id"] + 1
        log.info("inbox stored updates=%d first=%s", len(updates), updates[0]["update_id"])
        return waiting

    async def handle_pending(self, first: list[inbox.Stored] | None = None) -> int:
        """Hand every stored update that is not handled yet to the processor, oldest first;
        `first`: the first page, already read. Updates handed over before are not read again:
        they are running, done, or waiting for their mark (`_retry_marks`)."""
        handled = 0
        await self._retry_marks()
        page = first
        while not self._stopping:
            if page is None:
                page = await self.rt.store.run(inbox.pending, self._dispatched_upto)
            self._dispatch(page)
            handled += len(page)
            if len(page) < inbox.PAGE:
                break
            page = None
        await self._purge()
        return handled

    def _dispatch(self, batch: list[inbox.Stored]) -> None:
        """Hand each update to the application's update processor without waiting, so the
        next getUpdates is not held up by a slow turn and different chats overlap, while each
        chat keeps its order (bot/transport/per_chat.py): tasks are created in arrival order,
        the order the processor keeps per chat. Each update is marked when its turn ends."""
        processor = self.app.update_processor
        for stored in batch:
            if self._dispatched_upto is not None and stored.update_id <= self._dispatched_upto:
                continue  # a page read before a failure and offered again
            self._dispatched_upto = stored.update_id
            update = self._decode(stored)
            job = asyncio.create_task(
                processor.process_update(update, self._handle(stored, update))
            )
            self._inflight[stored.update_id] = job
            job.add_done_callback(functools.partial(self._forget, stored.update_id))

    def _forget(self, update_id: int, _job: asyncio.Task) -> None:
        self._inflight.pop(update_id, None)

    def _decode(self, stored: inbox.Stored) -> Update | None:
        try:
            return Update.de_json(stored.body, self.app.bot)
        except Exception as exc:  # noqa: BLE001 - a malformed update is marked, not retried
            log.error(
                "inbox update=%s could not be read error=%s", stored.update_id, type(exc).__name__
            )
            return None

    async def _handle(self, stored: inbox.Stored, update: Update | None) -> None:
        mark = inbox.TurnMark()
        token = inbox.current_update.set(stored.update_id)
        mark_token = inbox.current_mark.set(mark)
        try:
            if update is not None:
                await self.app.process_update(update)
        except Exception as exc:  # noqa: BLE001 - one bad update must not stop the inbox
            log.error(
                "inbox update=%s could not be handled error=%s",
                stored.update_id,
                type(exc).__name__,
            )
        finally:
            inbox.current_mark.reset(mark_token)
            inbox.current_update.reset(token)
        if not mark.done:  # the turn's own step marked it: no second trip to the database
            await self._mark(stored.update_id)

    async def _mark(self, update_id: int) -> None:
        try:
            await self.rt.store.run(inbox.mark_handled, update_id, self.rt.clock.now())
        except sqlite3.Error as exc:
            self._unmarked.append(update_id)
            log.warning("inbox mark failed update=%s error=%s", update_id, type(exc).__name__)

    async def _retry_marks(self) -> None:
        waiting, self._unmarked = self._unmarked, []
        for update_id in waiting:
            await self._mark(update_id)

    async def _purge(self) -> None:
        if time.monotonic() - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = time.monotonic()
        with suppress(sqlite3.Error):
            await self.rt.store.run(inbox.purge, self.rt.clock.now())
