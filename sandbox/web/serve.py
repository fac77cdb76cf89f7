"""`omzien sandbox --web`: serve the page until Ctrl-C (or beside the terminal chat)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Coroutine

from sandbox.web.server import WebSandbox, bind_warning


async def serve_page(
    sandbox, host: str, port: int, chat: Coroutine | None = None, any_port: bool = False
) -> int:
    """Serve the web page; with `chat`, until the terminal chat ends, else until a signal.
    `any_port`: when `port` is taken, take a free one instead of giving up (`make run`)."""
    warning = bind_warning(host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    page = WebSandbox(sandbox)
    try:
        url = await _start(page, host, port, any_port)
    except OSError as error:
        if chat is not None:
            chat.close()
        print(
            f"Cannot serve the web page on {host}:{port}: {error.strerror or error}.\n"
            "Is another sandbox running? Choose another port with --port.",
            file=sys.stderr,
            flush=True,
        )
        return 1
    print(f"Omzien sandbox in your browser: open {url}", flush=True)
    try:
        if chat is not None:
            print("The terminal chat below works beside it.\n", flush=True)
            await chat
        else:
            print("Press Ctrl-C to stop.", flush=True)
            await _until_stopped()
    finally:
        await page.stop()
    return 0


async def _start(page: WebSandbox, host: str, port: int, any_port: bool) -> str:
    try:
        return await page.start(host, port)
    except OSError:
        if not any_port or port == 0:
            raise
        await page.stop()
        print(f"Port {port} is taken; using a free one.", flush=True)
        return await page.start(host, 0)


async def _until_stopped() -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(number, stopping.set)
    await stopping.wait()
