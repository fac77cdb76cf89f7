"""Where command and button handlers register themselves (see bot/)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.routing.turn import Turn

Handler = Callable[["Turn"], Awaitable[None]]

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
