"""Each role's command menu in Telegram, set per chat so people only see their own."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat

from bot.routing.access import MENUS
from bot.transport.sender import with_retry
from content.render import Content


def commands_for(content: Content, role: str, locale: str) -> list[BotCommand]:
    return [BotCommand(name, content.render(f"menu.{name}", locale)) for name in MENUS[role]]


async def set_menu(bot, content: Content, chat_id: int, role: str, locale: str) -> None:
    await with_retry(
        bot.set_my_commands, commands_for(content, role, locale), scope=BotCommandScopeChat(chat_id)
    )
