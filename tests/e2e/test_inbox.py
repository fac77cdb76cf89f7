"""The durable inbox with the real bot process: what Telegram handed over survives a
SIGKILL, and a Bot API that is down at start-up is waited for.

The emulator runs in this test's event loop; `emu.faults` (sandbox/emulator/faults.py) holds or
fails Bot API calls so the kill lands at a known point.
"""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from storage import inbox
from tests.e2e.test_process import VERA, bots, read_db  # noqa: F401  (bots: the fixture)

pytestmark = pytest.mark.e2e

STRANGERS = range(5001, 5041)  # 40 people without an account: one answer each


def inbox_counts(db) -> tuple[int, int]:
    (handled,) = db.execute("SELECT count(*) FROM inbox WHERE handled_at IS NOT NULL").fetchone()
    return handled, len(inbox.pending(db, limit=1000))


@pytest.mark.parametrize("answered_first", [0, 10])
async def test_sigkill_after_fetching_40_updates_loses_none_and_answers_none_twice(
    bots, answered_first
):
    # One chat at a time, so that the held answer fixes the moment of the kill exactly
    # (right after the fetch, or after ten answers); chats in parallel are tested elsewhere.
    one_chat_at_a_time = {"OMZIEN_CONCURRENT_CHATS": "1"}
    emu = bots.emu
    for user_id in STRANGERS:
        emu.add_user(user_id, f"Mens{user_id}", language_code="nl")
        emu.send_text(user_id, f"hallo {user_id}")
    # The first answers go through; the next one is held before it is carried out, so the
    # bot is known to be right after the fetch, or in the middle of its batch, when killed.
    emu.faults.hold(seconds=60, after=answered_first, methods=["sendMessage"])
    first = bots.start(settings=one_chat_at_a_time)
    await bots.until(lambda: emu.faults.held >= 1, "the next answer to be on its way")
    bots.kill(first)
    assert first.returncode == -signal.SIGKILL

    polls = [c for c in emu.calls if c.method == "getUpdates" and c.status == 200]
    assert len(polls) == 1, "all 40 came in the one getUpdates before the kill"
    answered = [u for u in STRANGERS if emu.messages(u)]
    assert len(answered) == answered_first, answered
    assert read_db(bots.db_path, inbox_counts) == (answered_first, 40 - answered_first)

    bots.start(settings=one_chat_at_a_time)
    await bots.until(lambda: all(emu.messages(u) for u in STRANGERS), "all 40 answered")
    await bots.until(lambda: not emu.pending_updates(), "the batch to be confirmed")
    counts = Counter({u: len(emu.messages(u)) for u in STRANGERS})
    assert set(counts.values()) == {1}, {u: n for u, n in counts.items() if n != 1}
    # A turn is marked handled just after its answer went out.
    await bots.until(lambda: read_db(bots.db_path, inbox_counts) == (40, 0), "all 40 marked")
    # Handled rows keep no text: only the id and the mark.
    bodies = read_db(
        bots.db_path,
        lambda db: db.execute("SELECT count(*) FROM inbox WHERE body IS NOT NULL").fetchone()[0],
    )
    assert bodies == 0


async def test_a_bot_api_that_answers_502_at_start_up_is_waited_for(bots):
    emu = bots.emu
    emu.faults.fail(status=502, count=3)  # getMe three times: about three seconds
    proc = bots.start()
    emu.send_text(VERA, "/help")
    reply = await bots.until(
        lambda: [m for m in emu.messages(VERA) if "Dit kun je bij mij doen" in (m.text or "")],
        "the help after the outage",
    )
    assert reply and proc.poll() is None
    outage = [c for c in emu.calls if c.status == 502]
    assert [c.method for c in outage] == ["getMe"] * 3, outage
    bots.kill_all()
    logged = bots.logs[-1].read_text(errors="replace")
    assert logged.count("not reachable") == 1, logged
    assert "Traceback" not in logged
    assert emu.token not in logged


async def test_sigterm_stops_the_bot_cleanly(bots):
    """Our own lifecycle (not run_polling) still ends on SIGTERM: exit 0, nothing logged
    as an error while the poller, the outbox worker and PTB are stopped in turn."""
    emu = bots.emu
    proc = bots.start()
    emu.send_text(VERA, "/help")
    await bots.until(
        lambda: [m for m in emu.messages(VERA) if "/bezoek" in (m.text or "")], "the volunteer help"
    )
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    logged = bots.logs[-1].read_text(errors="replace")
    assert "Traceback" not in logged and " ERROR " not in logged, logged
    assert "objects of the start-up frozen" in logged, "the start-up heap is kept out of the GC"
