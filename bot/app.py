"""Wiring the python-telegram-bot Application: one handler for every update (different chats
in parallel, each chat in order: bot/transport/per_chat.py), plus the clock-driven tick (due
tasks) and the outbox worker."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, TypeHandler

import bot.features  # noqa: F401  (registers every command and button)
from bot.delivery import outbox, ticker
from bot.routing.dispatch import dispatch
from bot.routing.updates import turn_from_update
from bot.runtime import Runtime
from bot.transport.factory import configure
from bot.transport.sender import with_retry

log = logging.getLogger(__name__)


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt: Runtime = context.bot_data["rt"]
    rt.activity.begin()
    try:
        turn = await turn_from_update(rt, update)
        if turn is not None:
            await dispatch(turn)
    finally:
        rt.activity.end()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    # Only ids and the error type: the update itself may hold journal text.
    update_id = getattr(update, "update_id", None)
    log.error(
        "error update=%s type=%s", update_id, type(context.error).__name__, exc_info=context.error
    )
    await _say_sorry(context.bot_data["rt"], update)


async def _say_sorry(rt: Runtime, update: object) -> None:
    """The person should not wait in silence: say something went wrong on our side."""
    chat = getattr(update, "effective_chat", None)
    person = getattr(update, "effective_user", None)
    if chat is None or chat.type != "private":
        return
    locale = rt.content.locale((getattr(person, "language_code", None) or "")[:2])
    try:
        await with_retry(
            rt.bot.send_message, chat.id, rt.content.render("algemeen.even_mis", locale)
        )
    except Exception:  # noqa: BLE001 - an apology that fails must not fail again
        log.warning("could not tell chat=%s about the error", chat.id)


def build_application(rt: Runtime) -> Application:
    # httpx logs every request URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # PTB logs every update and every API result at DEBUG: message texts, names, notes.
    # Whatever level the operator asks for, those records are never made.
    logging.getLogger("telegram").setLevel(logging.INFO)
    # A gateway's HTML error page makes PTB log a JSON traceback before it raises the
    # NetworkError that bot/lifecycle.py and bot/transport/inbox.py report in one line.
    logging.getLogger("telegram.request").setLevel(logging.CRITICAL)
    settings = rt.settings
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=ZoneInfo(settings.timezone)))
        .updater(None)  # updates come through the inbox (bot/transport/inbox.py)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.base_file_url:
        builder = builder.base_file_url(settings.base_file_url)
    app = configure(builder, settings.transport, settings.concurrent_chats).build()
    app.bot_data["rt"] = rt
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app


async def _post_init(app: Application) -> None:
    await start_services(app)


async def start_services(app: Application) -> None:
    """Attach the Bot to the runtime and start the outbox worker and the tick."""
    rt: Runtime = app.bot_data["rt"]
    rt.bot = app.bot
    outbox.start_worker(app, rt)
    ticker.start_ticker(app, rt)
    log.info("bot started username=%s", app.bot.username)


async def _post_stop(app: Application) -> None:
    # PTB closes its HTTP client in shutdown, before post_shutdown: stop sending here.
    await ticker.stop_ticker(app)
    await outbox.stop_worker(app)


async def _post_shutdown(app: Application) -> None:
    rt: Runtime = app.bot_data["rt"]
    rt.store.close()
