"""Recognise crisis and concern language in a volunteer's free text (Dutch and English).

The rules live as data in ``dialogues/patterns/*.yaml`` so that a social professional can read
and extend them; this package only knows *how* to apply them:

- model.py    what comes out (Detection) and the parsed rules
- text.py     normalising, informal words and typos
- loading.py  reading and checking the pattern files
- context.py  fiction, news, the long past, reported speech, who is at risk
- engine.py   idioms, negation, matching
- learned.py  a learned scorer over words and letter pieces (weights in learned.json)
- combined.py the rules and the scorer together: the scorer may add, never take away

``detect`` is pure: it never logs, stores or returns the text, and compiles nothing at call time.
``detect_rules`` is the rules alone (for comparison in bench/).
"""

from __future__ import annotations

import os
from pathlib import Path

from .combined import LEARNED, Detector
from .engine import Engine
from .learned import Scorer
from .loading import load_pattern_file
from .model import (
    AT_RISK,
    CATEGORIES,
    CRISIS_FAMILIES,
    FAMILIES,
    LEVELS,
    NOTHING,
    Detection,
    PatternError,
)
from .text import normalise

__all__ = [
    "AT_RISK",
    "CATEGORIES",
    "CRISIS_FAMILIES",
    "FAMILIES",
    "LEVELS",
    "PATTERN_DIR",
    "LEARNED",
    "Detection",
    "PatternError",
    "detect",
    "detect_rules",
    "load_engine",
    "load_pattern_file",
    "normalise",
]

PATTERN_DIR = Path(__file__).resolve().parent.parent / "patterns"


def load_engine(directory: Path = PATTERN_DIR) -> Engine:
    return Engine(load_pattern_file(p) for p in sorted(directory.glob("*.yaml")))


_ENGINE = load_engine()
# bench/train_detector.py sets this: it must read the rules before weights that fit exist.
# Anything else gets the scorer, and a weights file of another feature scheme fails here, at
# import, never at a message.
_RULES_ONLY = os.environ.get("OMZIEN_DETECTOR_RULES_ONLY") == "1"
_DETECTOR = Detector(_ENGINE, None if _RULES_ONLY else Scorer.load())


def _checked(text: str | None) -> bool:
    if not text:
        return False
    if not isinstance(text, str):
        raise TypeError("detect() expects a str")
    return True


def detect(text: str | None) -> Detection:
    """Classify one free-text message. Pure and fast; never raises on a str."""
    return _DETECTOR.detect(text) if _checked(text) else NOTHING  # type: ignore[arg-type]


def detect_rules(text: str | None) -> Detection:
    """The rules alone, without the learned scorer."""
    return _ENGINE.detect(text) if _checked(text) else NOTHING  # type: ignore[arg-type]
