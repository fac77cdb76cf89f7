"""What a turn costs in trips to the database thread (issue 14): each trip is about 50 µs
of CPU, more than the reads in it. Who she is, the notice of an expired conversation, the
conversation, an open crisis question and the facts a step needs come in one trip
(bot/routing/turn_start.py); the step's commit is the next.

The real bot and the emulator in one process (tests/conftest.py `sandbox`).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.flows import facts
from bot.routing import access
from dialogues.model import Input
from sandbox.demo import persona_id
from storage.db import Store
from tests.bot import hostile

NOTICE = "bleef open staan"  # content/nl/engine.yaml verlopen_gesprek


def count_trips(monkeypatch) -> Counter:
    trips: Counter = Counter()
    real_run = Store.run

    async def run(self, fn, *args):
        trips[getattr(fn, "__name__", "?")] += 1
        return await real_run(self, fn, *args)

    monkeypatch.setattr(Store, "run", run)
    return trips


def count_fact_reads(monkeypatch) -> list[str]:
    read: list[str] = []
    real_for_user = facts.for_user

    def for_user(db, user, flow_id, now):
        read.append(flow_id)
        return real_for_user(db, user, flow_id, now)

    monkeypatch.setattr(facts, "for_user", for_user)
    return read


async def test_a_turn_costs_one_trip_to_start_and_one_to_end(sandbox, monkeypatch):
    await sandbox.say("vera", "/bezoek")
    read = count_fact_reads(monkeypatch)
    trips = count_trips(monkeypatch)
    await sandbox.press("vera", "Ja")
    await sandbox.say("vera", "We hebben samen koffie gedronken.")
    assert read == ["reflectie", "reflectie"]  # the step had its facts
    # each turn ends with one write: the step's commit, or the mark of a reprompt
    assert trips["who_and_start"] == 2, trips
    assert trips["commit"] + trips["mark_handled"] == 2, trips
    assert not {"get", "read", "for_user", "load", "_turn_start"} & set(trips), trips


async def expire_her_conversation(sandbox) -> None:
    await sandbox.say("vera", "/bezoek")
    await sandbox.press("vera", "Ja")
    await sandbox.advance_clock(timedelta(hours=13))


def told_about_expiry(sandbox, since: int) -> bool:
    return any(NOTICE in m.raw_text for m in sandbox.messages("vera")[since:])


async def test_a_refused_command_leaves_the_expiry_notice_for_her_next_turn(sandbox):
    await expire_her_conversation(sandbox)
    since = len(sandbox.messages("vera"))
    await sandbox.say("vera", "/signalen")  # for professionals: refused
    await sandbox.say("vera", "/bestaatniet")  # unknown: refused
    assert not told_about_expiry(sandbox, since)
    await sandbox.say("vera", "/help")
    assert told_about_expiry(sandbox, since)


async def test_a_press_on_a_message_telegram_lost_leaves_the_expiry_notice(sandbox):
    await expire_her_conversation(sandbox)
    since = len(sandbox.messages("vera"))
    await hostile.press_gone(sandbox, persona_id("vera"), "b.lijst")
    assert not told_about_expiry(sandbox, since)
    await sandbox.say("vera", "/help")
    assert told_about_expiry(sandbox, since)


ROLES = [access.VOLUNTEER, access.PROFESSIONAL, access.COORDINATOR]
INPUTS = (
    [Input("command", c) for c in access.COMMANDS]
    + [Input("command", "/bestaatniet"), Input("command", "/bezoek@omzien_bot")]
    + [Input("button", data=f"{kind}.1") for kind in access.BUTTONS]
    + [Input("button", data="onbekend.1"), Input("text", "hallo"), Input("media")]
)


@pytest.mark.parametrize("role", ROLES)
def test_the_start_is_read_exactly_for_the_inputs_dispatch_lets_through(role):
    for inp in INPUTS:
        if inp.kind == "command":
            passes = access.is_known_command(inp.command) and access.may_command(role, inp.command)
        elif inp.kind == "button":
            passes = access.may_press(role, inp.data)
        else:
            passes = True
        assert access.allows(role, inp) == passes, (role, inp)
