"""Named conditions for transitions.

A transition's `if` is one of:
  - a name registered below, e.g. `energie_laag`;
  - `not <name>`;
  - a mapping `{answer key: value}` or `{answer key: [values]}`: the stored answer equals
    (one of) the value(s).
Conditions read a View: the answers so far, the flow's data and the context facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

Check = Callable[["View"], bool]


@dataclass(frozen=True)
class View:
    answers: Mapping[str, Any]
    data: Mapping[str, Any]
    facts: Mapping[str, Any]


NAMED: dict[str, Check] = {}


def named(name: str):
    def register(fn: Check) -> Check:
        NAMED[name] = fn
        return fn
    return register


def compile_condition(spec: Any) -> Check:
    if spec is None:
        return lambda view: True
    if isinstance(spec, str):
        negate = spec.startswith("not ")
        name = spec[4:].strip() if negate else spec
        if name not in NAMED:
            raise ValueError(f"unknown condition {name!r} (known: {', '.join(sorted(NAMED))})")
        check = NAMED[name]
        return (lambda view: not check(view)) if negate else check
    if isinstance(spec, dict) and len(spec) == 1:
        (key, expected), = spec.items()
        allowed = tuple(expected) if isinstance(expected, list) else (expected,)
        return lambda view: view.answers.get(key) in allowed
    raise ValueError(f"cannot read condition {spec!r}")


@named("energie_laag")
def _energy_low(view: View) -> bool:
    energy = view.answers.get("energie")
    return isinstance(energy, int) and energy <= 2


@named("grens_nodig")
def _boundary_due(view: View) -> bool:
    """About every fourth reflection, at once when energy is low or scope creep is reported."""
    if _energy_low(view) or view.answers.get("buiten_afspraak") == "ja":
        return True
    count = view.facts.get("reflection_count", 0)
    return count % 4 == 3


@named("heeft_open_stap")
def _has_open_step(view: View) -> bool:
    return bool(view.data.get("open_step"))


@named("zorg_gekozen")
def _worry_chosen(view: View) -> bool:
    chosen = view.answers.get("zorgen") or []
    return any(c != "niets" for c in chosen)


@named("meerdere_bewoners")
def _several_residents(view: View) -> bool:
    return len(view.facts.get("residents", ())) > 1


@named("geen_bewoner")
def _no_resident(view: View) -> bool:
    return not view.facts.get("residents") and not view.answers.get("resident")


@named("tweede_vraag")
def _second_question(view: View) -> bool:
    return bool(view.data.get("vraag_2"))


@named("heeft_contactpersoon")
def _has_contact(view: View) -> bool:
    return bool(view.facts.get("has_professional"))


@named("kies_bewoner_nodig")
def _must_pick_resident(view: View) -> bool:
    return _several_residents(view) and not view.data.get("resident")
