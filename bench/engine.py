"""What one dialogue step costs: `Engine.step` on the real `reflectie` flow, no I/O.

Content and Engine are loaded once; then whole reflections are clicked through with button
presses (low energy and every other reflection, so the boundary part, a second question and
a ticked multi-select are in it), the flow restarting when it ends. Only the `engine.step`
calls are timed: set the state on the flow's machine, fire the trigger, render the replies.

    .venv/bin/python bench/engine.py              # 2,000 timed steps
    .venv/bin/python bench/engine.py --steps 20000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.render import Content  # noqa: E402
from dialogues.engine import Engine  # noqa: E402
from dialogues.model import Context, Input, StepResult  # noqa: E402

TARGET_US = 150
FIRST = None  # press the first button the question shows
PATH = {  # state -> the buttons pressed there, in order
    "bezoek": ["ja"],
    "energie": ["2"],
    "vraag_1": [FIRST],
    "vraag_2": [FIRST],
    "regie": ["met"],
    "vorige_stap": ["gelukt"],
    "nieuwe_stap": [FIRST],
    "opgevallen": ["ja"],
    "zorgen": ["woning", "geld_post", "_klaar"],
    "buiten_afspraak": ["nee"],
    "grens": ["tijd"],
    "contact_vraag": ["ja"],
}


def context(locale: str) -> Context:
    facts = {
        "residents": [{"id": 1, "alias": "mevrouw L"}],
        "has_professional": True,
        "reflection_count": 1,
        "recent_questions": [],
        "open_step": {"id": 7, "text": "Samen een foto bekijken"},
    }
    return Context(
        locale,
        datetime(2026, 1, 5, 14, 0, tzinfo=UTC),
        {"voornaam": "Vera", "contact": "Pim"},
        facts,
    )


def first_button(result: StepResult) -> str:
    keyboard = next(r.buttons for r in reversed(result.replies) if r.buttons)
    return keyboard[0][0].data.split(".", 3)[3]


def run(engine: Engine, ctx: Context, steps: int) -> dict[str, list[float]]:
    """Time `steps` engine.step calls; returns microseconds per step, by state."""
    timings: dict[str, list[float]] = defaultdict(list)
    done, runs = 0, 0
    while done < steps:
        runs += 1
        result = engine.start("reflectie", ctx, instance=f"{runs % 65536:04x}")
        while result.conversation is not None and done < steps:
            conv = result.conversation
            if conv.state not in PATH:
                raise SystemExit(
                    f"bench/engine.py: no button planned for {conv.state!r}; add it to PATH"
                )
            for value in PATH[conv.state]:
                value = first_button(result) if value is FIRST else value
                inp = Input("button", data=f"f.{conv.instance}.{conv.seq}.{value}")
                started = time.perf_counter_ns()
                result = engine.step(conv, inp, ctx)
                timings[conv.state].append((time.perf_counter_ns() - started) / 1000)
                done += 1
                conv = result.conversation
                if conv is None or done >= steps:
                    break
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--locale", default="nl")
    args = parser.parse_args()

    engine = Engine(Content())
    ctx = context(args.locale)
    run(engine, ctx, 200)  # warm up: compile templates, fill caches
    timings = run(engine, ctx, args.steps)
    every = [t for values in timings.values() for t in values]
    median, p90 = statistics.median(every), percentile(every, 0.9)

    print(f"engine.step on reflectie [{args.locale}], {len(every)} steps, button presses, no I/O")
    for state, values in sorted(timings.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {state:<16} {len(values):>6} steps   median {statistics.median(values):7.1f} µs")
    verdict = "ok" if median <= TARGET_US else "OVER TARGET"
    print(f"median {median:.1f} µs per step   (target ≤ {TARGET_US} µs: {verdict})")
    print(f"p90    {p90:.1f} µs per step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
