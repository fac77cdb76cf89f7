"""Logs hold ids and event types only: a new volunteer joins, names the person she visits,
writes a reflection and a worry note, searches and exports, with every logger at DEBUG;
none of her words, her alias or her name may appear in any record (the guard in
tests/logguard.py fails the test at teardown). Every other sandbox and e2e test runs
under the same guard; the scenario scripts (tests/scenarios) bring notes and aliases.
"""

from __future__ import annotations

import logging

from tests.bot.test_onboarding import make_invite
from tests.logguard import guarded

NAME, ALIAS = "Zoltanwxyz", "juffrouw Quokkax"
WORDS, STEP = "We bakten samen kaneelbroodjes", "Samen de krant lezen"


async def test_a_new_volunteers_name_and_words_never_reach_the_logs(sandbox, log_guard):
    code = await make_invite(sandbox)
    await sandbox.say(NAME.lower(), f"/start {code}")
    await sandbox.press(NAME.lower(), "Akkoord")
    await sandbox.say(NAME.lower(), "/bezoek")
    await sandbox.say(NAME.lower(), ALIAS)
    for button in ("Ja", "#1", "#1"):
        await sandbox.press(NAME.lower(), button)
    await sandbox.say(NAME.lower(), WORDS)
    await sandbox.say(NAME.lower(), STEP)  # no who-decided the first time: it rotates in
    await sandbox.press(NAME.lower(), "Nee")
    await sandbox.say(NAME.lower(), "/stop")  # whatever question came last: done
    await sandbox.say(NAME.lower(), "/zoek kaneelbroodjes")
    await sandbox.say(NAME.lower(), "/export")
    page = [m for m in sandbox.messages(NAME.lower()) if m.document]
    assert page, "the export was sent"
    assert {NAME, ALIAS, WORDS, STEP, "kaneelbroodjes"} <= log_guard.secrets
    assert any("turn user=" in line for line in log_guard.lines), "the logs were captured"


def test_the_guard_sees_a_name_in_a_log_record(monkeypatch):
    guard, remove = guarded(monkeypatch)
    try:
        guard.remember("/zoek kaneelbroodjes")
        logging.getLogger("bot.anything").debug("search for %s", "kaneelbroodjes")
        try:
            raise ValueError("kaneelbroodjes")
        except ValueError:
            logging.getLogger("bot.anything").exception("failed")
    finally:
        remove()
    assert len(guard.leaks()) == 2
