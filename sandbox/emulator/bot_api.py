"""The Bot API methods of the emulator: one `_api_<method>` per entry of the method
table (sandbox/emulator/methods.py), and the checks they share (chat lookup, flood control,
text and HTML limits, reply markup, files). Mixed into `Emulator`, whose state they use.
"""

from __future__ import annotations

import mimetypes
import struct
import time
from typing import Any
from urllib.parse import urlsplit

from content.telegram_html import HtmlError, parse_html, utf16_length

from .account_api import AccountApi
from .methods import ApiError, Upload, bad_request
from .shapes import check_reply_markup
from .state import ChatRecord, MessageRecord, StoredFile, chat_json

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_UPLOAD = 50 * 1024 * 1024
SENDING = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"
NOT_MEMBER = "Forbidden: bot is not a member of the group chat"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
TRIM = " \t\r\n\v\f"
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")


class BotApi(AccountApi):
    # -- Bot API: checks shared by methods -------------------------------------------------

    def _reachable_chat(self, chat_ref: int | str) -> ChatRecord:
        chat = self._resolve_chat(chat_ref)
        if chat.type == "private":
            user = chat.user
            assert user is not None  # a private chat always has its user
            if user.blocked:
                raise ApiError(403, BLOCKED)
            if not user.started:
                raise ApiError(403, NOT_STARTED)
        elif chat.left:
            raise ApiError(403, NOT_MEMBER)
        return chat

    def _check_flood(self, chat: ChatRecord) -> None:
        retry_after = self.flood.check(chat.chat_id, group=chat.type != "private")
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _formatted(
        self,
        text: str | None,
        parse_mode: str | None,
        entities: list | None,
        *,
        limit: int,
        too_long: str,
        empty: str | None = None,
    ) -> tuple[str | None, list[dict]]:
        """(visible text, entities) after parse_mode, or Telegram's 400."""
        mode = (parse_mode or "").lower()
        if mode not in ("", "html", "markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
        if text is None:
            if empty:
                raise bad_request(empty)
            return None, []
        visible, found = text, list(entities or [])
        if entities is None and mode == "html":
            try:
                parsed = parse_html(text)
            except HtmlError as error:
                raise bad_request(error.description) from None
            visible, found = parsed.text, parsed.entities
        if empty and not visible.strip(TRIM):
            raise bad_request(empty)
        if utf16_length(visible.strip(TRIM)) > limit:
            raise bad_request(too_long)
        return visible, found

    def _text(self, args: dict) -> tuple[str | None, list[dict]]:
        return self._formatted(
            args.get("text"),
            args.get("parse_mode"),
            args.get("entities"),
            limit=MAX_TEXT,
            too_long="message is too long",
            empty="message text is empty",
        )

    def _caption(self, args: dict) -> tuple[str | None, list[dict]]:
        return self._formatted(
            args.get("caption"),
            args.get("parse_mode"),
            args.get("caption_entities"),
            limit=MAX_CAPTION,
            too_long="message caption is too long",
        )

    @staticmethod
    def _markup(args: dict, inline_only: bool = False) -> dict | None:
        markup = args.get("reply_markup")
        return None if markup is None else check_reply_markup(markup, inline_only=inline_only)

    def _reply_target(self, chat: ChatRecord, reply: dict | None) -> int | None:
        if not reply:
            return None
        message_id = reply.get("message_id")
        target = (
            self._messages.get(chat.chat_id, {}).get(message_id)
            if isinstance(message_id, int)
            else None
        )
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target.message_id

    def _input_file(self, value: Upload | str, kind: str) -> StoredFile:
        """An uploaded file (stored now) or the file_id / URL of one Telegram has."""
        if isinstance(value, Upload):
            if kind == "photo" and not _is_image(value.data):
                raise bad_request("IMAGE_PROCESS_FAILED")
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
            return self._store_file(value.data, kind, value.filename, mime)
        if value in self._files:
            return self._files[value]
        if urlsplit(value).scheme in ("http", "https"):
            name = urlsplit(value).path.rpartition("/")[2] or "file"
            return self._store_file(b"", kind, name, mimetypes.guess_type(name)[0])
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send(self, args: dict, **content: Any) -> dict:
        """The common tail of send*: reply target, chat checks, flood, then the message."""
        chat = self._reachable_chat(args["chat_id"])
        reply_to = self._reply_target(chat, args.get("reply_parameters"))
        self._check_flood(chat)
        record = self._new_message(
            chat,
            self.bot_id,
            parse_mode=args.get("parse_mode"),
            reply_markup=self._markup(args),
            reply_to_message_id=reply_to,
            **content,
        )
        return self._message_json(record)

    def _editable(self, args: dict) -> tuple[ChatRecord, MessageRecord]:
        if "inline_message_id" in args:
            raise bad_request("MESSAGE_ID_INVALID")  # the emulator has no inline messages
        if "chat_id" not in args:
            raise bad_request("chat_id is empty")
        if "message_id" not in args:
            raise bad_request("message identifier is not specified")
        chat = self._reachable_chat(args["chat_id"])
        record = self._messages.get(chat.chat_id, {}).get(args["message_id"])
        if record is None or record.deleted:
            raise bad_request("message to edit not found")
        if not record.from_bot:
            raise bad_request("message can't be edited")
        return chat, record

    def _apply_edit(self, chat: ChatRecord, record: MessageRecord, changes: dict) -> dict:
        current = {name: getattr(record, name) for name in changes}
        current["reply_markup"] = _inline(record.reply_markup)
        if changes == current:
            raise bad_request(NOT_MODIFIED)
        self._check_flood(chat)
        for name, value in changes.items():
            setattr(record, name, value)
        record.edit_count += 1
        record.edit_date = int(time.time())
        self._notify()
        return self._message_json(record)

    async def _api_send_message(self, args: dict) -> dict:
        text, entities = self._text(args)
        return self._send(args, text=text, raw_text=args["text"], entities=entities)

    async def _api_send_document(self, args: dict) -> dict:
        caption, entities = self._caption(args)
        self._markup(args)
        stored = self._input_file(args["document"], "document")
        return self._send(
            args,
            document=stored.document_json(),
            caption=caption,
            raw_caption=args.get("caption"),
            caption_entities=entities,
        )

    async def _api_send_photo(self, args: dict) -> dict:
        caption, entities = self._caption(args)
        self._markup(args)
        stored = self._input_file(args["photo"], "photo")
        width, height = _image_size(stored.data)
        return self._send(
            args,
            photo=[stored.photo_size_json(width, height)],
            caption=caption,
            raw_caption=args.get("caption"),
            caption_entities=entities,
        )

    async def _api_edit_message_text(self, args: dict) -> dict:
        text, entities = self._text(args)
        markup = self._markup(args, inline_only=True)
        chat, record = self._editable(args)
        if record.text is None:
            raise bad_request("there is no text in the message to edit")
        changes = {"text": text, "entities": entities, "reply_markup": markup}
        result = self._apply_edit(chat, record, changes)
        record.raw_text, record.parse_mode = args["text"], args.get("parse_mode")
        return result

    async def _api_edit_message_caption(self, args: dict) -> dict:
        caption, entities = self._caption(args)
        markup = self._markup(args, inline_only=True)
        chat, record = self._editable(args)
        if record.document is None and record.photo is None:
            raise bad_request("there is no caption in the message to edit")
        changes = {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        result = self._apply_edit(chat, record, changes)
        record.raw_caption, record.parse_mode = args.get("caption"), args.get("parse_mode")
        return result

    async def _api_edit_message_reply_markup(self, args: dict) -> dict:
        markup = self._markup(args, inline_only=True)
        chat, record = self._editable(args)
        return self._apply_edit(chat, record, {"reply_markup": markup})

    async def _api_delete_message(self, args: dict) -> bool:
        chat = self._resolve_chat(args["chat_id"])
        record = self._messages.get(chat.chat_id, {}).get(args["message_id"])
        if record is None or record.deleted:
            raise bad_request("message to delete not found")
        record.deleted = True
        return True

    async def _api_answer_callback_query(self, args: dict) -> bool:
        query = self._queries.get(args["callback_query_id"])
        if query is None or query.answered:
            raise bad_request(QUERY_INVALID)
        query.answered = True
        answer = {name: args.get(name) for name in ("text", "show_alert", "url", "cache_time")}
        self.callback_answers.append(
            {
                "callback_query_id": query.query_id,
                "user_id": query.user_id,
                "chat_id": query.chat_id,
                "message_id": query.message_id,
                "data": query.data,
                **answer,
            }
        )
        return True

    async def _api_send_chat_action(self, args: dict) -> bool:
        if args["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._reachable_chat(args["chat_id"])
        return True

    async def _api_get_chat(self, args: dict) -> dict:
        chat = self._resolve_chat(args["chat_id"])
        gifts = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        return {
            **chat_json(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }

    async def _api_leave_chat(self, args: dict) -> bool:
        chat = self._resolve_chat(args["chat_id"])
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        if chat.left:
            raise ApiError(403, NOT_MEMBER)
        chat.left = True
        return True

    async def _api_get_file(self, args: dict) -> dict:
        stored = self._files.get(args["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.file_json()


def _inline(markup: dict | None) -> dict | None:
    return markup if markup is not None and "inline_keyboard" in markup else None


def _is_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header; a plausible guess for other formats."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    return (800, 600)
