"""The shape checks Telegram makes on some object values, with its own error texts: reply
markup (inline and reply keyboards, buttons, callback data, button URLs), bot commands,
command scopes and language codes. The Bot API methods (sandbox/emulator/bot_api.py) call
them after the parameters are coerced (sandbox/emulator/methods.py).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .methods import INTEGER_TEXT, ApiError, bad_request

__all__ = ["check_commands", "check_language_code", "check_reply_markup", "check_scope"]


# -- reply markup -------------------------------------------------------------------------

BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_BUTTONS = 100
MAX_CALLBACK_DATA = 64


def check_reply_markup(markup: dict, *, inline_only: bool = False) -> dict:
    """Check reply markup the way Telegram does; returns it unchanged when valid."""
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    elif "remove_keyboard" not in markup and "force_reply" not in markup:
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    if not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _check_inline_button(button)


def _button_error(reason: str) -> ApiError:
    return bad_request(f"can't parse inline keyboard button: {reason}")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise _button_error('Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in BUTTON_ACTIONS if key in button and button[key] != ""]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error(f"exactly one of the optional fields must be used, got {actions}")
    if "callback_data" in actions:
        _check_callback_data(button["callback_data"])
    if "url" in actions:
        _check_button_url(button["url"])


def _check_callback_data(data: Any) -> None:
    if not isinstance(data, str):
        raise _button_error('Field "callback_data" must be of type String')
    if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")


def _check_button_url(url: Any) -> None:
    if not isinstance(url, str):
        raise _button_error('Field "url" must be of type String')
    parts = urlsplit(url)
    valid = (parts.scheme in ("http", "https") and bool(parts.netloc)) or parts.scheme == "tg"
    if not valid:
        raise bad_request(f"inline keyboard button URL '{url}' is invalid")


def _check_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text.strip():
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )


# -- bot commands -------------------------------------------------------------------------

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
SCOPE_TYPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
MAX_COMMANDS = 100


def check_commands(commands: list[dict]) -> list[dict]:
    """BotCommand list: at most 100; command 1-32 of [a-z0-9_]; description 1-256 chars."""
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    checked = []
    for item in commands:
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not description.strip():
            raise bad_request("command description is empty")
        if len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": command, "description": description})
    return checked


def check_scope(scope: dict | None) -> tuple[str, int | str | None, int | None]:
    """BotCommandScope → (type, chat_id, user_id); the key commands are stored under."""
    if scope is None:
        return ("default", None, None)
    kind = scope.get("type")
    if kind not in SCOPE_TYPES:
        raise bad_request("unsupported bot command scope type")
    for field in SCOPE_TYPES[kind]:
        if field not in scope:
            raise bad_request(f'field "{field}" must be specified in the {kind} scope')
    return (kind, _chat_ref(scope.get("chat_id")), _int_or_none(scope.get("user_id")))


def _chat_ref(value: Any) -> int | str | None:
    if isinstance(value, str) and INTEGER_TEXT.fullmatch(value):
        return int(value)
    return value


def _int_or_none(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) or (isinstance(value, str) and INTEGER_TEXT.fullmatch(value)):
        return int(value)
    raise bad_request('field "user_id" must be of type Integer')


def check_language_code(code: str | None) -> str:
    """'' or a two-letter ISO 639-1 code."""
    code = code or ""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise bad_request("invalid language code specified")
    return code
