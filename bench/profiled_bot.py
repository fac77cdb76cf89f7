"""`omzien run` under cProfile, for bench/run.py's profile by library.

    profiled_bot.py OUT.prof     SIGUSR2: start a fresh profile; SIGUSR1: stop, write OUT.prof

The bench starts measuring after its warm-up turns and stops before it kills the process,
so imports and start-up are not in the profile. cProfile sees the main thread only: the
SQLite writer thread's CPU is in the process's total, not in the profile.
"""

from __future__ import annotations

import cProfile
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli import main  # noqa: E402

OUT = sys.argv[1]
profile = cProfile.Profile()


def _start(*_) -> None:
    global profile
    profile = cProfile.Profile()
    profile.enable()


def _write(*_) -> None:
    profile.disable()
    profile.dump_stats(OUT)


signal.signal(signal.SIGUSR2, _start)
signal.signal(signal.SIGUSR1, _write)
sys.exit(main(["run"]))
