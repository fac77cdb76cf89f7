"""Turning a Telegram Update into a Turn: who sent it and what kind of input it is."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType

from bot.routing import turn_start
from bot.routing.turn import Turn
from bot.runtime import Runtime
from bot.transport.sender import with_retry
from dialogues.model import Input
from storage import users

log = logging.getLogger(__name__)


async def turn_from_update(rt: Runtime, update: Update) -> Turn | None:
    if update.my_chat_member is not None:
        await _membership_changed(rt, update.my_chat_member)
        return None
    if update.callback_query is not None:
        return await _from_button(rt, update)
    message = update.message
    if message is None or message.from_user is None:
        return None
    if message.chat.type != ChatType.PRIVATE:
        await _leave_group(rt, message)
        return None
    inp = _input_of(message)
    user, start = await rt.store.run(
        turn_start.who_and_start, message.from_user.id, inp, rt.clock.now()
    )
    return Turn(
        rt,
        message.from_user.id,
        message.chat.id,
        message.from_user.first_name or "",
        message.from_user.language_code,
        user,
        inp,
        start=start,
    )


def _input_of(message) -> Input:
    text = message.text
    # A forwarded message holds someone else's words (often names): never a command, never
    # a journal answer. The person is answered as for a photo: type it yourself.
    if text is None or message.forward_origin is not None:
        return Input("media")
    if text.startswith("/"):
        return Input("command", text)
    return Input("text", text)


async def _from_button(rt: Runtime, update: Update) -> Turn | None:
    query = update.callback_query
    assert query is not None  # called for callback queries only
    message = query.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        await with_retry(rt.bot.answer_callback_query, query.id)
        return None
    inp = Input("button", data=query.data or "")
    user, start = await rt.store.run(
        turn_start.who_and_start, query.from_user.id, inp, rt.clock.now(), message.is_accessible
    )
    turn = Turn(
        rt,
        query.from_user.id,
        message.chat.id,
        query.from_user.first_name or "",
        query.from_user.language_code,
        user,
        inp,
        callback_query_id=query.id,
        message_id=message.message_id,
        start=start,
    )
    if not message.is_accessible:
        # Telegram no longer gives us the message (too old, or deleted): it can't be edited
        # and whatever it asked is over, so the press is answered as an expired button.
        log.info("button on inaccessible message user=%s", query.from_user.id)
        await turn.expired()
        return None
    return turn


async def _leave_group(rt: Runtime, message) -> None:
    """Omzien is one-to-one only: say so in the group, then leave it."""
    locale = rt.content.locale((message.from_user.language_code or "")[:2])
    log.info("group chat refused chat=%s", message.chat.id)
    await with_retry(
        rt.bot.send_message, message.chat.id, rt.content.render("onboarding.groep", locale)
    )
    await with_retry(rt.bot.leave_chat, message.chat.id)


async def _membership_changed(rt: Runtime, change) -> None:
    """A user blocked (kicked) or unblocked the bot: remember whether we can reach them."""
    if change.chat.type != ChatType.PRIVATE:
        return
    reachable = change.new_chat_member.status not in ("kicked", "left")
    await rt.store.run(users.set_reachable, change.from_user.id, reachable)
    log.info("reachability user=%s reachable=%s", change.from_user.id, reachable)
