"""What a flow works out once, when it starts: which appreciative questions to ask
today, whether last time's step is still open. Pure functions of the context."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from content.render import Content
from dialogues.model import Context
from dialogues.registry import Registry
from dialogues.signal_levels import URGENT, proposed_level

Preparer = Callable[[Context, Content, dict], dict]
PREPARERS: Registry[Preparer] = Registry()
RECENT_WINDOW = 3  # never one of the last three questions asked to this volunteer


preparer = PREPARERS.register


def pick_questions(
    bank: list[dict], recent: list[str], how_many: int, rng: random.Random
) -> list[str]:
    """Rotate through the bank: never one of the last three asked, never-asked questions
    first, and different themes where the bank allows it."""
    blocked = set(recent[-RECENT_WINDOW:])
    never = [q["id"] for q in bank if q["id"] not in blocked and q["id"] not in recent]
    asked_before = [q["id"] for q in bank if q["id"] not in blocked and q["id"] in recent]
    rng.shuffle(never)
    rng.shuffle(asked_before)
    theme = {q["id"]: q.get("theme") for q in bank}
    ordered = never + asked_before
    chosen: list[str] = []
    for allow_same_theme in (False, True):
        for question_id in ordered:
            if len(chosen) == how_many:
                return chosen
            taken = {theme[c] for c in chosen}
            if question_id not in chosen and (allow_same_theme or theme[question_id] not in taken):
                chosen.append(question_id)
    return chosen


@preparer("reflectie")
def prepare_reflection(ctx: Context, content: Content, data: dict) -> dict[str, Any]:
    bank = content.catalogue("questions", ctx.locale)["questions"]
    recent = list(ctx.facts.get("recent_questions", ()))
    rng = random.Random(ctx.now.timestamp())
    chosen = pick_questions(bank, recent, 1, rng)  # one appreciative question: no checklist
    prepared: dict[str, Any] = {"vraag_1": chosen[0], "vraag_2": None}
    visited = ctx.facts.get("residents", ())
    if len(visited) == 1:
        prepared["resident"] = visited[0]["id"]
        prepared["alias"] = visited[0]["alias"]
    open_step = ctx.facts.get("open_step")
    if open_step:
        prepared["open_step"] = open_step["id"]
        prepared["open_step_text"] = open_step["text"]
    prepared["extra"] = extra_question(ctx.facts.get("reflection_count", 0), bool(open_step))
    prepared.update(step_ideas(ctx, content, rng, prepared.get("alias")))
    prepared["grens_woorden"] = {
        t["id"]: t["woorden"]
        for t in content.catalogue("boundaries", ctx.locale).get("onderwerpen", ())
    }
    return prepared


EXTRAS = (None, "regie", "afspraken")


def extra_question(reflection_count: int, open_step: bool) -> str | None:
    """Who-decided and the agreement question take turns, one at most per reflection; when
    last time's step comes back, that is this reflection's extra question."""
    return None if open_step else EXTRAS[reflection_count % len(EXTRAS)]


def step_ideas(ctx: Context, content: Content, rng: random.Random, alias: str | None) -> dict:
    """Three step ideas, and each one's full sentence: that is what is shown and kept."""
    steps = content.catalogue("steps", ctx.locale)["steps"]
    picked = rng.sample(steps, min(3, len(steps)))
    who = alias or content.render("reflectie.de_bewoner", ctx.locale)
    return {
        "stap_ideeen": [s["id"] for s in picked],
        "stap_teksten": {s["id"]: content.render_text(s["text"], alias=who) for s in picked},
    }


@preparer("zorg")
def prepare_signal(ctx: Context, content: Content, data: dict) -> dict[str, Any]:
    """Who it is about and what is already known: worries named in the reflection
    (`previous.zorgen`) or recognised in a message (`categories`) come preselected."""
    previous = dict(data.get("previous") or {})
    prepared: dict[str, Any] = {}
    named = [c for c in (previous.get("zorgen") or data.get("categories") or ()) if c != "niets"]
    if named:
        prepared["_preselect"] = {"zorgen": named}
    if _already_sent(data, previous, content):
        prepared.update(al_door=True, niveau_min=3)
    resident = previous.get("resident") or data.get("resident")
    visited = {str(r["id"]): r["alias"] for r in ctx.facts.get("residents", ())}
    if resident and str(resident) in visited:
        prepared["resident"] = int(resident)
        prepared["alias"] = visited[str(resident)]
    elif len(visited) == 1:
        ((only_id, only_alias),) = visited.items()
        prepared["resident"], prepared["alias"] = int(only_id), only_alias
    return prepared


def _already_sent(data: dict, previous: dict, content: Content) -> bool:
    """An urgent worry already went out: after crisis words (`signal_run`), or ticked in the
    reflection that hands over to this flow (`previous_run`, an urgent box)."""
    if data.get("signal_run"):
        return True
    return (
        bool(data.get("previous_run"))
        and proposed_level(previous.get("zorgen"), 0, content) >= URGENT
    )
