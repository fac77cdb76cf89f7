"""Dutch by default, English for people whose Telegram speaks English, and /taal switches
both the texts and the command menu."""

from datetime import timedelta

from storage import invites, users

VERA = 1003


async def test_taal_switches_texts_and_menu_to_english(sandbox):
    await sandbox.say("vera", "/taal")
    await sandbox.press("vera", "English")
    assert (await sandbox.rt.store.run(users.get, VERA)).language == "en"
    await sandbox.say("vera", "/help")
    assert "look back on a visit" in sandbox.messages("vera")[-1].raw_text
    menu = {c["command"]: c["description"] for c in sandbox.emulator.effective_commands(VERA)}
    assert menu["bezoek"] == sandbox.rt.content.render("menu.bezoek", "en")


async def test_a_newcomer_with_english_telegram_is_asked_in_english(sandbox):
    code = await sandbox.rt.store.run(
        lambda db: invites.create(db, "volunteer", None, sandbox.clock.now(), timedelta(days=14))
    )
    sandbox.emulator.add_user(4242, "Emma", language_code="en", started=False)
    sandbox.known.add(4242)
    sandbox.emulator.send_text(4242, f"/start {code}")
    sandbox.injected += 1
    await sandbox.wait_idle()
    consent = sandbox.emulator.messages(4242)[-1]
    assert "What do I keep?" in consent.raw_text
    sandbox.emulator.press(4242, consent.message_id, button="I agree")
    sandbox.injected += 1
    await sandbox.wait_idle()
    assert (await sandbox.rt.store.run(users.get, 4242)).language == "en"
    assert "Welcome, Emma" in sandbox.emulator.messages(4242)[-1].raw_text


async def test_other_telegram_languages_get_dutch(sandbox):
    sandbox.emulator.add_user(4343, "Jan", language_code="de", started=False)
    sandbox.known.add(4343)
    sandbox.emulator.send_text(4343, "hallo")
    sandbox.injected += 1
    await sandbox.wait_idle()
    assert sandbox.emulator.messages(4343)[-1].raw_text == sandbox.rt.content.render(
        "onboarding.onbekend", "nl"
    )
