"""`omzien sandbox --script F --transcript`: after each line, every message the bot sent or
edited, as `Omzien → <persona>` (or `(edited)`) with its text and buttons."""

from __future__ import annotations

from sandbox.script import run_script


async def test_transcript_shows_sent_and_edited_messages_with_buttons(sandbox):
    lines = ["vera: /bezoek", "vera: [Ja]"]
    out: list[str] = []
    assert await run_script(sandbox, lines, echo=out.append, transcript=True) == 0
    text = "\n".join(out)
    first, pressed = text.split("   2  vera: [Ja]")
    assert "Omzien → vera\n" in first and "Zagen jij en mevrouw L elkaar?" in first
    assert "[Ja 🙂]" in first and "(edited)" not in first
    assert "Omzien → vera (edited)" in pressed and "» Ja" in pressed
    assert pressed.count("Omzien → vera") == 2  # the edit and the next question


async def test_without_transcript_only_the_lines_are_echoed(sandbox):
    out: list[str] = []
    assert await run_script(sandbox, ["vera: /bezoek"], echo=out.append) == 0
    assert not any("Omzien →" in line for line in out)


async def test_messages_to_others_are_printed_under_their_name(sandbox):
    out: list[str] = []
    lines = ["cora: /team"]
    assert await run_script(sandbox, lines, echo=out.append, transcript=True) == 0
    assert any(line.startswith("Omzien → cora") for line in out)
