"""What the emulator knows (users, chats, messages, files) and its Bot API JSON shapes.

The records are plain dataclasses the emulator keeps; the ``*_json`` functions turn them into
the objects Telegram sends (User, Chat, Message, CallbackQuery, ChatMemberUpdated), shaped so
that python-telegram-bot parses them. `UpdateQueue` is the getUpdates side: update ids,
offsets, ``allowed_updates`` and long polling::

    queue = UpdateQueue()
    update_id = queue.put("message", message_json(...))
    updates = await queue.get(offset=0, limit=100, timeout=10, allowed=None)
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from content.telegram_html import utf16_length

from .methods import ApiError

__all__ = [
    "OTHER_KINDS",
    "ChatRecord",
    "MessageRecord",
    "StoredFile",
    "UpdateQueue",
    "UserRecord",
    "callback_query_json",
    "chat_json",
    "command_entities",
    "media_json",
    "message_json",
    "my_chat_member_json",
    "user_json",
]


@dataclass
class UserRecord:
    user_id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "nl"
    last_name: str | None = None
    started: bool = True
    blocked: bool = False


@dataclass
class ChatRecord:
    chat_id: int
    type: str  # "private" or "group"
    title: str | None = None
    user: UserRecord | None = None  # the other side of a private chat
    left: bool = False  # the bot left this group


@dataclass
class MessageRecord:
    """One message in a chat, as it is now. `text`/`caption` are what the user sees (after
    entity parsing); `raw_text`/`raw_caption` are what the bot sent."""

    message_id: int
    chat_id: int
    date: int
    from_bot: bool
    sender_id: int
    text: str | None = None
    raw_text: str | None = None
    entities: list[dict] = field(default_factory=list)
    caption: str | None = None
    raw_caption: str | None = None
    caption_entities: list[dict] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict | None = None
    document: dict | None = None
    photo: list[dict] | None = None
    media: dict = field(default_factory=dict)  # other kinds a user sends: {"sticker": {...}}
    reply_to_message_id: int | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False

    @property
    def document_file_name(self) -> str | None:
        return (self.document or {}).get("file_name")

    @property
    def has_photo(self) -> bool:
        return bool(self.photo)

    def buttons(self) -> list[dict]:
        """The inline keyboard buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(document_file_name=self.document_file_name, has_photo=self.has_photo)
        return data


@dataclass(frozen=True)
class StoredFile:
    """A file the emulator holds: uploaded by the bot, or made up for a user's media."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def document_json(self) -> dict:
        return _without_none(
            file_id=self.file_id,
            file_unique_id=self.file_unique_id,
            file_name=self.file_name,
            mime_type=self.mime_type,
            file_size=len(self.data),
        )

    def photo_size_json(self, width: int, height: int) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(self.data),
        }

    def file_json(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


def _without_none(**values: object) -> dict:
    return {key: value for key, value in values.items() if value is not None}


# -- Bot API objects ------------------------------------------------------------------------


def user_json(user: UserRecord) -> dict:
    return _without_none(
        id=user.user_id,
        is_bot=False,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def chat_json(chat: ChatRecord) -> dict:
    if chat.type == "private" and chat.user is not None:
        user = chat.user
        return _without_none(
            id=chat.chat_id,
            type="private",
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
        )
    return {"id": chat.chat_id, "type": chat.type, "title": chat.title or f"Groep {chat.chat_id}"}


def message_json(
    record: MessageRecord, chat: dict, sender: dict, reply_to: dict | None = None
) -> dict:
    """The Message object for `record`, as Telegram returns and delivers it."""
    message: dict = {
        "message_id": record.message_id,
        "from": sender,
        "chat": chat,
        "date": record.date,
    }
    if record.edit_date is not None:
        message["edit_date"] = record.edit_date
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    if record.text is not None:
        message["text"] = record.text
        if record.entities:
            message["entities"] = record.entities
    if record.document is not None:
        message["document"] = record.document
    if record.photo is not None:
        message["photo"] = record.photo
    message.update(record.media)
    if record.caption:
        message["caption"] = record.caption
        if record.caption_entities:
            message["caption_entities"] = record.caption_entities
    if record.reply_markup is not None and "inline_keyboard" in record.reply_markup:
        message["reply_markup"] = record.reply_markup  # only inline keyboards come back
    return message


def callback_query_json(
    query_id: str, user: dict, message: dict, data: str, chat_instance: str
) -> dict:
    return {
        "id": query_id,
        "from": user,
        "message": message,
        "chat_instance": chat_instance,
        "data": data,
    }


def my_chat_member_json(chat: dict, user: dict, bot: dict, old: str, new: str, date: int) -> dict:
    """What Telegram sends when a user blocks ("kicked") or unblocks ("member") the bot."""

    def member(status: str) -> dict:
        body: dict[str, Any] = {"user": bot, "status": status}
        if status == "kicked":
            body["until_date"] = 0
        return body

    return {
        "chat": chat,
        "from": user,
        "date": date,
        "old_chat_member": member(old),
        "new_chat_member": member(new),
    }


# Telegram's bot_command pattern: /command[@bot], not glued to a word, '/', '<' or '>'.
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")


def command_entities(text: str) -> list[dict]:
    """bot_command entities for a user's text, offsets in UTF-16 like Telegram's."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_length(text[: match.start()]),
            "length": utf16_length(match.group()),
        }
        for match in _BOT_COMMAND.finditer(text)
    ]


OTHER_KINDS = ("photo", "sticker", "voice", "document", "location")


def media_json(kind: str, files: list[StoredFile]) -> dict:
    """The Message fields for a user's non-text message of `kind` (see OTHER_KINDS)."""
    if kind == "photo":
        small, large = files
        return {"photo": [small.photo_size_json(90, 68), large.photo_size_json(1280, 960)]}
    if kind == "document":
        return {"document": files[0].document_json()}
    if kind == "voice":
        voice = files[0]
        body = {"duration": 3, "mime_type": "audio/ogg", "file_size": len(voice.data)}
        return {"voice": {"file_id": voice.file_id, "file_unique_id": voice.file_unique_id, **body}}
    if kind == "sticker":
        sticker = files[0]
        return {
            "sticker": {
                "file_id": sticker.file_id,
                "file_unique_id": sticker.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
                "file_size": len(sticker.data),
            }
        }
    if kind == "location":
        return {"location": {"latitude": 52.3731, "longitude": 4.8922}}
    raise ValueError(f"unknown kind {kind!r}; expected one of {OTHER_KINDS}")


# -- getUpdates -----------------------------------------------------------------------------

# Sent unless asked for explicitly (Bot API: allowed_updates).
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def update_kind(update: dict) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Updates waiting for the bot, with Telegram's getUpdates semantics.

    An update stays until a getUpdates call passes an offset above its id. A new getUpdates
    ends a waiting one with 409 Conflict, as Telegram does when two bot instances poll.
    """

    def __init__(self, first_update_id: int = 1, on_wait: Callable[[], None] | None = None) -> None:
        """`on_wait` is called whenever a poll starts waiting (the bot has gone idle)."""
        self._on_wait = on_wait
        self._updates: list[dict] = []
        self._next_id = first_update_id
        self._allowed: list[str] = []
        self._arrived = asyncio.Event()
        self._generation = 0
        self._waiting = 0
        self._closed = False

    @property
    def polling(self) -> bool:
        """A long poll is waiting right now (the bot is idle, as far as updates go)."""
        return self._waiting > 0

    def put(self, kind: str, payload: dict) -> int:
        update_id = self._next_id
        self._next_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        self._arrived.set()
        return update_id

    def pending(self) -> list[dict]:
        """Updates not yet confirmed (delivered or not)."""
        return list(self._updates)

    def drop_pending(self) -> None:
        self._updates.clear()

    def close(self) -> None:
        """Release waiting polls (they return no updates)."""
        self._closed = True
        self._arrived.set()

    async def get(
        self, offset: int | None, limit: int | None, timeout: int | None, allowed: list | None
    ) -> list[dict]:
        """getUpdates: confirm below `offset`, then return up to `limit`, waiting `timeout` s."""
        self._generation += 1
        generation = self._generation
        self._arrived.set()  # wake an older poll so that it ends in a conflict
        if allowed is not None:
            self._allowed = list(allowed)
        self._confirm(offset)
        limit = limit if limit is not None and 1 <= limit <= 100 else 100
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0, timeout or 0)
        while True:
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closed:
                return batch
            await self._wait(remaining)
            if generation != self._generation:
                raise ApiError(409, CONFLICT)

    async def _wait(self, seconds: float) -> None:
        self._arrived.clear()
        self._waiting += 1
        if self._on_wait is not None:
            self._on_wait()
        try:  # asyncio.timeout: wait_for on 3.11 can swallow a cancel
            async with asyncio.timeout(seconds):
                await self._arrived.wait()
        except TimeoutError:
            pass
        finally:
            self._waiting -= 1

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            self._updates = self._updates[offset:]  # the last -offset updates
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _deliverable(self, limit: int) -> list[dict]:
        """Updates of allowed kinds; others are dropped, as Telegram never sends them."""
        self._updates = [u for u in self._updates if self._is_allowed(update_kind(u))]
        return self._updates[:limit]

    def _is_allowed(self, kind: str) -> bool:
        if self._allowed:
            return kind in self._allowed
        return kind not in NOT_BY_DEFAULT
