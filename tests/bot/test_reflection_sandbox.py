"""The reflection as a volunteer gets it, counted in the emulator: an ordinary good visit
takes at most seven bot messages (edits of an answered question are not new messages),
whichever extra question rotates in.

    .venv/bin/python -m pytest tests/bot/test_reflection_sandbox.py -q
"""

from __future__ import annotations

import pytest

from sandbox.script import run_script

START = ["vera: /bezoek", "vera: [Ja]", "vera: [😄]", "vera: [#1]"]
END = ["vera? Alles staat in je dagboek"]
VISITS = [
    ("the first", ["vera: [Sla over]", "vera: [Nee]"]),
    (
        "with who-decided",
        ["vera? Wie bepaalde", "vera: [Samen]", "vera: [Sla over]", "vera: [Nee]"],
    ),
    (
        "with the agreement question",
        [
            "vera: [#1]",
            "vera: [Nee]",
            "vera? afspraken over je vrijwilligerswerk|niet bij je vrijwilligerswerk",
            "vera: [Nee]",
        ],
    ),
    (
        "with last time's step",
        ["vera? Vorige keer", "vera: [Gelukt]", "vera: [Sla over]", "vera: [Nee]"],
    ),
]


def bot_messages(sandbox) -> int:
    return len([m for m in sandbox.messages("vera") if m.from_bot])


@pytest.mark.parametrize("upto", range(len(VISITS)), ids=[v[0] for v in VISITS])
async def test_an_ordinary_good_visit_takes_at_most_seven_messages(sandbox, upto):
    for name, middle in VISITS[: upto + 1]:
        before = bot_messages(sandbox)
        out: list[str] = []
        assert await run_script(sandbox, START + middle + END, echo=out.append) == 0, (
            name + "\n" + "\n".join(out[-12:])
        )
    sent = bot_messages(sandbox) - before
    assert sent <= 7, f"{name}: {sent} messages"
