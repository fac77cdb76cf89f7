"""The access table and the handler registry agree: nothing reachable without a rule,
no rule without a handler."""

from __future__ import annotations

import bot.features  # noqa: F401  (registers every command and button)
from bot.flows.effects import APPLIERS
from bot.routing import access
from bot.routing.registry import BUTTON_HANDLERS, COMMAND_HANDLERS
from dialogues.effects import EFFECT_KINDS

# Handler keys that are not commands a user types (none today; free text has no handler key).
NOT_COMMANDS = {key for key in COMMAND_HANDLERS if not key.startswith("/")}


def test_every_command_in_the_table_has_a_handler():
    missing = sorted(set(access.COMMANDS) - set(COMMAND_HANDLERS))
    assert missing == []


def test_every_command_handler_is_in_the_table():
    unruled = sorted(set(COMMAND_HANDLERS) - NOT_COMMANDS - set(access.COMMANDS))
    assert unruled == []
    assert all(key.startswith("#") for key in NOT_COMMANDS), NOT_COMMANDS


def test_every_button_handler_is_in_the_table():
    assert sorted(set(BUTTON_HANDLERS) - set(access.BUTTONS)) == []
    # "f" (a step in the presser's own conversation) is handled by the engine, not a handler.
    assert "f" in access.BUTTONS


def test_a_volunteer_may_not_invite_but_a_coordinator_may():
    assert not access.may_command(access.VOLUNTEER, "/uitnodigen")
    assert not access.may_command(access.PROFESSIONAL, "/uitnodigen")
    assert not access.may_command(access.UNREGISTERED, "/uitnodigen")
    assert access.may_command(access.COORDINATOR, "/uitnodigen")
    assert not access.may_press(access.VOLUNTEER, "i.volunteer")
    assert access.may_press(access.COORDINATOR, "i.volunteer")


def test_unregistered_people_may_only_start_and_consent():
    allowed = [c for c in access.COMMANDS if access.may_command(access.UNREGISTERED, c)]
    assert allowed == ["/start"]
    pressable = [b for b in access.BUTTONS if access.may_press(access.UNREGISTERED, f"{b}.x")]
    assert pressable == ["c"]


def test_unknown_commands_and_buttons_grant_nothing():
    for role in (*access.EVERYONE, access.UNREGISTERED):
        assert not access.may_command(role, "/bestaatniet")
        assert not access.may_press(role, "zz.1")
        assert not access.may_press(role, "")


def test_every_menu_entry_is_a_command_the_role_may_use():
    for role, names in access.MENUS.items():
        for name in names:
            assert access.may_command(role, f"/{name}"), (role, name)


def test_every_effect_kind_has_an_applier():
    assert sorted(EFFECT_KINDS - set(APPLIERS)) == []
    assert sorted(set(APPLIERS) - EFFECT_KINDS) == []
