"""The web sandbox's HTTP side: the page, a small JSON API and the live WebSocket.

    GET  /                          the page (static/index.html, its JS and CSS)
    GET  /api/state                 panes, the bot's clock, scripts that can be replayed
    GET  /api/chats/{name}          one persona's chat: messages and command menu
    POST /api/chats/{name}/text     {"text": "/bezoek"}: the persona sends this
    POST /api/chats/{name}/press    {"message_id": 4, "data": "f.…"}: presses that button
    POST /api/personas              {"name": "wim"}: adds a pane (any new name: unregistered)
    POST /api/clock                 {"move": "+1h" | "+1d" | "to mon 19:30"}
    POST /api/replay                {"script": "zorg_niveau2.txt"}: starts a replay
    POST /api/replay/step           runs its next step
    GET  /api/files/{file_id}       a photo or document the bot sent
    GET  /ws                        events: snapshot, messages, commands, notice, clock, …

Every action waits until the bot is idle, as a script step does, and runs one at a time.
Binds 127.0.0.1 by default and then answers only requests addressed to it (no DNS rebinding),
and never a request or socket that another site's page makes through the browser.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.demo import persona_id
from sandbox.emulator.control import ControlError
from sandbox.script import BLOCK, LINE, read_script
from sandbox.web.live import LiveFeed, menu_of
from sandbox.web.replay import Replay, find_script, list_scripts, scenario_dirs
from sandbox.web.views import clock_view, message_view, persona_view
from storage import users

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
DEFAULT_PORT = 8765
DEFAULT_PANES = ("cora", "pim", "vera")
PERSONA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
ACTION_ERRORS = (ControlError, LookupError, ValueError, TimeoutError)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_warning(host: str) -> str | None:
    """What to say before binding anywhere but loopback (None: nothing to warn about)."""
    if is_loopback(host):
        return None
    return (
        f"WARNING: the web sandbox will listen on {host}, not only on this computer.\n"
        "Anyone who can reach that address can act as every persona, without a password.\n"
        "Use it only on a network you trust, with made-up data; the default is 127.0.0.1."
    )


class WebSandbox:
    """The web page of one running Sandbox."""

    def __init__(
        self, sandbox, panes: tuple[str, ...] = DEFAULT_PANES, script_dirs: list[Path] | None = None
    ) -> None:
        self.sandbox = sandbox
        self.panes: list[str] = list(panes)
        self.script_dirs = scenario_dirs() if script_dirs is None else script_dirs
        self.feed = LiveFeed(sandbox.emulator, self.panes)
        self.replay: Replay | None = None
        self.lock = asyncio.Lock()  # one action at a time, like the steps of a script
        self.loopback_only = True
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---- lifecycle --------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC, follow_symlinks=False)
        app.router.add_get("/api/state", self._state)
        app.router.add_get("/api/chats/{name}", self._chat)
        app.router.add_post("/api/chats/{name}/text", self._text)
        app.router.add_post("/api/chats/{name}/press", self._press)
        app.router.add_post("/api/personas", self._add_persona)
        app.router.add_post("/api/clock", self._clock)
        app.router.add_post("/api/replay", self._replay_start)
        app.router.add_post("/api/replay/step", self._replay_step)
        app.router.add_get("/api/files/{file_id}", self._file)
        app.router.add_get("/ws", self._socket)
        app.on_startup.append(self._start_feed)
        app.on_cleanup.append(self._stop_feed)
        return app

    async def _start_feed(self, _app) -> None:
        self.feed.start()

    async def _stop_feed(self, _app) -> None:
        await self.feed.stop()

    async def start(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> str:
        self.loopback_only = is_loopback(host)
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_port = self._runner.addresses[0][1]
        shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
        self.url = f"http://{shown}:{bound_port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- the guard every request passes -------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        if self.loopback_only and not is_loopback(request.url.host or ""):
            return web.json_response(
                {"ok": False, "error": "not addressed to 127.0.0.1"}, status=421
            )
        if not _same_origin(request):  # another site's page, via this browser
            return web.json_response({"ok": False, "error": "other origin"}, status=403)
        try:
            response = await handler(request)
        except ACTION_ERRORS as error:
            response = web.json_response({"ok": False, "error": str(error)}, status=400)
        if not response.prepared:
            response.headers.update(HEADERS)
        return response

    # ---- reading ----------------------------------------------------------------------

    async def _index(self, _request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def _state(self, _request) -> web.Response:
        return ok(await self.state())

    async def state(self) -> dict:
        rt = self.sandbox.rt
        return {
            "panes": [await self.persona(name) for name in self.panes],
            "clock": clock_view(self.sandbox.clock.now(), rt.settings.timezone),
            "scripts": list_scripts(self.script_dirs),
            "replay": self.replay.state() if self.replay else None,
            "bot_username": self.sandbox.emulator.bot_username,
        }

    async def persona(self, name: str) -> dict:
        user = await self.sandbox.rt.store.run(users.get, persona_id(name))
        return persona_view(name, user.role if user is not None else None)

    def chat(self, name: str) -> dict:
        user_id = persona_id(name)
        return {
            "persona": name,
            "messages": [message_view(r) for r in self.sandbox.emulator.history(user_id)],
            "commands": menu_of(self.sandbox.emulator, user_id),
        }

    async def _chat(self, request) -> web.Response:
        return ok(self.chat(_persona(request.match_info["name"])))

    async def _file(self, request) -> web.Response:
        stored = self.sandbox.emulator.file(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        name = stored.file_name or "bestand"
        content_type = _content_type(stored)
        disposition = "inline" if content_type.startswith("image/") else "attachment"
        return web.Response(
            body=stored.data,
            content_type=content_type,
            headers={"Content-Disposition": f'{disposition}; filename="{_ascii(name)}"'},
        )

    # ---- acting -----------------------------------------------------------------------

    async def _text(self, request) -> web.Response:
        name = _persona(request.match_info["name"])
        text = str((await _body(request)).get("text", ""))
        async with self.lock:
            await self.sandbox.say(name, text)
        return ok(self.chat(name))

    async def _press(self, request) -> web.Response:
        name = _persona(request.match_info["name"])
        body = await _body(request)
        async with self.lock:
            await self.sandbox.press_message(name, int(body["message_id"]), str(body["data"]))
        return ok(self.chat(name))

    async def _add_persona(self, request) -> web.Response:
        name = _persona(str((await _body(request)).get("name", "")).strip().lower())
        await self._show(name)
        return ok(await self.persona(name))

    async def _clock(self, request) -> web.Response:
        move = str((await _body(request)).get("move", ""))
        async with self.lock:
            await self.sandbox.move_clock(move)
        await self.broadcast_clock()
        return ok(clock_view(self.sandbox.clock.now(), self.sandbox.rt.settings.timezone))

    async def broadcast_clock(self) -> None:
        now = clock_view(self.sandbox.clock.now(), self.sandbox.rt.settings.timezone)
        await self.feed.broadcast({"type": "clock", "clock": now})

    async def _replay_start(self, request) -> web.Response:
        path = find_script(self.script_dirs, str((await _body(request)).get("script", "")))
        self.replay = Replay(path.name, read_script(path))
        for name in _personas_of(self.replay):
            await self._show(name)
        await self.feed.broadcast({"type": "replay", "replay": self.replay.state()})
        return ok(self.replay.state())

    async def _replay_step(self, _request) -> web.Response:
        if self.replay is None:
            raise LookupError("no replay started")
        async with self.lock:
            result = await self.replay.step(self.sandbox)
        await self.broadcast_clock()
        await self.feed.broadcast({"type": "replay", "replay": self.replay.state(), "step": result})
        return ok(result)

    async def _show(self, name: str) -> None:
        """Give the persona a pane (and make them known to the emulator)."""
        self.sandbox.ensure_persona(name)
        if name not in self.panes:
            self.panes.append(name)
            await self.feed.broadcast({"type": "pane", "persona": await self.persona(name)})
            self.feed.poke()

    # ---- the live socket --------------------------------------------------------------

    async def _socket(self, request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(heartbeat=30)
        await socket.prepare(request)
        await socket.send_json(
            {
                "type": "snapshot",
                "state": await self.state(),
                "chats": {name: self.chat(name) for name in self.panes},
            }
        )
        self.feed.sockets.add(socket)
        try:
            async for _message in socket:  # the page only listens; actions are POSTs
                pass
        finally:
            self.feed.sockets.discard(socket)
        return socket


def _same_origin(request: web.Request) -> bool:
    """Browsers name the page behind a cross-site POST or WebSocket in Origin; it must be ours."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not from a browser page (curl, tests), or a same-origin GET
    return urlsplit(origin).netloc == request.host


def ok(result) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _persona(name: str) -> str:
    if not PERSONA_NAME.match(name):
        raise ValueError("a persona name is lowercase letters, digits or _ (e.g. anna)")
    return name


async def _body(request: web.Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise ValueError("expected a JSON object") from None
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


def _personas_of(replay: Replay) -> list[str]:
    """Everyone the script talks about, in order of appearance: each gets a pane."""
    names = []
    for _number, line in replay.steps:
        match = LINE.match(line) or BLOCK.match(line)
        if match and match["who"] not in names:
            names.append(match["who"])
    return names


IMAGE_MAGIC = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


def _content_type(stored) -> str:
    """The stored type, or for an upload without one (PTB names photos plainly) its magic."""
    if stored.mime_type and stored.mime_type != "application/octet-stream":
        return stored.mime_type
    for magic, kind in IMAGE_MAGIC.items():
        if stored.data.startswith(magic):
            return kind
    return "application/octet-stream"


def _ascii(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)
