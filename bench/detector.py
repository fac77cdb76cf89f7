"""Crisis/concern detector: recall and false alarms on the evaluation corpus, and speed.

Run:  .venv/bin/python bench/detector.py              (development half + speed)
      .venv/bin/python bench/detector.py --misses     (also list the dev misses, to tune)
      .venv/bin/python bench/detector.py --misses-of dev2-check   (also that set and its
                                                      misses: any development set, never fresh)
      .venv/bin/python bench/detector.py --heldout    (also the held-out half)
      .venv/bin/python bench/detector.py --dev2       (also the second corpus, detector_dev2.yaml)
      .venv/bin/python bench/detector.py --fresh      (also the first blind set, now a check set)
      .venv/bin/python bench/detector.py --fresh2     (also the second blind set, now spent)
      .venv/bin/python bench/detector.py --fresh3     (also the third blind set, now spent)
      .venv/bin/python bench/detector.py --fresh4     (also the fourth blind set, now spent)
      .venv/bin/python bench/detector.py --fresh5     (also the fifth blind set: to report only)
      .venv/bin/python bench/detector.py --rules      (the rules alone, without the learned scorer)

The detector measured is the one the bot runs: the rules plus the learned scorer
(dialogues/detector/combined.py). The scorer was trained on every corpus here, so its figures
on them are training figures (fresh5 excepted: it is never trained on); bench/train_detector.py
reports the cross-validated ones.

The corpora (bench/corpus/, see its README and FRESH.md) were written by people who never saw
the rules. The held-out half was used for tuning once its first report was read, so it is now
development data too. detector_fresh.yaml was the first blind report set; its totals were then
watched while tuning, so it is a check set now. detector_fresh2.yaml (FRESH2.md) was the second
blind set: reported once, then its misses were read to widen the rules, so it is development data
now. detector_fresh3.yaml and detector_fresh4.yaml went the same way. detector_fresh5.yaml
(FRESH5.md) is the blind report set: run it only to report, never read its misses (--misses-of
never lists them).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogues import detector  # noqa: E402

CORPUS = Path(__file__).with_name("corpus")
HALVES = {
    "dev": "detector_dev.yaml",
    "held-out": "detector_heldout.yaml",
    "dev2": "detector_dev2.yaml",
    "fresh": "detector_fresh.yaml",
    "fresh2": "detector_fresh2.yaml",
    "fresh3": "detector_fresh3.yaml",
    "fresh4": "detector_fresh4.yaml",
    "fresh5": "detector_fresh5.yaml",
}
# Blind report sets: never trained or tuned on (bench/train_detector.py leaves them out).
REPORT_ONLY = frozenset({"fresh5"})
# The blind sets, oldest first: each was run once to report, then spent (a check set whose
# misses may be read), except the report set. "fresh" only ever shows its totals.
BLIND_SETS = {
    "fresh": "first blind set (now a check set)",
    "fresh2": "second blind set (spent: a check set now)",
    "fresh3": "third blind set (spent: a check set now)",
    "fresh4": "fourth blind set (spent: a check set now)",
    "fresh5": "fifth blind set (only to report)",
}
SPENT_BLIND_SETS = [h for h in BLIND_SETS if h != "fresh" and h not in REPORT_ONLY]
# The corpus names its families in English; the detector in Dutch (model.CRISIS_FAMILIES).
FAMILY_NAMES = {
    "passive_death_wish": "doodswens_passief",
    "active_death_wish": "doodswens_actief",
    "farewell": "afscheid",
    "plan_means": "plan_middelen",
    "self_harm": "zelfbeschadiging",
    "acute_medical": "medisch_acuut",
    "neglect_emergency": "verwaarlozing_acuut",
    "violence": "geweld",
    "threat": "bedreiging",
    "confinement_financial_abuse": "opsluiting_geld",
    "volunteer_self": "vrijwilliger_zelf",
}
# The corpus's concern families, as the detector's signal category ids (model.CATEGORIES). The
# rules file the volunteer's own strain under "anders" (nl_/en_z_strain), so it is here too.
CONCERN_NAMES = {
    "withdrawal": "terugtrekking",
    "home": "woning",
    "money_letters": "geld_post",
    "physical_health": "gezondheid_lichaam",
    "mood": "gezondheid_psychisch",
    "substances": "middelen",
    "avoiding_care": "zorgmijding",
    "loss": "verlies_netwerk",
    "caregiving": "mantelzorg",
    "forms_language": "regelzaken_taal",
    "safety": "veiligheid",
    "others_in_home": "schade_anderen",
    "beyond_role": "hulpvraag_buiten_rol",
    "gut_feeling": "onderbuik",
    "volunteer_strain": "anders",
}
SPEED_MESSAGES = [
    "we hebben samen koffie gedronken en foto's bekeken",
    "ze wil niet meer leven zei ze vandaag",
    "ik ga dood van het lachen met haar verhalen",
    "de post stapelt zich op en er ligt een aanmaning van de energie",
    "she seemed confused and hasn't been eating",
    "he said he would kill himself",
    "Mevrouw L vertelde over haar kleinkinderen, heel gezellig middagje gehad samen.",
]


# detector_dev2.yaml is split once, stratified by (level, lang), with this seed: the rules are
# tuned on dev2-tune only; of dev2-check only the figures are looked at, never its misses.
DEV2_SEED = 20261204


def split_dev2(items: list[dict]) -> tuple[list[dict], list[dict]]:
    rng = random.Random(DEV2_SEED)
    tune: list[dict] = []
    check: list[dict] = []
    for key in sorted({(i["level"], i["lang"]) for i in items}):
        stratum = [i for i in items if (i["level"], i["lang"]) == key]
        rng.shuffle(stratum)
        cut = (len(stratum) + 1) // 2
        tune += stratum[:cut]
        check += stratum[cut:]
    return tune, check


def load(half: str) -> list[dict]:
    name = "dev2" if half.startswith("dev2") else half
    items = yaml.safe_load((CORPUS / HALVES[name]).read_text(encoding="utf-8"))
    if half == "dev2-tune":
        return split_dev2(items)[0]
    if half == "dev2-check":
        return split_dev2(items)[1]
    return items


def _hit(item: dict, found) -> bool:
    """Crisis must be found as crisis; a concern counts when anything is raised."""
    if item["level"] == "crisis":
        return found.level == "crisis"
    if item["level"] == "concern":
        return found.level is not None
    return found.level is None


# The rules and the learned scorer together, as the bot runs it; --rules: the rules alone.
detect = detector.detect


def evaluate(items: list[dict]) -> dict:
    rows: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    right_person = [0, 0]
    right_family = [0, 0]
    for item in items:
        found = detect(item["text"])
        ok = _hit(item, found)
        for key in (
            (item["level"], item["family"], item["lang"]),
            (item["level"], "all", item["lang"]),
        ):
            rows[key][0] += ok
            rows[key][1] += 1
        if item["level"] == "none" and found.level == "crisis":
            rows[("none", "raised as crisis", item["lang"])][0] += 1
            rows[("none", "raised as crisis", item["lang"])][1] += 1
        if item["level"] == "crisis" and found.is_crisis:
            right_person[0] += found.at_risk == item["at_risk"]
            right_person[1] += 1
            right_family[0] += FAMILY_NAMES.get(item["family"]) in found.families
            right_family[1] += 1
        if not ok:
            misses.append((item, found))
    for lang in ("nl", "en"):
        rows[("none", "raised as crisis", lang)]  # always shown, also when it is zero
    return {
        "rows": rows,
        "misses": misses,
        "right_person": right_person,
        "right_family": right_family,
    }


def _pct(hit: int, total: int) -> str:
    return f"{100 * hit / total:5.1f} % ({hit}/{total})" if total else "-"


def table(half: str, result: dict) -> str:
    rows = result["rows"]
    lines = [f"\n## {half}\n", "| level | family | nl | en |", "|---|---|---:|---:|"]
    keys = sorted(
        {(lv, fam) for lv, fam, _ in rows},
        key=lambda k: (["crisis", "concern", "none"].index(k[0]), k[1] != "all", k[1]),
    )
    for level, family in keys:
        cells = []
        for lang in ("nl", "en"):
            hit, total = rows.get((level, family, lang), (0, 0))
            if family == "raised as crisis":
                total = rows[("none", "all", lang)][1]
            cells.append(_pct(hit, total))
        label = {"crisis": "crisis recall", "concern": "concern recall", "none": "no alarm"}[level]
        if family == "raised as crisis":
            label = "false crisis alarm"
        lines.append(f"| {label} | {family} | {cells[0]} | {cells[1]} |")
    person = result["right_person"]
    lines.append(f"\nWho is at risk right, of the crisis notes found: {_pct(*person)}")
    family = result["right_family"]
    lines.append(f"Family among those found, of the crisis notes found: {_pct(*family)}")
    return "\n".join(lines)


def speed() -> str:
    for text in SPEED_MESSAGES:
        detect(text)
    samples = []
    for _ in range(2000):
        for text in SPEED_MESSAGES:
            started = time.perf_counter()
            detect(text)
            samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    median = statistics.median(samples)
    p90 = samples[int(len(samples) * 0.9)]
    return f"detector: median {median:.1f} µs, p90 {p90:.1f} µs per message (target < 200 µs)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--heldout", action="store_true", help="also run the held-out half")
    parser.add_argument(
        "--dev2",
        action="store_true",
        help="also run detector_dev2.yaml: whole, and its tune and check halves",
    )
    for name, what in BLIND_SETS.items():
        parser.add_argument(f"--{name}", action="store_true", help=f"also run the {what}")
    parser.add_argument("--misses", action="store_true", help="list the development misses")
    parser.add_argument("--rules", action="store_true", help="the rules alone, without the scorer")
    parser.add_argument(
        "--misses-of",
        action="append",
        default=[],
        choices=["dev", "held-out", "dev2", "dev2-tune", "dev2-check", *SPENT_BLIND_SETS],
        help="also list the misses of this development set (repeatable; fresh and fresh5 never)",
    )
    args = parser.parse_args()
    listed = set(args.misses_of) | ({"dev"} if args.misses else set())
    global detect
    if args.rules:
        detect = detector.detect_rules
    halves = ["dev"] + ["held-out"] * args.heldout
    halves += ["dev2", "dev2-tune", "dev2-check"] * args.dev2
    halves += [h for h in args.misses_of if h not in halves]
    halves += [h for h in BLIND_SETS if getattr(args, h) and h not in halves]
    for half in halves:
        name = "dev2" if half.startswith("dev2") else half
        if not (CORPUS / HALVES[name]).exists():
            print(f"(no {HALVES[name]} in {CORPUS})")
            continue
        result = evaluate(load(half))
        print(table(half, result))
        if half in listed:
            for item, found in result["misses"]:
                print(
                    f"- [{item['level']}/{item['family']}/{item['at_risk']}] got "
                    f"{found.level}/{','.join(found.families)}: {item['text']}"
                )
    print()
    print(speed())


if __name__ == "__main__":
    main()
