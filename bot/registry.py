"""Where command and button handlers register themselves (see bot/handlers/)."""
from __future__ import annotations

from typing import Awaitable, Callable

Handler = Callable[["Turn"], Awaitable[None]]  # noqa: F821

COMMAND_HANDLERS: dict[str, Handler] = {}
BUTTON_HANDLERS: dict[str, Handler] = {}


def command(*names: str):
    def register(fn: Handler) -> Handler:
        for name in names:
            COMMAND_HANDLERS[name] = fn
        return fn
    return register


def button(prefix: str):
    def register(fn: Handler) -> Handler:
        BUTTON_HANDLERS[prefix] = fn
        return fn
    return register
