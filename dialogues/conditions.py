"""Named conditions for transitions.

A transition's `if` is one of:
  - a name registered below, e.g. `energie_laag`;
  - `not <name>`;
  - a mapping `{answer key: value}` or `{answer key: [values]}`: the stored answer equals
    (one of) the value(s).
Conditions read a View: the answers so far, the flow's data and the context facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from content.render import Content
from dialogues.registry import Registry
from dialogues.scope import topics_in
from dialogues.signal_levels import DANGER, URGENT, final_level, proposed_level

Check = Callable[["View"], bool]


@dataclass(frozen=True)
class View:
    answers: Mapping[str, Any]
    data: Mapping[str, Any]
    facts: Mapping[str, Any]
    content: Content | None = None  # the engine's, for catalogue facts (signal levels)


NAMED: Registry[Check] = Registry()


named = NAMED.register


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
        ((key, expected),) = spec.items()
        allowed = tuple(expected) if isinstance(expected, list) else (expected,)
        return lambda view: view.answers.get(key) in allowed
    raise ValueError(f"cannot read condition {spec!r}")


@named("energie_laag")
def _energy_low(view: View) -> bool:
    energy = view.answers.get("energie")
    return isinstance(energy, int) and energy <= 2


@named("grens_nodig")
def _boundary_due(view: View) -> bool:
    """Only when something asks for it: low energy, or more asked than was agreed. Never
    twice in one reflection."""
    if _boundary_done(view):
        return False
    return _energy_low(view) or view.answers.get("buiten_afspraak") == "ja"


@named("grens_gehad")
def _boundary_done(view: View) -> bool:
    return "grens" in view.answers or "grens_woord" in view.answers


@named("grens_in_woorden")
def _boundary_words(view: View) -> bool:
    """Words in a typed answer that say more is asked than agreed ("steeds meer",
    "boodschappen"): the boundary part comes now, with sentences that fit."""
    return not _boundary_done(view) and bool(topics_in(view.answers, view.data))


@named("extra_regie")
def _ask_who_decided(view: View) -> bool:
    """Who decided rotates in (prepare_reflection picks at most one extra question)."""
    return view.data.get("extra") == "regie"


@named("extra_afspraken")
def _ask_agreement(view: View) -> bool:
    return view.data.get("extra") == "afspraken" and not _boundary_done(view)


@named("stap_gehad")
def _step_asked(view: View) -> bool:
    return "nieuwe_stap" in view.answers


@named("zorgen_gehad")
def _worries_asked(view: View) -> bool:
    return "zorgen" in view.answers or "opgevallen" in view.answers


@named("afgezegd")
def _cancelled(view: View) -> bool:
    return view.answers.get("bezoek") == "afgezegd"


@named("afgezegd_zorg")
def _cancelled_with_worry(view: View) -> bool:
    """The volunteer said she is worried: with the button, or in her own words."""
    if view.answers.get("afgezegd_gevoel") == "zorgen":
        return True
    typed = [view.answers.get(k) for k in ("afgezegd_hoe", "afgezegd_gevoel")]
    return any(isinstance(t, str) and "zorg" in t.casefold() for t in typed)


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


def _chosen_resident(view: View) -> str:
    """The resident this conversation is about: picked in it, or given at its start."""
    return str(view.answers.get("resident") or view.data.get("resident") or "")


@named("terugblik_nodig")
def _review_due(view: View) -> bool:
    """About three or eleven months into this contact, and not reviewed yet."""
    return _chosen_resident(view) in view.facts.get("terugblik", {})


@named("hernoemen")
def _renaming(view: View) -> bool:
    return bool(view.data.get("resident"))


def _alias_key(alias: str) -> str:
    return " ".join(alias.split())[:40].casefold()


@named("bijnaam_bestaat")
def _alias_taken(view: View) -> bool:
    """The alias just typed is already used for another active contact."""
    wanted = view.answers.get("nieuwe_alias") or view.answers.get("alias")
    if not isinstance(wanted, str):
        return False
    own = str(view.data.get("resident") or "")
    return any(
        _alias_key(str(r["alias"])) == _alias_key(wanted) and str(r["id"]) != own
        for r in view.facts.get("residents", ())
    )


# ---- the signal flow (dialogues/flows/zorg.yaml) ------------------------------------


def _signal_level(view: View) -> int:
    return final_level(dict(view.answers), dict(view.data), view.content)


@named("zorg_kies_over")
def _signal_asks_about_whom(view: View) -> bool:
    """Only /zorg asks first whether it is about the resident or about yourself."""
    return view.data.get("via") == "commando"


@named("zorg_na_crisis")
def _signal_after_crisis(view: View) -> bool:
    """Started from crisis words: the help lines were shown a moment ago."""
    return view.data.get("via") == "crisis"


@named("zorg_al_door")
def _signal_already_sent(view: View) -> bool:
    """An urgent worry already went out (from the reflection, or after crisis words):
    this flow only adds to it."""
    return bool(view.data.get("al_door"))


@named("zorg_gevaar")
def _signal_threat_or_danger(view: View) -> bool:
    """A box about threat or danger: ask whether the volunteer herself is safe."""
    return any(c in DANGER for c in view.answers.get("zorgen") or ())


@named("zorg_niveau_1")
def _signal_level_one(view: View) -> bool:
    return _signal_level(view) <= 1


@named("zorg_notitie_gaat_mee")
def _signal_note_goes_along(view: View) -> bool:
    """The note goes to the contact person with the worry: say so in its question."""
    passed_on = _signal_level(view) >= 3 or view.answers.get("toestemming") == "ja"
    return passed_on and _has_contact(view)


@named("zorg_voorstel_dringend")
def _signal_proposed_urgent(view: View) -> bool:
    floor = int(view.data.get("niveau_min") or 0)
    return proposed_level(view.answers.get("zorgen"), floor, view.content) >= URGENT


@named("zorg_dringend")
def _signal_urgent(view: View) -> bool:
    return _signal_level(view) >= 3


@named("zorg_niveau_2")
def _signal_level_two(view: View) -> bool:
    return _signal_level(view) == 2


@named("zorg_doorgeven")
def _signal_passed_on(view: View) -> bool:
    return _signal_level(view) == 2 and view.answers.get("toestemming") == "ja"


@named("overzicht_vragen")
def _ask_for_digest(view: View) -> bool:
    """Level 1: ask once whether the contact person may see it in the weekly overview."""
    return (
        _signal_level(view) == 1
        and bool(view.facts.get("has_professional"))
        and not view.facts.get("share_digest")
    )


@named("vast_moment")
def _fixed_moment(view: View) -> bool:
    """/ritme: a weekday and dagdeel were chosen (not "wisselend")."""
    moment = view.answers.get("moment")
    return isinstance(moment, dict) and moment.get("day") is not None


@named("zelf_schrijven")
def _own_text(view: View) -> bool:
    """/waardering: the coordinator writes the text themselves."""
    return view.data.get("template") == "eigen"
