"""Achieved delivery rate of the outbox for a broadcast of 2,000 messages, through the
emulator with Telegram's flood limits ON (30/s overall, 1/s per chat with a burst of 5),
against the configured rate (OMZIEN_OUTBOX_RATE, default 25/s). Target: at least 90 %.

    .venv/bin/python bench/broadcast.py [COUNT]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import config  # noqa: E402
from bot.appreciation import broadcast  # noqa: E402
from sandbox.emulator.flood import FloodPolicy  # noqa: E402
from sandbox.session import Sandbox  # noqa: E402
from storage import users  # noqa: E402

FIRST = 500_000


def seed(db, count: int, now) -> list[int]:
    ids = [FIRST + i for i in range(count)]
    with db.atomic():
        for user_id in ids:
            users.create(db, user_id, "volunteer", f"V{user_id}", "nl", now)
    return ids


def send_all(db, now) -> None:
    with db.atomic():
        broadcast._appreciation(
            db,
            1001,
            {
                "answers": {"bevestig": "versturen"},
                "data": {"target": "a", "template": "gewoon_bedankt"},
                "flow": "waardering",
            },
            now,
        )


async def main(count: int) -> int:
    settings = config.load()
    with tempfile.TemporaryDirectory() as scratch:
        sandbox = Sandbox(settings, Path(scratch) / "bench.db", flood=FloodPolicy())
        await sandbox.start()
        try:
            emu = sandbox.emulator
            ids = await sandbox.rt.store.run(seed, count - 2, sandbox.clock.now())
            for user_id in ids:
                emu.add_user(user_id, f"V{user_id}", started=True)
            everyone = ids + [1003, 1004]
            await asyncio.sleep(1.0)  # let startup traffic settle
            started = time.monotonic()
            await sandbox.rt.store.run(send_all, sandbox.clock.now())
            sandbox.rt.wake_outbox()
            await emu.wait_for(lambda: all(emu.messages(i) for i in everyone), timeout=count)
            elapsed = time.monotonic() - started
        finally:
            await sandbox.stop()
    rate = count / elapsed
    refused = sum(1 for c in emu.calls if c.status == 429)
    target = settings.outbox_global_rate
    share = rate / target
    print(
        f"broadcast: {count} messages in {elapsed:.1f} s = {rate:.1f}/s; configured "
        f"{target:.0f}/s -> {share:.0%} (target >= 90 %); emulator answered 429 {refused}x"
    )
    return 0 if share >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)))
