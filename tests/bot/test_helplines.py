"""The safety numbers every template can use (`{{ hulpnummers.* }}`): an organisation's own
numbers, read once from its frozen settings (bot/routing/turn.py `helplines`)."""

from __future__ import annotations

from types import SimpleNamespace

from bot.config import Helplines
from bot.routing.turn import helplines


def runtime(numbers: Helplines):
    return SimpleNamespace(settings=SimpleNamespace(helplines=numbers))


def test_each_organisation_gets_its_own_numbers():
    default = helplines(runtime(Helplines()))
    own = helplines(runtime(Helplines(gp_out_of_hours="088-1234567")))
    assert default["emergency"] == "112" and default["gp_out_of_hours"] == ""
    assert own["gp_out_of_hours"] == "088-1234567"


def test_a_template_that_changes_its_numbers_does_not_change_the_next_turns():
    rt = runtime(Helplines())
    helplines(rt)["emergency"] = "000"
    assert helplines(rt)["emergency"] == "112"
