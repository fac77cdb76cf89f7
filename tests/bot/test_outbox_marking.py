"""The outbox worker in-process (real bot, real SQLite, the emulator), with faults injected
in the marking write: a message Telegram accepted is never sent again, and which network
errors count as "it may have arrived". The same with a real full disk and a real fault
proxy: tests/e2e/test_outbox_faults.py.
"""

from __future__ import annotations

import asyncio
import sqlite3

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot.delivery import outbox as worker
from storage import outbox

PIM = 1002
FULL = "database or disk is full"


async def enqueue(sandbox, kind: str, text: str) -> int:
    now = sandbox.clock.now()
    row_id = await sandbox.rt.store.run(
        lambda db: outbox.enqueue(db, PIM, kind, text, now, recipient_id=PIM)
    )
    sandbox.rt.wake_outbox()
    return row_id


async def status_of(sandbox, row_id: int) -> str:
    return await sandbox.rt.store.run(
        lambda db: db.execute("SELECT status FROM outbox WHERE id = ?", [row_id]).fetchone()[0]
    )


async def wait_status(sandbox, row_id: int, wanted: str) -> None:
    for _ in range(200):
        if await status_of(sandbox, row_id) == wanted:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"row {row_id} never became {wanted}")


def received(sandbox, text: str) -> int:
    return sum(1 for m in sandbox.emulator.messages(PIM) if text in (m.text or ""))


async def test_a_mark_that_fails_is_retried_and_the_message_not_sent_again(sandbox, monkeypatch):
    failures: list[int] = []
    real = outbox.mark_sent

    def flaky(db, row_id, message_id, now):
        if len(failures) < 3:
            failures.append(row_id)
            raise sqlite3.OperationalError(FULL)
        real(db, row_id, message_id, now)

    monkeypatch.setattr(outbox, "mark_sent", flaky)
    first = await enqueue(sandbox, "test_note", "Eerste bericht")
    second = await enqueue(sandbox, "test_note", "Tweede bericht")

    await wait_status(sandbox, second, "sent")
    assert len(failures) == 3 and set(failures) == {first}
    assert await status_of(sandbox, first) == "sent"
    assert received(sandbox, "Eerste bericht") == 1
    assert received(sandbox, "Tweede bericht") == 1
    texts = [m.text for m in sandbox.emulator.messages(PIM)]
    assert texts.index("Eerste bericht") < texts.index("Tweede bericht")


async def test_a_settle_hook_that_raises_keeps_the_mark(sandbox, monkeypatch):
    def broken_hook(db, rt, row, outcome, now):
        raise KeyError("a bug in a hook")

    monkeypatch.setitem(worker.ON_SETTLE, "test_hooked", broken_hook)
    row_id = await enqueue(sandbox, "test_hooked", "Met een kapotte haak")
    await wait_status(sandbox, row_id, "sent")
    await sandbox.wait_idle()
    assert received(sandbox, "Met een kapotte haak") == 1


def network_error(cause: Exception | None, cls=NetworkError) -> NetworkError:
    try:
        try:
            if cause is not None:
                raise cause
            raise cls("Bad Gateway")
        except Exception as inner:
            raise cls("wrapped") from (inner if cause is not None else None)
    except NetworkError as outer:
        return outer


@pytest.mark.parametrize(
    "cause, cls, reached",
    [
        (httpx.ConnectError("refused"), NetworkError, False),  # never left
        (httpx.ConnectTimeout("slow connect"), TimedOut, False),
        (httpx.PoolTimeout("pool"), TimedOut, False),
        (None, NetworkError, False),  # an answer: 502 Bad Gateway
        (httpx.RemoteProtocolError("Server disconnected"), NetworkError, True),  # answer lost
        (httpx.ReadError("reset"), NetworkError, True),
        (httpx.ReadTimeout("late"), TimedOut, True),
        (httpx.WriteError("half sent"), NetworkError, True),
    ],
)
def test_which_network_errors_mean_it_may_have_arrived(cause, cls, reached):
    assert worker.maybe_reached(network_error(cause, cls)) is reached


async def test_after_a_crash_mid_request_a_row_goes_once_more_and_never_a_third_time(sandbox):
    """maybe_sent as a crash leaves it: 1 = one request may have gone out (send once
    more), 2 = two may have (settle as uncertain, send nothing)."""
    now = sandbox.clock.now()

    def as_after_a_crash(db) -> tuple[int, int]:
        with db.atomic():  # one transaction: the worker never sees them at 0
            rows = [
                outbox.enqueue(db, PIM, "test_note", text, now, recipient_id=PIM)
                for text in ("Misschien al een keer", "Misschien al twee keer")
            ]
            for row_id, count in zip(rows, (1, 2), strict=False):
                db.execute("UPDATE outbox SET maybe_sent = ? WHERE id = ?", [count, row_id])
        return rows[0], rows[1]

    once, twice = await sandbox.rt.store.run(as_after_a_crash)
    sandbox.rt.wake_outbox()
    await wait_status(sandbox, once, "sent")
    await wait_status(sandbox, twice, "uncertain")
    assert received(sandbox, "Misschien al een keer") == 1
    assert received(sandbox, "Misschien al twee keer") == 0
