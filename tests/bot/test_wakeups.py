"""An idle bot is idle: the outbox worker and the tick sleep until something is due or
someone wakes them, instead of polling (issue 14 item 4).

Real SQLite file, the real worker and ticker loops; the Bot is a recorder, because what is
tested is *when* the loops look, not how a message travels (tests/e2e covers that).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.delivery import outbox as worker_module
from bot.delivery import ticker
from bot.runtime import Runtime
from bot.timekeeping.clock import OffsetClock
from content.render import default_content
from storage import dialogue_state, outbox, tasks, users
from storage.db import Store
from storage.times import iso

CHAT = 4242


@dataclass
class Sent:
    message_id: int


class RecordingBot:
    def __init__(self) -> None:
        self.sent: list[tuple[float, int, str]] = []

    async def _post(self, endpoint, data, **_):
        """The outbox sends through bot/transport/unparsed.py, which calls PTB's Bot._post."""
        assert endpoint == "sendMessage"
        sent = await self.send_message(data["chat_id"], data["text"])
        return {"message_id": sent.message_id}

    async def send_message(self, chat_id, text, **_):
        self.sent.append((time.monotonic(), chat_id, text))
        return Sent(len(self.sent))


@pytest.fixture
async def rt(tmp_path):
    store = Store.open(tmp_path / "wake.db")
    settings = replace(Settings(), outbox_chat_interval=0.3, tick_seconds=60.0)
    runtime = Runtime(settings, store, OffsetClock(), default_content(), engine=None)
    runtime.bot = RecordingBot()
    yield runtime
    store.close()


@pytest.fixture
def count_calls(monkeypatch):
    """Count how often a storage function is called (each call is one look at the database)."""

    def counting(module, name: str) -> list[int]:
        calls: list[int] = []
        real = getattr(module, name)

        def wrapped(*args, **kwargs):
            calls.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapped)
        return calls

    return counting


async def running(coro_fn, rt):
    task = asyncio.create_task(coro_fn(rt))
    await asyncio.sleep(0.05)
    return task


async def stop(task) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def enqueue(rt, text: str, *, later: float = 0.0) -> None:
    now = rt.clock.now()
    await rt.store.run(
        lambda db: outbox.enqueue(
            db, CHAT, "test", text, now, not_before=now + timedelta(seconds=later)
        )
    )


async def wait_for_sent(rt, count: int, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while len(rt.bot.sent) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def test_an_idle_outbox_does_not_poll(rt, count_calls):
    looks = count_calls(outbox, "due")
    task = await running(worker_module.run_worker, rt)
    await asyncio.sleep(1.5)  # the old worker looked every 0.5 s: three or four times
    await stop(task)
    assert len(looks) == 1


async def test_a_new_row_is_sent_at_once_when_the_worker_is_woken(rt):
    task = await running(worker_module.run_worker, rt)
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await enqueue(rt, "nu")
    rt.wake_outbox()
    await wait_for_sent(rt, 1)
    await stop(task)
    assert [text for _, _, text in rt.bot.sent] == ["nu"]
    assert rt.bot.sent[0][0] - started < 0.3


async def test_a_row_for_later_is_sent_when_it_falls_due_without_a_wake(rt):
    await enqueue(rt, "straks", later=0.6)
    started = time.monotonic()
    task = await running(worker_module.run_worker, rt)
    await wait_for_sent(rt, 1)
    await stop(task)
    took = rt.bot.sent[0][0] - started
    assert 0.5 < took < 1.2, took


async def test_the_chat_interval_still_holds_and_the_worker_wakes_when_it_ends(rt):
    for text in ("een", "twee", "drie"):
        await enqueue(rt, text)
    task = await running(worker_module.run_worker, rt)
    await wait_for_sent(rt, 3)
    await stop(task)
    assert [text for _, _, text in rt.bot.sent] == ["een", "twee", "drie"]
    gaps = [b[0] - a[0] for a, b in zip(rt.bot.sent, rt.bot.sent[1:], strict=False)]
    assert all(0.28 < gap < 0.8 for gap in gaps), gaps


async def test_a_flood_pause_is_slept_out_not_polled(rt, count_calls):
    worker = worker_module.Worker(rt)
    worker.gate.pause(2.0)
    wait = await worker_module.next_wait(worker)
    assert 1.8 < wait <= 2.0
    worker.gate.paused_until = 0.0
    assert await worker_module.next_wait(worker) == worker_module.IDLE_MAX


async def test_seconds_until_due_follows_tasks_and_conversations(rt, monkeypatch):
    now = rt.clock.now()
    kind = "test_known"

    async def nothing(runtime, task) -> None:
        return None

    monkeypatch.setitem(ticker.TASK_HANDLERS, kind, nothing)  # only handled kinds count
    assert await rt.store.run(ticker.seconds_until_due, now, 24.0, 60.0) == 60.0
    await rt.store.run(lambda db: tasks.schedule(db, kind, now + timedelta(seconds=20), now=now))
    assert await rt.store.run(ticker.seconds_until_due, now, 24.0, 60.0) == pytest.approx(
        20, abs=0.01
    )
    await rt.store.run(lambda db: tasks.schedule(db, "not_a_known_kind", now, now=now))
    assert await rt.store.run(ticker.seconds_until_due, now, 24.0, 60.0) == pytest.approx(
        20, abs=0.01
    )
    touched = iso(now - timedelta(hours=1))
    saved = dialogue_state.SavedState(CHAT, "bezoek", "start", "i", 0, {}, {}, touched, touched)
    await rt.store.run(lambda db: users.create(db, CHAT, "volunteer", "Vera", "nl", now))
    await rt.store.run(dialogue_state.save, saved)
    # the conversation expires at updated_at + 1.0014 h: 5 s from now
    idle_hours = 1 + 5 / 3600
    assert await rt.store.run(ticker.seconds_until_due, now, idle_hours, 60.0) == pytest.approx(
        5, abs=0.5
    )


async def test_an_idle_ticker_ticks_once_and_a_due_task_runs_on_time(rt, monkeypatch):
    ran: list[float] = []
    ticks: list[float] = []
    real_tick = ticker.tick

    async def handler(runtime, task) -> None:
        ran.append(time.monotonic())

    async def counted_tick(runtime) -> None:
        ticks.append(time.monotonic())
        await real_tick(runtime)

    monkeypatch.setitem(ticker.TASK_HANDLERS, "test_wake", handler)
    monkeypatch.setattr(ticker, "tick", counted_tick)
    task = await running(ticker.run_ticker, rt)
    await asyncio.sleep(1.0)
    assert len(ticks) == 1  # the old JobQueue ticked every 5 s; nothing is due here

    now = rt.clock.now()
    await rt.store.run(
        lambda db: tasks.schedule(db, "test_wake", now + timedelta(seconds=0.5), now=now)
    )
    scheduled = time.monotonic()
    rt.wake_ticker()  # what a turn with effects does
    await asyncio.sleep(1.2)
    await stop(task)
    assert len(ran) == 1
    assert 0.4 < ran[0] - scheduled < 1.0
    assert len(ticks) == 2  # the wake-up looked again; only the due task ticked


async def test_the_loop_tick_and_an_explicit_tick_never_overlap(rt, monkeypatch):
    inside = 0
    most = 0

    async def slow_expire(runtime) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.1)
        inside -= 1

    monkeypatch.setattr(ticker, "expire_idle_conversations", slow_expire)
    await asyncio.gather(ticker.tick(rt), ticker.tick(rt), ticker.tick(rt))
    assert most == 1


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
async def test_a_cancel_that_comes_with_the_wake_up_still_stops_the_worker(rt, turns):
    """Python 3.11's asyncio.wait_for swallowed a cancel that arrived as its event was set:
    the worker went on for ever and a shutdown hung on it (seen as a rare hang in CI)."""
    task = await running(worker_module.run_worker, rt)
    rt.wake_outbox()
    for _ in range(turns):
        await asyncio.sleep(0)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2.0)
    assert done, "the outbox worker did not stop when cancelled"


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
async def test_a_cancel_that_comes_with_the_wake_up_still_stops_the_ticker_sleep(rt, turns):
    rt.ticker_wakeup = asyncio.Event()
    task = asyncio.create_task(ticker.sleep_until_due(rt))
    await asyncio.sleep(0.05)
    rt.ticker_wakeup.set()
    for _ in range(turns):
        await asyncio.sleep(0)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2.0)
    assert done, "the ticker's sleep did not stop when cancelled"
    assert task.cancelled() or task.exception() is None
