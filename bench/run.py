"""`make bench`: the per-turn path as issue 14 measured it. Each bot runs as its own process
against its own emulator process (sandbox/emulator/server.py); runs alternate echo, Omzien
before, Omzien (A B C A B C) so drifting machine load hits all alike; CPU and memory come
from /proc/PID of the bot process only.

    .venv/bin/python bench/run.py                 # full load; writes docs/performance.md
    .venv/bin/python bench/run.py --smoke         # tiny load; checks every figure is produced

Variants: the bare PTB echo bot (bench/echo_bot.py, PTB's default transport, sequential);
Omzien "before" (OMZIEN_TRANSPORT=httpx, OMZIEN_CONCURRENT_CHATS=1: as before issue 14);
Omzien as configured by default.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp  # noqa: E402

from bench import profile_groups  # noqa: E402
from bench.drive import POLL, Replies, Volunteer  # noqa: E402
from bench.procs import ROOT, Control, EmulatorProcess, cpu_seconds, kill_process, memory_mb  # noqa: E402
from bench.report import write_report  # noqa: E402
from bench.seed import PROFESSIONAL, VOLUNTEERS_FROM, seed  # noqa: E402

TOKEN = "123456:BENCH"


@dataclass(frozen=True)
class Load:
    rounds: int = 3
    # Sequential reflection turns by one volunteer: enough that the CPU of one run is
    # hundreds of /proc ticks, as this shared machine's speed moves between runs.
    turns: int = 600
    idle_seconds: float = 10.0
    volunteers: int = 200  # answering every 0.2-1 s
    seconds: float = 20.0
    users: tuple[int, int] = (10, 10_000)


SMOKE = Load(rounds=1, turns=6, idle_seconds=1.0, volunteers=3, seconds=2.0)
VARIANTS = {
    "echo": None,
    "omzien before": {"OMZIEN_TRANSPORT": "httpx", "OMZIEN_CONCURRENT_CHATS": "1"},
    "omzien": {},
}


def start_bot(
    variant: str,
    emulator: EmulatorProcess,
    db_path: Path,
    log: Path,
    profile_to: Path | None = None,
) -> subprocess.Popen:
    base_url = f"{emulator.url}/bot"
    if VARIANTS[variant] is None:
        command = [sys.executable, str(ROOT / "bench" / "echo_bot.py"), TOKEN, base_url]
        env = dict(os.environ)
    else:
        command = [str(ROOT / ".venv" / "bin" / "omzien"), "run"]
        if profile_to is not None:
            command = [
                str(ROOT / ".venv" / "bin" / "python"),
                str(ROOT / "bench" / "profiled_bot.py"),
                str(profile_to),
            ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OMZIEN_", "TELEGRAM_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            OMZIEN_BASE_URL=base_url,
            OMZIEN_BASE_FILE_URL=f"{emulator.url}/file/bot",
            OMZIEN_DB=str(db_path),
            OMZIEN_CONFIG=str(db_path.parent / "no-such.toml"),
            **VARIANTS[variant],
        )
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, cwd=db_path.parent, stdout=out, stderr=subprocess.STDOUT
        )


async def sequential(pid: int, person: Volunteer, turns: int) -> dict:
    for _ in range(5):  # warm-up: imports, caches, the first /bezoek
        await person.turn()
    await asyncio.sleep(2 * POLL)  # the call log has caught up with the warm-up
    calls_before = sum(person.replies.methods.values())
    started = cpu_seconds(pid)
    latencies = [await person.turn() for _ in range(turns)]
    cpu = cpu_seconds(pid) - started
    await asyncio.sleep(2 * POLL)
    calls = sum(person.replies.methods.values()) - calls_before
    return {
        "cpu_ms_per_turn": cpu / turns * 1000,
        "lost": latencies.count(None),
        "api_calls_per_turn": calls / turns,
    }


async def profile_run(turns: int, scratch: Path) -> dict:
    """One Omzien process under cProfile (bench/profiled_bot.py): `turns` reflection turns
    of one volunteer, the profile summed by library."""
    db_path = scratch / f"profile-{time.monotonic_ns()}.db"
    out = db_path.with_suffix(".prof")
    seed(db_path, 1, 2)
    emulator = EmulatorProcess(TOKEN)
    emulator.start()
    bot = None
    try:
        async with aiohttp.ClientSession() as session:
            control = Control(session, emulator.url)
            await control.post("users", user_id=PROFESSIONAL, first_name="Pim")
            await control.post("users", user_id=VOLUNTEERS_FROM, first_name="Vrijwilliger0")
            replies = Replies(control)
            bot = start_bot(
                "omzien", emulator, db_path, db_path.with_suffix(".log"), profile_to=out
            )
            watcher = asyncio.create_task(replies.watch())
            try:
                await replies.polling_started()
                person = Volunteer(control, replies, VOLUNTEERS_FROM, True, random.Random(14))
                for _ in range(5):
                    await person.turn()
                os.kill(bot.pid, signal.SIGUSR2)
                for _ in range(turns):
                    await person.turn()
                os.kill(bot.pid, signal.SIGUSR1)
                await _until_written(out)
            finally:
                watcher.cancel()
    finally:
        kill_process(bot)
        emulator.stop()
    return {"turns": turns, "by_library": profile_groups.by_library(out)}


async def _until_written(path: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.stat().st_size > 0):
        if time.monotonic() > deadline:
            raise RuntimeError("the profiled bot wrote no profile")
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.2)  # dump_stats writes the file in one go; be sure


async def idle(pid: int, seconds: float) -> dict:
    await asyncio.sleep(1.0)
    started = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    return {"idle_cpu_ms_per_s": (cpu_seconds(pid) - started) / seconds * 1000}


async def crowd(pid: int, people: list[Volunteer], seconds: float) -> dict:
    """Everyone answers every 0.2-1 s for `seconds`; served turns/s, latency, CPU per turn."""
    latencies: list[float | None] = []
    offered = 0
    deadline = time.monotonic() + seconds

    async def live(person: Volunteer) -> None:
        nonlocal offered
        while time.monotonic() < deadline:
            await asyncio.sleep(person.rng.uniform(0.2, 1.0))
            offered += 1
            latencies.append(await person.turn())

    started_cpu, started = cpu_seconds(pid), time.monotonic()
    await asyncio.gather(*(live(p) for p in people))
    elapsed, cpu = time.monotonic() - started, cpu_seconds(pid) - started_cpu
    served = sorted(x for x in latencies if x is not None)
    return {
        "turns_per_s": len(served) / elapsed,
        "offered_per_s": offered / elapsed,
        "p50_ms": _quantile(served, 0.5) * 1000,
        "p99_ms": _quantile(served, 0.99) * 1000,
        "crowd_cpu_ms_per_turn": cpu / max(1, len(served)) * 1000,
        "crowd_lost": latencies.count(None),
    }


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


async def one_run(variant: str, load: Load, users: int, scratch: Path, full: bool) -> dict:
    """Fresh emulator and bot process; sequential turns, then idle, then the crowd."""
    reflect = VARIANTS[variant] is not None
    db_path = scratch / f"{variant.replace(' ', '-')}-{users}-{time.monotonic_ns()}.db"
    volunteers = load.volunteers if full else 1
    if reflect:
        seed(db_path, volunteers, max(users, volunteers + 1))
    emulator = EmulatorProcess(TOKEN)
    emulator.start()
    bot = None
    try:
        async with aiohttp.ClientSession() as session:
            control = Control(session, emulator.url)
            await control.post("users", user_id=PROFESSIONAL, first_name="Pim")
            for n in range(volunteers):
                chat = VOLUNTEERS_FROM + n
                await control.post("users", user_id=chat, first_name=f"Vrijwilliger{n}")
            replies = Replies(control)
            bot = start_bot(variant, emulator, db_path, db_path.with_suffix(".log"))
            watcher = asyncio.create_task(replies.watch())
            try:
                await replies.polling_started()
                rng = random.Random(14)
                people = [
                    Volunteer(control, replies, VOLUNTEERS_FROM + n, reflect, rng)
                    for n in range(volunteers)
                ]
                figures = await sequential(bot.pid, people[0], load.turns if full else 10)
                if full:
                    figures |= await idle(bot.pid, load.idle_seconds)
                    figures |= await crowd(bot.pid, people, load.seconds)
                figures["rss_mb"], figures["peak_rss_mb"] = memory_mb(bot.pid)
                return figures
            finally:
                watcher.cancel()
    finally:
        kill_process(bot)
        emulator.stop()


async def measure(load: Load) -> dict:
    """{variant: median figures}, the runs themselves, and Omzien's memory with few and with
    many registered users (runs of their own: the crowd runs register the whole crowd)."""
    runs: dict[str, list[dict]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="omzien-bench-") as scratch:
        for _ in range(load.rounds):
            for variant in VARIANTS:
                runs[variant].append(await one_run(variant, load, 0, Path(scratch), True))
        few, many = [
            await one_run("omzien", load, users, Path(scratch), False) for users in load.users
        ]
        profile = await profile_run(load.turns, Path(scratch))
    summary = {name: _medians(figures) for name, figures in runs.items()}
    summary["omzien"]["rss_mb_few_users"] = few["rss_mb"]
    summary["omzien"]["rss_mb_many_users"] = many["rss_mb"]
    return {"summary": summary, "runs": runs, "profile": profile}


def _medians(figures: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in figures) for key in figures[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny load; only check figures")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument(
        "--rounds", type=int, default=Load.rounds, help="rounds of echo / before / Omzien"
    )
    args = parser.parse_args()
    load = SMOKE if args.smoke else Load(rounds=args.rounds)
    started = time.monotonic()
    result = asyncio.run(measure(load))
    out = Path(tempfile.gettempdir()) / "omzien-bench-smoke.md" if args.smoke else args.out
    missing = write_report(out, result, load, " ".join(["bench/run.py", *sys.argv[1:]]))
    print(out.read_text() if args.smoke else f"wrote {out}")
    print(f"bench took {time.monotonic() - started:.0f} s")
    if missing:
        print("figures not produced: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
