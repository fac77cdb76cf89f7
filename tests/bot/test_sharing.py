"""A volunteer chooses, with one tap in /privacy, what their contact person may see."""

from storage import users


async def test_energy_sharing_is_off_until_the_volunteer_switches_it_on(sandbox):
    vera = 1003
    assert (await sandbox.rt.store.run(users.get, vera)).share_energy is False
    await sandbox.say("vera", "/privacy")
    assert "uit" in sandbox.messages("vera")[-1].buttons()[0]["text"]
    await sandbox.press("vera", "Hoe het met mij gaat")
    assert (await sandbox.rt.store.run(users.get, vera)).share_energy is True
    assert sandbox.messages("vera")[-1].buttons()[0]["text"].startswith("✓")
    await sandbox.press("vera", "Hoe het met mij gaat")
    assert (await sandbox.rt.store.run(users.get, vera)).share_energy is False


async def test_the_question_names_the_contact_person(sandbox):
    await sandbox.say("vera", "/privacy")
    assert "Wat mag Pim zien" in sandbox.messages("vera")[-1].raw_text


async def test_a_professional_gets_no_sharing_buttons(sandbox):
    await sandbox.say("pim", "/privacy")
    assert sandbox.messages("pim")[-1].buttons() == []
