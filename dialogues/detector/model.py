"""What the detector works with and what it returns: plain frozen data, no behaviour."""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("crisis", "concern")
AT_RISK = ("resident", "volunteer", "other")
# How a rule tells who is at risk: the person the clause is about (a death wish, a fall), the
# person something is done to (hitting, threats), or fixed by the rule itself (money taken from
# the resident: whoever is named in the sentence, the resident is at risk).
WHO_FROM = ("subject", "object", "volunteer", "other", "resident")

# Signal category ids, from seed-notes-004 §4.7 (see docs in PRODUCT.md, section Signals).
CATEGORIES = frozenset(
    {
        "terugtrekking",
        "woning",
        "geld_post",
        "gezondheid_lichaam",
        "gezondheid_psychisch",
        "middelen",
        "zorgmijding",
        "verlies_netwerk",
        "mantelzorg",
        "regelzaken_taal",
        "veiligheid",
        "schade_anderen",
        "acuut",
        "hulpvraag_buiten_rol",
        "onderbuik",
        "anders",
    }
)

# Families of meaning for crisis rules (issue 15). Concern rules use their category id as family.
CRISIS_FAMILIES = (
    "doodswens_actief",  # wants to die, to end it, plans to
    "plan_middelen",  # a plan or the means: pills saved up, a rope, a date
    "zelfbeschadiging",
    "afscheid",  # farewell behaviour: giving things away, goodbye letters
    "doodswens_passief",  # tired of life, no reason to go on, hopes not to wake up
    "vrijwilliger_zelf",  # the volunteer about herself
    "medisch_acuut",  # not responding, not breathing well, lying on the floor
    "verwaarlozing_acuut",  # days without food or drink, confused and alone
    "geweld",
    "bedreiging",
    "opsluiting_geld",  # confinement and financial abuse
    "schade_anderen",  # children or others in the home
)
FAMILIES = CRISIS_FAMILIES + tuple(sorted(CATEGORIES))


class PatternError(ValueError):
    """A pattern file is malformed; raised at import so a broken rule never ships silently."""


@dataclass(frozen=True)
class Detection:
    """What the detector found. Never contains the text itself."""

    level: str | None = None  # "crisis", "concern" or None
    categories: tuple[str, ...] = ()  # signal category ids, crisis ones first
    rules: tuple[str, ...] = ()  # ids of the rules that matched
    # Who is at risk: "resident" (the person visited), "volunteer" (the writer herself) or
    # "other" (someone else in the home). The worry route depends on it.
    at_risk: str = "resident"
    families: tuple[str, ...] = ()  # families of meaning that matched, most urgent first

    @property
    def is_crisis(self) -> bool:
        return self.level == "crisis"

    @property
    def about_volunteer(self) -> bool:
        return self.at_risk == "volunteer"


NOTHING = Detection()


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    # Signal words: the pattern cannot match unless one of them occurs in the text, so it is
    # only tried then. None: always tried.
    words: frozenset[str] | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    categories: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    negatable: bool
    family: str
    who_from: str
    # Signal words: none of the rule's patterns can match without one of them, so the rule is
    # only tried when one occurs in the text (see engine.WordIndex). None: always tried.
    words: frozenset[str] | None
    # A rule built from concepts that combine (concepts.py) instead of patterns.
    combo: object | None = None


@dataclass(frozen=True)
class PatternFile:
    """One language file, parsed and validated but not yet merged with the others."""

    language: str
    rules: tuple[Rule, ...]
    idioms: tuple[tuple[str, Pattern], ...]  # (id, pattern)
    negators: frozenset[str]
    negator_endings: tuple[str, ...]
    trailing_negators: frozenset[str]
    answers: frozenset[str]
    hedges: tuple[str, ...]
    clause_breaks: frozenset[str]
    subjects: frozenset[str]
    linkers: frozenset[str]
    subordinators: frozenset[str]  # open a clause put in front of the main one ("als", "omdat")
    variants: dict[str, str]  # informal or Flemish word -> the form the rules are written in
    crisis_words: tuple[str, ...]  # long words worth correcting a typo towards
    context: dict[str, tuple[str, ...]]  # context marker kind -> regexes (see context.py)
    concepts: dict[str, tuple[str, ...]] = None  # type: ignore[assignment]  # name -> entries
    combos: tuple[Rule, ...] = ()  # rules made of concepts (see concepts.py)
