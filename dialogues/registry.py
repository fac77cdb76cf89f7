"""The one "register by decorator" table, for every name → function table in the tree.

    COMMANDS: Registry[Handler] = Registry()
    command = COMMANDS.register

    @command("/help", "/hulp")
    async def help_command(turn): ...

A registry is a dict (look-ups, `in`, iteration stay as they were); `register(*names)`
puts the decorated function under each name and returns it unchanged. A later
registration under the same name replaces the earlier one, as a plain dict assignment
does. Here, in dialogues/, because both the engine's tables (conditions, providers,
preparers) and the bot's (commands, buttons, tasks, outbox hooks, effects) use it, and
dialogues imports nothing from bot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Registry(dict[str, F]):
    def register(self, *names: str) -> Callable[[F], F]:
        def add(fn: F) -> F:
            for name in names:
                self[name] = fn
            return fn

        return add
