"""The Bot API transport and update processor named by the settings, for ApplicationBuilder."""

from __future__ import annotations

from typing import Any

from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, HTTPXRequest

from bot.transport.aiohttp_request import AiohttpRequest
from bot.transport.per_chat import PerChatUpdateProcessor

TRANSPORTS = ("aiohttp", "httpx")


def make_request(transport: str, **timeouts: Any) -> BaseRequest:
    """One request object; getUpdates gets its own so a long poll never takes a call's slot."""
    if transport == "aiohttp":
        return AiohttpRequest(**timeouts)
    if transport == "httpx":
        return HTTPXRequest(**timeouts)
    raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")


def configure(
    builder: ApplicationBuilder, transport: str, concurrent_chats: int
) -> ApplicationBuilder:
    """Transport for calls and for getUpdates; concurrent_chats <= 1 keeps PTB sequential."""
    builder = builder.request(make_request(transport)).get_updates_request(make_request(transport))
    if concurrent_chats > 1:
        builder = builder.concurrent_updates(PerChatUpdateProcessor(concurrent_chats))
    return builder
