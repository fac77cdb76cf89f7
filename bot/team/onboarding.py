"""Joining with an invite: /start <code> → consent → welcome and the role's menu.

Nothing is stored before [Akkoord]: the code travels in the consent button itself, and is
checked again when pressed (it may have been used or expired in between).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from bot.routing.registry import button, command
from bot.routing.turn import Turn
from bot.transport.menus import set_menu
from dialogues.model import Button
from storage import invites, users
from storage.invites import Invite, InviteProblem

log = logging.getLogger(__name__)
PROBLEM_TEMPLATES = {
    InviteProblem.MALFORMED: "onboarding.code_vreemd",
    InviteProblem.UNKNOWN: "onboarding.code_onbekend",
    InviteProblem.USED: "onboarding.code_gebruikt",
    InviteProblem.EXPIRED: "onboarding.code_verlopen",
}


@command("/start")
async def start(turn: Turn) -> None:
    if turn.user is not None:
        await turn.say("onboarding.al_lid", voornaam=turn.user.first_name)
        return
    code = turn.args
    if not code:
        await turn.say("onboarding.onbekend")
        return
    checked = await turn.rt.store.run(invites.check, code, turn.rt.clock.now())
    if not isinstance(checked, Invite):
        log.info("invite refused user=%s reason=%s", turn.user_id, checked.value)
        await turn.say(PROBLEM_TEMPLATES[checked])
        return
    buttons = (
        (
            Button(turn.label("knoppen.akkoord"), f"c.ok.{code}"),
            Button(turn.label("knoppen.liever_niet"), "c.no"),
        ),
    )
    await turn.say("onboarding.toestemming", buttons=buttons, voornaam=turn.first_name)


@button("c")
async def consent(turn: Turn) -> None:
    parts = turn.button_parts
    await turn.notice()
    if parts[1:2] == ["no"]:
        await turn.say("onboarding.geweigerd", edit=True)
        log.info("consent declined user=%s", turn.user_id)
        return
    code = parts[2] if len(parts) == 3 and parts[1] == "ok" else ""
    outcome = await turn.rt.store.run(
        _join_once, code, turn.user_id, turn.first_name, turn.locale, turn.rt.clock.now()
    )
    if isinstance(outcome, InviteProblem):
        await turn.say(PROBLEM_TEMPLATES[outcome], edit=True)
        return
    turn.user = outcome
    log.info("joined user=%s role=%s", turn.user_id, outcome.role)
    await turn.say(f"onboarding.welkom_{outcome.role}", edit=True, voornaam=outcome.first_name)
    await set_menu(turn.rt.bot, turn.rt.content, turn.chat_id, outcome.role, outcome.language)


def _join(db: Database, code: str, user_id: int, first_name: str, language: str, now: datetime):
    """Check the code again and create the user, atomically: a code works exactly once."""
    with db.atomic():
        checked = invites.check(db, code, now)
        if not isinstance(checked, Invite):
            return checked
        existing = users.get(db, user_id)
        if existing is not None:
            return existing
        user = users.create(db, user_id, checked.role, first_name or "?", language, now)
        if not invites.mark_used(db, checked.id, user_id, now):
            raise _AlreadyUsed()  # roll the new user back with the transaction
        return user


class _AlreadyUsed(Exception):
    pass


def _join_once(db: Database, *args):
    try:
        return _join(db, *args)
    except _AlreadyUsed:
        return InviteProblem.USED
