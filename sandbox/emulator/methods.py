"""The Bot API methods Omzien uses, as the emulator checks them: the project's own table.

Written by hand from the Bot API documentation (never generated from ``api.json``, so the
project runs without ``../shared``); ``tests/sandbox/test_method_table.py`` cross-checks it
against the official description whenever that file is present. Type tags are the
documentation's own words ("Integer", "String", "Array of MessageEntity", ...).

Besides the table this module holds how Telegram reads values: every parameter arrives as a
string (query string, form field, or a JSON body whose scalars Telegram stringifies and whose
objects it re-serialises), and is then coerced by type; the shape checks Telegram makes on
some object values (reply markup, bot commands, command scopes) are in
sandbox/emulator/shapes.py::

    spec = METHODS["sendMessage"]
    args, ignored = coerce_params(spec, {"chat_id": "42", "text": "Hoi", "foo": "1"})
    # args == {"chat_id": 42, "text": "Hoi"}, ignored == {"foo": "1"}

Problems raise ApiError, which carries Telegram's status code and description.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ApiError",
    "METHODS",
    "Param",
    "Upload",
    "coerce_params",
    "describe_value",
    "find_method",
]


class ApiError(Exception):
    """A Bot API error: HTTP status = error_code, and Telegram's description."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart/form-data part."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Param:
    types: tuple[str, ...]
    required: bool = False


def _p(*types: str, required: bool = False) -> Param:
    return Param(tuple(types), required)


CHAT_ID = _p("Integer", "String", required=True)
ANY_MARKUP = _p("InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply")
INLINE_MARKUP = _p("InlineKeyboardMarkup")
ENTITIES = _p("Array of MessageEntity")
SCOPE = {"scope": _p("BotCommandScope"), "language_code": _p("String")}

# Parameters every send* method shares; PTB 22 fills these from _send_message.
_SEND_COMMON: dict[str, Param] = {
    "business_connection_id": _p("String"),
    "chat_id": CHAT_ID,
    "message_thread_id": _p("Integer"),
    "direct_messages_topic_id": _p("Integer"),
    "disable_notification": _p("Boolean"),
    "protect_content": _p("Boolean"),
    "allow_paid_broadcast": _p("Boolean"),
    "message_effect_id": _p("String"),
    "suggested_post_parameters": _p("SuggestedPostParameters"),
    "reply_parameters": _p("ReplyParameters"),
    "reply_markup": ANY_MARKUP,
}
_CAPTION: dict[str, Param] = {
    "caption": _p("String"),
    "parse_mode": _p("String"),
    "caption_entities": ENTITIES,
}
# editMessage*: either chat_id + message_id or inline_message_id, so none is required.
_EDIT_TARGET: dict[str, Param] = {
    "business_connection_id": _p("String"),
    "chat_id": _p("Integer", "String"),
    "message_id": _p("Integer"),
    "inline_message_id": _p("String"),
}

METHODS: dict[str, dict[str, Param]] = {
    "getMe": {},
    "logOut": {},
    "close": {},
    "getUpdates": {
        "offset": _p("Integer"),
        "limit": _p("Integer"),
        "timeout": _p("Integer"),
        "allowed_updates": _p("Array of String"),
    },
    "setWebhook": {
        "url": _p("String", required=True),
        "certificate": _p("InputFile"),
        "ip_address": _p("String"),
        "max_connections": _p("Integer"),
        "allowed_updates": _p("Array of String"),
        "drop_pending_updates": _p("Boolean"),
        "secret_token": _p("String"),
    },
    "deleteWebhook": {"drop_pending_updates": _p("Boolean")},
    "getWebhookInfo": {},
    "setMyCommands": {"commands": _p("Array of BotCommand", required=True), **SCOPE},
    "deleteMyCommands": dict(SCOPE),
    "getMyCommands": dict(SCOPE),
    "setMyDescription": {"description": _p("String"), "language_code": _p("String")},
    "setMyShortDescription": {"short_description": _p("String"), "language_code": _p("String")},
    "sendMessage": {
        **_SEND_COMMON,
        "text": _p("String", required=True),
        "parse_mode": _p("String"),
        "entities": ENTITIES,
        "link_preview_options": _p("LinkPreviewOptions"),
    },
    "sendDocument": {
        **_SEND_COMMON,
        "document": _p("InputFile", "String", required=True),
        "thumbnail": _p("InputFile", "String"),
        **_CAPTION,
        "disable_content_type_detection": _p("Boolean"),
    },
    "sendPhoto": {
        **_SEND_COMMON,
        "photo": _p("InputFile", "String", required=True),
        **_CAPTION,
        "show_caption_above_media": _p("Boolean"),
        "has_spoiler": _p("Boolean"),
    },
    "editMessageText": {
        **_EDIT_TARGET,
        "text": _p("String"),  # optional in Bot API 10 (rich_message); we still require it
        "parse_mode": _p("String"),
        "entities": ENTITIES,
        "link_preview_options": _p("LinkPreviewOptions"),
        "reply_markup": INLINE_MARKUP,
    },
    "editMessageCaption": {
        **_EDIT_TARGET,
        **_CAPTION,
        "show_caption_above_media": _p("Boolean"),
        "reply_markup": INLINE_MARKUP,
    },
    "editMessageReplyMarkup": {**_EDIT_TARGET, "reply_markup": INLINE_MARKUP},
    "deleteMessage": {"chat_id": CHAT_ID, "message_id": _p("Integer", required=True)},
    "answerCallbackQuery": {
        "callback_query_id": _p("String", required=True),
        "text": _p("String"),
        "show_alert": _p("Boolean"),
        "url": _p("String"),
        "cache_time": _p("Integer"),
    },
    "sendChatAction": {
        "business_connection_id": _p("String"),
        "chat_id": CHAT_ID,
        "message_thread_id": _p("Integer"),
        "action": _p("String", required=True),
    },
    "getChat": {"chat_id": CHAT_ID},
    "leaveChat": {"chat_id": CHAT_ID},
    "getFile": {"file_id": _p("String", required=True)},
}

_BY_LOWER = {name.lower(): name for name in METHODS}

# Telegram's own words for a missing parameter, where we know them.
_MISSING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "document": "there is no document in the request",
    "photo": "there is no photo in the request",
    "callback_query_id": "query is too old and response timeout expired or query ID is invalid",
    "file_id": "invalid file_id",
}


def find_method(name: str) -> str | None:
    """Canonical method name; Telegram matches method names case-insensitively."""
    return _BY_LOWER.get(name.lower())


def coerce_params(
    spec: dict[str, Param], raw: dict[str, str | Upload]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read the parameters of one call: (known ones coerced, unknown ones as received).

    An empty string counts as absent, as in Telegram. Unknown parameters are ignored, as
    Telegram ignores them; they are returned so the call log can show them.
    """
    args: dict[str, Any] = {}
    for name, param in spec.items():
        value = raw.get(name)
        if value is None or value == "":
            if param.required:
                raise bad_request(_MISSING.get(name, f'parameter "{name}" is required'))
            continue
        args[name] = _coerce(name, param, value, raw)
    ignored = {name: describe_value(value) for name, value in raw.items() if name not in spec}
    return args, ignored


def describe_value(value: Any) -> Any:
    """A JSON-friendly stand-in for a value, for the call log."""
    if isinstance(value, Upload):
        return {
            "file_name": value.filename,
            "mime_type": value.content_type,
            "size": len(value.data),
        }
    return value


class _Mismatch(Exception):
    """The value is not of this type; try the next type of the union."""


def _coerce(name: str, param: Param, value: str | Upload, raw: dict) -> Any:
    for type_ in param.types:
        try:
            return _coerce_one(type_, value, raw)
        except _Mismatch:
            continue
    if "ReplyKeyboardMarkup" in param.types or "InlineKeyboardMarkup" in param.types:
        raise bad_request("can't parse reply keyboard markup JSON object")
    if any(t not in _SCALARS for t in param.types):
        raise bad_request(f"can't parse {name} JSON object")
    raise bad_request(f'field "{name}" must be of type {" or ".join(param.types)}')


INTEGER_TEXT = re.compile(r"-?\d{1,19}")
_SCALARS = {"Integer", "Float", "Boolean", "String", "InputFile"}


def _coerce_one(type_: str, value: str | Upload, raw: dict) -> Any:
    if type_ == "InputFile":
        return _input_file(value, raw)
    if isinstance(value, Upload):
        raise _Mismatch
    if type_ == "String":
        return value
    if type_ == "Integer":
        if not INTEGER_TEXT.fullmatch(value.strip()):
            raise _Mismatch
        return int(value)
    if type_ == "Float":
        try:
            return float(value)
        except ValueError:
            raise _Mismatch from None
    if type_ == "Boolean":
        return value.strip().lower() in ("true", "1")  # Telegram: anything else is false
    return _json_value(type_, value)


def _input_file(value: str | Upload, raw: dict) -> Upload:
    if isinstance(value, Upload):
        return value
    if value.startswith("attach://") and isinstance(raw.get(value[len("attach://") :]), Upload):
        return raw[value[len("attach://") :]]
    raise _Mismatch


def _json_value(type_: str, value: str) -> Any:
    try:
        decoded = json.loads(value)
    except ValueError:
        raise _Mismatch from None
    if type_.startswith("Array of "):
        item = type_[len("Array of ") :]
        if not isinstance(decoded, list):
            raise _Mismatch
        if item == "String" and not all(isinstance(x, str) for x in decoded):
            raise _Mismatch
        if item not in _SCALARS and not all(isinstance(x, dict) for x in decoded):
            raise _Mismatch
        return decoded
    if not isinstance(decoded, dict):
        raise _Mismatch
    return decoded
