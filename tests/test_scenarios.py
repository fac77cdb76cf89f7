"""Every sandbox script in tests/scenarios/ replays green on a fresh in-process Sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.script import read_script, run_script

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.txt"))


def test_there_are_scenarios():
    assert SCENARIOS, "tests/scenarios/*.txt: no scripts found"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
async def test_scenario(sandbox, path):
    transcript: list[str] = []
    status = await run_script(sandbox, read_script(path), echo=transcript.append)
    if status != 0:
        print("\n".join(transcript))
    assert status == 0, f"{path.name} failed:\n" + "\n".join(transcript[-25:])
