"""A sandbox session: the emulator, the real bot (same Application as production, with
`base_url` pointed at the emulator) and the seeded demo organisation, in one process.

Used by the terminal chat (`omzien sandbox`), the script runner (`--script FILE`) and
tests. Personas are driven through the emulator exactly as Telegram users would be.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from telegram.ext import Application

from bot import lifecycle
from bot.app import build_application
from bot.config import Settings
from bot.delivery import ticker
from bot.runtime import Runtime
from bot.timekeeping.clock import OffsetClock, parse_duration, parse_weekday_time, until_next
from bot.transport.inbox import Poller
from bot.transport.menus import set_menu
from content.render import Content, default_content
from dialogues.engine import Engine
from sandbox import demo
from sandbox.emulator.server import Emulator, FloodPolicy
from storage import outbox
from storage.db import Store

log = logging.getLogger(__name__)
SANDBOX_TOKEN = "123456:SANDBOX"
# Scripts press buttons at machine speed, far faster than a person; a larger per-chat burst
# keeps them quick while the limits themselves stay as Telegram's.
SANDBOX_FLOOD = FloodPolicy(per_chat_burst=30)
IDLE_TIMEOUT = 15.0


class Sandbox:
    def __init__(
        self, settings: Settings, db_path: Path | str, flood: FloodPolicy | None = None
    ) -> None:
        self.settings = replace(settings, token=SANDBOX_TOKEN, tick_seconds=3600.0)
        self.db_path = Path(db_path)
        self.emulator = Emulator(
            token=SANDBOX_TOKEN, bot_username=settings.bot_username, flood=flood or SANDBOX_FLOOD
        )
        self.clock = OffsetClock()
        self.injected = 0
        self.app: Application | None = None
        self.poller: Poller | None = None
        self._rt: Runtime | None = None
        self.known: set[int] = set()

    async def start(self) -> None:
        await self.emulator.start(host="127.0.0.1", port=0)
        settings = replace(
            self.settings,
            base_url=self.emulator.base_url,
            base_file_url=self.emulator.base_file_url,
        )
        store = Store.open(self.db_path)
        await store.run(demo.seed, self.clock.now())
        content = default_content()
        self._rt = Runtime(settings, store, self.clock, content, Engine(content))
        for user_id, first_name, _role in demo.PERSONAS.values():
            self.emulator.add_user(user_id, first_name, language_code="nl", started=True)
            self.known.add(user_id)
        self.app = app = build_application(self.rt)
        # Through the durable inbox, exactly as in production (bot/lifecycle.py).
        self.poller = await lifecycle.start(app, self.rt, poll_timeout=1)
        await self._seed_menus(app, content)

    @property
    def rt(self) -> Runtime:
        """The bot's runtime; there is one once `start` has run."""
        if self._rt is None:
            raise RuntimeError("the sandbox has not started")
        return self._rt

    async def _seed_menus(self, app: Application, content: Content) -> None:
        """The seeded personas never went through onboarding, which is where a menu is set."""
        for user_id, _first_name, role in demo.PERSONAS.values():
            await set_menu(app.bot, content, user_id, role, "nl")

    async def stop(self) -> None:
        if self.app is not None:
            await lifecycle.stop(self.app, self.poller)
        await self.emulator.stop()

    # ---- personas -------------------------------------------------------------------

    def ensure_persona(self, name: str) -> int:
        user_id = demo.persona_id(name)
        if user_id not in self.known:
            self.emulator.add_user(user_id, name.capitalize(), language_code="nl", started=False)
            self.known.add(user_id)
        return user_id

    async def say(self, name: str, text: str) -> None:
        self.emulator.send_text(self.ensure_persona(name), text)
        self.injected += 1
        await self.wait_idle()

    async def press(self, name: str, which: str) -> str:
        """Press a button on the newest message with buttons: by label text or `#n`."""
        user_id = self.ensure_persona(name)
        message = self.newest_with_buttons(user_id)
        if message is None:
            raise LookupError(f"{name} has no message with buttons")
        button = pick_button(message.reply_markup, which)
        if button is None:
            labels = [b["text"] for row in message.reply_markup["inline_keyboard"] for b in row]
            raise LookupError(f"no button {which!r} for {name}; buttons are: {labels}")
        self.emulator.press(user_id, message.message_id, data=button["callback_data"])
        self.injected += 1
        await self.wait_idle()
        return button["text"]

    async def press_message(self, name: str, message_id: int, data: str) -> None:
        """Press a button with this callback data on one particular message (a click)."""
        self.emulator.press(self.ensure_persona(name), message_id, data=data)
        self.injected += 1
        await self.wait_idle()

    async def set_blocked(self, name: str, blocked: bool) -> None:
        """Telegram tells the bot with a my_chat_member update, which we wait for too."""
        user_id = self.ensure_persona(name)
        if (user_id in self.emulator.blocked) != blocked:
            self.emulator.block(user_id, blocked=blocked)
            self.injected += 1
            await self.wait_idle()

    def messages(self, name: str) -> list:
        return self.emulator.messages(demo.persona_id(name))

    def newest_with_buttons(self, user_id: int):
        for message in reversed(self.emulator.messages(user_id)):
            if message.reply_markup and message.reply_markup.get("inline_keyboard"):
                return message
        return None

    # ---- time and idleness ----------------------------------------------------------

    async def move_clock(self, words: str) -> None:
        """`+2d` (forward by a duration) or `to mon 19:30` (forward to the next such moment,
        in the organisation's time zone): the sandbox's `clock ...` line."""
        words = words.strip()
        if words.startswith("to "):
            weekday, hour, minute = parse_weekday_time(words[3:])
            delta = until_next(self.clock.now(), weekday, hour, minute, self.rt.settings.timezone)
        else:
            delta = parse_duration(words)
        await self.advance_clock(delta)

    async def advance_clock(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        await ticker.tick(self.rt)
        await self.wait_idle()

    async def wait_idle(self, timeout: float = IDLE_TIMEOUT) -> None:
        """Until every injected update is handled and no outbox row is due."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            activity = self.rt.activity
            if activity.handled >= self.injected and activity.in_flight == 0:
                due = await self.rt.store.run(outbox.pending_count, self.clock.now())
                if due == 0:
                    return
                self.rt.wake_outbox()
            await asyncio.sleep(0.01)
        raise TimeoutError("the bot did not become idle in time")


def pick_button(keyboard: dict, which: str) -> dict | None:
    buttons = [b for row in keyboard.get("inline_keyboard", ()) for b in row]
    if which.startswith("#") and which[1:].isdigit():
        index = int(which[1:]) - 1
        return buttons[index] if 0 <= index < len(buttons) else None
    wanted = which.lower()
    for button in buttons:
        if wanted in button["text"].lower():
            return button
    return None
