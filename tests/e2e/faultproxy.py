"""A Bot API proxy on 127.0.0.1 that forwards every request to the emulator and can then
lose the answer: the request reached "Telegram", the bot never hears back. For the
outbox tests in tests/e2e/test_outbox_faults.py.

    proxy = FaultProxy(emu.base_url, decide)      # decide(method, params) → an action
    await proxy.start(); ... proxy.base_url ...; await proxy.stop()

Actions: PASS; DROP (close the connection after the emulator answered); ("hold", event)
(answer only once the asyncio.Event is set: late, or after the bot gave up waiting).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from aiohttp import ClientSession, web

PASS, DROP = "pass", "drop"


def request_params(content_type: str, body: bytes) -> dict:
    if content_type == "application/json" and body:
        return json.loads(body)
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode()))
    return {}


class FaultProxy:
    def __init__(self, upstream_base_url: str, decide: Callable[[str, dict], object]) -> None:
        self.upstream = upstream_base_url.rstrip("/")  # http://host:port/bot
        self.decide = decide
        self.dropped = 0
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        self._client = ClientSession()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        method = request.path.rsplit("/", 1)[-1]
        action = self.decide(method, request_params(request.content_type, body))
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        async with self._client.request(
            request.method,
            self.upstream + request.path[len("/bot") :],
            params=request.query,
            data=body,
            headers=headers,
        ) as up:
            answer, status = await up.read(), up.status
        if action == DROP:
            self.dropped += 1
            request.transport.close()  # the emulator has it; the bot hears nothing
            return web.Response(status=204)
        if isinstance(action, tuple) and action[0] == "hold":
            await action[1].wait()
        return web.Response(body=answer, status=status, content_type="application/json")
