"""Real long polling against Telegram (or any server that speaks the Bot API)."""
from __future__ import annotations

from telegram import Update

from bot.app import build_application
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import Runtime
from content.render import default_content
from dialogues.engine import Engine
from storage.db import Store


def run_polling(settings: Settings) -> None:
    content = default_content()
    rt = Runtime(settings, Store.open(settings.db_path), SystemClock(), content, Engine(content))
    app = build_application(rt)
    app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
