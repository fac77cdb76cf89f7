"""Appreciation to hundreds, through the emulator with Telegram's flood limits ON.

1. 500 recipients, in-process (Sandbox): every recipient gets exactly one message, the
   one status message is edited as delivery goes and ends as the report, no outbox row
   failed (429s the emulator answered were waited out, not errors).
2. 300 recipients, the real `omzien run` process: SIGKILL halfway, restart on the same
   database; afterwards everyone has the message, at most one person twice (the one
   message in flight when the process died, see bot/delivery/outbox.py).
Recipients are seeded straight into the database to keep this fast.
"""

from __future__ import annotations

import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from sandbox.emulator.flood import FloodPolicy
from sandbox.session import Sandbox
from storage import users
from storage.db import open_db
from tests.conftest import process_env, start_emulator

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OMZIEN = ROOT / ".venv" / "bin" / "omzien"
CORA = 1001
FIRST = 300_000


def _seed_volunteers(db, count: int, now) -> list[int]:
    ids = [FIRST + i for i in range(count)]
    with db.atomic():
        for user_id in ids:
            users.create(db, user_id, "volunteer", f"V{user_id}", "nl", now)
    return ids


def _status_counts(db) -> dict[str, int]:
    return {
        s: n
        for s, n in db.execute(
            "SELECT status, count(*) FROM outbox WHERE kind = 'appreciation' GROUP BY status"
        )
    }


async def test_500_appreciations_with_flood_control_on(tmp_path):
    sandbox = Sandbox(Settings(), tmp_path / "b.db", flood=FloodPolicy())  # Telegram's limits
    await sandbox.start()
    try:
        emu = sandbox.emulator
        ids = await sandbox.rt.store.run(_seed_volunteers, 498, sandbox.clock.now())
        for user_id in ids:
            emu.add_user(user_id, f"V{user_id}", started=True)
        everyone = ids + [1003, 1004]  # the demo volunteers vera and wim too
        await sandbox.say("cora", "/waardering")
        await sandbox.press("cora", "Alle vrijwilligers")
        await sandbox.press("cora", "Gewoon bedankt")
        preview = sandbox.newest_with_buttons(CORA)
        assert "500 vrijwilligers" in preview.text
        emu.press(CORA, preview.message_id, button="Versturen")

        def reported():
            return [m for m in emu.messages(CORA) if "500 van de 500 berichten" in (m.text or "")]

        [status] = await emu.wait_for(reported, timeout=60)
        # One status message: sent as "Verzonden 1 van 500 …", edited as delivery went,
        # and edited once more into the report.
        assert status.edit_count >= 2
        statuses = [
            m
            for m in emu.messages(CORA)
            if "Verzonden" in (m.text or "") or "berichten" in (m.text or "")
        ]
        assert statuses == [status]
        for user_id in everyone:
            got = [m for m in emu.messages(user_id) if "zomaar een berichtje" in (m.text or "")]
            assert len(got) == 1, (user_id, len(got))
        counts = await sandbox.rt.store.run(_status_counts)
        assert counts == {"sent": 500}, counts
        refused = [c for c in emu.calls if getattr(c, "status", None) == 429]
        print(f"emulator answered {len(refused)} times 429")
    finally:
        await sandbox.stop()


# ---- the real process, killed halfway -------------------------------------------------------


def _seed_broadcast(db_path: Path, count: int) -> list[int]:
    """cora and `count` volunteers, and a confirmed appreciation to all of them, written
    by the same effect the /waardering flow uses."""
    from bot.appreciation import broadcast

    now = datetime.now(UTC)
    db = open_db(db_path)
    try:
        users.create(db, CORA, "coordinator", "Cora", "nl", now)
        ids = _seed_volunteers(db, count, now)
        with db.atomic():
            broadcast._appreciation(
                db,
                CORA,
                {
                    "answers": {"bevestig": "versturen"},
                    "data": {"target": "a", "template": "gewoon_bedankt"},
                    "flow": "waardering",
                },
                now,
            )
        return ids
    finally:
        db.close()


def _start(emu, db_path: Path, workdir: Path, n: int) -> subprocess.Popen:
    env = process_env()
    env.update(
        TELEGRAM_BOT_TOKEN=emu.token,
        OMZIEN_BASE_URL=emu.base_url,
        OMZIEN_BASE_FILE_URL=emu.base_file_url,
        OMZIEN_DB=str(db_path),
        OMZIEN_CONFIG=str(workdir / "no-such.toml"),
        OMZIEN_TICK_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    log = (workdir / f"bot-{n}.log").open("wb")
    return subprocess.Popen(
        [str(OMZIEN), "run"], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
    )


async def test_sigkill_halfway_through_300_then_restart(tmp_path):
    assert OMZIEN.exists(), f"{OMZIEN} missing: run `make test`"
    emu = await start_emulator(flood=FloodPolicy())
    procs: list[subprocess.Popen] = []
    try:
        db_path = tmp_path / "omzien.db"
        ids = _seed_broadcast(db_path, 300)
        emu.add_user(CORA, "Cora", started=True)
        for user_id in ids:
            emu.add_user(user_id, f"V{user_id}", started=True)
        delivered = lambda: sum(1 for i in ids if emu.messages(i))  # noqa: E731

        procs.append(_start(emu, db_path, tmp_path, 1))
        await emu.wait_for(lambda: delivered() >= 150, timeout=40)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait(timeout=10)
        halfway = delivered()
        assert halfway < 300, "the kill came too late to prove anything"

        procs.append(_start(emu, db_path, tmp_path, 2))
        await emu.wait_for(lambda: delivered() == 300, timeout=40)
        await emu.wait_for(
            lambda: [
                m for m in emu.messages(CORA) if "berichten zijn aangekomen" in (m.text or "")
            ],
            timeout=15,
        )
        twice = [i for i in ids if len(emu.messages(i)) > 1]
        assert len(twice) <= 1, twice
        assert all(len(emu.messages(i)) >= 1 for i in ids)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
        await emu.stop()
