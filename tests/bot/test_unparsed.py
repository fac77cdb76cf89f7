"""bot/transport/unparsed.py uses PTB's private `Bot._post` (and the getUpdates request's read
timeout) to make calls without parsing their answers. Each call here is compared, on the
wire, with the PTB method it stands in for: the same endpoint, parameters (Defaults filled
in) and timeouts, and the same errors. A PTB release that changes what those private names
do fails here."""

from __future__ import annotations

import json
import warnings
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, NetworkError, RetryAfter, TimedOut
from telegram.ext import Defaults, ExtBot
from telegram.request import BaseRequest

from bot.transport import unparsed
from bot.transport.sender import flood_wait, markup
from dialogues.model import Button

UPDATE = {
    "update_id": 7,
    "message": {
        "message_id": 3,
        "date": 1700000000,
        "chat": {"id": 1003, "type": "private", "first_name": "Vera"},
        "from": {"id": 1003, "is_bot": False, "first_name": "Vera"},
        "text": "hallo",
        "a_field_ptb_does_not_know": {"kept": True},
    },
}
SENT = {
    "message_id": 4,
    "date": 1700000001,
    "chat": {"id": 1003, "type": "private", "first_name": "Vera"},
    "text": "Hoi",
}
# Omzien sends its keyboards as JSON strings (bot/transport/sender.markup); PTB's own methods
# are given the objects they stand for, and what goes on the wire must be the same.
BUTTONS = ((Button("Ja 🙂", "f.1.2.ja"), Button("Nee", "f.1.2.nee")), (Button("Later", "f.l"),))
KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in BUTTONS]
)


class Recording(BaseRequest):
    """Answers each call with the next scripted (status, body) and records what was asked."""

    def __init__(self, read_timeout: float = 5.0) -> None:
        self._read_timeout = read_timeout
        self.calls: list[dict] = []
        self.answers: list[tuple[int, object] | Exception] = []

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data=None, **timeouts):
        self.calls.append(
            {
                "endpoint": url.rsplit("/", 1)[-1],
                "on_the_wire": request_data.json_parameters if request_data else {},
                **timeouts,
            }
        )
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return status, raw


def ok(result) -> tuple[int, dict]:
    return 200, {"ok": True, "result": result}


def make_bot(defaults: Defaults) -> tuple[ExtBot, Recording, Recording]:
    calls, polls = Recording(), Recording(read_timeout=7.5)  # the poll's own, not the default
    bot = ExtBot("1:T", request=calls, get_updates_request=polls, defaults=defaults)
    return bot, calls, polls


APP_DEFAULTS = Defaults(parse_mode=ParseMode.HTML, tzinfo=ZoneInfo("Europe/Amsterdam"))
EVERY_DEFAULT = Defaults(
    parse_mode=ParseMode.HTML,
    disable_notification=True,
    protect_content=True,
    link_preview_options=LinkPreviewOptions(is_disabled=True),
    allow_sending_without_reply=True,
    tzinfo=ZoneInfo("Europe/Amsterdam"),
)


@pytest.fixture(autouse=True)
def no_warnings():
    """Bot.do_api_request would warn on every poll; nothing here may warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


async def test_get_updates_is_the_call_ptb_makes_and_returns_the_json_as_sent() -> None:
    bot, _, polls = make_bot(APP_DEFAULTS)
    polls.answers = [ok([UPDATE]), ok([UPDATE])]
    raw = await unparsed.get_updates(bot, 7, 10, Update.ALL_TYPES)
    await bot.get_updates(offset=7, timeout=10, allowed_updates=Update.ALL_TYPES)
    ours, ptbs = polls.calls
    assert ours == ptbs
    assert ours["endpoint"] == "getUpdates" and ours["read_timeout"] == 7.5 + 10
    assert raw == [UPDATE]  # dicts, as Telegram sent them, unknown fields and all
    assert all(type(update) is dict for update in raw)


async def test_get_updates_without_an_offset_leaves_it_out() -> None:
    bot, _, polls = make_bot(APP_DEFAULTS)
    polls.answers = [ok([]), ok([])]
    assert await unparsed.get_updates(bot, None, 1, Update.ALL_TYPES) == []
    await bot.get_updates(timeout=1, allowed_updates=Update.ALL_TYPES)
    assert polls.calls[0] == polls.calls[1]
    assert "offset" not in polls.calls[0]["on_the_wire"]


@pytest.mark.parametrize("defaults", [APP_DEFAULTS, EVERY_DEFAULT], ids=["app", "every"])
async def test_send_message_is_the_call_ptb_makes(defaults: Defaults) -> None:
    bot, calls, _ = make_bot(defaults)
    calls.answers = [ok(SENT), ok(SENT)]
    sent = await unparsed.send_message(bot, 1003, "<b>Hoi</b>", markup(BUTTONS))
    await bot.send_message(1003, "<b>Hoi</b>", reply_markup=KEYBOARD)
    ours, ptbs = calls.calls
    assert ours == ptbs
    assert ours["on_the_wire"]["parse_mode"] == "HTML"
    assert sent == unparsed.Sent(SENT["message_id"])


@pytest.mark.parametrize("buttons", [BUTTONS, ()], ids=["buttons", "none"])
@pytest.mark.parametrize("defaults", [APP_DEFAULTS, EVERY_DEFAULT], ids=["app", "every"])
async def test_edit_message_text_is_the_call_ptb_makes(defaults, buttons) -> None:
    bot, calls, _ = make_bot(defaults)
    calls.answers = [ok(SENT), ok(SENT)]
    keyboard = KEYBOARD if buttons else None
    await unparsed.edit_message_text(bot, 1003, 4, "Vraag\n» <i>Ja</i>", markup(buttons))
    await bot.edit_message_text(
        "Vraag\n» <i>Ja</i>", chat_id=1003, message_id=4, reply_markup=keyboard
    )
    assert calls.calls[0] == calls.calls[1]


def error(status: int, description: str, **parameters) -> tuple[int, dict]:
    body: dict = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, body


async def test_getupdates_errors_are_ptbs() -> None:
    bot, _, polls = make_bot(APP_DEFAULTS)
    polls.answers = [
        error(429, "Too Many Requests: retry after 3", retry_after=3),
        error(409, "Conflict: terminated by other getUpdates request"),
        (502, b"<html>502</html>"),
        TimedOut(),
    ]
    with pytest.raises(RetryAfter) as flood:
        await unparsed.get_updates(bot, 1, 10, Update.ALL_TYPES)
    assert flood_wait(flood.value) == 3
    with pytest.raises(Conflict):
        await unparsed.get_updates(bot, 1, 10, Update.ALL_TYPES)
    with pytest.raises(NetworkError):
        await unparsed.get_updates(bot, 1, 10, Update.ALL_TYPES)
    with pytest.raises(TimedOut):
        await unparsed.get_updates(bot, 1, 10, Update.ALL_TYPES)


async def test_send_errors_are_ptbs() -> None:
    bot, calls, _ = make_bot(APP_DEFAULTS)
    calls.answers = [
        error(429, "Too Many Requests: retry after 1", retry_after=1),
        error(400, "Bad Request: message is not modified"),
    ]
    with pytest.raises(RetryAfter):
        await unparsed.send_message(bot, 1003, "Hoi", None)
    with pytest.raises(BadRequest, match="not modified"):
        await unparsed.edit_message_text(bot, 1003, 4, "Hoi", None)


def test_a_keyboard_without_buttons_is_no_keyboard() -> None:
    assert markup(()) is None
    assert markup(((), ())) is None
    only_ja = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="j")]])
    assert markup(((), (Button("Ja", "j"),))) == json.dumps(only_ja.to_dict())
