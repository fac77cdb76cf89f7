"""A python-telegram-bot `BaseRequest` on aiohttp: one shared ClientSession with keep-alive.

Only the HTTP exchange lives here. python-telegram-bot's own `BaseRequest._request_wrapper`
turns the Bot API's answers into its errors (429 with retry_after -> RetryAfter, 403 ->
Forbidden, 400 -> BadRequest, ...), exactly as it does for its default HTTPXRequest; this
class only maps transport failures: timeouts -> TimedOut, connection errors -> NetworkError.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """Defaults mirror HTTPXRequest's, so swapping one for the other changes no behaviour."""

    __slots__ = (
        "_connection_pool_size",
        "_keepalive",
        "_media_write_timeout",
        "_session",
        "_timeouts",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        keepalive_timeout: float = 60.0,
    ) -> None:
        self._connection_pool_size = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._keepalive = keepalive_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        # The session binds to the running loop, so it is made here and not in __init__.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connection_pool_size, keepalive_timeout=self._keepalive
            )
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, uploading=bool(files)
        )
        try:
            async with self._session.request(
                method, url, timeout=timeout, **_body(request_data, files)
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _timeout(self, read, write, connect, pool, uploading: bool) -> aiohttp.ClientTimeout:
        """PTB's four timeouts in aiohttp's terms. aiohttp has no write timeout of its own:
        writing is bounded by the total (the sum of all four), like HTTPX bounds it per write."""
        read = self._given(read, "read")
        connect = self._given(connect, "connect")
        pool = self._given(pool, "pool")
        write = (
            (self._media_write_timeout if uploading else self._timeouts["write"])
            if isinstance(write, DefaultValue)
            else write
        )
        parts = (read, write, connect, pool)
        total = None if None in parts else sum(parts)
        # aiohttp's `connect` covers waiting for a free pooled connection plus connecting.
        acquire = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=total, connect=acquire, sock_connect=connect, sock_read=read
        )

    def _given(self, value, name: str) -> float | None:
        return self._timeouts[name] if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None, files) -> dict:
    """Plain calls go url-encoded like HTTPXRequest sends them; uploads go multipart."""
    if request_data is None:
        return {}
    if not files:
        return {"data": request_data.url_encoded_parameters().encode(), "headers": FORM}
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return {"data": form}
