"""What happened in the emulator, for tests and the sandbox page: the bot's messages
and a chat's history, files, command menus, descriptions, who blocked the bot, pending
updates, and waiting for a condition. Mixed into `Emulator` (sandbox/emulator/server.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from .base import EmulatorParts
from .state import MessageRecord, StoredFile


class Observe(EmulatorParts):
    # -- what happened -------------------------------------------------------------------------

    def messages(self, chat_id: int, include_deleted: bool = True) -> list[MessageRecord]:
        """The bot's messages in a chat, oldest first, as they are now (edits applied)."""
        records = self._messages.get(int(chat_id), {}).values()
        return [r for r in records if r.from_bot and (include_deleted or not r.deleted)]

    def history(self, chat_id: int) -> list[MessageRecord]:
        """Every message of a chat, the user's own too, oldest first (what a client shows)."""
        return list(self._messages.get(int(chat_id), {}).values())

    def file(self, file_id: str) -> StoredFile | None:
        """A file the bot sent or a user's made-up media, by file_id."""
        return self._files.get(file_id)

    def commands(
        self,
        scope_type: str = "default",
        chat_id: int | None = None,
        language_code: str = "",
        user_id: int | None = None,
    ) -> list[dict]:
        """Commands set for exactly this scope and language ([] when none)."""
        return list(self._commands.get((scope_type, chat_id, user_id, language_code), []))

    def effective_commands(self, chat_id: int, language_code: str = "") -> list[dict]:
        """The command menu a chat shows, by Telegram's scope precedence."""
        chat = self._chat(chat_id)
        broad = "all_private_chats" if chat.type == "private" else "all_group_chats"
        languages = (language_code, "") if language_code else ("",)
        for scope, target in (("chat", chat.chat_id), (broad, None), ("default", None)):
            for language in languages:
                found = self._commands.get((scope, target, None, language))
                if found:
                    return list(found)
        return []

    @property
    def descriptions(self) -> dict[tuple[str, str], str]:
        """setMyDescription / setMyShortDescription: {(kind, language_code): text}."""
        return dict(self._descriptions)

    @property
    def blocked(self) -> set[int]:
        return {user.user_id for user in self._users.values() if user.blocked}

    @property
    def left_chats(self) -> set[int]:
        return {chat.chat_id for chat in self._chats.values() if chat.left}

    def pending_updates(self) -> list[dict]:
        """Updates the bot has not confirmed yet (with a getUpdates offset above them)."""
        return self._queue.pending()

    def state(self) -> dict:
        return {
            "pending_updates": len(self._queue.pending()),
            "polling": self._queue.polling,
            "blocked": sorted(self.blocked),
            "left_chats": sorted(self.left_chats),
            "calls": len(self.calls),
            "forced_429_left": self.flood.forced_left,
            "flood": asdict(self.flood.policy),
            "webhook_url": self._webhook_url,
        }

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() is truthy (checked after every change); return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._changed.clear()
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
