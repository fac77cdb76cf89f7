"""Commands for everyone: /help, /privacy, /taal, /stop."""

from __future__ import annotations

from bot.flows.facts import for_user
from bot.routing.registry import button, command
from bot.routing.turn import Turn
from bot.transport.menus import set_menu
from content.render import LOCALES
from dialogues.model import Button
from storage import users


@command("/help")
async def help_command(turn: Turn) -> None:
    await turn.say(f"algemeen.help_{turn.account.role}")


SHARING = {
    "energie": ("share_energy", users.set_share_energy),
    "overzicht": ("share_digest", users.set_share_digest),
}


@command("/privacy")
async def privacy(turn: Turn) -> None:
    await turn.say("algemeen.privacy", bewaartermijn=turn.rt.settings.retention_days)
    if turn.account.role == "volunteer":
        await _sharing_choices(turn, edit=False)


async def _sharing_choices(turn: Turn, edit: bool) -> None:
    """What a volunteer lets their contact person see, each switchable with one tap."""
    rows = []
    for what, (field, _setter) in SHARING.items():
        state = "aan" if getattr(turn.user, field) else "uit"
        rows.append((Button(turn.label(f"algemeen.delen_{what}_{state}"), f"pv.{what}"),))
    await turn.say(
        "algemeen.delen_vraag", buttons=tuple(rows), edit=edit, contact=await _contact_name(turn)
    )


async def _contact_name(turn: Turn) -> str:
    found = await turn.rt.store.run(for_user, turn.user, "privacy", turn.rt.clock.now())
    return found.vars.get("contact") or turn.label("algemeen.je_contactpersoon")


@button("pv")
async def sharing_toggled(turn: Turn) -> None:
    what = await turn.button_choice(SHARING)
    if what is None:
        return
    field, setter = SHARING[what]
    await turn.rt.store.run(setter, turn.user_id, not getattr(turn.user, field))
    turn.user = await turn.rt.store.run(users.get, turn.user_id)
    await turn.notice()
    await _sharing_choices(turn, edit=True)


@command("/stop")
async def stop(turn: Turn) -> None:
    # Inside a flow the engine handles /stop; reaching here means there is none.
    await turn.say("algemeen.niets_te_stoppen")


@command("/taal")
async def language(turn: Turn) -> None:
    row = tuple(Button(turn.label(f"knoppen.taal_{loc}"), f"t.{loc}") for loc in LOCALES)
    await turn.say("algemeen.taal_vraag", buttons=(row,))


@button("t")
async def language_chosen(turn: Turn) -> None:
    locale = await turn.button_choice(LOCALES)
    if locale is None:
        return
    await turn.rt.store.run(users.set_language, turn.user_id, locale)
    turn.user = await turn.rt.store.run(users.get, turn.user_id)
    await turn.notice()
    await turn.say("algemeen.taal_gekozen", edit=True)
    await set_menu(turn.rt.bot, turn.rt.content, turn.chat_id, turn.account.role, locale)
