"""Routing one turn: access check, then the user's conversation, a command, or a button.

The order matters: the access table is asked first, so no handler can forget it.
"""

from __future__ import annotations

import logging

from bot.flows import runner as conversations
from bot.routing import access, turn_start
from bot.routing.registry import BUTTON_HANDLERS, COMMAND_HANDLERS
from bot.routing.turn import Turn
from bot.signals import detection
from dialogues.model import Input

log = logging.getLogger(__name__)


async def dispatch(turn: Turn) -> None:
    role = access.role_of(turn.user)
    kind = turn.input.kind
    log.info("turn user=%s role=%s kind=%s what=%s", turn.user_id, role, kind, _what(turn))
    if kind == "command" and not await _command_allowed(turn, role):
        return
    if kind == "button" and not access.may_press(role, turn.input.data):
        await turn.notice(turn.text("algemeen.knop_niet_voor_jou"))
        return
    if turn.user is None:
        await _unregistered(turn)
        return
    start = await _start_of(turn)
    await conversations.tell_expired(turn, start.notice)
    conv = await conversations.from_saved(turn, start.saved)
    worry = detection.watch(turn)  # the detector on every free text a volunteer sends
    if await detection.interrupts(turn, worry, conv, start.open_question):
        return  # help first; the conversation waits, unchanged
    in_flow = conv is not None and not (kind == "button" and not turn.input.data.startswith("f."))
    if in_flow and conv is not None:
        result = await conversations.step(turn, conv, start.found)
        if result.command:
            await run_command(turn, result.command)
        elif worry is not None and not _asks_about_worries(result, worry):
            await detection.offer(turn, worry, await detection.contact_name(turn), conv.flow)
        return
    if worry is not None:
        await detection.outside_flow(turn, worry)
        return
    await _outside_flow(turn)


async def _start_of(turn: Turn) -> turn_start.TurnStart:
    """Read with the account when the update was turned into a turn (one trip less)."""
    start, turn.start = turn.start, None  # once: a follow-up must read anew
    if start is not None:
        return start
    return await turn.rt.store.run(turn_start.read, turn.account, turn.rt.clock.now())


async def _command_allowed(turn: Turn, role: str) -> bool:
    command = turn.input.command
    if not access.is_known_command(command):
        template = "onboarding.onbekend" if turn.user is None else "algemeen.onbekend_commando"
        await turn.say(template)
        return False
    if not access.may_command(role, command):
        template = "onboarding.onbekend" if turn.user is None else "algemeen.niet_voor_jou"
        log.info("refused user=%s role=%s command=%s", turn.user_id, role, command)
        await turn.say(template)
        return False
    return True


async def _unregistered(turn: Turn) -> None:
    if turn.input.kind == "command":
        await COMMAND_HANDLERS["/start"](turn)
    elif turn.input.kind == "button":
        await BUTTON_HANDLERS["c"](turn)
    else:
        await turn.say("onboarding.onbekend")


async def _outside_flow(turn: Turn) -> None:
    kind = turn.input.kind
    if kind == "command":
        await COMMAND_HANDLERS[turn.input.command](turn)
    elif kind == "button":
        prefix = turn.input.data.split(".", 1)[0]
        handler = BUTTON_HANDLERS.get(prefix)
        if handler is None or prefix == "f":
            await turn.expired()
        else:
            await handler(turn)
    elif kind == "text":
        await _not_understood(turn)
    else:
        await turn.say("algemeen.alleen_tekst")


async def run_command(turn: Turn, text: str) -> None:
    """Run a command the user typed while in a flow, after they chose to leave it."""
    from dataclasses import replace

    follow = replace(turn, input=Input("command", text), callback_query_id=None, message_id=None)
    await _outside_flow(follow)


async def _not_understood(turn: Turn) -> None:
    await turn.say("algemeen.begrijp_niet")


def _what(turn: Turn) -> str:
    """For the log: the command or button kind, never the text itself."""
    if turn.input.kind == "command":
        return turn.input.command
    if turn.input.kind == "button":
        return turn.input.data.split(".", 1)[0]
    return "-"


def _asks_about_worries(result, worry) -> bool:
    """The flow itself now asks what she noticed (a worry said after a cancelled visit):
    a second offer beside that question would ask the same thing twice. Crisis words
    always get the offer."""
    after = result.conversation
    return (
        not worry.is_crisis
        and after is not None
        and after.flow == "reflectie"
        and after.state == "zorgen"
    )
