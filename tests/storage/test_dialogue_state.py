"""Saving a conversation compares on the step number: a turn taken from a state that has
moved on since is refused, so it cannot overwrite a newer step (or revive an ended one)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.flows import runner as conversations
from dialogues.model import Effect, StepResult
from storage import dialogue_state, users
from storage.dialogue_state import SavedState
from storage.times import iso


@pytest.fixture
def vera(db, now) -> int:
    users.create(db, 1003, "volunteer", "Vera", "nl", now)
    return 1003


def state(now, seq: int, instance: str = "ab12", state_name: str = "energie") -> SavedState:
    return SavedState(
        1003, "reflectie", state_name, instance, seq, {"bezoek": "ja"}, {}, iso(now), iso(now)
    )


def test_a_step_that_follows_the_stored_one_is_saved(db, vera, now):
    assert dialogue_state.save(db, state(now, 1))
    assert dialogue_state.save(db, state(now, 2, state_name="vraag_1"), base=("ab12", 1))
    assert dialogue_state.load(db, vera).seq == 2
    # A choice inside one question (a multi-select toggle) keeps the number.
    assert dialogue_state.save(db, state(now, 2, state_name="vraag_1"), base=("ab12", 2))


def test_a_step_from_an_older_state_is_refused_and_changes_nothing(db, vera, now):
    dialogue_state.save(db, state(now, 1))
    assert dialogue_state.save(db, state(now, 2, state_name="vraag_1"), base=("ab12", 1))
    # A second turn that also loaded seq 1 comes too late.
    assert not dialogue_state.save(db, state(now, 2, state_name="vraag_2"), base=("ab12", 1))
    assert dialogue_state.load(db, vera).state == "vraag_1"


def test_a_step_that_skips_a_number_or_changes_the_run_is_refused(db, vera, now):
    dialogue_state.save(db, state(now, 1))
    assert not dialogue_state.save(db, state(now, 3), base=("ab12", 1))
    assert not dialogue_state.save(db, state(now, 2, instance="ff00"), base=("ab12", 1))
    assert dialogue_state.load(db, vera).seq == 1


def test_a_new_run_does_not_overwrite_an_open_conversation(db, vera, now):
    dialogue_state.save(db, state(now, 4))
    assert not dialogue_state.save(db, state(now, 1, instance="ff00"))
    assert dialogue_state.load(db, vera).instance == "ab12"


def test_an_ended_conversation_is_not_revived_by_a_late_step(db, vera, now):
    dialogue_state.save(db, state(now, 1))
    assert dialogue_state.clear(db, vera, base=("ab12", 1))  # e.g. expired by the tick
    assert not dialogue_state.save(db, state(now, 2), base=("ab12", 1))
    assert dialogue_state.load(db, vera) is None
    assert not dialogue_state.clear(db, vera, base=("ab12", 1))


def test_commit_of_a_stale_turn_applies_none_of_its_effects(db, vera, now):
    dialogue_state.save(db, state(now, 2))
    loaded = conversations.to_conversation(state(now, 1))  # what the turn had seen
    stepped = replace(loaded, seq=2, state="vraag_1")
    # Applying this effect would raise (no such kind): the commit must not get that far.
    result = StepResult(stepped, effects=[Effect("no_such_effect", {})])
    assert conversations.commit(db, vera, result, now, "Europe/Amsterdam", base=loaded) is False
    assert dialogue_state.load(db, vera).state == "energie"
