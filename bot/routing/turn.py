"""One incoming update, seen from the bot's side: who, what, and how to answer."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from bot.config import Helplines
from bot.runtime import Runtime
from bot.transport.sender import send_replies, send_reply, with_retry
from dialogues.model import Button, Context, Input, Reply
from storage.users import User

if TYPE_CHECKING:
    from bot.routing.turn_start import TurnStart


@dataclass
class Turn:
    rt: Runtime
    user_id: int
    chat_id: int
    first_name: str
    telegram_language: str | None
    user: User | None
    input: Input
    callback_query_id: str | None = None
    message_id: int | None = None  # the message whose button was pressed
    answered: bool = False
    start: TurnStart | None = None  # read with the account (bot/routing/turn_start.py)

    @property
    def account(self) -> User:
        """The registered user. Handlers behind the access table (bot/routing/access.py) are
        reached by registered people only; a turn without one is a bug, said as such."""
        if self.user is None:
            raise LookupError("this turn has no registered user")
        return self.user

    @property
    def locale(self) -> str:
        if self.user is not None:
            return self.user.language
        return self.rt.content.locale((self.telegram_language or "")[:2])

    @property
    def args(self) -> str:
        """What follows the command: '/zoek koffie thee' -> 'koffie thee'."""
        parts = self.input.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""

    @property
    def button_parts(self) -> list[str]:
        return self.input.data.split(".")

    async def button_choice(self, allowed) -> str | None:
        """The value after the button's kind (`t.en` → "en") if it is one of `allowed`;
        otherwise the pressed button is answered as expired and None returned."""
        parts = self.button_parts
        value = parts[1] if len(parts) > 1 else ""
        if value in allowed:
            return value
        await self.expired()
        return None

    async def expired(self) -> None:
        """Answer the pressed button: it no longer means anything."""
        await self.notice(self.text("engine.verlopen"))

    def text(self, template_id: str, **variables: Any) -> Markup:
        return self.rt.content.render(template_id, self.locale, **variables)

    def label(self, template_id: str) -> str:
        return self.text(template_id)

    async def say(
        self,
        template_id: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
        edit: bool = False,
        **variables: Any,
    ) -> None:
        await self.send([Reply(self.text(template_id, **variables), buttons, edit)])

    async def send(self, replies: list[Reply]) -> None:
        await send_replies(self.rt.bot, self.chat_id, replies, self.message_id)

    async def send_one(self, reply: Reply) -> None:
        await send_reply(self.rt.bot, self.chat_id, reply, self.message_id)

    async def notice(self, text: str | None = None) -> None:
        """Answer the pressed button (Telegram shows a spinner until we do)."""
        if self.callback_query_id and not self.answered:
            self.answered = True
            await with_retry(self.rt.bot.answer_callback_query, self.callback_query_id, text=text)

    def context(self, facts: dict | None = None, variables: dict | None = None) -> Context:
        base_vars = {
            "voornaam": self.user.first_name if self.user else self.first_name,
            "hulpnummers": helplines(self.rt),
        }
        base_vars.update(variables or {})
        return Context(self.locale, self.rt.clock.now(), base_vars, facts or {})


def helplines(rt: Runtime) -> dict[str, str]:
    """The safety numbers for templates (`{{ hulpnummers.emergency }}`), as configured."""
    return dict(_numbers_of(rt.settings.helplines))


@functools.cache
def _numbers_of(numbers: Helplines) -> dict[str, str]:
    # asdict copies deeply, a cost on every turn; the settings are frozen
    return asdict(numbers)
