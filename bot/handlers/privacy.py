"""/export and /vergeet: everything about you, as files; or gone, after two confirmations."""
from __future__ import annotations

import html
import io
import json
import logging

from bot.registry import button, command
from bot.sender import with_retry
from bot.turn import Turn
from dialogues.model import Button
from storage import privacy

log = logging.getLogger(__name__)


@command("/export")
async def export(turn: Turn) -> None:
    data = await turn.rt.store.run(privacy.export, turn.user_id)
    as_json = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await turn.say("privacy.export")
    await with_retry(turn.rt.bot.send_document, turn.chat_id,
                     document=io.BytesIO(as_json), filename="omzien-export.json")
    await with_retry(turn.rt.bot.send_document, turn.chat_id,
                     document=io.BytesIO(readable_html(turn, data).encode("utf-8")),
                     filename="omzien-export.html")
    log.info("export sent user=%s", turn.user_id)


def readable_html(turn: Turn, data: dict[str, list[dict]]) -> str:
    parts = [f"<!doctype html><meta charset='utf-8'><title>Omzien export</title>"
             f"<h1>{html.escape(turn.text('privacy.export_titel'))}</h1>"]
    for table, rows in data.items():
        if not rows:
            continue
        parts.append(f"<h2>{html.escape(table)}</h2><table border='1'>")
        columns = list(rows[0])
        parts.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>")
        for row in rows:
            cells = "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in columns)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    return "\n".join(parts)


@command("/vergeet")
async def forget(turn: Turn) -> None:
    buttons = ((Button(turn.label("privacy.knop_wissen"), "v.1"),
                Button(turn.label("privacy.knop_niet"), "v.0")),)
    await turn.say("privacy.vergeet_1", buttons=buttons)


@button("v")
async def forget_confirm(turn: Turn) -> None:
    step = turn.button_parts[1] if len(turn.button_parts) > 1 else "0"
    await turn.notice()
    if step == "1":
        buttons = ((Button(turn.label("privacy.knop_echt_wissen"), "v.2"),
                    Button(turn.label("privacy.knop_niet"), "v.0")),)
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
