"""Fixtures for the emulator tests: a running Emulator, a fake clock, a raw Bot API caller."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox.emulator.flood import FloodPolicy
from sandbox.emulator.server import Emulator

TOKEN = "123456:TEST"
VERA, WIM, NEWBIE = 1001, 1002, 1003


class FakeClock:
    """A monotonic clock that only moves when told, so flood tests never sleep."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def flood_policy() -> FloodPolicy:
    """Flood control off unless a test overrides this fixture or switches it on."""
    return FloodPolicy(enabled=False)


@pytest.fixture
async def emu(clock: FakeClock, flood_policy: FloodPolicy) -> AsyncIterator[Emulator]:
    emulator = Emulator(token=TOKEN, bot_username="omzien_bot", flood=flood_policy, clock=clock)
    await emulator.start()
    emulator.add_user(VERA, "Vera", username="vera")
    emulator.add_user(WIM, "Wim")
    emulator.add_user(NEWBIE, "Nina", started=False)
    yield emulator
    await emulator.stop()


class BotApi:
    """Calls the emulator's Bot API over real HTTP in the encoding a test chooses."""

    def __init__(self, session: aiohttp.ClientSession, emu: Emulator) -> None:
        self.session = session
        self.emu = emu

    async def call(
        self, method: str, encoding: str = "form", token: str = TOKEN, **params: Any
    ) -> tuple[int, dict]:
        url = f"{self.emu.base_url}{token}/{method}"
        if encoding == "json":
            response = await self.session.post(url, json=params)
        elif encoding == "query":
            response = await self.session.get(url, params=_as_strings(params))
        elif encoding == "multipart":
            response = await self.session.post(url, data=_multipart(params))
        else:
            response = await self.session.post(url, data=_as_strings(params))
        async with response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        """The result of a call that must succeed."""
        status, body = await self.call(method, **params)
        assert (status, body.get("ok")) == (200, True), body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        """(status, description) of a call that must fail in Telegram's error shape."""
        status, body = await self.call(method, **params)
        assert body["ok"] is False, body
        assert body["error_code"] == status, body
        return status, body["description"]


def _as_strings(params: dict) -> dict[str, str]:
    """How PTB encodes a form: strings as is, everything else JSON-encoded."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}


def _multipart(params: dict) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in params.items():
        if isinstance(value, tuple):  # (filename, bytes, content type)
            filename, data, content_type = value
            form.add_field(name, data, filename=filename, content_type=content_type)
        else:
            form.add_field(name, value if isinstance(value, str) else json.dumps(value))
    return form


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[BotApi]:
    async with aiohttp.ClientSession() as session:
        yield BotApi(session, emu)
