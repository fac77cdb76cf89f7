"""The rules and the learned scorer together, safety first.

- A crisis the rules find is never overridden: the scorer is not even asked.
- The scorer may *add*: a note becomes crisis when its crisis probability reaches the threshold
  (also when the rules only saw a concern), and a concern when the rules saw nothing and its
  signal probability reaches the other threshold.
- It may not add what the rules deliberately cancelled: a negated, fictional or long-past
  signal, or a note framed as harmless as a whole (Reading.vetoed). Negation and context stay
  the rules' job; the scorer has no sense of "niet" five words back.
- What only the scorer raised carries the family, who is at risk and the category from its
  heads, and the rule id LEARNED, so a professional can see that no rule matched.
"""

from __future__ import annotations

from .engine import Engine, Reading
from .learned import Present, Scorer, features
from .model import NOTHING, Detection

LEARNED = "learned"

# The signal category a crisis family lands in, as the crisis rules file them (the route and
# the numbers shown depend on it: acuut for 113 and the huisarts, veiligheid for Veilig Thuis).
CRISIS_CATEGORY = {
    "doodswens_actief": "acuut",
    "doodswens_passief": "acuut",
    "plan_middelen": "acuut",
    "zelfbeschadiging": "acuut",
    "afscheid": "acuut",
    "vrijwilliger_zelf": "acuut",
    "medisch_acuut": "acuut",
    "verwaarlozing_acuut": "acuut",
    "geweld": "veiligheid",
    "bedreiging": "veiligheid",
    "opsluiting_geld": "veiligheid",
    "schade_anderen": "schade_anderen",
}


def combine(reading: Reading, scorer: Scorer) -> Detection:
    found = reading.detection
    if found.is_crisis or reading.vetoed or not reading.text:
        return found
    present = features(reading.text, reading.concepts)
    if scorer.crisis.probability(present) >= scorer.crisis_threshold:
        return _learned_crisis(found, present, scorer)
    if found.level is None and scorer.signal.probability(present) >= scorer.signal_threshold:
        return _learned_concern(present, scorer)
    return found


def _who_and_family(family: str, at_risk: str) -> tuple[str, tuple[str, ...]]:
    """Kept consistent the way the rules keep it: help for the volunteer leads when it is her."""
    if family == "vrijwilliger_zelf":
        return "volunteer", (family,)
    if at_risk == "volunteer":
        return at_risk, ("vrijwilliger_zelf", family)
    return at_risk, (family,)


def _learned_crisis(found: Detection, present: Present, scorer: Scorer) -> Detection:
    """Crisis from the scorer; a concern the rules found stays listed after it."""
    at_risk, families = _who_and_family(scorer.family.best(present), scorer.at_risk.best(present))
    return Detection(
        level="crisis",
        categories=tuple(dict.fromkeys((CRISIS_CATEGORY[families[0]], *found.categories))),
        rules=(*found.rules, LEARNED),
        at_risk=at_risk,
        families=tuple(dict.fromkeys((*families, *found.families))),
    )


def _learned_concern(present: Present, scorer: Scorer) -> Detection:
    category = scorer.category.best(present)
    return Detection(
        level="concern",
        categories=(category,),
        rules=(LEARNED,),
        at_risk=scorer.at_risk.best(present),
        families=(category,),
    )


class Detector:
    """An engine and a scorer; ``detect`` is what the bot calls (through the package)."""

    def __init__(self, engine: Engine, scorer: Scorer | None) -> None:
        self.engine = engine
        self.scorer = scorer

    def detect(self, text: str, *, precheck: bool = True) -> Detection:
        reading = self.engine.read(text, precheck=precheck)
        if self.scorer is None:
            return reading.detection
        return combine(reading, self.scorer) if reading.text else NOTHING
