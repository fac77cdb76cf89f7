"""How fast /dagboek and /zoek are for a volunteer with 5,000 entries in a database of
500,000 (100 volunteers), measured server-side: the storage call itself, on the real
schema (storage/migrations.py, FTS5 with the owner inside MATCH).

    .venv/bin/python bench/journal.py              # full size, ~1 minute to build
    .venv/bin/python bench/journal.py --entries 50000 --heavy 2000   # a quick look

Prints the median and p90 of each query in milliseconds against the 20 ms target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import journal  # noqa: E402
from storage.db import open_db  # noqa: E402
from storage.times import iso  # noqa: E402

TARGET_MS = 20.0
HEAVY = 1  # the volunteer with many entries
WORDS = [
    "we",
    "dronken",
    "koffie",
    "en",
    "praatten",
    "over",
    "vroeger",
    "haar",
    "kleinkinderen",
    "kwamen",
    "langs",
    "samen",
    "naar",
    "de",
    "markt",
    "gelopen",
    "hij",
    "vertelde",
    "over",
    "zijn",
    "werk",
    "bij",
    "de",
    "haven",
    "de",
    "tuin",
    "stond",
    "vol",
    "bloemen",
    "ze",
    "was",
    "wat",
    "stil",
    "vandaag",
    "we",
    "keken",
    "oude",
    "foto's",
    "samen",
    "een",
    "kaartje",
    "geschreven",
    "naar",
    "haar",
    "zus",
    "het",
    "regende",
    "dus",
    "bleven",
    "we",
    "binnen",
    "spelletje",
    "gespeeld",
    "ze",
    "lachte",
    "veel",
    "buurvrouw",
    "kwam",
    "even",
    "kijken",
    "over",
    "de",
    "kat",
    "gepraat",
    "soep",
    "gegeten",
    "muziek",
    "van",
    "vroeger",
    "geluisterd",
    "wandeling",
    "in",
    "het",
    "park",
    "boodschappen",
    "gedaan",
    "ze",
    "wilde",
    "graag",
    "naar",
    "de",
    "kerk",
    "de",
    "dokter",
    "was",
    "geweest",
]
RARE = "zeppelin"  # in a handful of the heavy volunteer's entries


def body(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))).capitalize() + "."


def build(path: Path, entries: int, volunteers: int, heavy: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    db = open_db(path)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO users (id, role, display_name, consent_at, created_at) "
            "VALUES (?, 'volunteer', ?, ?, ?)",
            [(v, f"V{v}", iso(start), iso(start)) for v in range(1, volunteers + 1)],
        )
        owners = [HEAVY] * heavy
        others = list(range(2, volunteers + 1))
        owners += [others[i % len(others)] for i in range(entries - heavy)]
        rng.shuffle(owners)
        rows = []
        rare_left = 5
        for i, owner in enumerate(owners):
            text = body(rng)
            if owner == HEAVY and rare_left and rng.random() < 0.01:
                text += f" Een {RARE} boven de wijk."
                rare_left -= 1
            at = start + timedelta(minutes=i)
            rows.append(
                (
                    owner,
                    "reflectie",
                    1,
                    rng.randint(1, 5),
                    iso(at),
                    journal.owner_token(owner),
                    text,
                )
            )
        db.conn.executemany(
            "INSERT INTO journal_entries (user_id, kind, complete, energy, created_at, owner, "
            "body) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.execute("INSERT INTO journal_entries_fts(journal_entries_fts) VALUES ('optimize')")
    db.execute("ANALYZE")
    db.close()


def measure(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm the page cache once
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500_000)
    parser.add_argument("--volunteers", type=int, default=100)
    parser.add_argument("--heavy", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build(path, args.entries, args.volunteers, args.heavy)
        print(
            f"built {args.entries:,} entries, {args.volunteers} volunteers, "
            f"{args.heavy:,} for one, in {time.perf_counter() - t0:.1f} s "
            f"({path.stat().st_size / 1e6:.0f} MB)"
        )
        db = open_db(path)
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM journal_entries WHERE user_id = ? ORDER BY id", [HEAVY]
            )
        ]
        deep = ids[len(ids) // 10]  # 90 % of the way back
        common = len(journal.search(db, HEAVY, "koffie", limit=10))
        rare = len(journal.search(db, HEAVY, RARE, limit=10))
        cases = [
            ("/dagboek first page", lambda: journal.page(db, HEAVY, None, journal.PAGE_SIZE + 1)),
            ("/dagboek deep page", lambda: journal.page(db, HEAVY, deep, journal.PAGE_SIZE + 1)),
            (f"/zoek koffie ({common} shown)", lambda: journal.search(db, HEAVY, "koffie")),
            (f"/zoek {RARE} ({rare} shown)", lambda: journal.search(db, HEAVY, RARE)),
            ("/zoek two words", lambda: journal.search(db, HEAVY, "koffie tuin")),
            # the worst case: part of a common word, so the whole-word pass finds nothing
            ("/zoek kof (prefix only)", lambda: journal.search(db, HEAVY, "kof")),
        ]
        print(f"{'query':32} {'median ms':>10} {'p90 ms':>8}  target {TARGET_MS:.0f} ms")
        worst = 0.0
        for name, fn in cases:
            median, p90 = measure(fn, args.repeat)
            worst = max(worst, median)
            mark = "ok" if median < TARGET_MS else "SLOW"
            print(f"{name:32} {median:10.2f} {p90:8.2f}  {mark}")
        db.close()
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
