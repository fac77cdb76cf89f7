"""The `transport` and `concurrent_chats` settings reach python-telegram-bot's builder."""

from __future__ import annotations

import pytest
from telegram.ext import ApplicationBuilder, SimpleUpdateProcessor
from telegram.request import HTTPXRequest

from bot import config
from bot.transport.aiohttp_request import AiohttpRequest
from bot.transport.factory import configure, make_request
from bot.transport.per_chat import PerChatUpdateProcessor


def build(transport: str, concurrent_chats: int):
    return configure(ApplicationBuilder().token("123:ABC"), transport, concurrent_chats).build()


def test_the_default_is_aiohttp_with_chats_in_parallel() -> None:
    settings = config.load({"OMZIEN_CONFIG": "/no/such/omzien.toml"})
    app = build(settings.transport, settings.concurrent_chats)
    assert isinstance(app.bot.request, AiohttpRequest)
    assert isinstance(app.updater.bot._request[0], AiohttpRequest)  # getUpdates' own
    assert app.bot.request is not app.updater.bot._request[0]
    assert isinstance(app.update_processor, PerChatUpdateProcessor)
    assert app.update_processor.max_running == 64


def test_httpx_and_sequential_from_the_environment() -> None:
    settings = config.load(
        {
            "OMZIEN_CONFIG": "/no/such/omzien.toml",
            "OMZIEN_TRANSPORT": "httpx",
            "OMZIEN_CONCURRENT_CHATS": "1",
        }
    )
    assert (settings.transport, settings.concurrent_chats) == ("httpx", 1)
    app = build(settings.transport, settings.concurrent_chats)
    assert isinstance(app.bot.request, HTTPXRequest)
    assert isinstance(app.update_processor, SimpleUpdateProcessor)
    assert app.update_processor.max_concurrent_updates == 1


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(ValueError, match="aiohttp, httpx"):
        make_request("curl")
