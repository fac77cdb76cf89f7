"""Where command and button handlers register themselves (see bot/)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from dialogues.registry import Registry

if TYPE_CHECKING:
    from bot.routing.turn import Turn

Handler = Callable[["Turn"], Awaitable[None]]

COMMAND_HANDLERS: Registry[Handler] = Registry()
BUTTON_HANDLERS: Registry[Handler] = Registry()


command = COMMAND_HANDLERS.register
button = BUTTON_HANDLERS.register
