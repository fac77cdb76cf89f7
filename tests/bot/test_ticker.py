"""Due tasks are never lost: a raising handler is retried with backoff (not marked done),
an escalation that keeps failing brings the coordinators a notice, and a recurring chain
that broke starts again on the next tick, without a restart.

Real SQLite file, the real ticker and the real signal handlers; no bot, no emulator.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

import bot.features  # noqa: F401  (registers the task handlers and recurring chains)
from bot.config import Settings
from bot.delivery import ticker
from bot.runtime import Runtime
from bot.signals import escalation
from bot.signals import service as bot_signals
from bot.team.coordinator import MILESTONE_TASK
from bot.timekeeping.clock import OffsetClock
from content.render import default_content
from storage import links, signals, tasks, users
from storage.db import Store

CORA, PIM, VERA = 1001, 1002, 1003
SECRET = "mevrouw L zegt dat haar zoon haar slaat"


@pytest.fixture
async def rt(tmp_path):
    store = Store.open(tmp_path / "ticker.db")
    content = default_content()
    runtime = Runtime(Settings(), store, OffsetClock(), content, engine=None)
    yield runtime
    store.close()


def task_row(db, task_id: int) -> tuple:
    return db.execute(
        "SELECT status, attempts, last_error, due_at FROM due_tasks WHERE id = ?", [task_id]
    ).fetchone()


async def schedule(rt, kind: str, **extra) -> int:
    now = rt.clock.now()
    return await rt.store.run(lambda db: tasks.schedule(db, kind, now, now=now, **extra))


async def test_a_raising_handler_is_retried_with_backoff_and_not_lost(rt, monkeypatch, caplog):
    calls: list[int] = []

    async def flaky(runtime, task) -> None:
        calls.append(task.id)
        if len(calls) < 3:
            raise RuntimeError(SECRET)  # what an exception might carry: never logged

    monkeypatch.setitem(ticker.TASK_HANDLERS, "test_flaky", flaky)
    task_id = await schedule(rt, "test_flaky")

    with caplog.at_level(logging.INFO):
        await ticker.run_due_tasks(rt)
    status, attempts, error, due_at = await rt.store.run(task_row, task_id)
    assert (status, attempts, error) == ("pending", 1, "RuntimeError")

    await ticker.run_due_tasks(rt)  # not due yet: the backoff holds
    assert len(calls) == 1

    rt.clock.advance(timedelta(seconds=ticker.retry_delay(0) + 1))
    await ticker.run_due_tasks(rt)
    assert len(calls) == 2
    assert (await rt.store.run(task_row, task_id))[:2] == ("pending", 2)

    rt.clock.advance(timedelta(seconds=ticker.retry_delay(0) + 1))
    await ticker.run_due_tasks(rt)
    assert len(calls) == 2, "the second retry waits twice as long"
    rt.clock.advance(timedelta(seconds=ticker.retry_delay(1)))
    await ticker.run_due_tasks(rt)
    assert calls == [task_id] * 3
    assert (await rt.store.run(task_row, task_id))[0] == "done"

    logged = caplog.text
    assert f"task failed id={task_id} kind=test_flaky attempt=1 error=RuntimeError" in logged
    assert SECRET not in logged and "zoon" not in logged


def seed_open_signal(db, now) -> int:
    with db.atomic():
        users.create(db, CORA, "coordinator", "Cora", "nl", now)
        users.create(db, PIM, "professional", "Pim", "nl", now)
        users.create(db, VERA, "volunteer", "Vera", "nl", now)
        links.link(db, VERA, PIM, now)
        return signals.record_support(db, VERA, now)


def coordinator_notices(db) -> list[str]:
    return [
        r[0]
        for r in db.execute("SELECT payload FROM outbox WHERE recipient_id = ? ORDER BY id", [CORA])
    ]


async def test_an_escalation_that_keeps_failing_brings_the_coordinators_a_notice(rt, monkeypatch):
    now = rt.clock.now()
    signal_id = await rt.store.run(seed_open_signal, now)
    task_id = await schedule(rt, bot_signals.ESCALATE, signal_id=signal_id)

    def broken(db, signal_id, now):
        raise OSError("disk trouble")

    monkeypatch.setattr(escalation, "escalate", broken)

    for failure in range(1, ticker.NOTICE_AFTER + 2):
        await ticker.run_due_tasks(rt)
        assert (await rt.store.run(task_row, task_id))[:2] == ("pending", failure)
        notices = await rt.store.run(coordinator_notices)
        assert len(notices) == (1 if failure >= ticker.NOTICE_AFTER else 0), failure
        rt.clock.advance(timedelta(seconds=ticker.MAX_RETRY + 1))
    assert f"nummer {signal_id})" in notices[0] and "Vera" not in notices[0]

    monkeypatch.undo()  # the trouble is over: it escalates after all
    await ticker.run_due_tasks(rt)
    assert (await rt.store.run(task_row, task_id))[0] == "done"
    assert any("liggen" in n or "ligt 1 zorg" in n for n in await rt.store.run(coordinator_notices))


async def test_a_broken_recurring_chain_starts_again_on_the_next_tick(rt):
    def pending(db) -> list[int]:
        return [
            r[0]
            for r in db.execute(
                "SELECT id FROM due_tasks WHERE kind = ? AND status = 'pending'", [MILESTONE_TASK]
            )
        ]

    await ticker.ensure_recurring(rt)
    [first] = await rt.store.run(pending)
    # As if its handler had failed before scheduling the next one, in an older version.
    await rt.store.run(tasks.finish, first, rt.clock.now(), "cancelled")
    assert await rt.store.run(pending) == []

    await ticker.ensure_recurring(rt)  # the same runtime, the next tick
    again = await rt.store.run(pending)
    assert len(again) == 1 and again[0] != first
    await ticker.ensure_recurring(rt)
    assert await rt.store.run(pending) == again  # one row per chain, never two


async def test_a_task_that_ran_but_was_not_marked_done_does_not_run_again(rt, monkeypatch):
    """The disk was full just when the task was to be marked done: on the next tick it is
    marked, not run a second time (a second escalation to the coordinator)."""
    calls: list[int] = []

    async def escalate_once(runtime, task) -> None:
        calls.append(task.id)

    monkeypatch.setitem(ticker.TASK_HANDLERS, "test_once", escalate_once)
    task_id = await schedule(rt, "test_once")
    real_finish = tasks.finish
    refusals = [1]

    def full_disk_once(db, *args, **kwargs):
        if refusals:
            refusals.pop()
            raise OSError("database or disk is full")
        return real_finish(db, *args, **kwargs)

    monkeypatch.setattr(tasks, "finish", full_disk_once)

    await ticker.run_due_tasks(rt)
    assert calls == [task_id]
    status, *_ = await rt.store.run(task_row, task_id)
    assert status == "pending"  # the database refused the mark
    await ticker.run_due_tasks(rt)
    assert calls == [task_id]  # marked now, not run again
    status, *_ = await rt.store.run(task_row, task_id)
    assert status == "done"


async def test_while_the_mark_is_still_refused_no_task_runs(rt, monkeypatch):
    calls: list[int] = []

    async def handler(runtime, task) -> None:
        calls.append(task.id)

    monkeypatch.setitem(ticker.TASK_HANDLERS, "test_held", handler)
    first = await schedule(rt, "test_held")

    def full_disk(db, *args, **kwargs):
        raise OSError("database or disk is full")

    monkeypatch.setattr(tasks, "finish", full_disk)
    await ticker.run_due_tasks(rt)
    await ticker.run_due_tasks(rt)
    assert calls == [first]
