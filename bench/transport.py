"""CPU per Bot API call of each transport (bot/transport/factory.py): the emulator runs as its
own process, this process makes N sendMessage calls per run and reads its own CPU with
time.process_time, runs alternating A B C A B C so drifting machine load hits all alike.

    .venv/bin/python bench/transport.py                # 4 rounds of 1,000 calls
    .venv/bin/python bench/transport.py --calls 50 --rounds 1   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bench.procs import Control, EmulatorProcess  # noqa: E402
from bot.transport.aiohttp_request import AiohttpRequest  # noqa: E402

TOKEN = "123456:BENCH"
CHAT = 4001
VARIANTS = {
    "httpx (PTB default)": HTTPXRequest,
    # Tuned: no proxy lookup from the environment, a pool as large as aiohttp's.
    "httpx tuned": lambda: HTTPXRequest(
        connection_pool_size=256, httpx_kwargs={"trust_env": False}
    ),
    "aiohttp": AiohttpRequest,
}


async def cpu_per_call(base_url: str, make_request, calls: int) -> float:
    """Milliseconds of this process's CPU per sendMessage, after a short warm-up."""
    async with Bot(TOKEN, base_url=base_url, request=make_request()) as bot:
        for _ in range(20):
            await bot.send_message(CHAT, "warm")
        started = time.process_time()
        for n in range(calls):
            await bot.send_message(CHAT, f"bericht {n}")
        return (time.process_time() - started) / calls * 1000


async def measure(calls: int, rounds: int) -> dict[str, list[float]]:
    emulator = EmulatorProcess(TOKEN)
    emulator.start()
    try:
        async with aiohttp.ClientSession() as session:
            await Control(session, emulator.url).post("users", user_id=CHAT, first_name="Bank")
        figures: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(rounds):
            for name, make_request in VARIANTS.items():
                figures[name].append(await cpu_per_call(f"{emulator.url}/bot", make_request, calls))
        return figures
    finally:
        emulator.stop()


def table(figures: dict[str, list[float]], calls: int) -> str:
    lines = [
        f"| transport | CPU per sendMessage, median of {len(next(iter(figures.values())))}"
        f" runs × {calls} calls | runs |",
        "|---|---|---|",
    ]
    for name, runs in figures.items():
        spread = ", ".join(f"{r:.2f}" for r in runs)
        lines.append(f"| {name} | {statistics.median(runs):.2f} ms | {spread} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    print(table(asyncio.run(measure(args.calls, args.rounds)), args.calls))


if __name__ == "__main__":
    main()
