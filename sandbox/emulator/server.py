"""A local Telegram Bot API for one bot, strict enough that what Telegram rejects fails here first.

An aiohttp server on 127.0.0.1 that speaks ``/bot<token>/<method>`` like api.telegram.org:
query string, JSON, form and multipart bodies; Telegram's error shapes (400/401/403/404/409/429);
long-polling getUpdates; flood control. Users and their actions are made up through a Python
API (for tests in the same event loop) or the same functions over HTTP under ``/control/``
(for a bot in another process and for scripts).

In a test::

    emu = Emulator(token="123456:TEST", bot_username="omzien_bot")
    await emu.start()                       # port 0: a free port, see emu.port
    emu.add_user(1001, "Vera")
    app = (ApplicationBuilder().token(emu.token)
           .base_url(emu.base_url).base_file_url(emu.base_file_url).build())
    ...                                     # start polling
    emu.send_text(1001, "/start")
    [reply] = await emu.wait_for(lambda: emu.messages(1001))
    emu.press(1001, reply.message_id, button="Goed")
    await emu.stop()

Standalone, for a bot in another process::

    $ python -m sandbox.emulator.server --port 8081
    Telegram Bot API emulator for @omzien_bot
      base_url:      http://127.0.0.1:8081/bot
      base_file_url: http://127.0.0.1:8081/file/bot
      token:         123456:TEST
    $ curl -s localhost:8081/control/users -d '{"user_id": 1001, "first_name": "Vera"}'
    $ curl -s localhost:8081/control/text -d '{"user_id": 1001, "text": "/start"}'
    $ curl -s 'localhost:8081/control/messages?chat_id=1001'

Not emulated: webhooks are stored but never called; Markdown parse modes are accepted
unparsed; inline mode, payments, media groups and forum topics are absent. The emulator's
state lives in one event loop: call its Python API from that loop only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import re
import signal
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import faults
from .base import CallRecord, EmulatorError, Pressed, _Query
from .bot_api import BotApi
from .endpoint import Endpoint
from .flood import FloodControl, FloodPolicy
from .methods import METHODS
from .observe import Observe
from .people import People
from .state import (
    ChatRecord,
    MessageRecord,
    StoredFile,
    UpdateQueue,
    UserRecord,
    chat_json,
    message_json,
    user_json,
)

__all__ = ["CallRecord", "Emulator", "EmulatorError", "FloodPolicy", "Pressed", "_Query", "main"]


class Emulator(People, Observe, Endpoint, BotApi):
    """The Bot API of one bot, its users and chats, and a record of every call."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "omzien_bot",
        bot_id: int | None = None,
        bot_name: str = "Omzien",
        flood: FloodPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id if bot_id is not None else _bot_id_from(token)
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.flood = FloodControl(flood or FloodPolicy(), clock)
        self.calls: list[CallRecord] = []
        self.callback_answers: list[dict] = []
        self.host = "127.0.0.1"
        self.port: int | None = None
        self._users: dict[int, UserRecord] = {}
        self._chats: dict[int, ChatRecord] = {}
        self._messages: dict[int, dict[int, MessageRecord]] = {}
        self._queries: dict[str, _Query] = {}
        self._files: dict[str, StoredFile] = {}
        self._commands: dict[tuple, list[dict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._webhook_url = ""
        self._queue = UpdateQueue(on_wait=self._notify)
        self.faults = faults.Faults()
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        # Called after every change (a message, an edit, a call): the web page's live feed.
        self.listeners: list[Callable[[], None]] = []
        self._api = {name: getattr(self, "_api_" + _snake(name)) for name in METHODS}

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on host:port (0 = any free port; see `port`, `base_url`)."""
        self._runner = web.AppRunner(
            self._make_app(), shutdown_timeout=1.0, handler_cancellation=True, access_log=None
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.host = host
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._queue.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(): the bot appends token and method."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- test controls -------------------------------------------------------------------------

    def set_flood(self, **changes: Any) -> FloodPolicy:
        """Change flood control (see FloodPolicy), e.g. set_flood(enabled=False)."""
        return self.flood.configure(**changes)

    def force_429(self, count: int, retry_after: int = 1) -> None:
        """The next `count` sends or edits get 429 retry_after, whatever the rate."""
        self.flood.force(int(count), int(retry_after))

    # -- model helpers -------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        for listener in self.listeners:
            listener()

    def _new_message(self, chat: ChatRecord, sender_id: int, **content: Any) -> MessageRecord:
        chat_messages = self._messages.setdefault(chat.chat_id, {})
        record = MessageRecord(
            message_id=len(chat_messages) + 1,
            chat_id=chat.chat_id,
            date=int(time.time()),
            from_bot=sender_id == self.bot_id,
            sender_id=sender_id,
            **content,
        )
        chat_messages[record.message_id] = record
        self._notify()
        return record

    def _deliver(self, record: MessageRecord) -> int:
        update_id = self._queue.put("message", self._message_json(record))
        self._notify()
        return update_id

    def _message_json(self, record: MessageRecord, with_reply: bool = True) -> dict:
        chat = chat_json(self._chats[record.chat_id])
        sender = self._bot_json() if record.from_bot else user_json(self._users[record.sender_id])
        reply = None
        if with_reply and record.reply_to_message_id is not None:
            replied = self._messages[record.chat_id][record.reply_to_message_id]
            reply = self._message_json(replied, with_reply=False)
        return message_json(record, chat, sender, reply)

    def _bot_json(self, full: bool = False) -> dict:
        bot = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }
        if full:
            bot.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=False,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return bot

    def _store_file(self, data: bytes, kind: str, name: str | None, mime: str | None) -> StoredFile:
        number = next(self._ids)
        extension = (name or "").rpartition(".")[2] if name and "." in name else "bin"
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}ACAgQAAx{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            data=data,
            file_path=f"{kind}s/file_{number}.{extension}",
            file_name=name,
            mime_type=mime,
        )
        self._files[stored.file_id] = stored
        return stored


def _bot_id_from(token: str) -> int:
    prefix = token.partition(":")[0]
    return int(prefix) if prefix.isdigit() else 1


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def main(argv: list[str] | None = None) -> None:
    """Run the emulator standalone until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="omzien_bot")
    parser.add_argument("--no-flood", action="store_true", help="switch flood control off")
    parser.add_argument(
        "--freeze-every",
        type=float,
        metavar="SECONDS",
        help="keep what it holds out of the garbage collector's full passes (bench/run.py)",
    )
    args = parser.parse_args(argv)
    asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        token=args.token,
        bot_username=args.username,
        flood=FloodPolicy(enabled=not args.no_flood),
    )
    await emulator.start(args.host, args.port)
    print(
        f"Telegram Bot API emulator for @{emulator.bot_username}\n"
        f"  base_url:      {emulator.base_url}\n"
        f"  base_file_url: {emulator.base_file_url}\n"
        f"  token:         {emulator.token}",
        flush=True,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    freezing = asyncio.create_task(_freeze_every(args.freeze_every)) if args.freeze_every else None
    try:
        await stopping.wait()
    finally:
        if freezing is not None:
            freezing.cancel()
        await emulator.stop()


async def _freeze_every(seconds: float) -> None:
    """The emulator keeps every call and message it saw (tests read them back), so its heap
    only grows and each full collection takes longer: 75-220 ms with the event loop stopped
    under bench/run.py's crowd, a pause the real Bot API does not add to a bot's latency.
    What has lived `seconds` is moved out of the collector's sight (a cycle that dies later
    is not reclaimed: fine for a run of minutes, not for a server that runs for days)."""
    while True:
        await asyncio.sleep(seconds)
        gc.freeze()


if __name__ == "__main__":
    main()
