"""What a turn costs in Bot API calls (issue 14 item 2): every call the person needs, and
no other. A tap: the spinner's answer, the trail under the question ("» Ja 🙂"), the next
question. A typed answer that does not fit: one message with why and the question again.
A typed label ("ja") is understood as its button.

The real bot and the emulator in one process (tests/conftest.py `sandbox`).
"""

from __future__ import annotations

import asyncio

POLL = "getUpdates"


def calls_since(emu, start: int) -> list[str]:
    return [c.method for c in emu.calls[start:] if c.method != POLL]


async def test_a_tap_in_the_reflection_makes_exactly_the_three_calls_it_needs(sandbox):
    emu = sandbox.emulator
    await sandbox.say("vera", "/bezoek")
    for _ in range(3):
        start = len(emu.calls)
        await sandbox.press("vera", "#1")
        assert sorted(calls_since(emu, start)) == [
            "answerCallbackQuery",
            "editMessageText",
            "sendMessage",
        ]


async def test_a_typed_answer_that_does_not_fit_is_one_message(sandbox):
    emu = sandbox.emulator
    await sandbox.say("vera", "/bezoek")
    start = len(emu.calls)
    await sandbox.say("vera", "misschien wel een beetje")
    assert calls_since(emu, start) == ["sendMessage"]
    again = sandbox.messages("vera")[-1]
    assert "knoppen" in again.text and again.reply_markup  # why, and the buttons again


async def test_typing_the_label_of_a_button_answers_it(sandbox):
    await sandbox.say("vera", "/bezoek")
    first_question = sandbox.messages("vera")[-1].text
    await sandbox.say("vera", "Ja")
    newest = sandbox.messages("vera")[-1]
    assert newest.text != first_question
    assert "knoppen" not in newest.text


async def test_a_slow_spinner_answer_does_not_hold_up_the_next_question(sandbox):
    emu = sandbox.emulator
    await sandbox.say("vera", "/bezoek")
    sent_before = sum(c.method == "sendMessage" for c in emu.calls)
    emu.faults.hold(seconds=2.0, methods=["answerCallbackQuery"])
    pressing = asyncio.create_task(sandbox.press("vera", "#1"))
    # Sequential, the next question would wait the full 2 s for the held answer.
    await emu.wait_for(
        lambda: sum(c.method == "sendMessage" for c in emu.calls) > sent_before, timeout=1.0
    )
    await pressing


async def test_every_text_goes_out_as_html_from_the_one_default(sandbox):
    """parse_mode is set once, in the Application's Defaults (bot/app.py), not per call:
    every text the bot sends or edits still reaches Telegram as HTML."""
    emu = sandbox.emulator
    await sandbox.say("vera", "/bezoek")
    await sandbox.press("vera", "#1")
    await sandbox.say("vera", "/help")
    texts = [c for c in emu.calls if c.method in ("sendMessage", "editMessageText")]
    assert len(texts) >= 3
    assert {str(c.params.get("parse_mode")) for c in texts} == {"HTML"}
