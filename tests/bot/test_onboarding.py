"""Joining by invite, through the real bot and the emulator in one process (the Sandbox)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sandbox import demo
from storage import invites, users

INVITE_LINK = re.compile(r"https://t\.me/omzien_bot\?start=([A-Za-z0-9_-]+)")


async def make_invite(sandbox, role_label: str = "Vrijwilliger") -> str:
    """cora asks for an invite link; returns its code."""
    await sandbox.say("cora", "/uitnodigen")
    await sandbox.press("cora", role_label)
    codes = [c for m in sandbox.messages("cora") for c in INVITE_LINK.findall(m.raw_text or "")]
    assert codes, [m.text for m in sandbox.messages("cora")]
    return codes[-1]


def texts(sandbox, persona: str) -> list[str]:
    return [m.text or "" for m in sandbox.messages(persona)]


def invite_row(sandbox, code: str):
    return sandbox.rt.store.db.execute(
        "SELECT role, used_by, used_at FROM invites WHERE code_hash = ?", [invites.hash_code(code)]
    ).fetchone()


async def test_accepting_an_invite_registers_the_volunteer_with_their_menu(sandbox):
    code = await make_invite(sandbox)
    await sandbox.say("anna", f"/start {code}")
    assert any("Is dit goed voor je" in t for t in texts(sandbox, "anna"))
    await sandbox.press("anna", "Akkoord")

    anna_id = demo.persona_id("anna")
    user = users.get(sandbox.rt.store.db, anna_id)
    assert user is not None
    assert (user.role, user.display_name) == ("volunteer", "Anna")
    assert user.consent_at
    assert invite_row(sandbox, code)[1] == anna_id
    assert any("Welkom, Anna" in t for t in texts(sandbox, "anna"))

    emu = sandbox.emulator
    menu = [c["command"] for c in emu.effective_commands(anna_id)]
    assert "bezoek" in menu
    assert "uitnodigen" not in menu
    assert [c["command"] for c in emu.commands("chat", chat_id=anna_id)] == menu
    scoped = [
        c
        for c in emu.calls
        if c.method == "setMyCommands"
        and c.status == 200
        and c.params.get("scope") == {"type": "chat", "chat_id": anna_id}
    ]
    assert scoped, [(c.method, c.params) for c in emu.calls if c.method == "setMyCommands"]


async def test_declining_consent_stores_nothing(sandbox):
    code = await make_invite(sandbox)
    await sandbox.say("dora", f"/start {code}")
    await sandbox.press("dora", "Liever niet")

    dora_id = demo.persona_id("dora")
    db = sandbox.rt.store.db
    assert users.get(db, dora_id) is None
    assert db.execute("SELECT count(*) FROM users WHERE id = ?", [dora_id]).fetchone()[0] == 0
    role, used_by, used_at = invite_row(sandbox, code)
    assert (role, used_by, used_at) == ("volunteer", None, None)
    assert any("niets van je bewaard" in t for t in texts(sandbox, "dora"))
    assert sandbox.emulator.effective_commands(dora_id) == []

    # "Wil je later toch meedoen? Gebruik dan je uitnodiging opnieuw." — and that works.
    await sandbox.say("dora", f"/start {code}")
    await sandbox.press("dora", "Akkoord")
    assert users.get(db, dora_id).role == "volunteer"
    assert invite_row(sandbox, code)[1] == dora_id


async def test_an_invite_works_once_even_with_two_consent_screens_open(sandbox):
    code = await make_invite(sandbox)
    await sandbox.say("anna", f"/start {code}")
    await sandbox.say("bob", f"/start {code}")
    await sandbox.press("anna", "Akkoord")
    await sandbox.press("bob", "Akkoord")
    db = sandbox.rt.store.db
    assert users.get(db, demo.persona_id("anna")) is not None
    assert users.get(db, demo.persona_id("bob")) is None
    assert "al gebruikt" in texts(sandbox, "bob")[-1]
    assert invite_row(sandbox, code)[1] == demo.persona_id("anna")


async def test_an_expired_invite_is_refused(sandbox):
    code = await make_invite(sandbox)
    await sandbox.advance_clock(timedelta(days=15))
    await sandbox.say("erik", f"/start {code}")
    assert any("verlopen" in t for t in texts(sandbox, "erik"))
    assert not any("Is dit goed voor je" in t for t in texts(sandbox, "erik"))
    assert users.get(sandbox.rt.store.db, demo.persona_id("erik")) is None


async def test_an_invite_that_expires_while_consent_is_on_screen_is_refused(sandbox):
    code = await make_invite(sandbox)
    await sandbox.say("fenna", f"/start {code}")
    await sandbox.advance_clock(timedelta(days=15))
    await sandbox.press("fenna", "Akkoord")
    assert "verlopen" in texts(sandbox, "fenna")[-1]
    assert users.get(sandbox.rt.store.db, demo.persona_id("fenna")) is None
    assert invite_row(sandbox, code)[1] is None


async def test_a_group_chat_gets_told_and_the_bot_leaves(sandbox):
    emu = sandbox.emulator
    group = -100_777
    vera = demo.PERSONAS["vera"][0]
    emu.send_group_text(group, vera, "hallo allemaal", title="Buurtteam")
    await emu.wait_for(lambda: group in emu.left_chats, timeout=10)
    said = [m.text for m in emu.messages(group)]
    assert any("één persoon" in t for t in said), said
    calls = [c.method for c in emu.calls if c.params.get("chat_id") in (group, str(group))]
    assert calls.index("sendMessage") < calls.index("leaveChat")


async def test_the_bot_waits_out_a_429_and_still_answers(sandbox):
    emu = sandbox.emulator
    emu.force_429(1, retry_after=1)
    await sandbox.say("vera", "/help")
    assert any("/bezoek" in t and "Dit kun je bij mij doen" in t for t in texts(sandbox, "vera"))
    refused = [c for c in emu.calls if c.status == 429]
    assert len(refused) == 1 and refused[0].method == "sendMessage"
    assert emu.flood.forced_left == 0


async def test_no_log_record_holds_a_name_a_code_or_typed_text(sandbox, caplog):
    caplog.set_level(logging.INFO)
    secret = "Mijn buurvrouw Jansen woont op de Dorpsstraat"
    code = await make_invite(sandbox)
    await sandbox.say("zoraida", f"/start {code}")
    await sandbox.press("zoraida", "Akkoord")
    await sandbox.say("zoraida", "/help")
    await sandbox.say("zoraida", secret)
    await sandbox.say("zoraida", "/bezoek")

    assert users.get(sandbox.rt.store.db, demo.persona_id("zoraida")) is not None
    assert caplog.records, "the bot logged nothing at INFO: this test would prove nothing"
    assert any("joined" in r.getMessage() for r in caplog.records)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for needle in ("Zoraida", code, secret, "Jansen", "Dorpsstraat"):
        assert needle not in logged, needle
