"""What a turn costs in trips to the database thread (issue 14): each trip is about 50 µs
of CPU, so a step inside a conversation reads the facts it needs in the turn's first trip
(bot/routing/dispatch.py `_turn_start`), not in a trip of its own.

The real bot and the emulator in one process (tests/conftest.py `sandbox`).
"""

from __future__ import annotations

from bot.flows import facts
from storage.db import Store


def watch_facts(monkeypatch) -> tuple[list[str], list[str]]:
    """(flows the facts were read for, flows they were read for in a trip of their own)"""
    read: list[str] = []
    own_trip: list[str] = []
    real_for_user, real_run = facts.for_user, Store.run

    def for_user(db, user, flow_id, now):
        read.append(flow_id)
        return real_for_user(db, user, flow_id, now)

    async def run(self, fn, *args):
        if fn is for_user:
            own_trip.append(args[1])
        return await real_run(self, fn, *args)

    monkeypatch.setattr(facts, "for_user", for_user)
    monkeypatch.setattr(Store, "run", run)
    return read, own_trip


async def test_a_step_reads_its_facts_in_the_first_trip_of_the_turn(sandbox, monkeypatch):
    await sandbox.say("vera", "/bezoek")
    read, own_trip = watch_facts(monkeypatch)
    await sandbox.press("vera", "Ja")
    await sandbox.say("vera", "We hebben samen koffie gedronken.")
    assert read == ["reflectie", "reflectie"]
    assert own_trip == []

