"""/uitnodigen: a coordinator makes a single-use invite link for a role."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.routing.registry import button, command
from bot.routing.turn import Turn
from dialogues.model import Button
from storage import invites
from storage.users import ROLES


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


@command("/uitnodigen")
async def choose_role(turn: Turn) -> None:
    rows = tuple((Button(turn.label(f"knoppen.rol_{role}"), f"i.{role}"),) for role in ROLES)
    await turn.say("onboarding.uitnodigen_rol", buttons=rows)


@button("i")
async def make_invite(turn: Turn) -> None:
    role = await turn.button_choice(ROLES)
    if role is None:
        return
    settings = turn.rt.settings
    now = turn.rt.clock.now()
    code = await turn.rt.store.run(
        invites.create, role, turn.user_id, now, timedelta(days=settings.invite_days)
    )
    until = (now + timedelta(days=settings.invite_days)).astimezone(ZoneInfo(settings.timezone))
    await turn.notice()
    await turn.say(
        "onboarding.uitnodiging",
        edit=True,
        rol=turn.label(f"knoppen.rol_{role}").lower(),
        tot=until.strftime("%d-%m-%Y"),
        link=invite_link(turn.rt.bot_username, code),
    )
