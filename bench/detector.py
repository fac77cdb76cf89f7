"""How long the crisis/concern detector takes per message (target: < 0.2 ms).

Run: .venv/bin/python bench/detector.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogues.detector import detect  # noqa: E402

MESSAGES = [
    "we hebben samen koffie gedronken en foto's bekeken",
    "ze wil niet meer leven zei ze vandaag",
    "ik ga dood van het lachen met haar verhalen",
    "de post stapelt zich op en er ligt een aanmaning van de energie",
    "she seemed confused and hasn't been eating",
    "he said he would kill himself",
    "Mevrouw L vertelde over haar kleinkinderen, heel gezellig middagje gehad samen.",
]


def main() -> None:
    for text in MESSAGES:
        detect(text)
    samples = []
    for _ in range(2000):
        for text in MESSAGES:
            started = time.perf_counter()
            detect(text)
            samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    median = statistics.median(samples)
    p90 = samples[int(len(samples) * 0.9)]
    print(f"detector: median {median:.1f} µs, p90 {p90:.1f} µs per message (target < 200 µs)")


if __name__ == "__main__":
    main()
