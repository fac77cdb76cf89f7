"""What one whole turn costs: an update in, Omzien's answer out, through the real
Application and the emulator over loopback — beside a bare python-telegram-bot echo bot
on the same emulator (the floor every bot pays).

    .venv/bin/python bench/turn.py            # 300 turns each
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, MessageHandler, filters  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.sandbox.emulator import Emulator  # noqa: E402
from bot.sandbox.flood import FloodPolicy  # noqa: E402
from bot.sandbox.session import Sandbox  # noqa: E402

USER = 1003   # vera


async def one_turn(emu: Emulator, text: str, before: int) -> float:
    started = time.perf_counter()
    emu.send_text(USER, text)
    await emu.wait_for(lambda: len(emu.messages(USER)) > before, timeout=10)
    return (time.perf_counter() - started) * 1000


async def omzien(turns: int, text: str) -> list[float]:
    with tempfile.TemporaryDirectory() as scratch:
        sandbox = Sandbox(Settings(), Path(scratch) / "b.db", flood=FloodPolicy(enabled=False))
        await sandbox.start()
        try:
            return [await one_turn(sandbox.emulator, text, len(sandbox.messages("vera")))
                    for _ in range(turns)]
        finally:
            await sandbox.stop()


async def bare(turns: int) -> list[float]:
    emu = Emulator(token="123456:BARE", flood=FloodPolicy(enabled=False))
    await emu.start("127.0.0.1", 0)
    emu.add_user(USER, "Vera")

    async def echo(update: Update, _context) -> None:
        await update.message.reply_text(update.message.text)

    app = ApplicationBuilder().token(emu.token).base_url(emu.base_url).build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        return [await one_turn(emu, "hallo", len(emu.messages(USER))) for _ in range(turns)]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await emu.stop()


def report(name: str, samples: list[float]) -> None:
    samples = samples[10:]   # warm-up
    ordered = sorted(samples)
    print(f"{name:<28} median {statistics.median(samples):6.2f} ms   "
          f"p90 {ordered[int(len(ordered) * 0.9)]:6.2f} ms")


async def main(turns: int) -> None:
    report("bare PTB echo", await bare(turns))
    report("Omzien /help", await omzien(turns, "/help"))
    report("Omzien free text", await omzien(turns, "we hebben koffie gedronken"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    asyncio.run(main(parser.parse_args().turns))
