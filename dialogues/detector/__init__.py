"""Recognise crisis and concern language in a volunteer's free text (Dutch and English).

The rules live as data in ``dialogues/patterns/*.yaml`` so that a social professional can read
and extend them; this package only knows *how* to apply them:

- model.py    what comes out (Detection) and the parsed rules
- text.py     normalising, informal words and typos
- loading.py  reading and checking the pattern files
- context.py  fiction, news, the long past, reported speech, who is at risk
- engine.py   idioms, negation, matching

``detect`` is pure: it never logs, stores or returns the text, and compiles nothing at call time.
"""

from __future__ import annotations

from pathlib import Path

from .engine import Engine
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
    "Detection",
    "PatternError",
    "detect",
    "load_engine",
    "load_pattern_file",
    "normalise",
]

PATTERN_DIR = Path(__file__).resolve().parent.parent / "patterns"


def load_engine(directory: Path = PATTERN_DIR) -> Engine:
    return Engine(load_pattern_file(p) for p in sorted(directory.glob("*.yaml")))


_ENGINE = load_engine()


def detect(text: str | None) -> Detection:
    """Classify one free-text message. Pure and fast; never raises on a str."""
    if not text:
        return NOTHING
    if not isinstance(text, str):
        raise TypeError("detect() expects a str")
    return _ENGINE.detect(text)
