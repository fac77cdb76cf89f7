"""The picture behind /overzicht: energy after each visit, and visits per month.

Pure functions from journal rows to numbers, and one function that draws a PNG with
matplotlib's Agg backend (no display, no pyplot state: a `Figure` of its own per call, so
drawing in a worker thread is safe). Labels come from content templates; the picture never
holds a name or an alias.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean
from typing import cast
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")

MONTHS = 6  # how far back the picture looks
RECENT = 3  # the trend compares the last three visits with the ones before
COLOUR = "#2f6f73"
SOFT = "#9cc5c7"


@dataclass(frozen=True)
class Visit:
    at: datetime  # aware
    energy: int | None  # 1-5, or None when the reflection stopped before it


@dataclass(frozen=True)
class Labels:
    energy_title: str
    visits_title: str
    energy_low: str
    energy_high: str
    months: tuple[str, ...]  # twelve short month names, January first


def month_keys(now: datetime, tz: ZoneInfo, months: int = MONTHS) -> list[tuple[int, int]]:
    """(year, month) of the last `months` months, oldest first, this month last."""
    local = now.astimezone(tz)
    year, month = local.year, local.month
    keys = []
    for _ in range(months):
        keys.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def since(now: datetime, tz: ZoneInfo, months: int = MONTHS) -> datetime:
    """The first moment of the oldest month in the picture."""
    year, month = month_keys(now, tz, months)[0]
    return datetime(year, month, 1, tzinfo=tz)


def visits_per_month(
    visits: list[Visit], now: datetime, tz: ZoneInfo, months: int = MONTHS
) -> list[tuple[tuple[int, int], int]]:
    counts = {key: 0 for key in month_keys(now, tz, months)}
    for visit in visits:
        local = visit.at.astimezone(tz)
        key = (local.year, local.month)
        if key in counts:
            counts[key] += 1
    return list(counts.items())


def energy_points(visits: list[Visit]) -> list[tuple[datetime, int]]:
    return [(v.at, v.energy) for v in visits if v.energy is not None]


def trend(visits: list[Visit]) -> str:
    """'lager', 'hoger' or 'gelijk': the last three energies against the ones before."""
    energies = [e for _, e in energy_points(visits)]
    if len(energies) < RECENT + 2:
        return "gelijk"
    recent, before = mean(energies[-RECENT:]), mean(energies[:-RECENT])
    if recent <= before - 0.75:
        return "lager"
    if recent >= before + 0.75:
        return "hoger"
    return "gelijk"


def render_png(visits: list[Visit], now: datetime, tz: ZoneInfo, labels: Labels) -> bytes:
    """Two panels: energy per visit (top), visits per month (bottom). PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import MonthLocator
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(7, 6), dpi=110)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})

    points = energy_points(visits)
    start = since(now, tz)
    top.set_title(labels.energy_title, loc="left", fontsize=12)
    if points:
        xs = [at.astimezone(tz) for at, _ in points]
        top.plot(xs, [e for _, e in points], color=COLOUR, marker="o", linewidth=1.5)
    top.set_xlim(start, now.astimezone(tz) + timedelta(days=3))
    top.set_ylim(0.5, 5.5)
    top.set_yticks([1, 2, 3, 4, 5], [labels.energy_low, "", "", "", labels.energy_high])
    # Month names from the content (not the C locale's), at the first of each month.
    top.xaxis.set_major_locator(MonthLocator(tz=tz))
    top.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: labels.months[_month_of(value, tz) - 1])
    )
    top.grid(axis="y", color="#dddddd", linewidth=0.8)

    per_month = visits_per_month(visits, now, tz)
    names = [labels.months[month - 1] for (_, month), _ in per_month]
    counts = [count for _, count in per_month]
    bottom.set_title(labels.visits_title, loc="left", fontsize=12)
    bottom.bar(range(len(counts)), counts, color=SOFT, edgecolor=COLOUR)
    bottom.set_xticks(range(len(counts)), names)
    bottom.set_ylim(0, max(counts + [4]) + 1)
    bottom.yaxis.get_major_locator().set_params(integer=True)

    return to_png(figure, (top, bottom))


def weekly_bars_png(labels: list[str], counts: list[int], title: str) -> bytes:
    """The /team picture: reflections per week (counts only, never names)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.add_subplot()
    axes.bar(range(len(counts)), counts, color=COLOUR)
    axes.set_xticks(range(len(labels)), labels, fontsize=8)
    axes.set_title(title, fontsize=11)
    cast(MaxNLocator, axes.yaxis.get_major_locator()).set_params(integer=True)
    return to_png(figure, (axes,))


def to_png(figure, all_axes) -> bytes:
    """The shared finish of every picture: a quiet frame, then PNG bytes."""
    for axes in all_axes:
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _month_of(value: float, tz: ZoneInfo) -> int:
    from matplotlib.dates import num2date

    return num2date(value, tz=tz).month
