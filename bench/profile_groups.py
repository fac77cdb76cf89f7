"""A cProfile file, summed by library: how much of the bot's own-thread CPU goes to
python-telegram-bot, the HTTP client, asyncio, SQLite, Jinja2, … and Omzien itself."""

from __future__ import annotations

import pstats
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = ("bot", "dialogues", "storage", "content", "sandbox")
WAITING = "waiting for I/O (epoll)"
# Built-in functions have no file; their name says where they belong.
BUILTIN_HINTS = (
    ("sqlite3", "sqlite3"),
    ("epoll", WAITING),
    ("select.", WAITING),
    ("_json", "json"),
    ("json", "json"),
    ("socket", "sockets"),
    ("_ssl", "sockets"),
    ("_asyncio", "asyncio"),
    ("zlib", "zlib"),
)


def library(filename: str, function: str) -> str:
    if filename == "~":
        return next((group for hint, group in BUILTIN_HINTS if hint in function), "builtins")
    path = Path(filename)
    if "site-packages" in path.parts:
        package = path.parts[path.parts.index("site-packages") + 1]
        return package.split(".")[0].removesuffix(".py")
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        relative = None
    if relative is not None and relative.parts and relative.parts[0] in OURS:
        return f"omzien: {relative.parts[0]}/"
    if "python3" in filename or "lib/python" in filename:
        parts = path.parts
        after = parts[next(i for i, p in enumerate(parts) if p.startswith("python3")) + 1 :]
        return f"stdlib: {after[0].removesuffix('.py')}" if after else "stdlib"
    return "other"


def by_library(profile_file: Path) -> dict[str, float]:
    """Self time (seconds) per library, the idle wait left out."""
    stats = pstats.Stats(str(profile_file)).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in stats.items():
        totals[library(filename, function)] += own
    totals.pop(WAITING, None)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def table(totals: dict[str, float], turns: int, top: int = 12) -> str:
    whole = sum(totals.values()) or 1.0
    lines = ["| library | share | ms per turn |", "|---|---:|---:|"]
    shown = list(totals.items())[:top]
    for name, seconds in shown:
        lines.append(f"| {name} | {seconds / whole:.0%} | {seconds / turns * 1000:.2f} |")
    rest = whole - sum(seconds for _, seconds in shown)
    if rest > 0:
        lines.append(f"| the rest | {rest / whole:.0%} | {rest / turns * 1000:.2f} |")
    return "\n".join(lines)
