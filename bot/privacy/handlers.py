"""/export and /vergeet: everything about you, as files; or gone, after two confirmations."""

from __future__ import annotations

import json
import logging

from bot.privacy.export import Reader, readable_page
from bot.routing.registry import button, command
from bot.routing.turn import Turn
from bot.transport.sender import send_file, with_retry
from dialogues.model import Button
from storage import privacy

log = logging.getLogger(__name__)


@command("/export")
async def export(turn: Turn) -> None:
    """Two files: the complete JSON for machines, and a page per area for the person."""
    data = await turn.rt.store.run(privacy.export, turn.user_id)
    people = await turn.rt.store.run(privacy.people_around, turn.user_id)
    as_json = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    reader = Reader(turn.rt.content, turn.locale, turn.rt.settings.timezone)
    page = readable_page(reader, data, people, turn.rt.clock.now()).encode("utf-8")
    await turn.say("privacy.export")
    await send_file(turn.rt.bot, turn.chat_id, as_json, "omzien-export.json")
    await send_file(turn.rt.bot, turn.chat_id, page, "omzien-export.html")
    log.info("export sent user=%s", turn.user_id)


@command("/vergeet")
async def forget(turn: Turn) -> None:
    buttons = (
        (
            Button(turn.label("privacy.knop_wissen"), "v.1"),
            Button(turn.label("privacy.knop_niet"), "v.0"),
        ),
    )
    await turn.say("privacy.vergeet_1", buttons=buttons)


@button("v")
async def forget_confirm(turn: Turn) -> None:
    step = turn.button_parts[1] if len(turn.button_parts) > 1 else "0"
    await turn.notice()
    if step == "1":
        buttons = (
            (
                Button(turn.label("privacy.knop_echt_wissen"), "v.2"),
                Button(turn.label("privacy.knop_niet"), "v.0"),
            ),
        )
        await turn.say("privacy.vergeet_2", buttons=buttons, edit=True)
    elif step == "2":
        goodbye = turn.text("privacy.vergeten")
        await turn.rt.store.run(privacy.forget, turn.user_id)
        log.info("user forgotten user=%s", turn.user_id)
        await turn.send_one(_plain(goodbye, edit=True))
        await with_retry(turn.rt.bot.delete_my_commands, scope=_chat_scope(turn.chat_id))
    else:
        await turn.say("privacy.niet_gewist", edit=True)


def _plain(text: str, edit: bool):
    from dialogues.model import Reply

    return Reply(text, edit=edit)


def _chat_scope(chat_id: int):
    from telegram import BotCommandScopeChat

    return BotCommandScopeChat(chat_id)
