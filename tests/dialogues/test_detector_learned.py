"""The learned scorer beside the rules (dialogues/detector/learned.py, combined.py).

What must hold whatever the weights: the file fits the feature scheme, scoring at run time is
the arithmetic training used, training is deterministic, a rules crisis is never dropped, what
only the scorer raised says so and carries a family and a person, and the rules' vetoes hold.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues import detector
from dialogues.detector import (
    AT_RISK,
    CATEGORIES,
    CRISIS_FAMILIES,
    LEARNED,
    Detection,
    detect,
    detect_rules,
    learned,
)
from dialogues.detector.combined import CRISIS_CATEGORY, combine
from dialogues.detector.learned import (
    SCHEME,
    WEIGHTS_FILE,
    SchemeError,
    Scorer,
    feature_values,
    features,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from test_detector import CRISIS_CASES, HARMLESS_CASES  # noqa: E402
from test_detector_families import COMBO_CASES, FAMILY_CASES, ISSUE_EXAMPLES  # noqa: E402

from bench import logistic, train_detector  # noqa: E402

PREFIXES = ("w:", "b:", "c:", "k:", "n:")


def _raw() -> dict:
    return json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))


def test_weights_file_fits_the_feature_scheme() -> None:
    raw = _raw()
    assert raw["scheme"] == SCHEME
    heads = raw["heads"]
    assert set(heads) == {"crisis", "signal", "family", "at_risk", "category"}
    for name, head in heads.items():
        assert head["weights"], name
        assert all(f.startswith(PREFIXES) for f in head["weights"]), name
    assert set(heads["family"]["classes"]) <= set(CRISIS_FAMILIES)
    assert set(heads["at_risk"]["classes"]) == set(AT_RISK)
    assert set(heads["category"]["classes"]) <= CATEGORIES
    for name in ("family", "at_risk", "category"):
        width = len(heads[name]["classes"])
        assert len(heads[name]["bias"]) == width
        assert all(len(row) == width for row in heads[name]["weights"].values()), name
    assert 0 < raw["thresholds"]["crisis"] < 1 and 0 < raw["thresholds"]["signal"] < 1
    assert WEIGHTS_FILE.stat().st_size < 400_000  # checked in: keep it small


def test_the_bot_runs_with_the_scorer() -> None:
    """The rules-only switch is for the trainer alone; the package detector has the scorer."""
    assert os.environ.get("OMZIEN_DETECTOR_RULES_ONLY") != "1"
    assert detector._DETECTOR.scorer is not None


def test_weights_of_another_scheme_are_refused() -> None:
    raw = _raw()
    raw["scheme"] = {**SCHEME, "chars": [2, 4]}
    with pytest.raises(SchemeError):
        Scorer.from_dict(raw)


def test_features_are_taken_after_idioms_are_masked() -> None:
    reading = detector._ENGINE.read("ik ga dood van het lachen")
    present = features(reading.text, reading.concepts)
    assert "w:dood" not in present.words
    assert "w:dood" in features("ze wil dood").words
    assert "n:aan" in features("ze zal zich niks aan doen").words


def test_run_time_scoring_is_the_arithmetic_training_used() -> None:
    """Binary.probability (dict lookups) equals the numpy model on the same weights."""
    scorer = Scorer.load()
    head = scorer.crisis
    vocab = sorted(head.weights)
    index = {f: i for i, f in enumerate(vocab)}
    w = np.array([[head.weights[f]] for f in vocab])
    texts = [c[0] for c in CRISIS_CASES[:10]] + HARMLESS_CASES[:10]
    for text in texts:
        reading = detector._ENGINE.read(text)
        present = features(reading.text, reading.concepts)
        row = [(index[f], v) for f, v in feature_values(present) if f in index]
        rows = logistic.Rows.build([row], len(vocab))
        expected = logistic.predict(rows, w, np.array([head.bias]))[0, 0]
        assert math.isclose(head.probability(present), expected, rel_tol=1e-9), text


def _small_training_set() -> list:
    notes = train_detector.table_notes()
    return notes[::3]


_TRAIN_SMALL = (
    "import hashlib, json, sys; sys.path[:0] = [{root!r}, {tests!r}];"
    "from bench import train_detector as t;"
    "notes = t.table_notes()[::3];"
    "heads = t.train(notes, ('crisis', 'family'));"
    "print(hashlib.sha256(json.dumps(heads, sort_keys=True).encode()).hexdigest())"
)


def test_training_on_a_small_subset_is_deterministic() -> None:
    """The same weights in two processes whose sets iterate in different orders."""
    root = Path(__file__).resolve().parents[2]
    code = _TRAIN_SMALL.format(root=str(root), tests=str(root / "tests" / "dialogues"))
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert len(digests) == 1, digests
    assert len(digests.pop()) == 64


def test_training_learns_the_training_notes() -> None:
    """A head that could not fit its own small training set would be a broken trainer."""
    notes = _small_training_set()
    heads = train_detector.train(notes, ("crisis",))
    scorer = train_detector.scorer_from(heads, {"crisis": 0.5, "signal": 0.5})
    right = sum(
        (scorer.crisis.probability(n.present) >= 0.5) == (n.level == "crisis") for n in notes
    )
    assert right / len(notes) > 0.9


# --- combining: safety first ---------------------------------------------------------------

_EVERY_FAMILY = {"classes": list(CRISIS_FAMILIES), "bias": [0.0] * 12, "weights": {}}


def _scorer(crisis: float, signal: float, family: str = "geweld", at_risk: str = "other"):
    """A scorer that gives every text the same probabilities and classes."""

    def one_class(name: str, chosen: str, classes) -> dict:
        return {"classes": list(classes), "bias": [float(c == chosen) for c in classes]}

    heads = {
        "crisis": {"bias": math.log(crisis / (1 - crisis)), "weights": {}},
        "signal": {"bias": math.log(signal / (1 - signal)), "weights": {}},
        "family": {**one_class("family", family, CRISIS_FAMILIES), "weights": {}},
        "at_risk": {**one_class("at_risk", at_risk, AT_RISK), "weights": {}},
        "category": {**one_class("category", "woning", sorted(CATEGORIES)), "weights": {}},
    }
    thresholds = {"crisis": 0.5, "signal": 0.5}
    return Scorer.from_dict({"scheme": SCHEME, "heads": heads, "thresholds": thresholds})


RULES_CRISIS = [c[0] for c in CRISIS_CASES] + [
    c[0] for c in ISSUE_EXAMPLES + FAMILY_CASES + COMBO_CASES if c[1] in CRISIS_FAMILIES
]


@pytest.mark.parametrize("text", RULES_CRISIS, ids=lambda v: v[:40])
def test_a_rules_crisis_is_never_changed(text: str) -> None:
    rules = detect_rules(text)
    assert rules.is_crisis
    for scorer in (_scorer(0.01, 0.01), _scorer(0.99, 0.99), Scorer.load()):
        assert combine(detector._ENGINE.read(text), scorer) == rules


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "ze",
                "hij",
                "wil",
                "niet",
                "meer",
                "leven",
                "dood",
                "slaat",
                "haar",
                "mes",
                "pillen",
                "koffie",
                "gezellig",
                "not",
                "he",
                "hits",
                "her",
                "kill",
                "himself",
                "bruises",
                "floor",
                ",",
                ".",
                "haha",
                "film",
            ]
        ),
        max_size=20,
    ).map(" ".join)
)
def test_the_combined_detector_never_lowers_the_rules(text: str) -> None:
    rules, combined = detect_rules(text), detect(text)
    order = [None, "concern", "crisis"]
    assert order.index(combined.level) >= order.index(rules.level)
    if rules.is_crisis:
        assert combined == rules
    assert set(rules.rules) <= set(combined.rules)


def test_a_crisis_only_the_scorer_saw_carries_family_person_and_marker() -> None:
    reading = detector._ENGINE.read("we hebben koffie gedronken en foto's bekeken")
    assert reading.detection == Detection()
    found = combine(reading, _scorer(0.9, 0.9, "opsluiting_geld", "other"))
    assert found.level == "crisis"
    assert found.rules == (LEARNED,)
    assert found.families == ("opsluiting_geld",)
    assert found.at_risk == "other"
    assert found.categories == (CRISIS_CATEGORY["opsluiting_geld"],)
    assert found.categories[0] in {"acuut", "veiligheid", "schade_anderen"}


def test_the_scorer_raises_a_rules_concern_to_crisis_and_keeps_the_concern() -> None:
    reading = detector._ENGINE.read("ze heeft een huurachterstand")
    assert reading.detection.level == "concern"
    found = combine(reading, _scorer(0.9, 0.9, "doodswens_passief", "resident"))
    assert found.is_crisis
    assert found.rules == (*reading.detection.rules, LEARNED)
    assert found.families[0] == "doodswens_passief"
    assert set(reading.detection.categories) <= set(found.categories)


def test_a_concern_only_the_scorer_saw() -> None:
    reading = detector._ENGINE.read("we hebben koffie gedronken")
    found = combine(reading, _scorer(0.1, 0.9, at_risk="resident"))
    assert (found.level, found.rules, found.categories) == ("concern", (LEARNED,), ("woning",))
    assert found.families == ("woning",) and found.at_risk == "resident"


def test_volunteer_self_and_the_volunteer_at_risk_go_together() -> None:
    reading = detector._ENGINE.read("we hebben koffie gedronken")
    found = combine(reading, _scorer(0.9, 0.9, "vrijwilliger_zelf", "resident"))
    assert found.at_risk == "volunteer"
    found = combine(reading, _scorer(0.9, 0.9, "doodswens_actief", "volunteer"))
    assert found.families == ("vrijwilliger_zelf", "doodswens_actief")


@pytest.mark.parametrize(
    "text",
    [
        "ze wil niet dood",  # negated
        "she doesn't want to die",
        "we watched a film about a man who killed himself",  # fiction
        "haar man is twintig jaar terug rustig overleden",  # the long past
        "haha ze zegt dat ze hem vermoordt als hij weer te laat is",  # framed as a joke
    ],
)
def test_what_the_rules_cancelled_the_scorer_cannot_raise(text: str) -> None:
    assert combine(detector._ENGINE.read(text), _scorer(0.99, 0.99)).level is None


# Harmless notes written for this test, in neither the corpora nor the training tables: the
# shipped scorer must not turn a look-alike into a crisis. (Where the rules themselves raise
# one, "sloeg mijn koningin", that is the rules' false alarm, measured in bench/, not this.)
NEW_LOOKALIKES = [
    "we hebben een spannende thriller gelezen, de dader was de buurman",
    "ze vertelde over haar man die in 1990 overleed, ze lachte erbij",
    "mevrouw heeft de messen geslepen voor de kerstdis",
    "meneer speelde schaak en sloeg mijn koningin, hij was trots",
    "de dokter was tevreden over haar bloeddruk",
    "ze heeft haar pillen in het weekdoosje gedaan, alles netjes",
    "we keken naar een oorlogsfilm, veel geschiet",
    "hij vertelde dat zijn kat de muis had doodgebeten",
    "ze kreeg een brief van de bank, het was alleen een nieuwe pas",
    "we did the crossword, the answer was murder on the orient express",
    "she laughed that the plants were dying again, she forgets to water them",
    "he sharpened the kitchen knives and made soup",
    "we watched the news about the war, she remembered the bombs as a child",
    "her husband died peacefully years ago, she talks about him fondly",
    "she showed me the rope she uses for her washing line",
    "he was killing it at bingo today, won three times",
]


@pytest.mark.parametrize("text", NEW_LOOKALIKES, ids=lambda v: v[:40])
def test_new_lookalikes_do_not_become_crisis(text: str) -> None:
    found = detect(text)
    assert found.level != "crisis" or LEARNED not in found.rules, (text, found)


def letter_pieces_by_definition(text: str) -> set[str]:
    """Every piece of each word marked <word>, of the scheme's lengths, one by one."""
    shortest, longest = learned.SCHEME["chars"]
    pieces = set()
    for word in learned._WORD_RE.findall(text):
        marked = f"<{word}>"
        for n in range(shortest, min(longest, len(marked)) + 1):
            for i in range(len(marked) - n + 1):
                pieces.add("c:" + marked[i : i + n])
    return pieces


@given(st.text(alphabet="abcdeéëz' -.,0", max_size=60))
def test_the_letter_pieces_are_every_piece_of_every_word(text):
    assert set(learned.features(text).chars) == letter_pieces_by_definition(text)
