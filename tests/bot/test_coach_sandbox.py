"""The volunteer's coach through the sandbox (real bot, emulator): /zoek stays inside one's
own journal, /overzicht sends a picture, and the end of a contact writes the rows it should.

    .venv/bin/python -m pytest tests/bot/test_coach_sandbox.py -q
"""

from __future__ import annotations

import json
from datetime import timedelta

from sandbox.demo import PERSONAS
from storage import journal

VERA, WIM, PIM = PERSONAS["vera"][0], PERSONAS["wim"][0], PERSONAS["pim"][0]


async def reflect_with_text(sandbox, who: str, text: str, alias: str | None = None) -> None:
    """A reflection up to the first appreciative question, answered in the persona's words."""
    await sandbox.say(who, "/bezoek")
    if alias:  # wim visits nobody yet: he names someone first
        await sandbox.say(who, alias)
    await sandbox.press(who, "#1")  # we met
    await sandbox.press(who, "🙂")
    await sandbox.say(who, text)
    await sandbox.say(who, "/stop")  # what was said is kept


async def test_search_never_shows_another_volunteers_words(sandbox):
    await reflect_with_text(sandbox, "vera", "Koffie met appeltaart bij het raam")
    await reflect_with_text(sandbox, "wim", "Koffie in de tuin gedronken", alias="meneer T")
    await sandbox.say("wim", "/zoek koffie")
    found = sandbox.messages("wim")[-1]
    assert "1 keer" in found.raw_text
    assert len(found.buttons()) == 1
    await sandbox.press("wim", "#1")
    texts = [m.raw_text or "" for m in sandbox.messages("wim")]
    assert "Koffie in de tuin gedronken" in texts[-1]
    assert not any("appeltaart" in t for t in texts)
    # and the other way round
    await sandbox.say("vera", "/zoek tuin")
    assert "niets" in sandbox.messages("vera")[-1].raw_text


def add_visits(db, user_id: int, now, energies: list[int]) -> None:
    for days_ago, energy in zip(range(7 * len(energies), 0, -7), energies, strict=False):
        journal.add(
            db,
            user_id,
            "reflectie",
            now - timedelta(days=days_ago),
            resident_id=None,
            complete=True,
            energy=energy,
            answers={"energie": energy},
            texts=[],
        )


async def test_overview_sends_a_picture_with_a_caption(sandbox):
    now = sandbox.clock.now()
    await sandbox.rt.store.run(add_visits, VERA, now, [4, 4, 5, 4, 2, 1, 2])
    await sandbox.say("vera", "/overzicht")
    photo = sandbox.messages("vera")[-1]
    assert photo.has_photo
    assert photo.raw_caption.startswith("Je bezoeken van de laatste maanden.")
    assert "kostte het je wat meer" in photo.raw_caption  # the last three were lower
    data = sandbox.emulator._files[photo.photo[-1]["file_id"]].data
    assert data.startswith(b"\x89PNG")
    assert photo.photo[-1]["width"] > 300


async def test_overview_without_visits_is_a_friendly_text(sandbox):
    await sandbox.say("wim", "/overzicht")
    message = sandbox.messages("wim")[-1]
    assert not message.has_photo
    assert "nog niets om te laten zien" in message.raw_text


async def test_ending_a_contact_tells_the_professional_through_an_open_signal(sandbox):
    await sandbox.say("vera", "/bewoners")
    await sandbox.press("vera", "mevrouw L")
    await sandbox.press("vera", "afronden")
    await sandbox.press("vera", "Ja")
    for _ in range(3):
        await sandbox.press("vera", "Sla over")
    await sandbox.press("vera", "Weet ik niet")
    await sandbox.press("vera", "Ja")
    assert "afgerond" in sandbox.messages("vera")[-1].raw_text

    def rows(db):
        signal = db.execute("SELECT * FROM signals WHERE volunteer_id = ?", [VERA]).fetchall()
        cols = [d[0] for d in db.execute("SELECT * FROM signals LIMIT 0").description]
        events = db.execute("SELECT type, actor_id FROM signal_events").fetchall()
        resident = db.execute(
            "SELECT ended_at FROM residents WHERE volunteer_id = ?", [VERA]
        ).fetchone()
        kinds = [
            r[0] for r in db.execute("SELECT kind FROM journal_entries WHERE user_id = ?", [VERA])
        ]
        return [dict(zip(cols, s, strict=False)) for s in signal], events, resident, kinds

    signals, events, resident, kinds = await sandbox.rt.store.run(rows)
    assert len(signals) == 1
    signal = signals[0]
    assert (
        signal["kind"],
        signal["level"],
        json.loads(signal["categories"]),
        signal["status"],
        signal["professional_id"],
        signal["consent"],
    ) == ("signal", 2, ["hulpvraag_buiten_rol"], "open", PIM, 1)
    assert signal["resident_id"] is not None
    assert events == [("created", VERA)]
    assert resident[0] is not None  # the contact has ended
    assert kinds == ["afscheid"]


async def test_ending_a_contact_can_be_called_off(sandbox):
    await sandbox.say("vera", "/bewoners")
    await sandbox.press("vera", "mevrouw L")
    await sandbox.press("vera", "afronden")
    await sandbox.press("vera", "Nee")
    assert "Er verandert niets" in sandbox.messages("vera")[-1].raw_text

    def state(db):
        return (
            db.execute("SELECT ended_at FROM residents WHERE volunteer_id = ?", [VERA]).fetchone(),
            db.execute("SELECT count(*) FROM signals").fetchone()[0],
            db.execute("SELECT count(*) FROM journal_entries").fetchone()[0],
        )

    assert await sandbox.rt.store.run(state) == ((None,), 0, 0)


async def test_a_forged_resident_button_changes_nothing(sandbox):
    def wims_resident(db):
        from storage import residents

        return residents.add(db, WIM, "meneer T", sandbox.clock.now()).id

    theirs = await sandbox.rt.store.run(wims_resident)
    await sandbox.say("vera", "/bewoners")
    listing = sandbox.messages("vera")[-1]
    # A forged client: the button points at wim's resident (the emulator only presses
    # buttons a message has, so the message is given one).
    listing.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": f"b.e.{theirs}"}]]}
    await sandbox.press("vera", "x")
    assert "staat niet (meer) in je lijst" in sandbox.messages("vera")[-1].raw_text

    def ended(db):
        return db.execute("SELECT ended_at FROM residents WHERE id = ?", [theirs]).fetchone()[0]

    assert await sandbox.rt.store.run(ended) is None
