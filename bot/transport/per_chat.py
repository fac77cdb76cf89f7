"""Different people in parallel, each person in order.

python-telegram-bot hands every fetched update to `process_update` in its own task, in the
order the updates arrived. This processor lets updates of different chats run at the same
time (at most `max_running` handlers at once) and keeps those of one chat strictly in the
order they arrived: each update waits for the previous update of its chat to finish. So a
429 wait, a /vergeet VACUUM or a slow chart holds up only its own chat. The single database
writer (storage.db.Store.run) still serialises every write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram.ext import BaseUpdateProcessor

# The base class's own semaphore is entered before do_process_update. It is set so large it
# never makes a task wait: then tasks enter do_process_update in arrival order, which is what
# fixes each chat's order. The bound that matters is `max_running`, taken after that order.
_ADMIT_ALL = 1 << 30


class PerChatUpdateProcessor(BaseUpdateProcessor):
    __slots__ = ("_running", "_tails", "max_running")

    def __init__(self, max_running: int = 64) -> None:
        if max_running < 1:
            raise ValueError("max_running must be at least 1")
        super().__init__(_ADMIT_ALL)
        self.max_running = max_running
        self._running = asyncio.BoundedSemaphore(max_running)
        self._tails: dict[Any, asyncio.Future] = {}  # chat key -> last queued update's done

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        previous = self._tails.get(key) if key is not None else None
        done = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = done
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and hasattr(coroutine, "close"):
                coroutine.close()  # cancelled while waiting: it never ran, and must not warn
            done.set_result(None)
            if key is not None and self._tails.get(key) is done:
                del self._tails[key]

    @property
    def waiting_chats(self) -> int:
        """Chats with an update queued or running (for tests and the bench)."""
        return len(self._tails)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def chat_key(update: object) -> tuple[str, int] | None:
    """The chat whose order an update belongs to; None for updates with no chat or user
    (they need no order). A press on a message belongs to that message's chat."""
    chat = getattr(update, "effective_chat", None)
    if chat is not None:
        return ("chat", chat.id)
    user = getattr(update, "effective_user", None)
    return None if user is None else ("user", user.id)
