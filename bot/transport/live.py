"""Real long polling against Telegram (or any server that speaks the Bot API), through
the durable inbox (bot/transport/inbox.py); SIGINT and SIGTERM stop it cleanly."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from typing import TYPE_CHECKING

from bot import lifecycle
from bot.app import build_application
from bot.config import Settings
from bot.runtime import Runtime
from bot.timekeeping.clock import SystemClock
from content.render import default_content
from dialogues.engine import Engine
from storage.db import Store

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)


def run_polling(settings: Settings, store: Store) -> None:
    content = default_content()
    rt = Runtime(settings, store, SystemClock(), content, Engine(content))
    asyncio.run(_serve(build_application(rt), rt))


async def _serve(app: Application, rt: Runtime) -> None:
    stop_signal = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_signal.set)
    await lifecycle.serve(app, rt, stop_signal, started=freeze_startup_objects)


def freeze_startup_objects() -> None:
    """What starting built (modules, templates, patterns, the Application) lives as long as the
    process, and a full collection walked all of it: 50-80 ms with the event loop stopped, in
    the middle of 200 volunteers' turns (bench/run.py). Frozen, it is left out of every later
    collection; what dies is still freed by its reference count."""
    gc.collect()
    gc.freeze()
    log.info("started; %d objects of the start-up frozen", gc.get_freeze_count())
