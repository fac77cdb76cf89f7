"""Starting and stopping the Application around the inbox Poller, in PTB's own order
(initialize, post_init, start … stop, post_stop, shutdown, post_shutdown), for production
(bot/transport/live.py) and the sandbox alike. PTB's run_polling is not used: its Updater confirms
updates before they are stored (see bot/transport/inbox.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram.error import NetworkError

from bot.runtime import Runtime
from bot.transport.inbox import POLL_TIMEOUT, Poller, backoff

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)


async def connect(app: Application, base_url: str) -> None:
    """Initialize (getMe); while the Bot API is unreachable, wait and try again.
    One warning when it starts failing, one line when it answers again."""
    failures = 0
    while True:
        try:
            await app.initialize()
        except NetworkError as exc:  # 5xx, refused connection, timeout
            failures += 1
            if failures == 1:
                log.warning(
                    "Bot API at %s not reachable (%s: %s); retrying with backoff until it answers",
                    base_url,
                    type(exc).__name__,
                    _short(exc),
                )
            await asyncio.sleep(backoff(failures))
            continue
        if failures:
            log.warning("Bot API reachable again after %d attempt(s)", failures + 1)
        return


async def start(app: Application, rt: Runtime, poll_timeout: int = POLL_TIMEOUT) -> Poller:
    await connect(app, rt.settings.base_url)
    if app.post_init:
        await app.post_init(app)
    await app.start()
    poller = Poller(app, rt, poll_timeout)
    poller.start()
    return poller


async def stop(app: Application, poller: Poller | None) -> None:
    if poller is not None:
        await poller.stop()
    if app.running:
        await app.stop()
        # PTB closes its HTTP client in shutdown: what still sends stops here.
        if app.post_stop:
            await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


async def serve(
    app: Application,
    rt: Runtime,
    stop_signal: asyncio.Event,
    started: Callable[[], None] = lambda: None,
) -> None:
    """Run until `stop_signal` is set or the poller fails (e.g. the token is refused);
    `started` is called once, when the bot is up."""
    poller = await start(app, rt)
    started()
    try:
        task = poller.task
        assert task is not None  # start() started it
        waiter = asyncio.ensure_future(stop_signal.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if task.done():
            task.result()
    finally:
        await stop(app, poller)


def _short(exc: Exception) -> str:
    """The error's first sentence: PTB appends the whole response body of a gateway."""
    return str(exc).split(". Parsing", 1)[0][:120]
