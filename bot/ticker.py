"""The clock-driven tick: due tasks, idle conversations, retention.

Runs every few seconds from the JobQueue, and at once when the sandbox moves the clock.
All it needs is in the database, so a restart loses nothing.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Awaitable, Callable

from bot import conversations
from bot.runtime import Runtime
from storage import dialogue_state, journal, outbox, signals, tasks, users
from storage.tasks import Task

log = logging.getLogger(__name__)
OUTBOX_KEEP_DAYS = 30
TaskHandler = Callable[[Runtime, Task], Awaitable[None]]
TASK_HANDLERS: dict[str, TaskHandler] = {}
# Self-rescheduling tasks (weekly milestones, daily sweeps): kind → first due moment.
# `ensure_recurring` schedules the first row when none is pending; the handler itself
# schedules the next one in the same transaction as its work.
RECURRING: dict[str, Callable] = {}
_ensured: set[int] = set()


def recurring(kind: str):
    def register(fn):
        RECURRING[kind] = fn
        return fn
    return register


async def ensure_recurring(rt: Runtime) -> None:
    """Once per runtime: every recurring task kind has one pending row."""
    if id(rt) in _ensured:
        return
    _ensured.add(id(rt))
    now = rt.clock.now()

    def ensure(db) -> None:
        with db.atomic():
            for kind, first in RECURRING.items():
                if not tasks.pending_of_kind(db, kind):
                    tasks.schedule(db, kind, first(now, rt.settings), now=now)
    await rt.store.run(ensure)


def task_handler(kind: str):
    def register(fn: TaskHandler) -> TaskHandler:
        TASK_HANDLERS[kind] = fn
        return fn
    return register


async def tick(rt: Runtime) -> None:
    await ensure_recurring(rt)
    await expire_idle_conversations(rt)
    await run_due_tasks(rt)
    await purge_old_journal(rt)
    await purge_delivered_messages(rt)
    rt.wake_outbox()


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


async def tick_job(context) -> None:
    await tick(context.bot_data["rt"])


async def expire_idle_conversations(rt: Runtime) -> None:
    cutoff = rt.clock.now() - timedelta(hours=rt.settings.flow_idle_hours)
    for saved in await rt.store.run(dialogue_state.idle_since, cutoff):
        user = await rt.store.run(users.get, saved.user_id)
        locale = user.language if user else "nl"
        await conversations.expire(rt, saved.user_id, conversations.to_conversation(saved), locale)


async def run_due_tasks(rt: Runtime) -> None:
    now = rt.clock.now()
    for task in await rt.store.run(tasks.due, now, tuple(TASK_HANDLERS)):
        try:
            await TASK_HANDLERS[task.kind](rt, task)
        except Exception:
            log.exception("task failed id=%s kind=%s", task.id, task.kind)
        await rt.store.run(tasks.finish, task.id, rt.clock.now())
