"""/dagboek worth rereading: each question with its answer (buttons too), the step in full
and once, what was noticed, a cancelled visit's reason, the time of day; a nickname is
not a journal line.

    .venv/bin/python -m pytest tests/bot/test_journal_reread.py -q
"""

from __future__ import annotations

from sandbox.script import plain
from storage import signals

VERA = 1003


async def newest_entry(sandbox, who: str) -> str:
    await sandbox.say(who, "/dagboek")
    await sandbox.press(who, "#1")
    return plain(sandbox.messages(who)[-1].raw_text)


async def test_an_entry_shows_its_questions_with_their_answers(sandbox):
    await sandbox.say("vera", "/bezoek")
    for button in ("Ja", "🙂", "#1", "#1", "Nee"):
        await sandbox.press("vera", button)
    data_step = sandbox.messages("vera")[-1].raw_text
    shown = await newest_entry(sandbox, "vera")
    lines = shown.splitlines()
    assert lines[0].split(" · ")[0].count(":") == 1  # date and time
    assert "Hoe het met jou ging: 🙂" in lines
    assert "Je stapje voor de volgende keer" in lines
    step = lines[lines.index("Je stapje voor de volgende keer") + 1]
    assert step.startswith("» ") and step.endswith(".") and step[2:] in plain(data_step)
    assert shown.count(step[2:]) == 1
    assert "Wat je opviel" in lines and "» Niets bijzonders" in lines
    assert len([line for line in lines if line.startswith("» ")]) == 3  # question, step, noticed


async def test_a_cancelled_visit_keeps_its_reason(sandbox):
    await sandbox.say("vera", "/bezoek")
    await sandbox.press("vera", "Ging niet door")
    await sandbox.say("vera", "Ze lag in het ziekenhuis")
    await sandbox.press("vera", "Jammer")
    shown = await newest_entry(sandbox, "vera")
    assert "Het bezoek ging niet door" in shown
    assert "Waarom het bezoek niet doorging\n» Ze lag in het ziekenhuis" in shown
    assert "Hoe het voor jou was\n» Jammer" in shown


async def test_a_new_nickname_is_not_a_journal_line(sandbox):
    await sandbox.say("wim", "/bezoek")
    await sandbox.say("wim", "meneer T")  # wim visits nobody yet
    await sandbox.press("wim", "Ja")
    await sandbox.press("wim", "🙂")
    await sandbox.say("wim", "/stop")
    shown = await newest_entry(sandbox, "wim")
    assert shown.splitlines()[0].endswith("meneer T · niet helemaal af")
    assert "meneer T" not in "\n".join(shown.splitlines()[1:])


async def test_a_worry_in_the_journal_says_what_happened_with_it(sandbox):
    await sandbox.say("vera", "/bezoek")
    for button in ("Ja", "🙂", "#1", "#1", "Ja, iets", "Geld en post", "Klaar"):
        await sandbox.press("vera", button)
    await sandbox.say("vera", "/stop")  # she leaves the signal flow: nothing passed on
    shown = await newest_entry(sandbox, "vera")
    assert "Wat je opviel\n» 💶 Geld en post" in shown
    assert "Wat er met je zorg gebeurde\n» Bleef in je dagboek" in shown

    def passed_on(db):
        with db.atomic():
            signals.create(
                db,
                VERA,
                sandbox.clock.now(),
                level=2,
                categories=["geld_post"],
                consent=True,
                status="picked_up",
                professional_id=1002,
            )

    await sandbox.rt.store.run(passed_on)
    assert "Wat er met je zorg gebeurde\n» Doorgegeven en opgepakt" in await newest_entry(
        sandbox, "vera"
    )


async def test_no_worry_no_line_about_it(sandbox):
    await sandbox.say("vera", "/bezoek")
    for button in ("Ja", "🙂", "#1", "#1", "Nee"):
        await sandbox.press("vera", button)
    assert "Wat er met je zorg gebeurde" not in await newest_entry(sandbox, "vera")
