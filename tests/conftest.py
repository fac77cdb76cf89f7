"""Shared fixtures: a fixed "now", a fresh database, an in-process Sandbox, an Emulator.

tests/sandbox/conftest.py has the emulator's own fixtures (`emu`, `api`); the ones here
are for storage, bot and end-to-end tests.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from sandbox.emulator.flood import FloodPolicy
from sandbox.emulator.server import Emulator
from sandbox.session import Sandbox
from storage import crypt
from storage.db import open_db

EMULATOR_TOKEN = "654321:E2E"
# Passed on to every `omzien` subprocess: a pass with OMZIEN_DB_KEY set (.ci/run) runs the
# processes on encrypted databases too, and reads what they wrote with the same key.
INHERITED = (crypt.KEY_VARIABLE, crypt.KEY_FILE_VARIABLE)


def process_env(**settings: str) -> dict[str, str]:
    """The environment for an `omzien` subprocess: this one without Omzien's and Telegram's
    settings (the test gives its own), except the database key."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k in INHERITED or not k.startswith(("OMZIEN_", "TELEGRAM_"))
    }
    env.update(settings)
    return env


@pytest.fixture
def now() -> datetime:
    return datetime(2025, 3, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "t.db")
    yield database
    database.close()


@pytest.fixture
def log_guard(monkeypatch):
    """Fails the test if anything a person typed, or a display name, reaches a log record
    (tests/logguard.py). The sandbox fixture and every e2e test use it."""
    from tests.logguard import guarded

    guard, remove = guarded(monkeypatch)
    yield guard
    remove()
    assert guard.leaks() == [], "personal data in the logs"


@pytest.fixture
async def sandbox(tmp_path, log_guard) -> AsyncIterator[Sandbox]:
    """The real bot and the emulator in this process, with the demo organisation seeded.

    Flood control is off: scripts press buttons far faster than people do, and with
    Telegram's per-chat limit on they spend most of their time waiting out 429s.
    `emu.force_429()` still works (tests/bot/test_onboarding.py uses it).
    """
    sb = Sandbox(Settings(), tmp_path / "sandbox.db", flood=FloodPolicy(enabled=False))
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()


async def start_emulator(
    token: str = EMULATOR_TOKEN, bot_username: str = "omzien_bot", flood: FloodPolicy | None = None
) -> Emulator:
    """A standalone emulator on a free loopback port; stop it with `await emu.stop()`."""
    emu = Emulator(
        token=token, bot_username=bot_username, flood=flood or FloodPolicy(enabled=False)
    )
    await emu.start("127.0.0.1", 0)
    return emu


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = await start_emulator()
    try:
        yield emu
    finally:
        await emu.stop()
