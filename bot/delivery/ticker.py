"""The clock-driven tick: due tasks, idle conversations, retention.

`run_ticker` ticks when the next task or conversation expiry falls due, and at least every
`tick_seconds`; the sandbox ticks at once when it moves the clock. All it needs is in the
database, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.flows import runner as conversations
from bot.runtime import Runtime
from dialogues.registry import Registry
from storage import dialogue_state, journal, outbox, signals, tasks, users
from storage.tasks import Task

log = logging.getLogger(__name__)
OUTBOX_KEEP_DAYS = 30
TaskHandler = Callable[[Runtime, Task], Awaitable[None]]
TASK_HANDLERS: Registry[TaskHandler] = Registry()
# kind → called (db, task, now) inside the transaction that records the NOTICE_AFTER-th
# failure of a task, so a person hears about work that keeps failing (bot/signals/service.py).
ON_REPEATED_FAILURE: Registry[Callable] = Registry()
# Self-rescheduling tasks (weekly milestones, daily sweeps): kind → first due moment.
# `ensure_recurring` schedules the first row when none is pending; the handler itself
# schedules the next one in the same transaction as its work.
RECURRING: Registry[Callable] = Registry()
FIRST_RETRY = 30.0  # seconds; doubles per failure
MAX_RETRY = 1800.0
MIN_WAIT = 0.05  # seconds; anything due sooner is handled by ticking now
COALESCE = 0.2  # seconds a wake-up waits for more before looking again
NOTICE_AFTER = 3  # failures before ON_REPEATED_FAILURE runs (about 3.5 minutes)


recurring = RECURRING.register
on_repeated_failure = ON_REPEATED_FAILURE.register


async def ensure_recurring(rt: Runtime) -> None:
    """On every tick: every recurring task kind has one pending row, so a chain that broke
    (its handler failed before scheduling the next one, a row was cancelled) starts again
    without a restart. One indexed query per kind."""
    now = rt.clock.now()

    def ensure(db) -> None:
        with db.atomic():
            for kind, first in RECURRING.items():
                if not tasks.pending_of_kind(db, kind):
                    tasks.schedule(db, kind, first(now, rt.settings), now=now)
                    log.info("recurring task scheduled kind=%s", kind)

    await rt.store.run(ensure)


task_handler = TASK_HANDLERS.register


async def tick(rt: Runtime) -> None:
    # One tick at a time: the sandbox's explicit tick may meet the loop's.
    async with rt.tick_lock:
        await ensure_recurring(rt)
        await expire_idle_conversations(rt)
        await run_due_tasks(rt)
        await purge_old_journal(rt)
        await purge_delivered_messages(rt)
    rt.wake_outbox()


async def run_ticker(rt: Runtime) -> None:
    """Tick, then sleep until the next thing falls due; a turn that may have scheduled a
    task (`rt.wake_ticker`) makes it look again, it does not tick."""
    rt.ticker_wakeup = asyncio.Event()
    while True:
        try:
            await tick(rt)
        except Exception as exc:  # noqa: BLE001 - the next tick tries again
            log.error("tick failed error=%s", type(exc).__name__)
        await sleep_until_due(rt)


async def sleep_until_due(rt: Runtime) -> None:
    assert rt.ticker_wakeup is not None
    while True:
        rt.ticker_wakeup.clear()
        wait = await rt.store.run(
            seconds_until_due, rt.clock.now(), rt.settings.flow_idle_hours, rt.settings.tick_seconds
        )
        if wait <= MIN_WAIT:
            return
        try:  # asyncio.timeout: wait_for on 3.11 can swallow a cancel (see outbox.py)
            async with asyncio.timeout(wait):
                await rt.ticker_wakeup.wait()
        except TimeoutError:
            return
        await asyncio.sleep(COALESCE)  # a burst of turns makes one look, not many


def seconds_until_due(db, now: datetime, idle_hours: float, longest: float) -> float:
    """Until the earliest due task or conversation expiry, at most `longest` seconds."""
    moments = [tasks.next_due_at(db, tuple(TASK_HANDLERS))]
    touched = dialogue_state.oldest_update(db)
    if touched is not None:
        moments.append(touched + timedelta(hours=idle_hours))
    waits = [(m - now).total_seconds() for m in moments if m is not None]
    return max(0.0, min([longest, *waits]))


def start_ticker(app, rt: Runtime) -> None:
    app.bot_data["tick_task"] = asyncio.get_running_loop().create_task(run_ticker(rt))


async def stop_ticker(app) -> None:
    task = app.bot_data.pop("tick_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def purge_old_journal(rt: Runtime) -> None:
    """The retention period: journal entries, and worries that were dealt with, older than
    `retention_days` are removed."""
    cutoff = rt.clock.now() - timedelta(days=rt.settings.retention_days)
    removed = await rt.store.run(journal.purge_older_than, cutoff)
    settled = await rt.store.run(signals.purge_settled_before, cutoff)
    if removed or settled:
        log.info("retention removed=%s signals=%s", removed, settled)


async def purge_delivered_messages(rt: Runtime) -> None:
    """Delivered messages hold their text (a note, a name): keep them only as long as a
    broadcast report or a retry could need them."""
    cutoff = rt.clock.now() - timedelta(days=OUTBOX_KEEP_DAYS)
    removed = await rt.store.run(outbox.purge_settled_before, cutoff)
    if removed:
        log.info("outbox purged removed=%s", removed)


async def expire_idle_conversations(rt: Runtime) -> None:
    cutoff = rt.clock.now() - timedelta(hours=rt.settings.flow_idle_hours)
    for saved in await rt.store.run(dialogue_state.idle_since, cutoff):
        user = await rt.store.run(users.get, saved.user_id)
        locale = user.language if user else "nl"
        await conversations.expire(rt, saved.user_id, conversations.to_conversation(saved), locale)


async def run_due_tasks(rt: Runtime) -> None:
    """Each due task once. A task whose handler raises is not done: it stays pending and is
    tried again with backoff, so an escalation that hit an error is never lost. A task that
    ran but could not be marked done (a full disk) is remembered and marked first on the
    next tick, instead of running again: one escalation, not two."""
    if not await _mark_remembered(rt):
        return
    now = rt.clock.now()
    for task in await rt.store.run(tasks.due, now, tuple(TASK_HANDLERS)):
        try:
            await TASK_HANDLERS[task.kind](rt, task)
        except Exception as exc:  # noqa: BLE001 - one failing task must not stop the others
            await _retry_task(rt, task, type(exc).__name__)
            continue
        try:
            await rt.store.run(tasks.finish, task.id, rt.clock.now())
        except Exception as exc:  # noqa: BLE001 - e.g. a full disk: marked on the next tick
            rt.ran_unmarked[task.id] = rt.clock.now()
            log.error(
                "task not marked done id=%s kind=%s error=%s",
                task.id,
                task.kind,
                type(exc).__name__,
            )


async def _mark_remembered(rt: Runtime) -> bool:
    """Mark the tasks that ran but were not marked; False while the database still refuses
    (then no task runs: a due one might be among them)."""
    for task_id, ran_at in list(rt.ran_unmarked.items()):
        try:
            await rt.store.run(tasks.finish, task_id, ran_at)
        except Exception as exc:  # noqa: BLE001
            log.error("task still not marked done id=%s error=%s", task_id, type(exc).__name__)
            return False
        del rt.ran_unmarked[task_id]
    return True


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` earlier failures and this one."""
    return min(MAX_RETRY, FIRST_RETRY * 2.0**attempts)


async def _retry_task(rt: Runtime, task: Task, error: str) -> None:
    # Ids and the error type only: an exception's message may hold a name or a note.
    now = rt.clock.now()
    delay = retry_delay(task.attempts)
    failures = task.attempts + 1
    hook = ON_REPEATED_FAILURE.get(task.kind) if failures == NOTICE_AFTER else None

    def write(db) -> None:
        with db.atomic():
            tasks.retry_later(db, task.id, now + timedelta(seconds=delay), error)
            if hook is not None:
                _notify(db, hook, task, now)

    log.warning(
        "task failed id=%s kind=%s attempt=%s error=%s retry_in=%.0fs",
        task.id,
        task.kind,
        failures,
        error,
        delay,
    )
    try:
        await rt.store.run(write)
    except Exception as exc:  # noqa: BLE001 - still pending; the next tick tries it again
        log.error(
            "task retry not recorded id=%s kind=%s error=%s", task.id, task.kind, type(exc).__name__
        )


def _notify(db, hook, task: Task, now) -> None:
    """The notice on its own savepoint: if it fails, the retry is still recorded, so the
    task keeps its backoff instead of running again on every tick."""
    try:
        with db.atomic():
            hook(db, task, now)
    except Exception as exc:  # noqa: BLE001
        log.error(
            "task failure notice failed id=%s kind=%s error=%s",
            task.id,
            task.kind,
            type(exc).__name__,
        )
