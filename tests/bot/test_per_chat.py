"""Different people in parallel, each person in order (bot/transport/per_chat.py), with the
real python-telegram-bot Application long polling the emulator over HTTP."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.transport.per_chat import PerChatUpdateProcessor, chat_key
from sandbox.emulator.server import Emulator

CHATS = range(2001, 2007)
PER_CHAT = 15
MAX_RUNNING = 3


class Recorder:
    """Handles each text after a random delay; notes the order of completion and how many
    handlers ran at once."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.done: list[tuple[int, int]] = []
        self.running = 0
        self.most_running = 0

    async def handle(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(self.random.uniform(0, 0.02))
            self.done.append((update.effective_chat.id, int(update.message.text)))
        finally:
            self.running -= 1


async def polling(emu: Emulator, processor: PerChatUpdateProcessor, handler) -> Application:
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .concurrent_updates(processor)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, handler))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    return app


async def stop(app: Application) -> None:
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@pytest.fixture
async def emu(emulator: Emulator) -> AsyncIterator[Emulator]:
    for chat in CHATS:
        emulator.add_user(chat, f"Persoon {chat}")
    yield emulator


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_each_chat_in_order_while_chats_overlap(emu: Emulator, seed: int) -> None:
    recorder = Recorder(seed)
    for chat in CHATS:  # each chat's updates back to back: tempting to overlap
        for n in range(PER_CHAT):
            emu.send_text(chat, str(n))
    app = await polling(emu, PerChatUpdateProcessor(MAX_RUNNING), recorder.handle)
    try:
        await emu.wait_for(lambda: len(recorder.done) == PER_CHAT * len(CHATS), timeout=20)
    finally:
        await stop(app)
    for chat in CHATS:
        assert [n for c, n in recorder.done if c == chat] == list(range(PER_CHAT))
    assert 1 < recorder.most_running <= MAX_RUNNING
    # Overlap shows in the completion order too: not chat after chat.
    assert [c for c, _ in recorder.done] != sorted(c for c, _ in recorder.done)


async def test_a_slow_chat_does_not_hold_up_another(emu: Emulator) -> None:
    slow, quick = CHATS[0], CHATS[1]
    release = asyncio.Event()
    finished: list[int] = []

    async def handle(update: Update, _context) -> None:
        if update.effective_chat.id == slow:
            await release.wait()
        finished.append(update.effective_chat.id)
        if update.effective_chat.id == quick:
            release.set()

    app = await polling(emu, PerChatUpdateProcessor(4), handle)
    try:
        emu.send_text(slow, "1")
        emu.send_text(quick, "1")
        # Sequential, the quick chat would wait behind the slow one forever (the test would
        # time out here); per chat, it finishes first and so releases the slow one.
        await emu.wait_for(lambda: len(finished) == 2, timeout=10)
    finally:
        release.set()
        await stop(app)
    assert finished == [quick, slow]


async def test_429_for_one_volunteer_does_not_delay_another(sandbox) -> None:
    """The real Omzien bot: vera's reply meets flood control and waits it out
    (bot/transport/sender.py); wim, writing meanwhile, gets his reply before hers."""
    emu = sandbox.emulator
    vera, wim = 1003, 1004
    emu.force_429(1, retry_after=3)
    emu.send_text(vera, "/help")
    await emu.wait_for(lambda: any(c.status == 429 for c in emu.calls), timeout=10)
    emu.send_text(wim, "/help")
    await emu.wait_for(lambda: emu.messages(vera) and emu.messages(wim), timeout=15)
    sent_to = [
        int(c.params["chat_id"]) for c in emu.calls if c.method == "sendMessage" and c.status == 200
    ]
    assert sent_to.index(wim) < sent_to.index(vera)


def test_updates_are_ordered_by_chat_then_by_user() -> None:
    press = Update.de_json(
        {
            "update_id": 1,
            "callback_query": {
                "id": "q",
                "chat_instance": "c",
                "data": "x",
                "from": {"id": 7, "is_bot": False, "first_name": "A"},
                "message": {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"}},
            },
        },
        None,
    )
    member = Update.de_json(
        {
            "update_id": 2,
            "my_chat_member": {
                "chat": {"id": 7, "type": "private"},
                "date": 0,
                "from": {"id": 7, "is_bot": False, "first_name": "A"},
                "old_chat_member": {
                    "status": "member",
                    "user": {"id": 1, "is_bot": True, "first_name": "B"},
                },
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 1, "is_bot": True, "first_name": "B"},
                },
            },
        },
        None,
    )
    inline = Update.de_json(
        {
            "update_id": 3,
            "inline_query": {
                "id": "i",
                "query": "",
                "offset": "",
                "from": {"id": 7, "is_bot": False, "first_name": "A"},
            },
        },
        None,
    )
    assert chat_key(press) == chat_key(member) == ("chat", 7)
    assert chat_key(inline) == ("user", 7)
    assert chat_key(object()) is None


def test_max_running_must_be_positive() -> None:
    with pytest.raises(ValueError):
        PerChatUpdateProcessor(0)
