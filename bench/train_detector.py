"""Train the detector's learned scorer (dialogues/detector/learned.py) and report it honestly.

Run:  .venv/bin/python bench/train_detector.py            (5-fold CV figures, then write weights)
      .venv/bin/python bench/train_detector.py --no-cv    (only train and write the weights)
      .venv/bin/python bench/train_detector.py --no-write (only the CV figures)

Data: every labelled note in bench/corpus but the fresh5 report set (dev, held-out, dev2, fresh,
fresh2, fresh3, fresh4; fresh and held-out are burned as report sets, so training on them costs
nothing, but their misses are never printed) and the labelled tables of tests/dialogues. The CV
figures are on the corpus notes only: each fold is scored by a model trained on the other folds
plus the test tables, with thresholds chosen by an inner CV inside those training folds, so no
figure has seen its own notes.

Everything is deterministic: fixed seed, sorted vocabulary, full-batch training.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __name__ == "__main__":
    # Train on the rules alone: the weights on disk may be of an older feature scheme. Only when
    # run, so that a test importing this module does not pass it on to the bots it starts.
    os.environ["OMZIEN_DETECTOR_RULES_ONLY"] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "dialogues"))

from bench.detector import CONCERN_NAMES, FAMILY_NAMES, HALVES, REPORT_ONLY, load  # noqa: E402
from bench.logistic import Rows, fit  # noqa: E402
from dialogues import detector  # noqa: E402
from dialogues.detector import CRISIS_FAMILIES  # noqa: E402
from dialogues.detector.combined import combine  # noqa: E402
from dialogues.detector.engine import Reading  # noqa: E402
from dialogues.detector.learned import (  # noqa: E402
    SCHEME,
    WEIGHTS_FILE,
    Present,
    Scorer,
    feature_values,
    features,
)  # noqa: E402

SEED = 20261203
FOLDS = 5
INNER_FOLDS = 4
MIN_COUNT = 2  # a feature seen in one training note only is noise, and weighs the file down
L2 = {"crisis": 1e-4, "signal": 1e-4, "family": 1e-4, "at_risk": 1e-4, "category": 1e-4}
# Features kept per head, by the size of their weight (class heads, by their largest): keeps
# the file small. {True: two-class heads, False: heads with a weight per class}.
KEEP = {True: 4000, False: 600}
DIGITS = 2
# The test tables are reviewed examples, each written to pin down one phrasing (negations
# among them): they weigh as much as this many corpus notes.
TABLE_WEIGHT = 3.0
# Thresholds: the lowest probability at which the notes the scorer alone raises stay within
# these shares (of the inner CV's out-of-fold notes), fixed before any figure was seen.
CRISIS_BUDGET_NONE = 0.01  # harmless notes the scorer makes crisis
CRISIS_BUDGET_CONCERN = 0.05  # concern notes the scorer makes crisis
SIGNAL_BUDGET_NONE = 0.03  # harmless notes the scorer raises at all
GRID = [round(0.05 + 0.01 * i, 2) for i in range(95)]
AT_RISK_CLASSES = ("resident", "volunteer", "other")
BINARY_HEADS = ("crisis", "signal")


@dataclass
class Note:
    level: str  # crisis, concern, none
    family: str | None  # detector crisis family, for crisis notes
    category: str | None  # detector category id, for concern notes
    at_risk: str | None
    lang: str
    in_cv: bool  # a corpus note (scored in CV), not a test-table row (always trained on)
    unseen: bool  # the rules were never tuned on it: fresh or the dev2-check half
    reading: Reading
    present: Present


def _note(text: str, level: str, family=None, category=None, at_risk=None, lang="", in_cv=False):
    reading = detector._ENGINE.read(text)
    present = features(reading.text, reading.concepts)
    return Note(level, family, category, at_risk, lang, in_cv, False, reading, present)


def corpus_notes() -> list[Note]:
    notes = []
    unseen = {item["text"] for half in ("fresh", "dev2-check") for item in load(half)}
    for half in sorted(set(HALVES) - REPORT_ONLY, key=list(HALVES).index):
        for item in load(half):
            level, family = item["level"], item["family"]
            notes.append(
                _note(
                    item["text"],
                    level,
                    FAMILY_NAMES.get(family) if level == "crisis" else None,
                    CONCERN_NAMES.get(family) if level == "concern" else None,
                    item["at_risk"] if item["at_risk"] in AT_RISK_CLASSES else None,
                    item["lang"],
                    in_cv=True,
                )
            )
            notes[-1].unseen = item["text"] in unseen
    return notes


def table_notes() -> list[Note]:
    """The labelled rows of tests/dialogues: families, phrasings and harmless look-alikes."""
    import test_detector as t
    import test_detector_families as f

    notes = []
    for text, family, at_risk in f.ISSUE_EXAMPLES + f.FAMILY_CASES + f.COMBO_CASES:
        crisis = family in CRISIS_FAMILIES
        level = "crisis" if crisis else "concern"
        notes.append(
            _note(text, level, family if crisis else None, None if crisis else family, at_risk)
        )
    notes += [_note(text, level) for text, level, _ in t.CRISIS_CASES + t.CONCERN_CASES]
    harmless = t.HARMLESS_CASES + f.COMBO_HARMLESS + f.DISTANCED
    notes += [_note(text, "none") for text in harmless if text]
    return notes


# -- training -------------------------------------------------------------------------------


def vocabulary(notes: list[Note]) -> list[str]:
    counts = Counter(f for n in notes for f, _ in feature_values(n.present))
    return sorted(f for f, c in counts.items() if c >= MIN_COUNT)


def _fit_on(chosen: list[Note], vocab: list[str], y: np.ndarray, classes: int, l2: float):
    weights = np.array([1.0 if n.in_cv else TABLE_WEIGHT for n in chosen])
    index = {f: i for i, f in enumerate(vocab)}
    rows = Rows.build(
        [[(index[f], v) for f, v in feature_values(n.present) if f in index] for n in chosen],
        len(vocab),
    )
    return fit(rows, y, classes, l2, weights)


def _head(
    notes: list[Note], vocab: list[str], name: str
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Fit, keep the features with the largest weights, and fit again on those alone (so the
    kept weights make up for the dropped ones instead of merely losing them)."""
    label, classes = LABELS[name]
    chosen = [n for n in notes if label(n) is not None]
    y = np.array([classes.index(label(n)) for n in chosen])
    w, _ = _fit_on(chosen, vocab, y, len(classes), L2[name])
    size = np.abs(w).max(axis=1)
    keep = np.argsort(-size, kind="stable")[: KEEP[len(classes) == 2]]
    kept = sorted(vocab[i] for i in keep)
    w, b = _fit_on(chosen, kept, y, len(classes), L2[name])
    return kept, w, b


def _round(values) -> list[float]:
    return [round(float(v), DIGITS) for v in values]


def _binary_dict(vocab: list[str], w: np.ndarray, b: np.ndarray) -> dict:
    return {"bias": _round(b)[0], "weights": dict(zip(vocab, _round(w[:, 0]), strict=True))}


def _classes_dict(vocab: list[str], names, w: np.ndarray, b: np.ndarray) -> dict:
    rows = {f: _round(w[i]) for i, f in enumerate(vocab)}
    return {"classes": list(names), "bias": _round(b), "weights": rows}


LABELS = {
    "crisis": (lambda n: n.level == "crisis", (False, True)),
    "signal": (lambda n: n.level != "none", (False, True)),
    "family": (lambda n: n.family, CRISIS_FAMILIES),
    "at_risk": (lambda n: n.at_risk, AT_RISK_CLASSES),
    "category": (lambda n: n.category, tuple(dict.fromkeys(CONCERN_NAMES.values()))),
}


def train(notes: list[Note], heads=tuple(LABELS)) -> dict:
    """The heads as the weights file stores them (pruned and rounded)."""
    vocab = vocabulary(notes)
    out: dict = {}
    for name in heads:
        kept, w, b = _head(notes, vocab, name)
        classes = LABELS[name][1]
        if len(classes) == 2:
            out[name] = _binary_dict(kept, w, b)
        else:
            out[name] = _classes_dict(kept, classes, w, b)
    return out


# -- thresholds -----------------------------------------------------------------------------


def _lowest(grid, fits) -> float:
    return next((t for t in grid if fits(t)), 1.0)


def choose_thresholds(notes: list[Note], crisis: list[float], signal: list[float]) -> dict:
    """The lowest thresholds whose scorer-only alarms stay within the budgets (see above)."""
    free = [i for i, n in enumerate(notes) if not n.reading.vetoed and n.reading.text]
    none = [i for i in free if notes[i].level == "none"]
    concern = [i for i in free if notes[i].level == "concern"]
    total_none = sum(n.level == "none" for n in notes)
    total_concern = sum(n.level == "concern" for n in notes)

    def not_crisis(i):
        return notes[i].reading.detection.level != "crisis"

    def crisis_fits(t):
        added = sum(crisis[i] >= t and not_crisis(i) for i in none)
        over = sum(crisis[i] >= t and not_crisis(i) for i in concern)
        return added <= CRISIS_BUDGET_NONE * total_none and over <= (
            CRISIS_BUDGET_CONCERN * total_concern
        )

    t_crisis = _lowest(GRID, crisis_fits)

    def signal_fits(t):
        quiet = [i for i in none if notes[i].reading.detection.level is None]
        added = sum(crisis[i] >= t_crisis or signal[i] >= t for i in quiet)
        return added <= SIGNAL_BUDGET_NONE * total_none

    return {"crisis": t_crisis, "signal": _lowest(GRID, signal_fits)}


def _split(notes: list[Note], folds: int, seed: int) -> list[int]:
    """A fold number per note, stratified by (level, lang); test-table rows get -1."""
    rng = random.Random(seed)
    fold = [-1] * len(notes)
    for key in sorted({(n.level, n.lang) for n in notes if n.in_cv}):
        members = [i for i, n in enumerate(notes) if n.in_cv and (n.level, n.lang) == key]
        rng.shuffle(members)
        for k, i in enumerate(members):
            fold[i] = k % folds
    return fold


def thresholds_by_inner_cv(notes: list[Note], seed: int) -> dict:
    """Out-of-fold probabilities of the two binary heads, then the thresholds on them."""
    fold = _split(notes, INNER_FOLDS, seed)
    crisis = [0.0] * len(notes)
    signal = [0.0] * len(notes)
    for k in range(INNER_FOLDS):
        heads = train([n for n, f in zip(notes, fold, strict=True) if f != k], BINARY_HEADS)
        scorer = scorer_from(heads, {"crisis": 1.0, "signal": 1.0})
        for i, n in enumerate(notes):
            if fold[i] == k:
                crisis[i] = scorer.crisis.probability(n.present)
                signal[i] = scorer.signal.probability(n.present)
    cv = [i for i, n in enumerate(notes) if n.in_cv]
    return choose_thresholds(
        [notes[i] for i in cv], [crisis[i] for i in cv], [signal[i] for i in cv]
    )


_EMPTY_CLASSES = {"classes": ["x"], "bias": [0.0], "weights": {}}


def scorer_from(heads: dict, thresholds: dict) -> Scorer:
    full = {name: heads.get(name, _EMPTY_CLASSES) for name in LABELS}
    return Scorer.from_dict({"scheme": SCHEME, "heads": full, "thresholds": thresholds})


def train_with_thresholds(notes: list[Note], seed: int = SEED) -> dict:
    """The weights file's content: every head on all notes, thresholds from the inner CV."""
    thresholds = thresholds_by_inner_cv(notes, seed)
    return {"scheme": SCHEME, "thresholds": thresholds, "heads": train(notes)}


# -- figures --------------------------------------------------------------------------------


def figures(notes: list[Note], found: list) -> dict:
    """Per language: crisis and concern recall, false crisis alarms, who and family right."""
    out = {}
    for lang in ("nl", "en"):
        pairs = [(n, d) for n, d in zip(notes, found, strict=True) if n.lang == lang]
        crisis = [(n, d) for n, d in pairs if n.level == "crisis"]
        caught = [(n, d) for n, d in crisis if d.level == "crisis"]
        concern = [(n, d) for n, d in pairs if n.level == "concern"]
        none = [(n, d) for n, d in pairs if n.level == "none"]
        out[lang] = {
            "crisis recall": (len(caught), len(crisis)),
            "concern recall": (sum(d.level is not None for _, d in concern), len(concern)),
            "concern raised as crisis": (
                sum(d.level == "crisis" for _, d in concern),
                len(concern),
            ),
            "false crisis alarm": (sum(d.level == "crisis" for _, d in none), len(none)),
            "harmless raised at all": (sum(d.level is not None for _, d in none), len(none)),
            "at_risk right (crisis found)": (
                sum(d.at_risk == n.at_risk for n, d in caught),
                len(caught),
            ),
            "family right (crisis found)": (
                sum(n.family in d.families for n, d in caught),
                len(caught),
            ),
        }
    return out


def _pct(pair: tuple[int, int]) -> str:
    hit, total = pair
    return f"{100 * hit / total:5.1f} % ({hit}/{total})" if total else "-"


def print_figures(rules: dict, combined: dict) -> None:
    print("| measure | nl rules | nl rules+model | en rules | en rules+model |")
    print("|---|---:|---:|---:|---:|")
    for measure in rules["nl"]:
        cells = [_pct(f[lang][measure]) for lang in ("nl", "en") for f in (rules, combined)]
        print(f"| {measure} | " + " | ".join(cells) + " |")


def cross_validate(notes: list[Note], folds: int = FOLDS) -> None:
    fold = _split(notes, folds, SEED)
    cv = [i for i, n in enumerate(notes) if n.in_cv]
    combined: dict[int, object] = {}
    for k in range(folds):
        training = [n for n, f in zip(notes, fold, strict=True) if f != k]
        content = train_with_thresholds(training, SEED + k + 1)
        scorer = Scorer.from_dict(content)
        print(f"fold {k + 1}/{folds}: thresholds {content['thresholds']}", flush=True)
        for i in cv:
            if fold[i] == k:
                combined[i] = (
                    combine(notes[i].reading, scorer)
                    if notes[i].reading.text
                    else notes[i].reading.detection
                )
    for title, subset in (
        ("All corpus notes (the rules were tuned on dev, held-out and dev2-tune)", cv),
        (
            "Notes the rules were never tuned on (fresh, dev2-check)",
            [i for i in cv if notes[i].unseen],
        ),
    ):
        print(f"\n{title}, {folds}-fold CV\n")
        scored = [notes[i] for i in subset]
        print_figures(
            figures(scored, [n.reading.detection for n in scored]),
            figures(scored, [combined[i] for i in subset]),
        )


def write(content: dict, path: Path = WEIGHTS_FILE) -> None:
    path.write_text(
        json.dumps(content, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8"
    )
    sizes = {name: len(head["weights"]) for name, head in content["heads"].items()}
    print(
        f"wrote {path} ({path.stat().st_size // 1024} KB), weights per head {sizes}, "
        f"thresholds {content['thresholds']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--no-write", action="store_true", help="do not write the weights")
    parser.add_argument("--folds", type=int, default=FOLDS)
    args = parser.parse_args()
    notes = corpus_notes() + table_notes()
    print(
        f"{sum(n.in_cv for n in notes)} corpus notes, {sum(not n.in_cv for n in notes)} table rows"
    )
    if not args.no_cv:
        cross_validate(notes, args.folds)
    if not args.no_write:
        write(train_with_thresholds(notes))


if __name__ == "__main__":
    main()
