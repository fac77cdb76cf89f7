"""A learned scorer beside the rules: linear models over the words of a note (issue 15).

Phrase lists learn sentences; a linear model over many small pieces of text learns which
pieces carry the meaning, and character pieces inside words survive typos, inflection and
Flemish or informal forms ("zelfmorod", "wilt", "gesnee"). The features of a note are

- ``w:`` every word, ``b:`` every two neighbouring words,
- ``c:`` every 3- to 5-letter piece of a word, the word marked ``<like this>``,
- ``k:`` every concept of the pattern files that occurs (concepts.py),
- ``n:`` the three words after a negator ("niks aan zal doen"), so that the scorer can tell
  "zal zich niks aandoen" from "zal zich iets aandoen" (the rules' own negation still vetoes),

all taken from the text *after* the rules have normalised it and masked the idioms, so "ik lach
me dood" is gone before the scorer looks. Each head is a logistic regression over two groups:
the words, pairs and concepts, and the letter pieces. A group adds the sum of its weights
divided by the square root of its size, the letter pieces at half strength (they are many and
say less each: cross-validated, that separated crisis from the rest better than one group).
Scoring is plain dict lookups; numpy is only used to train (bench/train_detector.py).

The weights live in ``learned.json`` beside this module. ``scheme`` there must equal SCHEME:
a file trained on other features would silently score garbage, so loading refuses it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

WEIGHTS_FILE = Path(__file__).with_name("learned.json")
# What a weights file must have been trained on; bump the version when features() changes.
SCHEME = {
    "version": 3,
    "words": True,
    "bigrams": True,
    "chars": [3, 5],
    "concepts": True,
    "char_weight": 0.5,
    "negated": 3,
}
BINARY_HEADS = ("crisis", "signal")  # crisis vs not; crisis or concern vs none
CLASS_HEADS = ("family", "at_risk", "category")

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_SHORTEST: int = SCHEME["chars"][0]  # type: ignore[index]
_LONGEST: int = SCHEME["chars"][1]  # type: ignore[index]
CHAR_WEIGHT: float = SCHEME["char_weight"]  # type: ignore[assignment]
NEGATED: int = SCHEME["negated"]  # type: ignore[assignment]
# Fixed here, not read from the pattern files: an edit there must not change the features.
NEGATORS = frozenset(
    [
        "niet",
        "ni",
        "nie",
        "geen",
        "nooit",
        "niks",
        "niets",
        "nergens",
        "niemand",
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "don't",
        "dont",
        "doesn't",
        "doesnt",
        "didn't",
        "didnt",
        "isn't",
        "isnt",
        "wasn't",
        "wasnt",
        "won't",
        "wont",
        "can't",
        "cant",
        "cannot",
        "hasn't",
        "hasnt",
        "haven't",
        "havent",
        "denies",
    ]
)


class Present(NamedTuple):
    """The distinct features of a text, in their two groups."""

    words: frozenset[str]  # words, pairs of words, concepts
    chars: frozenset[str]  # letter pieces


def features(text: str, concepts: Iterable[str] = ()) -> Present:
    """The features of a prepared (normalised, idiom-masked) text."""
    words = _WORD_RE.findall(text)
    found = {"w:" + w for w in words}
    found.update([f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)])
    found.update(["k:" + name for name in concepts])
    found.update(_negated(words))
    # Comprehensions, not a generator per piece: this runs on every text a volunteer sends.
    chars = {
        "c:" + marked[i : i + n]
        for marked in {f"<{word}>" for word in words}
        for n in range(_SHORTEST, min(_LONGEST, len(marked)) + 1)
        for i in range(len(marked) - n + 1)
    }
    return Present(frozenset(found), frozenset(chars))


def _negated(words: list[str]) -> list[str]:
    out = []
    left = 0
    for word in words:
        if word in NEGATORS:
            left = NEGATED
        elif left:
            out.append("n:" + word)
            left -= 1
    return out


def feature_values(present: Present) -> list[tuple[str, float]]:
    """Every feature with the value it is multiplied by (what training sees)."""
    out: list[tuple[str, float]] = []
    for group, share in _groups(present):
        out.extend((f, share) for f in group)
    return out


def _groups(present: Present) -> list[tuple[frozenset[str], float]]:
    return [
        (group, weight / math.sqrt(len(group)))
        for group, weight in ((present.words, 1.0), (present.chars, CHAR_WEIGHT))
        if group
    ]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Binary:
    bias: float
    weights: Mapping[str, float]

    def probability(self, present: Present) -> float:
        get = self.weights.get
        z = self.bias
        for group, value in _groups(present):
            z += value * sum(map(get, group, repeat(0.0, len(group))))  # no generator per feature
        return _sigmoid(z)


@dataclass(frozen=True)
class Classes:
    """One weight row per feature (a weight per class): softmax, only the best class needed."""

    names: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]

    def best(self, present: Present) -> str:
        scores = list(self.bias)
        for group, value in _groups(present):
            for feature in group:
                row = self.weights.get(feature)
                if row is not None:
                    for k, w in enumerate(row):
                        scores[k] += w * value
        return self.names[max(range(len(scores)), key=scores.__getitem__)]


class SchemeError(ValueError):
    """The weights file was trained on other features than features() computes."""


@dataclass(frozen=True)
class Scorer:
    crisis: Binary
    signal: Binary
    family: Classes
    at_risk: Classes
    category: Classes
    # Probabilities at or above these raise a note (chosen in training, see the JSON).
    crisis_threshold: float
    signal_threshold: float

    @classmethod
    def from_dict(cls, data: Mapping) -> Scorer:
        if data.get("scheme") != SCHEME:
            raise SchemeError(f"weights trained on {data.get('scheme')}, expected {SCHEME}")
        heads = data["heads"]
        binary = {n: Binary(heads[n]["bias"], heads[n]["weights"]) for n in BINARY_HEADS}
        classes = {
            n: Classes(
                tuple(heads[n]["classes"]),
                tuple(heads[n]["bias"]),
                {f: tuple(row) for f, row in heads[n]["weights"].items()},
            )
            for n in CLASS_HEADS
        }
        thresholds = data["thresholds"]
        return cls(
            crisis=binary["crisis"],
            signal=binary["signal"],
            family=classes["family"],
            at_risk=classes["at_risk"],
            category=classes["category"],
            crisis_threshold=thresholds["crisis"],
            signal_threshold=thresholds["signal"],
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> Scorer:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
