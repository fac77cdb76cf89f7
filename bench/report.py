"""The `make bench` table: figures beside the echo bot's and the goals of issue 14, with the
machine, the versions and the command, written between markers in docs/performance.md."""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench import profile_groups

BEGIN, END = "<!-- bench/run.py: begin -->", "<!-- bench/run.py: end -->"
# (key, what, unit, goal); the goal is text: some are relative to the echo bot.
FIGURES = [
    (
        "cpu_ms_per_turn",
        "CPU per turn, one person (Omzien: reflection turn; echo: text)",
        "ms",
        "≤ echo (1.0×)",
    ),
    ("api_calls_per_turn", "Bot API calls per turn, one person (getUpdates aside)", "", ""),
    ("idle_cpu_ms_per_s", "idle CPU", "ms/s", "≤ 0.5"),
    ("turns_per_s", "turns served with the crowd", "/s", "≥ 300"),
    ("offered_per_s", "turns offered by the crowd", "/s", ""),
    ("p50_ms", "latency p50 with the crowd (driver-side)", "ms", ""),
    ("p99_ms", "latency p99 with the crowd (driver-side)", "ms", "≤ 100"),
    ("crowd_cpu_ms_per_turn", "CPU per turn with the crowd", "ms", ""),
    ("crowd_lost", "turns without a reply within 15 s", "", "0"),
    ("peak_rss_mb", "peak RSS", "MB", ""),
    ("rss_mb_few_users", "RSS, few registered users", "MB", "flat"),
    ("rss_mb_many_users", "RSS, many registered users", "MB", "flat"),
]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), load {load}"


def versions() -> str:
    names = ("python-telegram-bot", "aiohttp", "httpx")
    commit = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or "?"
    )
    return (
        f"Python {platform.python_version()}, "
        + ", ".join(f"{n} {version(n)}" for n in names)
        + f", commit {commit}"
    )


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(summary: dict) -> tuple[str, list[str]]:
    """The markdown table and the names of figures that are missing for Omzien."""
    echo, before, now = summary["echo"], summary["omzien before"], summary["omzien"]
    lines = [
        "| figure | echo | Omzien before | Omzien | Omzien ÷ echo | goal |",
        "|---|---|---|---|---|---|",
    ]
    missing = []
    for key, what, unit, goal in FIGURES:
        ours = now.get(key)
        if ours is None or (isinstance(ours, float) and math.isnan(ours)):
            missing.append(key)
        ratio = f"{ours / echo[key]:.2f}×" if key in echo and echo[key] and ours is not None else ""
        label = f"{what} ({unit})" if unit else what
        lines.append(
            f"| {label} | {_cell(echo.get(key))} | {_cell(before.get(key))} | "
            f"{_cell(ours)} | {ratio} | {goal} |"
        )
    return "\n".join(lines), missing


def paired_ratios(runs: dict[str, list[dict]]) -> str:
    """Omzien's CPU per turn over the echo's of the same round: the two ran minutes apart, so
    the machine's drift between rounds (20 % and more) falls out of each ratio."""
    ratios = [
        ours["cpu_ms_per_turn"] / echo["cpu_ms_per_turn"]
        for echo, ours in zip(runs["echo"], runs["omzien"], strict=True)
        if echo["cpu_ms_per_turn"]
    ]
    if not ratios:
        return "—"
    listed = ", ".join(f"{r:.2f}×" for r in ratios)
    return f"{listed}; median {statistics.median(ratios):.2f}×"


def write_report(path: Path, result: dict, load, command: str) -> list[str]:
    body, missing = table(result["summary"])
    runs = "; ".join(
        f"{name}: " + ", ".join(_cell(r["cpu_ms_per_turn"]) for r in figures)
        for name, figures in result["runs"].items()
    )
    section = "\n".join(
        [
            BEGIN,
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`, "
            f"{load.rounds} round(s) of echo / Omzien before / Omzien, {load.turns} sequential "
            f"turns, {load.volunteers} volunteers for {load.seconds:.0f} s, "
            f"idle {load.idle_seconds:.0f} s, "
            f"RSS at {load.users[0]} and {load.users[1]} users.",
            "",
            f"Machine: {machine()}. {versions()}.",
            "",
            body,
            "",
            f"CPU per turn of each run (ms): {runs}.",
            "",
            "CPU per turn of one person, Omzien ÷ echo in each round: "
            f"{paired_ratios(result['runs'])}.",
            "",
            f"Where Omzien's CPU goes: {result['profile']['turns']} reflection turns of one person "
            "under cProfile (bench/profiled_bot.py), self time summed by library; the main thread "
            "only (the SQLite writer thread is not in it), the wait for I/O left out, and "
            "cProfile's own overhead inflates Python-heavy code:",
            "",
            profile_groups.table(result["profile"]["by_library"], result["profile"]["turns"]),
            END,
        ]
    )
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    path.write_text(text)
    return missing
