"""What others see is what we say. The texts a volunteer reads (onboarding, /privacy)
are checked against what the contact person's and the coordinator's views return.

    .venv/bin/python -m pytest tests/bot/test_who_sees_what.py -q
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from content.render import Content
from sandbox.script import plain
from storage import journal, team, users

VERA = 1003
DATE = re.compile(r"\d{2}-\d{2}-\d{4}")


@pytest.mark.parametrize(
    "locale, exception, coordinator",
    [
        (
            "nl",
            "bij direct gevaar geef ik een zorg meteen door",
            "De coördinator ziet aantallen en mijlpalen",
        ),
        (
            "en",
            "in acute danger I pass a worry on at once",
            "The coordinator sees numbers and milestones",
        ),
    ],
)
def test_onboarding_and_privacy_say_the_same_plainly(locale, exception, coordinator):
    content = Content()
    for template in ("onboarding.toestemming", "algemeen.privacy"):
        text = content.render(template, locale, voornaam="Vera", bewaartermijn=365)
        assert exception.lower() in text.lower(), template
        assert coordinator in text, template
        assert "energ" in text.lower(), template  # energy only if she wants


async def reflect(sandbox):
    await sandbox.say("vera", "/bezoek")
    for button in ("Ja", "🙂", "Sla over", "Sla over", "Nee"):
        await sandbox.press("vera", button)


async def test_the_contact_person_sees_no_reflection_dates_and_energy_only_if_shared(sandbox):
    await reflect(sandbox)
    await sandbox.say("pim", "/vrijwilligers")
    shown = plain(sandbox.messages("pim")[-1].raw_text)
    assert "Vera" in shown and not DATE.search(shown) and "🙂" not in shown
    await sandbox.rt.store.run(users.set_share_energy, VERA, True)
    await sandbox.say("pim", "/vrijwilligers")
    assert "🙂" in plain(sandbox.messages("pim")[-1].raw_text)


def add(db, now, kind, complete):
    journal.add(
        db, VERA, kind, now, resident_id=None, complete=complete, energy=None, answers={}, texts=[]
    )


async def test_team_numbers_agree_with_each_other(sandbox):
    now = sandbox.clock.now()
    await sandbox.rt.store.run(add, now, "afgezegd", True)
    await sandbox.rt.store.run(add, now, "reflectie", False)
    numbers = await sandbox.rt.store.run(team.numbers, now)
    assert (numbers.active_30d, numbers.reflections_30d) == (0, 0)
    await sandbox.rt.store.run(add, now - timedelta(days=40), "reflectie", True)
    await sandbox.rt.store.run(add, now, "reflectie", True)
    numbers = await sandbox.rt.store.run(team.numbers, now)
    assert (numbers.active_30d, numbers.reflections_30d) == (1, 1)


def test_no_milestone_names_a_worry():
    assert not [m for m in team.MILESTONES if "zorg" in m]
    content = Content()
    for locale in ("nl", "en"):
        for milestone in team.MILESTONES:
            text = content.render(f"coordinator.mijlpaal_{milestone}", locale, voornaam="Vera")
            assert "zorg" not in text.lower() and "worr" not in text.lower()
