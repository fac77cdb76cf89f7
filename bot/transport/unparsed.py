"""Bot API calls whose answer Omzien keeps as JSON, or does not look at, so PTB does not parse it.

PTB turns every answer into objects: getUpdates into `Update`s, sendMessage and
editMessageText into a `Message`. The inbox stores updates as JSON and parses each one once,
when it is handled (bot/transport/inbox.py); the `Message` of a reply is never used. That
parsing was a large part of a turn's CPU (docs/performance.md, issue 14).

These calls still go all the way through PTB's machinery: Defaults inserted (parse_mode
HTML), None values dropped, the getUpdates request object for the long poll and the other
for calls, and `BaseRequest` turning answers into RetryAfter, BadRequest, Conflict, ... Only
the last step, parsing the result, is left out.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from telegram import Bot
from telegram.request import BaseRequest

# PTB's "not given" marker: ext.Defaults replaces it with the configured value, if any.
DEFAULT_NONE = BaseRequest.DEFAULT_NONE

# What PTB's send_message / edit_message_text put in a call for ext.Defaults to fill in
# (Bot._send_message); tests/bot/test_unparsed.py checks the result is the same call.
_DEFAULTED = ("parse_mode", "disable_notification", "protect_content", "link_preview_options")


async def _post(bot: Bot, endpoint: str, data: dict[str, Any], poll: float | None = None) -> Any:
    """The one place Omzien uses PTB's private call path. PTB has no public way to make a call
    without parsing its answer: `Bot.do_api_request` warns for every method the Bot has and
    skips Defaults. `Bot._post` is what PTB's own methods call; for a long poll the read
    timeout is the getUpdates request's own plus the poll, as `Bot.get_updates` computes it.
    tests/bot/test_unparsed.py compares each call with PTB's own method, so a PTB release
    that changes either private name or what they do fails there, not in production."""
    read_timeout: Any = DEFAULT_NONE
    if poll is not None:
        read_timeout = (bot._request[0].read_timeout or 0) + poll
    return await bot._post(endpoint, data, read_timeout=read_timeout)


async def get_updates(
    bot: Bot, offset: int | None, timeout: int, allowed_updates: list[str]
) -> list[dict[str, Any]]:
    """getUpdates as Telegram answered it: a list of update dicts, none parsed."""
    data = {"offset": offset, "timeout": timeout, "allowed_updates": allowed_updates}
    return await _post(bot, "getUpdates", data, poll=timeout)


class Sent(NamedTuple):
    """What the outbox keeps of a sent message (to edit or follow it up later)."""

    message_id: int


async def send_message(bot: Bot, chat_id: int, text: str, reply_markup: str | None) -> Sent:
    """sendMessage; `reply_markup` is a keyboard as JSON (bot/transport/sender.markup)."""
    data = _defaulted(chat_id=chat_id, text=text, reply_markup=reply_markup)
    sent = await _post(bot, "sendMessage", data)
    return Sent(sent["message_id"])


async def edit_message_text(
    bot: Bot, chat_id: int, message_id: int, text: str, reply_markup: str | None
) -> None:
    data = _defaulted(chat_id=chat_id, message_id=message_id, text=text, reply_markup=reply_markup)
    await _post(bot, "editMessageText", data)


def _defaulted(**fields: Any) -> dict[str, Any]:
    return fields | dict.fromkeys(_DEFAULTED, DEFAULT_NONE)
