"""The emulator's made-up people and what they do: users and groups, writing, sending
media, blocking the bot, pressing a button. Each action becomes the update Telegram would
send. Mixed into `Emulator` (sandbox/emulator/server.py).
"""

from __future__ import annotations

import time

from content.telegram_html import utf16_length

from .base import EmulatorError, EmulatorParts, Pressed, _Query
from .bot_api import MAX_TEXT, TRIM
from .state import (
    OTHER_KINDS,
    ChatRecord,
    MessageRecord,
    StoredFile,
    UserRecord,
    callback_query_json,
    chat_json,
    command_entities,
    media_json,
    my_chat_member_json,
    user_json,
)


class People(EmulatorParts):
    # -- people and what they do ---------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "nl",
        started: bool = True,
        last_name: str | None = None,
    ) -> UserRecord:
        """A Telegram user; their private chat has the same id. started=False: never pressed
        Start, so the bot cannot write to them until they write first."""
        if int(user_id) <= 0:
            raise EmulatorError("user ids are positive; group chats have negative ids")
        user = UserRecord(int(user_id), first_name, username, language_code, last_name, started)
        self._users[user.user_id] = user
        self._chats[user.user_id] = ChatRecord(user.user_id, "private", user=user)
        self._notify()
        return user

    def add_group(self, chat_id: int, title: str | None = None) -> ChatRecord:
        """A group the bot is a member of (again, if it had left)."""
        if int(chat_id) >= 0:
            raise EmulatorError("group chat ids are negative")
        chat = self._chats.get(int(chat_id))
        if chat is None or chat.type != "group":
            chat = self._chats[int(chat_id)] = ChatRecord(int(chat_id), "group", title)
        chat.left = False
        chat.title = title or chat.title
        return chat

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot; Telegram tells the bot via my_chat_member."""
        user = self._user(user_id)
        if user.blocked == blocked:
            return
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        chat = chat_json(self._chats[user.user_id])
        payload = my_chat_member_json(
            chat, user_json(user), self._bot_json(), old, new, int(time.time())
        )
        self._queue.put("my_chat_member", payload)
        self._notify()

    def send_text(self, user_id: int, text: str) -> int:
        """The user writes `text` in their private chat with the bot; returns the update_id."""
        if not text.strip(TRIM) or utf16_length(text) > MAX_TEXT:
            raise EmulatorError("a Telegram client sends 1-4096 characters of text")
        user = self._user_speaks(user_id)
        record = self._new_message(
            self._chats[user.user_id],
            user.user_id,
            text=text,
            raw_text=text,
            entities=command_entities(text),
        )
        return self._deliver(record)

    def send_other(self, user_id: int, kind: str, caption: str | None = None) -> int:
        """The user sends a photo, sticker, voice, document or location; returns update_id."""
        if kind not in OTHER_KINDS:
            raise EmulatorError(f"unknown kind {kind!r}; expected one of {OTHER_KINDS}")
        user = self._user_speaks(user_id)
        media = media_json(kind, self._user_files(kind))
        record = self._new_message(
            self._chats[user.user_id],
            user.user_id,
            media=media,
            caption=caption if kind in ("photo", "document") else None,
        )
        return self._deliver(record)

    def send_group_text(
        self, chat_id: int, user_id: int, text: str, title: str | None = None
    ) -> int:
        """The user writes `text` in a group (negative id) the bot is in; returns update_id."""
        known = self._chats.get(int(chat_id))
        if known is not None and known.left:
            raise EmulatorError(f"the bot left group {chat_id}; it receives nothing from there")
        chat = self.add_group(chat_id, title)
        user = self._user(user_id)
        record = self._new_message(
            chat, user.user_id, text=text, raw_text=text, entities=command_entities(text)
        )
        return self._deliver(record)

    def press(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        button: str | None = None,
        chat_id: int | None = None,
    ) -> Pressed:
        """The user presses an inline button of the bot's message: by callback `data`, or by
        the `button`'s text. Only buttons the message has now can be pressed."""
        user = self._user(user_id)
        chat_id = user.user_id if chat_id is None else int(chat_id)
        record = self._messages.get(chat_id, {}).get(int(message_id))
        if record is None or record.deleted or not record.from_bot:
            raise EmulatorError(f"the bot has no message {message_id} in chat {chat_id}")
        if user.blocked:
            raise EmulatorError(f"user {user_id} has blocked the bot and cannot press buttons")
        data = _button_data(record, data, button)
        query = _Query(
            str(7_000_000_000 + next(self._ids)), user.user_id, chat_id, record.message_id, data
        )
        self._queries[query.query_id] = query
        payload = callback_query_json(
            query.query_id,
            user_json(user),
            self._message_json(record),
            data,
            chat_instance=str(abs(chat_id) * 31 + self.bot_id),
        )
        update_id = self._queue.put("callback_query", payload)
        self._notify()
        return Pressed(update_id, query.query_id)

    def _user(self, user_id: int) -> UserRecord:
        user = self._users.get(int(user_id))
        if user is None:
            raise EmulatorError(f"unknown user {user_id}; add_user() first")
        return user

    def _chat(self, chat_id: int) -> ChatRecord:
        chat = self._chats.get(int(chat_id))
        if chat is None:
            raise EmulatorError(f"unknown chat {chat_id}")
        return chat

    def _user_speaks(self, user_id: int) -> UserRecord:
        """Writing to the bot starts it, and unblocks it (the client's Restart button)."""
        user = self._user(user_id)
        if user.blocked:
            self.block(user.user_id, False)
        user.started = True
        return user

    def _user_files(self, kind: str) -> list[StoredFile]:
        """Made-up files behind a user's media, so that the bot can getFile them."""
        if kind == "photo":  # Telegram sends several sizes; two will do
            small = self._store_file(_PNG_1X1, "photo", "photo.png", "image/png")
            return [small, self._store_file(_PNG_1X1, "photo", "photo.png", "image/png")]
        if kind == "location":
            return []
        names = {
            "document": ("notities.pdf", "application/pdf"),
            "voice": ("voice.ogg", "audio/ogg"),
            "sticker": ("sticker.webp", "image/webp"),
        }
        name, mime = names[kind]
        return [self._store_file(b"emulated " + kind.encode(), kind, name, mime)]


def _button_data(record: MessageRecord, data: str | None, button: str | None) -> str:
    """The callback_data a press sends: given, or looked up by the button's text."""
    buttons = record.buttons()
    labels = [b.get("text") for b in buttons]
    if (data is None) == (button is None):
        raise EmulatorError("press needs either data or button")
    if button is not None:
        matches = [b for b in buttons if b.get("text") == button] or [
            b for b in buttons if str(b.get("text", "")).casefold() == button.casefold()
        ]
        if not matches:
            raise EmulatorError(f"message {record.message_id} has no button {button!r}: {labels}")
        if "callback_data" not in matches[0]:
            raise EmulatorError(f"button {button!r} is not a callback button")
        return matches[0]["callback_data"]
    if not any(b.get("callback_data") == data for b in buttons):
        raise EmulatorError(
            f"message {record.message_id} has no button with callback_data {data!r}: {labels}"
        )
    assert data is not None  # exactly one of data and button is given
    return data


# A valid 1x1 white PNG: what a user's "photo" contains, should the bot download it.
_PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c63f80f040009fb03fdfb5e6b2b0000000049454e44ae426082"
)
