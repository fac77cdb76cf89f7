"""Signals end to end on the in-process sandbox: what pim may and may not see, who may
press a signal's buttons, and that a committed signal is delivered after a crash.

    .venv/bin/python -m pytest tests/bot/test_signals.py -q
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import bot.features  # noqa: F401  (registers the effects and handlers)
from bot.config import Settings
from bot.flows import effects
from dialogues.model import Effect
from sandbox import demo
from sandbox.emulator.flood import FloodPolicy
from sandbox.script import plain, run_script
from sandbox.session import Sandbox
from storage import outbox, residents, signals, users
from storage.db import open_db

CORA, PIM, VERA, WIM = 1001, 1002, 1003, 1004
OTHER_PRO = 1005
SECRET = "De huur is al drie maanden niet betaald"
# A note that makes a level-2 worry urgent after vera said "not yet": it goes out, the note not.
CRISIS_NOTE = f"Haar zoon slaat haar. {SECRET}"
REFUSAL = "Dit kan ik niet voor je openen."

LEVEL_3_PRIVATE_NOTE = [
    "vera: /zorg",
    "vera: [Over mevrouw L]",
    "vera: [Geld en post]",
    "vera: [Klaar]",
    "vera: [Nee, niet dringend]",
    "vera: [Weet ik niet]",
    "vera: [Nee, nog niet]",
    f"vera: {CRISIS_NOTE}",
    "pim? Dringende zorg van Vera",
]


async def run(sandbox: Sandbox, lines: list[str]) -> None:
    transcript: list[str] = []
    status = await run_script(sandbox, lines, echo=transcript.append)
    assert status == 0, "\n".join(transcript[-15:])


def texts(sandbox: Sandbox, name: str) -> list[str]:
    return [plain(m.raw_text or "") for m in sandbox.messages(name)]


async def newest_signal(sandbox: Sandbox):
    def find(db):
        row = db.execute("SELECT max(id) FROM signals").fetchone()
        return signals.get(db, row[0]) if row and row[0] else None

    return await sandbox.rt.store.run(find)


async def forged_press(sandbox: Sandbox, user_id: int, data: str) -> dict:
    """The user presses a button with `data` that the bot never gave them: a message with
    that button is put in their chat first, so the emulator lets them press it."""
    message = await sandbox.rt.bot.send_message(
        user_id,
        "x",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]]),
    )
    pressed = sandbox.emulator.press(user_id, message.message_id, data=data)
    sandbox.injected += 1
    await sandbox.wait_idle()
    return next(
        a
        for a in sandbox.emulator.callback_answers
        if a["callback_query_id"] == pressed.callback_query_id
    )


async def test_pim_never_receives_a_note_vera_kept_to_herself(sandbox):
    await run(sandbox, LEVEL_3_PRIVATE_NOTE)
    sig = await newest_signal(sandbox)
    assert sig.level == 3 and sig.note == CRISIS_NOTE and sig.share_note is False
    await run(sandbox, ["pim: /signalen", "pim? Open", "clock +2h", "pim? Herinnering"])
    everything_pim_saw = "\n".join(texts(sandbox, "pim"))
    assert "Dringende zorg van Vera" in everything_pim_saw
    assert "huur" not in everything_pim_saw
    assert all("huur" not in "\n".join(texts(sandbox, who)) for who in ("cora", "wim"))


async def test_a_shared_note_does_reach_pim(sandbox):
    lines = [line.replace("[Nee, nog niet]", "[Ja, geef door]") for line in LEVEL_3_PRIVATE_NOTE]
    await run(sandbox, lines)
    assert any(SECRET in t for t in texts(sandbox, "pim"))


async def test_wims_press_on_veras_signal_is_refused(sandbox):
    await run(sandbox, LEVEL_3_PRIVATE_NOTE)
    sig = await newest_signal(sandbox)
    answer = await forged_press(sandbox, WIM, f"s.{sig.id}.op")
    on_nothing = await forged_press(sandbox, WIM, f"s.{sig.id + 999}.op")
    assert answer["text"] == on_nothing["text"]  # reveals nothing about the signal
    assert answer["text"] in ("Deze knop is niet voor jou.", REFUSAL)
    assert (await newest_signal(sandbox)).status == "open"
    assert not any("pakt je zorg" in t for t in texts(sandbox, "vera"))


async def test_another_professional_gets_the_same_refusal_as_for_a_signal_that_does_not_exist(
    sandbox,
):
    await sandbox.rt.store.run(
        users.create, OTHER_PRO, "professional", "Olga", "nl", sandbox.clock.now()
    )
    sandbox.emulator.add_user(OTHER_PRO, "Olga", language_code="nl", started=True)
    sandbox.known.add(OTHER_PRO)
    await run(sandbox, LEVEL_3_PRIVATE_NOTE)
    sig = await newest_signal(sandbox)
    on_veras = await forged_press(sandbox, OTHER_PRO, f"s.{sig.id}.op")
    on_nothing = await forged_press(sandbox, OTHER_PRO, f"s.{sig.id + 999}.op")
    closing = await forged_press(sandbox, OTHER_PRO, f"s.{sig.id}.af")
    assert on_veras["text"] == on_nothing["text"] == closing["text"] == REFUSAL
    assert (await newest_signal(sandbox)).status == "open"


async def test_a_forged_callback_for_another_signal_id_is_refused(sandbox):
    await run(sandbox, LEVEL_3_PRIVATE_NOTE)
    sig = await newest_signal(sandbox)
    for data in (
        f"s.{sig.id + 1}.op",
        f"s.{sig.id + 1}.af",
        f"s.{sig.id}.cr",
        f"s.{sig.id}.xx",
        "s.abc.op",
        "s",
    ):
        answer = await forged_press(sandbox, PIM, data)
        assert answer["text"] == REFUSAL, data
    # a coordinator's own button only works once the signal went to the coordinators
    answer = await forged_press(sandbox, CORA, f"s.{sig.id}.cr")
    assert answer["text"] == REFUSAL
    assert (await newest_signal(sandbox)).status == "open"
    # and pim's real button still works
    await run(
        sandbox,
        ["pim: /signalen", "pim: [Ik pak dit op]", "vera? Pim pakt je zorg over mevrouw L op"],
    )


async def test_every_change_is_an_event_with_a_timestamp(sandbox):
    await run(
        sandbox,
        LEVEL_3_PRIVATE_NOTE
        + [
            "pim: [Ik pak dit op]",
            "pim: [Afgerond]",
            "pim: Ik ben langs geweest.",
            "vera? afgerond.*Ik ben langs geweest",
        ],
    )
    sig = await newest_signal(sandbox)
    found = await sandbox.rt.store.run(signals.events, sig.id)
    assert [e[0] for e in found] == ["created", "delivered", "picked_up", "closed"]
    assert [e[1] for e in found] == [VERA, None, PIM, PIM]
    assert all(datetime.fromisoformat(e[2]).tzinfo for e in found)
    assert sig.status == "closed" and sig.word_back == "Ik ben langs geweest."


@pytest.mark.parametrize(
    "phrase",
    [
        "ze zei dat ze niet meer wil leven",
        "ik ben bang dat hij zichzelf iets aandoet",
        "Hij slaat haar, ik zag blauwe plekken",
        "she said she wants to kill herself",
    ],
)
async def test_crisis_phrasings_bring_the_safety_message(sandbox, phrase):
    # Crisis words now bring one question with the help lines (issue 9 item 3), not the
    # signal flow at once.
    await run(
        sandbox,
        [
            f"vera: {phrase}",
            r"vera? 112.*113.*0800-0113.*0800-2000.*huisarts.*(doorgeven|pass this on)",
        ],
    )
    await run(sandbox, ["vera: [#1]", "pim? Dringende zorg van Vera|Urgent worry from Vera"])


async def test_a_committed_signal_is_delivered_after_a_restart(tmp_path):
    """The signal, its event and the outbox row were committed, and then the bot died
    before its worker sent anything: the next start delivers it."""
    path = tmp_path / "crash.db"
    now = datetime.now(UTC)
    db = open_db(path)
    demo.seed(db, now)
    resident = residents.active(db, VERA)[0].id
    params = {
        "flow": "zorg",
        "answers": {
            "zorgen": ["geld_post"],
            "dringend": "nee",
            "toestemming": "nee",
            "bewoner_weet": "ja",
            "notitie": CRISIS_NOTE,
        },
        "data": {"resident": resident},
    }
    with db.atomic():
        effects.apply(db, VERA, Effect("signal", params), now, "Europe/Amsterdam")
    assert outbox.pending_count(db) == 1
    db.close()

    sandbox = Sandbox(Settings(), path, flood=FloodPolicy(enabled=False))
    await sandbox.start()
    try:
        await sandbox.wait_idle()
        pim_saw = texts(sandbox, "pim")
        assert any("Dringende zorg van Vera over mevrouw L" in t for t in pim_saw)
        assert not any("huur" in t for t in pim_saw)
        assert any("aangekomen bij Pim" in t for t in texts(sandbox, "vera"))
    finally:
        await sandbox.stop()


async def test_the_worry_watch_logs_the_level_never_the_text(sandbox, caplog):
    caplog.set_level(logging.INFO)
    await run(
        sandbox,
        [
            "vera: ze zei dat ze niet meer wil leven",
            "vera? 113",
            "vera: [Ja]",
            "vera: [Weet ik niet]",
            "vera: Het gaat echt niet goed met haar, ze wil dood",
        ],
    )
    assert "detector user=1003 level=crisis" in caplog.text
    assert "wil leven" not in caplog.text and "wil dood" not in caplog.text
