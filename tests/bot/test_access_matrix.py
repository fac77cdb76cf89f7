"""The access matrix, as a person meets it: every command and every button kind, sent by
every role through the real bot, against the table below (written by hand, apart from
bot/routing/access.py, so a change there that nobody meant fails here). For allowed ones, the
reply (files included) holds no other person's data: not vera's or wim's journal words,
not vera's resident, not a worry note vera kept to herself.

Roles: vera (volunteer, linked to pim), ulla (volunteer, not linked), pim (professional,
linked to vera and wim), piet (professional, nobody linked), cora (coordinator), and a
stranger who never joined.

    .venv/bin/python -m pytest tests/bot/test_access_matrix.py -q
"""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.routing import access
from sandbox.demo import PERSONAS
from storage import journal, links, residents, signals, steps, users

ROLES = ("vera", "ulla", "pim", "piet", "cora", "stranger")
ULLA, PIET, STRANGER = 2001, 2002, 2003
VERA, WIM, PIM = PERSONAS["vera"][0], PERSONAS["wim"][0], PERSONAS["pim"][0]

# y = allowed, - = refused.      vera ulla pim piet cora stranger
COMMAND_MATRIX = """
/start                           y    y    y    y    y    y
/help                            y    y    y    y    y    -
/privacy                         y    y    y    y    y    -
/stop                            y    y    y    y    y    -
/taal                            y    y    y    y    y    -
/export                          y    y    y    y    y    -
/vergeet                         y    y    y    y    y    -
/bezoek                          y    y    -    -    -    -
/dagboek                         y    y    -    -    -    -
/zoek                            y    y    -    -    -    -
/stap                            y    y    -    -    -    -
/zorg                            y    y    -    -    -    -
/bewoners                        y    y    -    -    -    -
/ritme                           y    y    -    -    -    -
/pauze                           y    y    -    -    -    -
/verder                          y    y    -    -    -    -
/overzicht                       y    y    -    -    -    -
/signalen                        -    -    y    y    -    -
/vrijwilligers                   -    -    y    y    -    -
/uitnodigen                      -    -    -    -    y    -
/koppel                          -    -    -    -    y    -
/waardering                      -    -    -    -    y    -
/team                            -    -    -    -    y    -
"""
# A button kind, pressed with data that points at someone else's things where it can.
BUTTON_MATRIX = """
f   f.x.1.ja                     y    y    y    y    y    -
c   c.no                         -    -    -    -    -    y
t   t.nl                         y    y    y    y    y    -
i   i.volunteer                  -    -    -    -    y    -
j   j.e.{vera_entry}             y    y    -    -    -    -
p   p.{vera_step}.gelukt         y    y    -    -    -    -
v   v.0                          y    y    y    y    y    -
pv  pv.energie                   y    y    -    -    -    -
b   b.l                          y    y    -    -    -    -
ko  ko.l.{vera}                  -    -    -    -    y    -
wa  wa.x                         -    -    -    -    y    -
ri  ri.ok                        y    y    -    -    -    -
s   s.{signal}.op                -    -    y    y    y    -
z   z.n                          y    y    -    -    -    -
k   k.0.j                        y    y    -    -    -    -
h   h.j                          y    y    -    -    -    -
d   d.0                          -    -    y    y    -    -
"""


def parse(table: str, columns: int) -> list[tuple[list[str], dict[str, bool]]]:
    rows = []
    for line in table.strip().splitlines():
        cells = line.split()
        keys, marks = cells[: -len(ROLES)], cells[-len(ROLES) :]
        assert len(keys) == columns and all(m in "y-" for m in marks), line
        rows.append((keys, {role: mark == "y" for role, mark in zip(ROLES, marks, strict=False)}))
    return rows


COMMANDS = parse(COMMAND_MATRIX, 1)
BUTTONS = parse(BUTTON_MATRIX, 2)
SECRETS = {
    "vera": ["kolibriewaaier", "mevrouw Zonnebloemx", "zeppelinnotitie"],
    "wim": ["walrusfluit", "meneer Kwikstaartx"],
}
# A worry passed on names its resident, by alias, to the contact person it went to.
MAY_SEE = {"pim": {"mevrouw Zonnebloemx"}}
BOGUS_CODE = "AbCdEfGhJkMnPqRsTuVwXy"  # /start with an invite code nobody made


def test_the_tables_cover_every_command_and_button_kind():
    assert sorted(k[0] for k, _ in COMMANDS) == sorted(access.COMMANDS)
    assert sorted(k[0] for k, _ in BUTTONS) == sorted(access.BUTTONS)


def seed_others(db, now) -> dict:
    users.create(db, ULLA, "volunteer", "Ulla", "nl", now)
    users.create(db, PIET, "professional", "Piet", "nl", now)
    assert links.professional_of(db, VERA) == PIM == links.professional_of(db, WIM)
    assert links.professional_of(db, ULLA) is None and links.volunteers_of(db, PIET) == []
    resident_id = residents.add(db, VERA, "mevrouw Zonnebloemx", now).id
    entry = journal.add(
        db,
        VERA,
        "reflectie",
        now,
        resident_id=resident_id,
        complete=True,
        energy=4,
        answers={"antwoord_1": "kolibriewaaier"},
        texts=["kolibriewaaier"],
    )
    wim_resident = residents.add(db, WIM, "meneer Kwikstaartx", now).id
    journal.add(
        db,
        WIM,
        "reflectie",
        now,
        resident_id=wim_resident,
        complete=True,
        energy=3,
        answers={"antwoord_1": "walrusfluit"},
        texts=["walrusfluit"],
    )
    step = steps.add(db, VERA, resident_id, "kolibriewaaier maken", now)
    signal = signals.create(
        db,
        VERA,
        now,
        level=2,
        categories=["gezondheid"],
        resident_id=resident_id,
        note="zeppelinnotitie",
        share_note=False,
        consent=True,
        resident_knows="nee",
        status="open",
        professional_id=PIM,
    )
    return {"vera_entry": entry, "vera_step": step, "signal": signal, "vera": VERA}


IDS = {
    "vera": VERA,
    "ulla": ULLA,
    "pim": PIM,
    "piet": PIET,
    "cora": PERSONAS["cora"][0],
    "stranger": STRANGER,
}


@pytest.fixture
async def world(sandbox):
    made = await sandbox.rt.store.run(seed_others, sandbox.clock.now())
    for user_id, name in ((ULLA, "Ulla"), (PIET, "Piet"), (STRANGER, "Sam")):
        sandbox.emulator.add_user(user_id, name, language_code="nl", started=True)
        sandbox.known.add(user_id)
    return sandbox, made


def replies_since(sandbox, user_id: int, before: int) -> str:
    """Every text, and every file's content, the bot sent this person since `before`."""
    parts = []
    for message in sandbox.emulator.messages(user_id)[before:]:
        parts.append(message.raw_text or message.caption or "[media]")
        if message.document:
            parts.append(sandbox.emulator._files[message.document["file_id"]].data.decode())
    return "\n".join(parts)


def refused(sandbox, text: str, registered: bool) -> bool:
    """The refusal dispatch gives (bot/routing/dispatch.py): a stranger hears what Omzien is."""
    refusal = "algemeen.niet_voor_jou" if registered else "onboarding.onbekend"
    return sandbox.rt.content.render(refusal, "nl") in text


def foreign_secrets(role: str) -> list[str]:
    return [
        s
        for owner, words in SECRETS.items()
        if owner != role
        for s in words
        if s not in MAY_SEE.get(role, ())
    ]


async def reset(sandbox, user_id: int) -> None:
    """Each row starts clean: no conversation left open by the row before."""

    def clear(db):
        db.execute("DELETE FROM dialogue_state WHERE user_id = ?", [user_id])

    await sandbox.rt.store.run(clear)


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_for_this_role_is_allowed_or_refused_as_the_table_says(world, role):
    sandbox, _ = world
    user_id = IDS[role]
    wrong = []
    for (command,), expected in COMMANDS:
        await reset(sandbox, user_id)
        before = len(sandbox.emulator.messages(user_id))
        sandbox.emulator.send_text(
            user_id, f"/start {BOGUS_CODE}" if command == "/start" else command
        )
        sandbox.injected += 1
        await sandbox.wait_idle()
        reply = replies_since(sandbox, user_id, before)
        assert reply, f"{role} {command}: no answer at all"
        allowed = not refused(sandbox, reply, role != "stranger")
        if allowed != expected[role]:
            wrong.append(f"{command}: {'allowed' if allowed else 'refused'}")
        leaked = [s for s in foreign_secrets(role) if s in reply]
        if allowed and leaked:
            wrong.append(f"{command}: shows {leaked}")
    assert wrong == [], f"{role}: {wrong}"


async def press_forged(sandbox, user_id: int, data: str) -> str | None:
    """Put a button with `data` in the chat and press it; the bot's answer to the press."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]])
    message = await sandbox.rt.bot.send_message(user_id, "x", reply_markup=keyboard)
    pressed = sandbox.emulator.press(user_id, message.message_id, data=data)
    sandbox.injected += 1
    await sandbox.wait_idle()
    answers = [
        c.params.get("text")
        for c in sandbox.emulator.calls
        if c.method == "answerCallbackQuery"
        and c.params.get("callback_query_id") == pressed.callback_query_id
    ]
    return answers[0] if answers else None


@pytest.mark.parametrize("role", ROLES)
async def test_every_button_kind_for_this_role_is_allowed_or_refused_as_the_table_says(world, role):
    sandbox, made = world
    user_id = IDS[role]
    not_yours = sandbox.rt.content.render("algemeen.knop_niet_voor_jou", "nl")
    wrong = []
    for (kind, data), expected in BUTTONS:
        await reset(sandbox, user_id)
        before = len(sandbox.emulator.messages(user_id))
        answer = await press_forged(sandbox, user_id, data.format(**made))
        allowed = answer != not_yours
        if allowed != expected[role]:
            wrong.append(f"{kind}: {'allowed' if allowed else 'refused'}")
        reply = replies_since(sandbox, user_id, before) + (answer or "")
        leaked = [s for s in foreign_secrets(role) if s in reply]
        if leaked:
            wrong.append(f"{kind}: shows {leaked}")
    assert wrong == [], f"{role}: {wrong}"
