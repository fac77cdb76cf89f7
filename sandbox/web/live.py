"""The page's live feed: after every emulator change, what each shown persona's chat gained
or changed goes out to every open WebSocket, so a worry shows up in pim's pane the moment
the bot delivers it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from sandbox.demo import persona_id
from sandbox.emulator.control import ControlError
from sandbox.web.views import fingerprint, message_view

log = logging.getLogger(__name__)
# Changes come in bursts (a send, its call record, the next poll): one event per burst.
SETTLE_SECONDS = 0.02


class LiveFeed:
    def __init__(self, emulator, personas: list[str]) -> None:
        self.emulator = emulator
        self.personas = personas  # the panes on the page, shared with the server
        self.sockets: set[web.WebSocketResponse] = set()
        self._seen: dict[str, dict[int, tuple]] = {}
        self._menus: dict[str, list[dict]] = {}
        self._answers = len(emulator.callback_answers)
        self._changed = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self.emulator.listeners.append(self._changed.set)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.emulator.listeners.remove(self._changed.set)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for socket in list(self.sockets):
            await socket.close()

    def poke(self) -> None:
        """Something outside the emulator changed (a new pane): look again."""
        self._changed.set()

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            await asyncio.sleep(SETTLE_SECONDS)
            self._changed.clear()
            for event in self.collect():
                await self.broadcast(event)

    def collect(self) -> list[dict]:
        """Events for everything that changed since the previous look."""
        events = []
        for name in list(self.personas):
            user_id = persona_id(name)
            records = self.emulator.history(user_id)
            seen = self._seen.setdefault(name, {})
            changed = [r for r in records if seen.get(r.message_id) != fingerprint(r)]
            seen.update({r.message_id: fingerprint(r) for r in changed})
            if changed:
                events.append(
                    {
                        "type": "messages",
                        "persona": name,
                        "messages": [message_view(r) for r in changed],
                    }
                )
            menu = menu_of(self.emulator, user_id)
            if self._menus.get(name) != menu:
                self._menus[name] = menu
                events.append({"type": "commands", "persona": name, "commands": menu})
        events.extend(self._notices())
        return events

    def _notices(self) -> list[dict]:
        """answerCallbackQuery texts: Telegram shows them briefly over the chat."""
        answers = self.emulator.callback_answers[self._answers :]
        self._answers += len(answers)
        by_id = {persona_id(name): name for name in self.personas}
        return [
            {
                "type": "notice",
                "persona": by_id[a["user_id"]],
                "text": a["text"],
                "alert": bool(a.get("show_alert")),
            }
            for a in answers
            if a.get("text") and a["user_id"] in by_id
        ]

    async def broadcast(self, event: dict) -> None:
        for socket in list(self.sockets):
            try:
                await socket.send_json(event)
            except (ConnectionError, RuntimeError):
                self.sockets.discard(socket)
                log.info("web sandbox: a page went away")


def menu_of(emulator, user_id: int) -> list[dict]:
    """The command menu that person's Telegram shows (set per chat by the bot)."""
    try:
        return emulator.effective_commands(user_id)
    except ControlError:  # a persona the emulator does not know yet
        return []
