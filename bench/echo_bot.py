"""The floor every bot pays: a bare python-telegram-bot echo bot on PTB's default transport,
built the way Omzien is (ApplicationBuilder().base_url(...)), sequential, one MessageHandler.

    python bench/echo_bot.py TOKEN BASE_URL
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text or "?")


def main(token: str, base_url: str) -> None:
    app = ApplicationBuilder().token(token).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
