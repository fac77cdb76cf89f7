"""Sending replies to the user whose turn it is (other users go through the outbox).

A 429 from Telegram is waited out and retried, so a busy chat loses nothing; a network
error (refused connection, timeout, 5xx) is retried a few times with a short backoff.
Retries happen in place, before the next reply of the turn is sent, so order is kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from datetime import timedelta

from telegram import Message
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.transport import unparsed
from dialogues.model import Button, Reply

log = logging.getLogger(__name__)
MAX_RETRIES = 5
NETWORK_RETRIES = 3  # then the error goes to the error handler (an apology)
NETWORK_BACKOFF = 0.5  # seconds, doubled per retry


def flood_wait(exc: RetryAfter) -> float:
    """The seconds a 429 asks us to wait: a timedelta with the PTB behaviour bot/__init__.py
    opts in to, a number without it. The one place this is converted."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def markup(buttons: Iterable[Iterable[Button]]) -> str | None:
    """The inline keyboard as the JSON PTB would send for an InlineKeyboardMarkup, byte for
    byte (tests/bot/test_unparsed.py). PTB passes a string through as it is; building the
    markup objects and turning them back into a dict cost more CPU per turn than the rest
    of the keyboard's way out (docs/performance.md, issue 14)."""
    rows = [[{"callback_data": b.data, "text": b.label} for b in row] for row in buttons]
    rows = [r for r in rows if r]
    return json.dumps({"inline_keyboard": rows}) if rows else None


async def with_retry(call, *args, **kwargs):
    """Call the Bot API; wait out flood control, and retry network errors a few times,
    instead of failing. A timeout may mean Telegram did get the call: a reply may then
    arrive twice, which is better than the person hearing nothing."""
    flood_waits = network_errors = 0
    while True:
        try:
            return await call(*args, **kwargs)
        except RetryAfter as exc:
            flood_waits += 1
            if flood_waits > MAX_RETRIES:
                raise
            delay = flood_wait(exc)
            log.info("flood control: waiting %.1fs (attempt %d)", delay, flood_waits)
            await asyncio.sleep(delay)
        except BadRequest:  # a NetworkError subclass in PTB, but never worth repeating
            raise
        except NetworkError as exc:
            network_errors += 1
            if network_errors > NETWORK_RETRIES:
                raise
            delay = NETWORK_BACKOFF * 2 ** (network_errors - 1)
            log.info(
                "network error %s: retry in %.1fs (attempt %d)",
                type(exc).__name__,
                delay,
                network_errors,
            )
            await asyncio.sleep(delay)


async def send_reply(bot, chat_id: int, reply: Reply, edit_message_id: int | None = None) -> None:
    """Send, or edit the pressed message. Nothing reads the Message Telegram sends back, so
    it is not parsed (bot/transport/unparsed.py): that was a good part of a turn's CPU."""
    keyboard = markup(reply.buttons)
    if reply.edit and edit_message_id is not None:
        try:
            await with_retry(
                unparsed.edit_message_text, bot, chat_id, edit_message_id, reply.text, keyboard
            )
        except BadRequest as exc:
            if "not modified" in str(exc):
                return
            raise
        return
    await with_retry(unparsed.send_message, bot, chat_id, reply.text, keyboard)


async def send_replies(
    bot, chat_id: int, replies: Iterable[Reply], edit_message_id: int | None = None
) -> None:
    for reply in replies:
        await send_reply(bot, chat_id, reply, edit_message_id)


async def send_file(bot, chat_id: int, data: bytes, filename: str) -> Message:
    """A document from bytes. Each attempt builds its upload from `data` anew, so a retry
    after a 429 sends the same complete file (a stream would be empty by then)."""
    if not isinstance(data, bytes):
        raise TypeError("send_file takes bytes, so that every attempt uploads all of it")
    return await with_retry(bot.send_document, chat_id, document=data, filename=filename)
