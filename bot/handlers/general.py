"""Commands for everyone: /help, /privacy, /taal, /stop."""
from __future__ import annotations

from bot.menus import set_menu
from bot.registry import button, command
from bot.turn import Turn
from content.render import LOCALES
from dialogues.model import Button
from storage import users


@command("/help")
async def help_command(turn: Turn) -> None:
    await turn.say(f"algemeen.help_{turn.user.role}")


@command("/privacy")
async def privacy(turn: Turn) -> None:
    await turn.say("algemeen.privacy", bewaartermijn=turn.rt.settings.retention_days)


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
    locale = turn.button_parts[1] if len(turn.button_parts) > 1 else ""
    if locale not in LOCALES:
        await turn.notice(turn.text("engine.verlopen"))
        return
    await turn.rt.store.run(users.set_language, turn.user_id, locale)
    turn.user = await turn.rt.store.run(users.get, turn.user_id)
    await turn.notice()
    await turn.say("algemeen.taal_gekozen", edit=True)
    await set_menu(turn.rt.bot, turn.rt.content, turn.chat_id, turn.user.role, locale)
