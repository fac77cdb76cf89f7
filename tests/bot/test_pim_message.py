"""A contact person answers the volunteer through Omzien ([Stuur Vera een bericht] on a
signal). Only the assigned contact person can; the log holds ids, never the text.

    .venv/bin/python -m pytest tests/bot/test_pim_message.py -q
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from sandbox.script import plain, run_script
from storage import signals

PIM, VERA, WIM = 1002, 1003, 1004
WORDS = "Ik bel haar dochter morgen"
A_WORRY = [
    "vera: /zorg",
    "vera: [Over mevrouw L]",
    "vera: [Geld en post]",
    "vera: [Klaar]",
    "vera: [Nee, niet dringend]",
    "vera: [Weet ik niet]",
    "vera: [Ja, geef door]",
    "vera: Er lag een stapel brieven.",
    "pim? Een zorg van Vera",
]


async def run(sandbox, lines):
    transcript: list[str] = []
    assert await run_script(sandbox, lines, echo=transcript.append) == 0, "\n".join(
        transcript[-15:]
    )


async def newest_signal(sandbox):
    def find(db):
        return signals.get(db, db.execute("SELECT max(id) FROM signals").fetchone()[0])

    return await sandbox.rt.store.run(find)


async def test_pims_message_reaches_vera_and_the_log_has_only_ids(sandbox, caplog):
    await run(sandbox, A_WORRY)
    with caplog.at_level(logging.INFO):
        await run(
            sandbox,
            ["pim: [Stuur Vera een bericht]", f"pim: {WORDS}", "pim? Verstuurd", f"vera? {WORDS}"],
        )
    sig = await newest_signal(sandbox)
    assert sig.status == "open"  # a message does not close the worry
    events = [e[0] for e in await sandbox.rt.store.run(signals.events, sig.id)]
    assert events[-1] == "message"
    assert WORDS not in caplog.text and "dochter" not in caplog.text
    assert f"signal message sent signal={sig.id}" in caplog.text


async def test_nobody_else_can_send_vera_a_message_about_her_signal(sandbox):
    await run(sandbox, A_WORRY)
    sig = await newest_signal(sandbox)
    data = f"s.{sig.id}.br"
    message = await sandbox.rt.bot.send_message(
        WIM,
        "x",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]]),
    )
    sandbox.emulator.press(WIM, message.message_id, data=data)
    sandbox.injected += 1
    await sandbox.wait_idle()
    assert not any("Wat wil je" in plain(m.raw_text or "") for m in sandbox.messages("wim"))
    assert not any("Een bericht van" in plain(m.raw_text or "") for m in sandbox.messages("vera"))
