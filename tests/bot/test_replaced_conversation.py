"""Starting a conversation from a button while another is open never overwrites it: the
open one is left properly, and what was answered is kept as an unfinished entry."""

from storage import journal

VERA = 1003


async def test_a_worry_button_in_the_middle_of_a_reflection_keeps_the_answers(sandbox):
    await sandbox.say("vera", "/bezoek")
    await sandbox.press("vera", "Ja")
    await sandbox.press("vera", "😕")
    await sandbox.say("vera", "de post stapelt zich op en er ligt een aanmaning")
    await sandbox.press("vera", "Zorg doorgeven")
    entries = await sandbox.rt.store.run(journal.page, VERA)
    assert len(entries) == 1
    assert entries[0].kind == "reflectie" and entries[0].complete is False
    answers = await sandbox.rt.store.run(journal.answers, entries[0].id)
    assert answers["energie"] == 2 and answers["bezoek"] == "ja"


async def test_an_old_residents_button_asks_to_finish_the_conversation_first(sandbox):
    await sandbox.say("vera", "/bewoners")
    older = sandbox.newest_with_buttons(VERA)
    await sandbox.say("vera", "/bezoek")
    await sandbox.press("vera", "Ja")
    await press_on(sandbox, older.message_id, "mevrouw L")
    options = next(
        m
        for m in reversed(sandbox.messages("vera"))
        if any("Contact afronden" in b["text"] for b in m.buttons())
    )
    await press_on(sandbox, options.message_id, "Contact afronden")
    assert sandbox.messages("vera")[-1].raw_text == sandbox.rt.content.render(
        "bewoners.eerst_gesprek", "nl"
    )
    await sandbox.press("vera", "🙂")  # the reflection simply goes on
    assert await sandbox.rt.store.run(journal.page, VERA) == []


async def press_on(sandbox, message_id: int, label: str) -> None:
    """Press a button on a particular (older) message, as a person scrolling up would."""
    message = next(m for m in sandbox.messages("vera") if m.message_id == message_id)
    button = next(b for b in message.buttons() if label in b["text"])
    sandbox.emulator.press(VERA, message_id, data=button["callback_data"])
    sandbox.injected += 1
    await sandbox.wait_idle()
