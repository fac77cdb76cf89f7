"""Both Bot API transports (bot/transport) against the emulator over real HTTP: results, the
Bot API's error shapes as python-telegram-bot's errors, timeouts, uploads, long polling."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.transport.aiohttp_request import AiohttpRequest
from bot.transport.factory import make_request
from sandbox.emulator.server import Emulator

from .conftest import NEWBIE, TOKEN, VERA
from .test_emulator import PNG


@pytest.fixture(params=["aiohttp", "httpx"])
async def bot(request, emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        request=make_request(request.param),
        get_updates_request=make_request(request.param),
    ) as real_bot:
        yield real_bot


async def test_calls_return_parsed_results(bot: Bot, emu: Emulator) -> None:
    first = await bot.send_message(VERA, "<b>Hoi</b> Vera", parse_mode="HTML")
    second = await bot.send_message(VERA, "Nog een")
    assert (first.text, second.message_id) == ("Hoi Vera", first.message_id + 1)
    assert [r.text for r in emu.messages(VERA)] == ["Hoi Vera", "Nog een"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_becomes_retry_after_with_its_seconds(bot: Bot, emu: Emulator) -> None:
    emu.force_429(1, retry_after=4)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(VERA, "Hoi")
    retry_after = raised.value.retry_after
    assert getattr(retry_after, "total_seconds", lambda: retry_after)() == 4
    assert (await bot.send_message(VERA, "Hoi")).text == "Hoi"


async def test_403_becomes_forbidden(bot: Bot, emu: Emulator) -> None:
    with pytest.raises(Forbidden, match="bot can't initiate conversation"):
        await bot.send_message(NEWBIE, "Hoi")
    emu.block(VERA)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(VERA, "Hoi")


async def test_400_becomes_bad_request(bot: Bot, emu: Emulator) -> None:
    sent = await bot.send_message(VERA, "Vraag")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Vraag", VERA, sent.message_id)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "Hoi")


@pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")
async def test_a_read_that_outlasts_its_timeout_is_timed_out(bot: Bot) -> None:
    # getUpdates with timeout=5 makes the emulator hold the answer; a 0.2 s read cannot wait.
    # (bot.get_updates would add the poll's timeout to read_timeout, so ask for it raw.)
    with pytest.raises(TimedOut):
        await bot.do_api_request("getUpdates", api_kwargs={"timeout": 5}, read_timeout=0.2)


async def test_a_refused_connection_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError) as raised:
        async with AiohttpRequest() as request:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    assert not isinstance(raised.value, TimedOut)


async def test_uploads_go_multipart(bot: Bot, emu: Emulator) -> None:
    document = await bot.send_document(
        VERA, b"dag 1: goed", filename="journaal.txt", caption="Je journaal"
    )
    photo = await bot.send_photo(VERA, PNG, caption="Je week")
    assert (document.document.file_name, document.caption) == ("journaal.txt", "Je journaal")
    assert photo.photo[-1].width == 2
    file = await bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"dag 1: goed"


async def test_get_updates_long_polls_until_an_update_arrives(bot: Bot, emu: Emulator) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not polling.done()  # the emulator is holding the request open
    emu.send_text(VERA, "hallo")
    [update] = await asyncio.wait_for(polling, 5)
    assert update.message.text == "hallo"


async def test_the_session_is_reused_and_closed_on_shutdown(emu: Emulator) -> None:
    request = AiohttpRequest()
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as real_bot:
        session = request._session
        for n in range(3):
            await real_bot.send_message(VERA, f"bericht {n}")
        assert request._session is session and not session.closed
    assert session.closed
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{emu.base_url}{TOKEN}/getMe", "POST")
