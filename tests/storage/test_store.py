"""The store's one database thread (storage/db.Store): jobs run one at a time in the order
they were given, on a thread of their own, with the caller's context; errors reach the
caller; a job whose caller gave up before it started is not run; close() finishes what was
queued and refuses what comes after."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import threading

import pytest

from storage.db import Store

WHO = contextvars.ContextVar("who", default="nobody")


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "store.db")
    yield s
    s.close()


async def test_jobs_run_in_order_on_one_thread_that_is_not_the_loop_s(store):
    seen: list[tuple[int, int]] = []

    def job(db, n):
        seen.append((n, threading.get_ident()))
        return n * 2

    results = await asyncio.gather(*(store.run(job, n) for n in range(50)))
    assert results == [n * 2 for n in range(50)]
    assert [n for n, _ in seen] == list(range(50))
    threads = {ident for _, ident in seen}
    assert len(threads) == 1 and threading.get_ident() not in threads


async def test_the_callers_context_goes_along(store):
    async def as_(name):
        WHO.set(name)
        return await store.run(lambda db: WHO.get())

    assert await asyncio.gather(as_("vera"), as_("pim")) == ["vera", "pim"]


async def test_an_error_reaches_the_caller_and_the_thread_goes_on(store):
    with pytest.raises(sqlite3.OperationalError):
        await store.run(lambda db: db.execute("SELECT * FROM no_such_table"))
    assert await store.run(lambda db: db.execute("SELECT 1").fetchone()) == (1,)


async def test_a_job_its_caller_gave_up_on_before_it_started_is_not_run(store):
    release = threading.Event()
    ran: list[str] = []
    blocking = asyncio.ensure_future(store.run(lambda db: release.wait(5)))
    await asyncio.sleep(0.05)  # the thread is inside the first job
    given_up = asyncio.ensure_future(store.run(lambda db: ran.append("given up")))
    await asyncio.sleep(0)
    given_up.cancel()
    release.set()
    await blocking
    await store.run(lambda db: ran.append("after"))
    assert ran == ["after"]


async def test_close_finishes_what_was_queued_and_refuses_what_comes_after(tmp_path):
    store = Store.open(tmp_path / "closing.db")
    done: list[int] = []
    release = threading.Event()
    first = asyncio.ensure_future(store.run(lambda db: release.wait(5)))
    queued = [asyncio.ensure_future(store.run(lambda db, n=n: done.append(n))) for n in range(3)]
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.to_thread(store.close)
    assert done == [0, 1, 2]
    await asyncio.gather(first, *queued)
    with pytest.raises(RuntimeError, match="closed"):
        await store.run(lambda db: None)
