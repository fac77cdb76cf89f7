"""The emulator's HTTP side: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` as
api.telegram.org serves them, ``/control/`` for a bot in another process, and reading
parameters the way Telegram does (query string, JSON, form, multipart). Mixed into
`Emulator` (sandbox/emulator/server.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

from aiohttp import web

from . import control, faults
from .base import CallRecord, EmulatorParts
from .bot_api import MAX_UPLOAD
from .methods import (
    METHODS,
    ApiError,
    Upload,
    bad_request,
    coerce_params,
    describe_value,
    find_method,
)


class Endpoint(EmulatorParts):
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
        if held:  # the bot waits for an answer; a test may kill it meanwhile
            await asyncio.sleep(held)
        failed = self.faults.take(name)
        if failed is not None:  # an injected outage (sandbox/emulator/faults.py)
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
                params[name] = (
                    _upload(value) if isinstance(value, web.FileField) else cast(str, value)
                )
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
