"""The emulator with the real python-telegram-bot: results parse, errors map to PTB's errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.emulator.server import Emulator

from .conftest import NEWBIE, TOKEN, VERA, WIM
from .test_emulator import PNG

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Goed", callback_data="mood:good"),
            InlineKeyboardButton("Zwaar", callback_data="mood:heavy"),
        ]
    ]
)


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as real_bot:
        yield real_bot


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.can_join_groups) == (123456, True, "omzien_bot", True)


async def test_wrong_token_is_rejected_on_initialize(emu: Emulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=emu.base_url):
            pass


async def test_send_message_with_an_inline_keyboard(bot: Bot, emu: Emulator) -> None:
    message = await bot.send_message(
        VERA, "<b>Hoe</b> was je bezoek?", parse_mode=ParseMode.HTML, reply_markup=KEYBOARD
    )
    assert isinstance(message, Message)
    assert message.text == "Hoe was je bezoek?"
    assert message.text_html == "<b>Hoe</b> was je bezoek?"
    assert message.reply_markup == KEYBOARD
    assert message.from_user.id == bot.id and message.chat.id == VERA
    assert emu.messages(VERA)[0].reply_markup == KEYBOARD.to_dict()


async def test_edit_message_text(bot: Bot, emu: Emulator) -> None:
    sent = await bot.send_message(VERA, "Vraag", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Vraag (beantwoord)", VERA, sent.message_id)
    assert edited.text == "Vraag (beantwoord)" and edited.edit_date is not None
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_text("Vraag (beantwoord)")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", VERA, 999)


async def test_edit_reply_markup_and_delete(bot: Bot, emu: Emulator) -> None:
    sent = await bot.send_message(VERA, "Vraag", reply_markup=KEYBOARD)
    edited = await sent.edit_reply_markup(None)
    assert edited.reply_markup is None
    assert await sent.delete() is True
    assert emu.messages(VERA)[0].deleted


async def test_answer_callback_query(bot: Bot, emu: Emulator) -> None:
    sent = await bot.send_message(VERA, "Vraag", reply_markup=KEYBOARD)
    pressed = emu.press(VERA, sent.message_id, button="Goed")
    [update] = await bot.get_updates()
    assert update.callback_query.data == "mood:good"
    assert update.callback_query.message.message_id == sent.message_id
    assert await update.callback_query.answer("Genoteerd") is True
    assert emu.callback_answers[0]["callback_query_id"] == pressed.callback_query_id
    with pytest.raises(BadRequest, match="Query is too old"):
        await update.callback_query.answer()


async def test_send_document_and_photo(bot: Bot, emu: Emulator) -> None:
    document = await bot.send_document(
        VERA, b"dag 1: goed", filename="journaal.txt", caption="Je journaal"
    )
    assert document.document.file_name == "journaal.txt"
    assert document.caption == "Je journaal"
    photo = await bot.send_photo(VERA, PNG, caption="Je week")
    assert photo.photo[-1].width == 2
    records = emu.messages(VERA)
    assert [(r.document_file_name, r.has_photo) for r in records] == [
        ("journaal.txt", False),
        (None, True),
    ]
    file = await bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"dag 1: goed"


async def test_commands_with_a_chat_scope(bot: Bot, emu: Emulator) -> None:
    commands = [BotCommand("bezoek", "Na een bezoek"), BotCommand("journaal", "Je journaal")]
    scope = BotCommandScopeChat(VERA)
    assert await bot.set_my_commands(commands, scope=scope, language_code="nl") is True
    assert await bot.get_my_commands(scope=scope, language_code="nl") == tuple(commands)
    assert emu.commands("chat", chat_id=VERA, language_code="nl") == [c.to_dict() for c in commands]
    assert await bot.delete_my_commands(scope=scope, language_code="nl") is True
    assert await bot.get_my_commands(scope=scope, language_code="nl") == ()


async def test_chats(bot: Bot, emu: Emulator) -> None:
    chat = await bot.get_chat(VERA)
    assert (chat.id, chat.type, chat.first_name, chat.username) == (VERA, "private", "Vera", "vera")
    assert await bot.send_chat_action(VERA, ChatAction.TYPING) is True
    emu.send_group_text(-100, WIM, "hallo")
    assert await bot.leave_chat(-100) is True
    assert emu.left_chats == {-100}
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(31337)


async def test_errors_map_to_ptb_exceptions(bot: Bot, emu: Emulator) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(VERA, "<b>Hoi", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(VERA, "x" * 5000)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            VERA,
            "Hoi",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("A", callback_data="x" * 70)]]
            ),
        )
    with pytest.raises(Forbidden, match="bot can't initiate conversation"):
        await bot.send_message(NEWBIE, "Hoi")
    emu.block(VERA)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(VERA, "Hoi")


# PTB 22 gives retry_after as int (warning that it will become a timedelta) unless
# PTB_TIMEDELTA is set; accept both.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_raises_retry_after(bot: Bot, emu: Emulator) -> None:
    emu.force_429(1, retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(VERA, "Hoi")
    retry_after = raised.value.retry_after
    assert getattr(retry_after, "total_seconds", lambda: retry_after)() == 3
    await bot.send_message(VERA, "Hoi")


async def test_every_update_kind_parses(bot: Bot, emu: Emulator) -> None:
    emu.send_text(VERA, "/start abc")
    for kind in ("photo", "sticker", "voice", "document", "location"):
        emu.send_other(VERA, kind)
    emu.send_group_text(-7, WIM, "groepje")
    emu.block(WIM)
    updates = await bot.get_updates()
    assert [u.effective_message.message_id if u.effective_message else None for u in updates] == [
        1,
        2,
        3,
        4,
        5,
        6,
        1,
        None,
    ]
    first, photo, sticker, voice, document, location, group, blocked = updates
    assert first.message.text == "/start abc" and first.message.entities[0].type == "bot_command"
    assert photo.message.photo and sticker.message.sticker.emoji == "👍"
    assert voice.message.voice.mime_type == "audio/ogg" and document.message.document.file_name
    assert location.message.location.latitude == pytest.approx(52.3731)
    assert group.message.chat.type == "group"
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    file = await bot.get_file(photo.message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()).startswith(b"\x89PNG")


# -- a whole Application, polling -------------------------------------------------------------


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(
        f"Hoi {update.effective_user.first_name}, hoe ging het?", reply_markup=KEYBOARD
    )


async def _mood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Dank je")
    await query.edit_message_text(f"Genoteerd: {query.data}")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"Je zei: {update.message.text}")


@pytest.fixture
async def app(emu: Emulator) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_mood))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        yield application
        if application.updater.running:  # a test may have stopped it already
            await application.updater.stop()
        await application.stop()


async def test_application_round_trip(app: Application, emu: Emulator) -> None:
    emu.send_text(VERA, "/start")
    [question] = await emu.wait_for(lambda: emu.messages(VERA))
    assert question.text == "Hoi Vera, hoe ging het?"
    emu.press(VERA, question.message_id, button="Zwaar")
    await emu.wait_for(lambda: emu.messages(VERA)[0].edit_count == 1)
    assert emu.messages(VERA)[0].text == "Genoteerd: mood:heavy"
    assert emu.messages(VERA)[0].reply_markup is None
    assert emu.callback_answers[0]["text"] == "Dank je"
    emu.send_text(VERA, "prima")
    await emu.wait_for(lambda: len(emu.messages(VERA)) == 2)
    assert emu.messages(VERA)[1].text == "Je zei: prima"
    assert {call.method for call in emu.calls} >= {"getMe", "deleteWebhook", "getUpdates"}
    assert [c for c in emu.calls if c.ignored] == []  # PTB sends nothing the table lacks


async def test_application_confirms_updates_on_stop(app: Application, emu: Emulator) -> None:
    emu.send_text(VERA, "/start")
    await emu.wait_for(lambda: emu.messages(VERA))
    await app.updater.stop()
    assert emu.pending_updates() == []
