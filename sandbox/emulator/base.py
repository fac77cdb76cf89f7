"""What the parts of the emulator share: its error, the record of a call, a pending
button press, and the state they all work on, declared here for the type checker and set
by `Emulator.__init__` (sandbox/emulator/server.py). The parts are mixins of `Emulator`:
sandbox/emulator/people.py (users and what they do), observe.py (what happened),
endpoint.py (HTTP) and bot_api.py (the Bot API methods).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from aiohttp import web

from . import control, faults
from .flood import FloodControl
from .state import ChatRecord, MessageRecord, StoredFile, UpdateQueue, UserRecord


class EmulatorError(control.ControlError):
    """Misuse of the emulator's own API: unknown user, no such message or button, ..."""


@dataclass
class CallRecord:
    """One Bot API request as the emulator saw it.

    `params` are the arguments after coercion (uploads as name/type/size) when the call got
    that far, else the raw strings received; `description` is set when the call failed.
    """

    method: str
    params: dict
    status: int = 200
    description: str | None = None
    ignored: dict = field(default_factory=dict)  # unknown parameters (Telegram ignores them)

    def to_dict(self) -> dict:
        return asdict(self)


class Pressed(NamedTuple):
    update_id: int
    callback_query_id: str


@dataclass
class _Query:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


class EmulatorParts:
    token: str
    bot_id: int
    bot_username: str
    bot_name: str
    flood: FloodControl
    calls: list[CallRecord]
    callback_answers: list[dict]
    host: str
    port: int | None
    faults: faults.Faults
    listeners: list[Callable[[], None]]
    _users: dict[int, UserRecord]
    _chats: dict[int, ChatRecord]
    _messages: dict[int, dict[int, MessageRecord]]
    _queries: dict[str, _Query]
    _files: dict[str, StoredFile]
    _commands: dict[tuple, list[dict]]
    _descriptions: dict[tuple[str, str], str]
    _webhook_url: str
    _queue: UpdateQueue
    _changed: asyncio.Event
    _ids: itertools.count
    _runner: web.AppRunner | None
    _api: dict[str, Callable[[dict], Awaitable[Any]]]

    if TYPE_CHECKING:

        def _notify(self) -> None: ...
        def _user(self, user_id: int) -> UserRecord: ...
        def _chat(self, chat_id: int) -> ChatRecord: ...
        def _deliver(self, record: MessageRecord) -> int: ...
        def _message_json(self, record: MessageRecord, with_reply: bool = True) -> dict: ...
        def _bot_json(self, full: bool = False) -> dict: ...
        def _new_message(
            self, chat: ChatRecord, sender_id: int, **content: Any
        ) -> MessageRecord: ...
        def _store_file(
            self, data: bytes, kind: str, name: str | None, mime: str | None
        ) -> StoredFile: ...
