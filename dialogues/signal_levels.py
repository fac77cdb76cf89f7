"""Signal levels: the level a set of worries proposes, and what each level means.

0 = nothing special (journal only), 1 = *aandachtspunt* (journal; in the weekly digest only
if the volunteer allows it), 2 = *zorgsignaal* (to the contact person with consent),
3 = urgent (always passed on; the volunteer sees the help lines and is told so).
The default level of each category lives in content/<locale>/catalogues/signals.yaml; the
Dutch catalogue is the reference (ids and levels are the same in every locale). It is read
through the Content the engine was given (`content=`), the shipped one when none is passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from content.render import Content, default_content
from dialogues.detector import detect

URGENT = 3
CONSENT_NEEDED = 2
ATTENTION = 1
# Boxes about threat or danger: ticking one also asks "Ben je zelf veilig?".
DANGER = frozenset({"veiligheid", "schade_anderen", "acuut"})


def default_levels(content: Content | None = None) -> dict[str, int]:
    return _levels(content or default_content())


@lru_cache(maxsize=8)
def _levels(content: Content) -> dict[str, int]:
    raw = content.catalogue("signals", "nl") or {}
    return {e["id"]: int(e.get("level", 1)) for e in raw.get("signals", ())}


def known_categories(content: Content | None = None) -> frozenset[str]:
    return frozenset(default_levels(content))


def proposed_level(
    categories: Iterable[str] | None, floor: int = 0, content: Content | None = None
) -> int:
    """The highest default level of the chosen categories (at least `floor`)."""
    levels = default_levels(content)
    found = [levels.get(c, ATTENTION) for c in (categories or ()) if c != "niets"]
    return max([floor, *found]) if found or floor else 0


def final_level(answers: dict, data: dict, content: Content | None = None) -> int:
    """What the volunteer settled on: the proposal, or *dringend* if they raised it — or if
    their note speaks of acute danger (then it is always passed on, as level 3 is)."""
    floor = int(data.get("niveau_min") or 0)
    level = proposed_level(answers.get("zorgen"), floor, content)
    if answers.get("dringend") == "ja" or note_is_crisis(answers.get("notitie")):
        level = URGENT
    return level


def note_is_crisis(note: object) -> bool:
    return isinstance(note, str) and detect(note).level == "crisis"
