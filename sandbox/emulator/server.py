"""A local Telegram Bot API for one bot, strict enough that what Telegram rejects fails here first.

An aiohttp server on 127.0.0.1 that speaks ``/bot<token>/<method>`` like api.telegram.org:
query string, JSON, form and multipart bodies; Telegram's error shapes (400/401/403/404/409/429);
long-polling getUpdates; flood control. Users and their actions are made up through a Python
API (for tests in the same event loop) or the same functions over HTTP under ``/control/``
(for a bot in another process and for scripts).

In a test::

    emu = Emulator(token="123456:TEST", bot_username="omzien_bot")
    await emu.start()                       # port 0: a free port, see emu.port
    emu.add_user(1001, "Vera")
    app = (ApplicationBuilder().token(emu.token)
           .base_url(emu.base_url).base_file_url(emu.base_file_url).build())
    ...                                     # start polling
    emu.send_text(1001, "/start")
    [reply] = await emu.wait_for(lambda: emu.messages(1001))
    emu.press(1001, reply.message_id, button="Goed")
    await emu.stop()

Standalone, for a bot in another process::

    $ python -m sandbox.emulator.server --port 8081
    Telegram Bot API emulator for @omzien_bot
      base_url:      http://127.0.0.1:8081/bot
      base_file_url: http://127.0.0.1:8081/file/bot
      token:         123456:TEST
    $ curl -s localhost:8081/control/users -d '{"user_id": 1001, "first_name": "Vera"}'
    $ curl -s localhost:8081/control/text -d '{"user_id": 1001, "text": "/start"}'
    $ curl -s 'localhost:8081/control/messages?chat_id=1001'

Not emulated: webhooks are stored but never called; Markdown parse modes are accepted
unparsed; inline mode, payments, media groups and forum topics are absent. The emulator's
state lives in one event loop: call its Python API from that loop only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import re
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple, cast

from aiohttp import web

from content.telegram_html import utf16_length

from . import control, faults
from .bot_api import MAX_TEXT, MAX_UPLOAD, TRIM, BotApi
from .flood import FloodControl, FloodPolicy
from .methods import (
    METHODS,
    ApiError,
    Upload,
    bad_request,
    coerce_params,
    describe_value,
    find_method,
)
from .state import (
    OTHER_KINDS,
    ChatRecord,
    MessageRecord,
    StoredFile,
    UpdateQueue,
    UserRecord,
    callback_query_json,
    chat_json,
    command_entities,
    media_json,
    message_json,
    my_chat_member_json,
    user_json,
)

__all__ = ["CallRecord", "Emulator", "EmulatorError", "FloodPolicy", "Pressed", "main"]



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


class Emulator(BotApi):
    """The Bot API of one bot, its users and chats, and a record of every call."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "omzien_bot",
        bot_id: int | None = None,
        bot_name: str = "Omzien",
        flood: FloodPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id if bot_id is not None else _bot_id_from(token)
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.flood = FloodControl(flood or FloodPolicy(), clock)
        self.calls: list[CallRecord] = []
        self.callback_answers: list[dict] = []
        self.host = "127.0.0.1"
        self.port: int | None = None
        self._users: dict[int, UserRecord] = {}
        self._chats: dict[int, ChatRecord] = {}
        self._messages: dict[int, dict[int, MessageRecord]] = {}
        self._queries: dict[str, _Query] = {}
        self._files: dict[str, StoredFile] = {}
        self._commands: dict[tuple, list[dict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._webhook_url = ""
        self._queue = UpdateQueue(on_wait=self._notify)
        self.faults = faults.Faults()
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        # Called after every change (a message, an edit, a call): the web page's live feed.
        self.listeners: list[Callable[[], None]] = []
        self._api = {name: getattr(self, "_api_" + _snake(name)) for name in METHODS}

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on host:port (0 = any free port; see `port`, `base_url`)."""
        self._runner = web.AppRunner(
            self._make_app(), shutdown_timeout=1.0, handler_cancellation=True, access_log=None
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.host = host
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._queue.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(): the bot appends token and method."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

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
            self._chats[user.user_id], user.user_id, text=text, raw_text=text,
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
            self._chats[user.user_id], user.user_id, media=media,
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
        query = _Query(str(7_000_000_000 + next(self._ids)), user.user_id, chat_id,
                       record.message_id, data)
        self._queries[query.query_id] = query
        payload = callback_query_json(
            query.query_id, user_json(user), self._message_json(record), data,
            chat_instance=str(abs(chat_id) * 31 + self.bot_id),
        )
        update_id = self._queue.put("callback_query", payload)
        self._notify()
        return Pressed(update_id, query.query_id)

    # -- test controls -------------------------------------------------------------------------

    def set_flood(self, **changes: Any) -> FloodPolicy:
        """Change flood control (see FloodPolicy), e.g. set_flood(enabled=False)."""
        return self.flood.configure(**changes)

    def force_429(self, count: int, retry_after: int = 1) -> None:
        """The next `count` sends or edits get 429 retry_after, whatever the rate."""
        self.flood.force(int(count), int(retry_after))

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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    # -- model helpers -------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        for listener in self.listeners:
            listener()

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

    def _new_message(self, chat: ChatRecord, sender_id: int, **content: Any) -> MessageRecord:
        chat_messages = self._messages.setdefault(chat.chat_id, {})
        record = MessageRecord(
            message_id=len(chat_messages) + 1,
            chat_id=chat.chat_id,
            date=int(time.time()),
            from_bot=sender_id == self.bot_id,
            sender_id=sender_id,
            **content,
        )
        chat_messages[record.message_id] = record
        self._notify()
        return record

    def _deliver(self, record: MessageRecord) -> int:
        update_id = self._queue.put("message", self._message_json(record))
        self._notify()
        return update_id

    def _message_json(self, record: MessageRecord, with_reply: bool = True) -> dict:
        chat = chat_json(self._chats[record.chat_id])
        sender = self._bot_json() if record.from_bot else user_json(self._users[record.sender_id])
        reply = None
        if with_reply and record.reply_to_message_id is not None:
            replied = self._messages[record.chat_id][record.reply_to_message_id]
            reply = self._message_json(replied, with_reply=False)
        return message_json(record, chat, sender, reply)

    def _bot_json(self, full: bool = False) -> dict:
        bot = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }
        if full:
            bot.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=False,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return bot

    def _store_file(self, data: bytes, kind: str, name: str | None, mime: str | None) -> StoredFile:
        number = next(self._ids)
        extension = (name or "").rpartition(".")[2] if name and "." in name else "bin"
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}ACAgQAAx{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            data=data,
            file_path=f"{kind}s/file_{number}.{extension}",
            file_name=name,
            mime_type=mime,
        )
        self._files[stored.file_id] = stored
        return stored

    def _user_files(self, kind: str) -> list[StoredFile]:
        """Made-up files behind a user's media, so that the bot can getFile them."""
        if kind == "photo":  # Telegram sends several sizes; two will do
            small = self._store_file(_PNG_1X1, "photo", "photo.png", "image/png")
            return [small, self._store_file(_PNG_1X1, "photo", "photo.png", "image/png")]
        if kind == "location":
            return []
        names = {"document": ("notities.pdf", "application/pdf"),
                 "voice": ("voice.ogg", "audio/ogg"), "sticker": ("sticker.webp", "image/webp")}
        name, mime = names[kind]
        return [self._store_file(b"emulated " + kind.encode(), kind, name, mime)]

    # -- HTTP ------------------------------------------------------------------------------------

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        for http_method, name, action in control.routes(self):
            app.router.add_route(http_method, f"/control/{name}", control.endpoint(action))
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", _not_found)
        return app

    async def _handle_bot_api(self, request: web.Request) -> web.Response:
        record = CallRecord(method=request.match_info["method"], params={})
        name = find_method(record.method) or record.method
        held = self.faults.hold_for(name)
        if held:   # the bot waits for an answer; a test may kill it meanwhile
            await asyncio.sleep(held)
        failed = self.faults.take(name)
        if failed is not None:   # an injected outage (sandbox/emulator/faults.py)
            record.status, record.description = failed, "injected"
            self.calls.append(record)
            self._notify()
            return web.Response(status=failed, text=faults.body(failed), content_type="text/html")
        try:
            raw = await _read_params(request)
            record.params = {name: describe_value(value) for name, value in raw.items()}
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            method = find_method(record.method)
            if method is None:
                raise ApiError(404, "Not Found")
            record.method = method
            args, record.ignored = coerce_params(METHODS[method], raw)
            record.params = {name: describe_value(value) for name, value in args.items()}
            body = {"ok": True, "result": await self._api[method](args)}
        except ApiError as error:
            record.status, record.description = error.status, error.description
            body = error.payload()
        self.calls.append(record)
        self._notify()
        return web.json_response(body, status=record.status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)



async def _read_params(request: web.Request) -> dict[str, str | Upload]:
    """All parameters as Telegram reads them: strings (and uploads), query then body."""
    params: dict[str, str | Upload] = dict(request.query)
    if not request.body_exists:
        return params
    try:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("JSON object expected in the request body")
            params.update({k: _as_text(v) for k, v in body.items() if v is not None})
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in (await request.post()).items():
                # a field that is not a file is text (bytes only for a non-text part, kept as is)
                params[name] = (_upload(value) if isinstance(value, web.FileField)
                                else cast(str, value))
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    except json.JSONDecodeError:
        raise bad_request("can't parse JSON encoded request body") from None
    return params


def _upload(part: web.FileField) -> Upload:
    return Upload(part.filename, part.content_type, part.file.read())


def _as_text(value: Any) -> str:
    """Telegram stringifies JSON scalars and re-serialises objects before reading them."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


async def _not_found(request: web.Request) -> web.Response:
    return web.json_response(ApiError(404, "Not Found").payload(), status=404)




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


def _bot_id_from(token: str) -> int:
    prefix = token.partition(":")[0]
    return int(prefix) if prefix.isdigit() else 1


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()






# A valid 1x1 white PNG: what a user's "photo" contains, should the bot download it.
_PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c63f80f040009fb03fdfb5e6b2b0000000049454e44ae426082"
)


def main(argv: list[str] | None = None) -> None:
    """Run the emulator standalone until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="omzien_bot")
    parser.add_argument("--no-flood", action="store_true", help="switch flood control off")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        token=args.token, bot_username=args.username,
        flood=FloodPolicy(enabled=not args.no_flood),
    )
    await emulator.start(args.host, args.port)
    print(
        f"Telegram Bot API emulator for @{emulator.bot_username}\n"
        f"  base_url:      {emulator.base_url}\n"
        f"  base_file_url: {emulator.base_file_url}\n"
        f"  token:         {emulator.token}",
        flush=True,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    try:
        await stopping.wait()
    finally:
        await emulator.stop()


if __name__ == "__main__":
    main()
