"""The emulator over real HTTP: Telegram's error shapes, limits, flood control, getUpdates."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from sandbox.emulator.flood import FloodPolicy
from sandbox.emulator.server import Emulator, EmulatorError

from .conftest import NEWBIE, TOKEN, VERA, WIM, BotApi, FakeClock

KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "Goed", "callback_data": "mood:good"},
            {"text": "Zwaar", "callback_data": "mood:heavy"},
        ]
    ]
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000308060000009b8c6bf10000000049454e44ae426082"
)


# -- malformed calls ---------------------------------------------------------------------


async def test_wrong_token_is_unauthorized(api: BotApi) -> None:
    status, body = await api.call("getMe", token="999:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_unknown_method_is_not_found(api: BotApi) -> None:
    status, body = await api.call("sendTelepathy", chat_id=VERA)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_missing_chat_id(api: BotApi) -> None:
    assert await api.error("sendMessage", text="Hoi") == (400, "Bad Request: chat_id is empty")


async def test_missing_or_blank_text(api: BotApi) -> None:
    assert await api.error("sendMessage", chat_id=VERA) == (
        400,
        "Bad Request: message text is empty",
    )
    assert await api.error("sendMessage", chat_id=VERA, text="<b> </b>", parse_mode="HTML") == (
        400,
        "Bad Request: message text is empty",
    )


async def test_unbalanced_html(api: BotApi) -> None:
    assert await api.error("sendMessage", chat_id=VERA, text="<b>Hoi", parse_mode="HTML") == (
        400,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    )


async def test_html_is_not_checked_without_parse_mode(api: BotApi) -> None:
    message = await api.ok("sendMessage", chat_id=VERA, text="<b>Hoi")
    assert message["text"] == "<b>Hoi"


async def test_text_longer_than_4096_after_entities(api: BotApi) -> None:
    assert await api.error("sendMessage", chat_id=VERA, text="x" * 5000) == (
        400,
        "Bad Request: message is too long",
    )
    await api.ok("sendMessage", chat_id=VERA, text="x" * 4096)
    # 4096 visible characters, many more raw ones: Telegram counts what the user sees.
    await api.ok("sendMessage", chat_id=VERA, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML")


async def test_text_limit_counts_utf16_code_units(api: BotApi) -> None:
    assert await api.error("sendMessage", chat_id=VERA, text="👋" * 2049) == (
        400,
        "Bad Request: message is too long",
    )


async def test_caption_longer_than_1024(api: BotApi) -> None:
    status, description = await api.error(
        "sendDocument",
        encoding="multipart",
        chat_id=VERA,
        caption="x" * 1025,
        document=("a.txt", b"data", "text/plain"),
    )
    assert (status, description) == (400, "Bad Request: message caption is too long")


async def test_callback_data_over_64_bytes(api: BotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "x" * 70}]]}
    assert await api.error("sendMessage", chat_id=VERA, text="Hoi", reply_markup=markup) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 33}]]}  # 66 bytes
    assert await api.error("sendMessage", chat_id=VERA, text="Hoi", reply_markup=markup) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 32}]]}  # 64 bytes
    await api.ok("sendMessage", chat_id=VERA, text="Hoi", reply_markup=markup)


@pytest.mark.parametrize(
    ("button", "description"),
    [
        (
            {"text": "A"},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"callback_data": "a"},
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
        ),
        (
            {"text": "A", "callback_data": "a", "url": "https://x.nl"},
            "Bad Request: can't parse inline keyboard button: exactly one of the optional "
            "fields must be used, got ['url', 'callback_data']",
        ),
        (
            {"text": "A", "url": "not a url"},
            "Bad Request: inline keyboard button URL 'not a url' is invalid",
        ),
    ],
)
async def test_inline_button_shape(api: BotApi, button: dict, description: str) -> None:
    markup = {"inline_keyboard": [[button]]}
    assert await api.error("sendMessage", chat_id=VERA, text="Hoi", reply_markup=markup) == (
        400,
        description,
    )


async def test_reply_markup_must_be_an_object(api: BotApi) -> None:
    assert await api.error("sendMessage", chat_id=VERA, text="Hoi", reply_markup="[1]") == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )


async def test_wrong_integer_type(api: BotApi) -> None:
    assert await api.error("deleteMessage", chat_id=VERA, message_id="first") == (
        400,
        'Bad Request: field "message_id" must be of type Integer',
    )


async def test_unknown_chat(api: BotApi) -> None:
    assert await api.error("sendMessage", chat_id=424242, text="Hoi") == (
        400,
        "Bad Request: chat not found",
    )
    assert await api.error("sendMessage", chat_id="@vera", text="Hoi") == (
        400,
        "Bad Request: chat not found",
    )


async def test_unsupported_parse_mode(api: BotApi) -> None:
    assert await api.error("sendMessage", chat_id=VERA, text="Hoi", parse_mode="BBCode") == (
        400,
        "Bad Request: unsupported parse_mode",
    )


# -- who can be reached ----------------------------------------------------------------------


async def test_blocked_user_is_forbidden(api: BotApi, emu: Emulator) -> None:
    emu.block(VERA)
    assert await api.error("sendMessage", chat_id=VERA, text="Hoi") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    assert emu.blocked == {VERA}


async def test_blocking_tells_the_bot_with_my_chat_member(emu: Emulator) -> None:
    emu.block(VERA)
    [update] = emu.pending_updates()
    member = update["my_chat_member"]
    assert (member["old_chat_member"]["status"], member["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )


async def test_user_who_never_started_is_forbidden_until_they_write(
    api: BotApi, emu: Emulator
) -> None:
    assert await api.error("sendMessage", chat_id=NEWBIE, text="Hoi") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    emu.send_text(NEWBIE, "/start")
    await api.ok("sendMessage", chat_id=NEWBIE, text="Welkom")


async def test_writing_again_unblocks(api: BotApi, emu: Emulator) -> None:
    emu.block(VERA)
    emu.send_text(VERA, "hallo")
    assert emu.blocked == set()
    await api.ok("sendMessage", chat_id=VERA, text="Fijn dat je er weer bent")


async def test_leave_chat_records_it_and_then_forbids_sending(api: BotApi, emu: Emulator) -> None:
    emu.send_group_text(-100, VERA, "hallo groep", title="Buurt")
    assert await api.ok("leaveChat", chat_id=-100) is True
    assert emu.left_chats == {-100}
    assert await api.error("sendMessage", chat_id=-100, text="Hoi") == (
        403,
        "Forbidden: bot is not a member of the group chat",
    )
    with pytest.raises(EmulatorError):
        emu.send_group_text(-100, VERA, "nog iemand?")


# -- flood control ---------------------------------------------------------------------------


@pytest.fixture
def flood_policy() -> FloodPolicy:
    return FloodPolicy(enabled=False)


async def test_per_chat_flood_gives_429_then_recovers(
    api: BotApi, emu: Emulator, clock: FakeClock
) -> None:
    emu.set_flood(enabled=True, per_chat_rate=1.0, per_chat_burst=2)
    await api.ok("sendMessage", chat_id=VERA, text="1")
    await api.ok("sendMessage", chat_id=VERA, text="2")
    status, body = await api.call("sendMessage", chat_id=VERA, text="3")
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    clock.advance(0.5)  # still inside the window: refused, even though a token has half-grown
    assert (await api.call("sendMessage", chat_id=VERA, text="3"))[0] == 429
    await api.ok("sendMessage", chat_id=WIM, text="another chat is not limited")
    clock.advance(0.6)
    await api.ok("sendMessage", chat_id=VERA, text="3")


async def test_retry_after_is_whole_seconds_until_a_token(
    api: BotApi, emu: Emulator, clock: FakeClock
) -> None:
    emu.set_flood(enabled=True, per_chat_rate=0.25, per_chat_burst=1)
    await api.ok("sendMessage", chat_id=VERA, text="1")
    clock.advance(1.5)
    status, body = await api.call("sendMessage", chat_id=VERA, text="2")
    assert (status, body["parameters"]) == (429, {"retry_after": 3})  # 2.5 s, rounded up


async def test_the_window_holds_even_when_a_token_has_grown_back(
    api: BotApi, emu: Emulator, clock: FakeClock
) -> None:
    emu.set_flood(enabled=True, per_chat_rate=0.4, per_chat_burst=1)
    await api.ok("sendMessage", chat_id=VERA, text="1")
    status, body = await api.call("sendMessage", chat_id=VERA, text="2")
    assert (status, body["parameters"]) == (429, {"retry_after": 3})  # 2.5 s, rounded up
    clock.advance(2.6)  # the bucket holds a token again, but Telegram said 3 seconds
    status, body = await api.call("sendMessage", chat_id=VERA, text="2")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    clock.advance(0.5)
    await api.ok("sendMessage", chat_id=VERA, text="2")


async def test_global_flood_blocks_every_chat(api: BotApi, emu: Emulator, clock: FakeClock) -> None:
    emu.set_flood(enabled=True, global_rate=2.0, global_burst=2, per_chat_burst=10)
    await api.ok("sendMessage", chat_id=VERA, text="1")
    await api.ok("sendMessage", chat_id=WIM, text="2")
    assert (await api.call("sendMessage", chat_id=VERA, text="3"))[0] == 429
    assert (await api.call("sendMessage", chat_id=WIM, text="3"))[0] == 429
    clock.advance(1.0)
    await api.ok("sendMessage", chat_id=WIM, text="3")


async def test_edits_count_towards_flood(api: BotApi, emu: Emulator) -> None:
    message = await api.ok("sendMessage", chat_id=VERA, text="1")
    emu.set_flood(enabled=True, per_chat_burst=1)
    await api.ok("editMessageText", chat_id=VERA, message_id=message["message_id"], text="2")
    status, _ = await api.call(
        "editMessageText", chat_id=VERA, message_id=message["message_id"], text="3"
    )
    assert status == 429


async def test_force_429(api: BotApi, emu: Emulator) -> None:
    emu.force_429(2, retry_after=7)
    for _ in range(2):
        status, body = await api.call("sendMessage", chat_id=VERA, text="Hoi")
        assert (status, body["parameters"]["retry_after"]) == (429, 7)
        assert body["description"] == "Too Many Requests: retry after 7"
    await api.ok("sendMessage", chat_id=VERA, text="Hoi")
    assert [m.text for m in emu.messages(VERA)] == ["Hoi"]


async def test_force_429_spares_methods_that_do_not_send(api: BotApi, emu: Emulator) -> None:
    emu.force_429(1)
    await api.ok("getMe")
    assert (await api.call("sendMessage", chat_id=VERA, text="Hoi"))[0] == 429


# -- getUpdates ------------------------------------------------------------------------------


async def test_updates_stay_until_confirmed_by_offset(api: BotApi, emu: Emulator) -> None:
    ids = [emu.send_text(VERA, text) for text in ("een", "twee", "drie")]
    first = await api.ok("getUpdates")
    assert [u["update_id"] for u in first] == ids
    again = await api.ok("getUpdates", limit=2)
    assert [u["update_id"] for u in again] == ids[:2]
    rest = await api.ok("getUpdates", offset=ids[1])
    assert [u["update_id"] for u in rest] == ids[1:]
    assert await api.ok("getUpdates", offset=ids[-1] + 1) == []
    assert emu.pending_updates() == []


async def test_negative_offset_keeps_the_last_updates(api: BotApi, emu: Emulator) -> None:
    ids = [emu.send_text(VERA, text) for text in ("een", "twee", "drie")]
    updates = await api.ok("getUpdates", offset=-1)
    assert [u["update_id"] for u in updates] == ids[-1:]
    assert [u["update_id"] for u in emu.pending_updates()] == ids[-1:]


async def test_long_poll_returns_as_soon_as_an_update_arrives(api: BotApi, emu: Emulator) -> None:
    poll = asyncio.create_task(api.ok("getUpdates", timeout=30))
    await emu.wait_for(lambda: emu.state()["polling"])
    assert not poll.done()
    update_id = emu.send_text(VERA, "hallo")
    updates = await asyncio.wait_for(poll, 10)
    assert [u["update_id"] for u in updates] == [update_id]


async def test_short_poll_returns_empty(api: BotApi) -> None:
    assert await api.ok("getUpdates", timeout=0) == []


async def test_a_second_poller_ends_the_first_with_a_conflict(api: BotApi, emu: Emulator) -> None:
    first = asyncio.create_task(api.call("getUpdates", timeout=30))
    await emu.wait_for(lambda: emu.state()["polling"])
    await api.ok("getUpdates", timeout=0)
    status, body = await asyncio.wait_for(first, 10)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_allowed_updates_filters_and_persists(api: BotApi, emu: Emulator) -> None:
    message = await api.ok(
        "sendMessage", chat_id=VERA, text="Hoe was je bezoek?", reply_markup=KEYBOARD
    )
    emu.send_text(VERA, "tekst")
    pressed = emu.press(VERA, message["message_id"], data="mood:good")
    updates = await api.ok("getUpdates", allowed_updates=["callback_query"])
    assert [u["update_id"] for u in updates] == [pressed.update_id]
    emu.send_text(VERA, "nog meer tekst")
    assert await api.ok("getUpdates", offset=pressed.update_id + 1) == []  # still filtered


async def test_delete_webhook_can_drop_pending_updates(api: BotApi, emu: Emulator) -> None:
    emu.send_text(VERA, "oud")
    assert await api.ok("deleteWebhook", drop_pending_updates=True) is True
    assert emu.pending_updates() == []


async def test_get_updates_conflicts_with_a_webhook(api: BotApi) -> None:
    await api.ok("setWebhook", url="https://example.org/hook")
    status, description = await api.error("getUpdates")
    assert status == 409 and "webhook is active" in description


# -- updates the users make ------------------------------------------------------------------


async def test_commands_get_bot_command_entities(emu: Emulator) -> None:
    emu.send_text(VERA, "/start abc")
    emu.send_text(VERA, "/start@omzien_bot")
    emu.send_text(VERA, "geen /commando hier? wel: /hulp")
    entities = [u["message"].get("entities") for u in emu.pending_updates()]
    assert entities[0] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert entities[1] == [{"type": "bot_command", "offset": 0, "length": 17}]
    assert entities[2] == [
        {"type": "bot_command", "offset": 5, "length": 9},
        {"type": "bot_command", "offset": 26, "length": 5},
    ]


async def test_press_builds_a_callback_query_with_the_current_message(
    api: BotApi, emu: Emulator
) -> None:
    sent = await api.ok("sendMessage", chat_id=VERA, text="Hoe ging het?", reply_markup=KEYBOARD)
    pressed = emu.press(VERA, sent["message_id"], button="Zwaar")
    [update] = emu.pending_updates()
    query = update["callback_query"]
    assert update["update_id"] == pressed.update_id
    assert query["id"] == pressed.callback_query_id
    assert query["data"] == "mood:heavy"
    assert query["from"]["id"] == VERA and query["from"]["is_bot"] is False
    assert query["message"] == sent
    assert query["chat_instance"]


async def test_press_refuses_buttons_the_message_does_not_have(api: BotApi, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=VERA, text="Hoe ging het?", reply_markup=KEYBOARD)
    with pytest.raises(EmulatorError, match="no button"):
        emu.press(VERA, sent["message_id"], data="mood:other")
    with pytest.raises(EmulatorError, match="no message 99"):
        emu.press(VERA, 99, data="mood:good")
    await api.ok("editMessageText", chat_id=VERA, message_id=sent["message_id"], text="Dank je")
    with pytest.raises(EmulatorError):  # the edit removed the keyboard
        emu.press(VERA, sent["message_id"], data="mood:good")


async def test_send_other_kinds_are_shaped_like_telegram(emu: Emulator) -> None:
    for kind in ("photo", "sticker", "voice", "document", "location"):
        emu.send_other(VERA, kind)
    messages = [u["message"] for u in emu.pending_updates()]
    assert [
        next(k for k in m if k in ("photo", "sticker", "voice", "document", "location"))
        for m in messages
    ] == ["photo", "sticker", "voice", "document", "location"]
    assert all("text" not in m for m in messages)


async def test_group_messages_come_from_a_group_chat(emu: Emulator) -> None:
    emu.send_group_text(-555, WIM, "/hulp@omzien_bot", title="Buurtteam")
    [update] = emu.pending_updates()
    chat = update["message"]["chat"]
    assert chat == {"id": -555, "type": "group", "title": "Buurtteam"}
    assert update["message"]["from"]["id"] == WIM


# -- sending, editing, answering -------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["form", "json", "query", "multipart"])
async def test_every_body_encoding_works(api: BotApi, emu: Emulator, encoding: str) -> None:
    message = await api.ok(
        "sendMessage",
        encoding=encoding,
        chat_id=VERA,
        text="<i>Hoi</i>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert message["text"] == "Hoi"
    assert message["entities"] == [{"type": "italic", "offset": 0, "length": 3}]
    [record] = emu.messages(VERA)
    assert (record.raw_text, record.parse_mode, record.reply_markup) == (
        "<i>Hoi</i>",
        "HTML",
        KEYBOARD,
    )


async def test_send_document_records_the_uploaded_file(api: BotApi, emu: Emulator) -> None:
    message = await api.ok(
        "sendDocument",
        encoding="multipart",
        chat_id=VERA,
        caption="Je <b>journaal</b>",
        parse_mode="HTML",
        document=("journaal.txt", b"dag 1: goed", "text/plain"),
    )
    assert message["document"]["file_name"] == "journaal.txt"
    assert message["document"]["file_size"] == len(b"dag 1: goed")
    assert message["caption"] == "Je journaal"
    [record] = emu.messages(VERA)
    assert (record.document_file_name, record.caption, record.has_photo) == (
        "journaal.txt",
        "Je journaal",
        False,
    )


async def test_uploaded_files_can_be_fetched_again(api: BotApi, emu: Emulator) -> None:
    message = await api.ok(
        "sendDocument",
        encoding="multipart",
        chat_id=VERA,
        document=("a.txt", b"inhoud", "text/plain"),
    )
    file = await api.ok("getFile", file_id=message["document"]["file_id"])
    url = f"{emu.base_file_url}{TOKEN}/{file['file_path']}"
    async with api.session.get(url) as response:
        assert await response.read() == b"inhoud"
    resent = await api.ok("sendDocument", chat_id=WIM, document=message["document"]["file_id"])
    assert resent["document"]["file_id"] == message["document"]["file_id"]


async def test_attach_uri_refers_to_a_part(api: BotApi) -> None:
    message = await api.ok(
        "sendDocument",
        encoding="multipart",
        chat_id=VERA,
        document="attach://file0",
        file0=("b.csv", b"a,b", "text/csv"),
    )
    assert message["document"]["file_name"] == "b.csv"


async def test_unknown_file_id(api: BotApi) -> None:
    assert await api.error("sendDocument", chat_id=VERA, document="nope") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


async def test_send_photo_needs_an_image(api: BotApi, emu: Emulator) -> None:
    assert await api.error(
        "sendPhoto",
        encoding="multipart",
        chat_id=VERA,
        photo=("x.png", b"not an image", "image/png"),
    ) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    message = await api.ok(
        "sendPhoto", encoding="multipart", chat_id=VERA, photo=("grafiek.png", PNG, "image/png")
    )
    assert (message["photo"][0]["width"], message["photo"][0]["height"]) == (2, 3)
    assert emu.messages(VERA)[-1].has_photo


async def test_edit_message_text(api: BotApi, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=VERA, text="Vraag", reply_markup=KEYBOARD)
    edited = await api.ok(
        "editMessageText",
        chat_id=VERA,
        message_id=sent["message_id"],
        text="Vraag (beantwoord)",
        reply_markup=KEYBOARD,
    )
    assert edited["text"] == "Vraag (beantwoord)" and "edit_date" in edited
    [record] = emu.messages(VERA)
    assert (record.text, record.edit_count, record.reply_markup) == (
        "Vraag (beantwoord)",
        1,
        KEYBOARD,
    )


async def test_editing_without_markup_removes_the_keyboard(api: BotApi, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=VERA, text="Vraag", reply_markup=KEYBOARD)
    edited = await api.ok(
        "editMessageText", chat_id=VERA, message_id=sent["message_id"], text="Klaar"
    )
    assert "reply_markup" not in edited
    assert emu.messages(VERA)[0].reply_markup is None


async def test_edit_errors(api: BotApi, emu: Emulator) -> None:
    sent = await api.ok(
        "sendMessage", chat_id=VERA, text="<b>Vraag</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    same = dict(chat_id=VERA, message_id=sent["message_id"], reply_markup=KEYBOARD)
    status, description = await api.error(
        "editMessageText", text="<b>Vraag</b>", parse_mode="HTML", **same
    )
    assert (status, description) == (
        400,
        "Bad Request: message is not modified: specified new "
        "message content and reply markup are exactly the same as "
        "a current content and reply markup of the message",
    )
    assert await api.error("editMessageText", chat_id=VERA, message_id=77, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    assert await api.error("editMessageReplyMarkup", **same) == (400, description)
    emu.send_text(VERA, "hoi")
    users_message = emu.pending_updates()[-1]["message"]
    assert await api.error(
        "editMessageText", chat_id=VERA, text="x", message_id=users_message["message_id"]
    ) == (400, "Bad Request: message can't be edited")


async def test_edit_reply_markup(api: BotApi, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=VERA, text="Vraag", reply_markup=KEYBOARD)
    await api.ok("editMessageReplyMarkup", chat_id=VERA, message_id=sent["message_id"])
    assert emu.messages(VERA)[0].reply_markup is None


async def test_delete_message(api: BotApi, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=VERA, text="weg ermee")
    assert await api.ok("deleteMessage", chat_id=VERA, message_id=sent["message_id"]) is True
    assert emu.messages(VERA)[0].deleted
    assert emu.messages(VERA, include_deleted=False) == []
    assert await api.error("deleteMessage", chat_id=VERA, message_id=sent["message_id"]) == (
        400,
        "Bad Request: message to delete not found",
    )


async def test_answer_callback_query_once(api: BotApi, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=VERA, text="Vraag", reply_markup=KEYBOARD)
    pressed = emu.press(VERA, sent["message_id"], data="mood:good")
    assert (
        await api.ok(
            "answerCallbackQuery", callback_query_id=pressed.callback_query_id, text="Genoteerd"
        )
        is True
    )
    assert emu.callback_answers[0]["text"] == "Genoteerd"
    assert emu.callback_answers[0]["data"] == "mood:good"
    invalid = (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert (
        await api.error("answerCallbackQuery", callback_query_id=pressed.callback_query_id)
        == invalid
    )
    assert await api.error("answerCallbackQuery", callback_query_id="12345") == invalid


async def test_chat_action(api: BotApi, emu: Emulator) -> None:
    assert await api.ok("sendChatAction", chat_id=VERA, action="typing") is True
    assert await api.error("sendChatAction", chat_id=VERA, action="dancing") == (
        400,
        "Bad Request: wrong parameter action in request",
    )
    emu.block(VERA)
    assert (await api.error("sendChatAction", chat_id=VERA, action="typing"))[0] == 403


async def test_reply_to_a_missing_message(api: BotApi) -> None:
    assert await api.error(
        "sendMessage", chat_id=VERA, text="x", reply_parameters={"message_id": 50}
    ) == (400, "Bad Request: message to be replied not found")
    await api.ok(
        "sendMessage",
        chat_id=VERA,
        text="x",
        reply_parameters={"message_id": 50, "allow_sending_without_reply": True},
    )


async def test_unknown_parameters_are_ignored_but_logged(api: BotApi, emu: Emulator) -> None:
    await api.ok("sendMessage", chat_id=VERA, text="Hoi", disable_web_page_previews=True)
    call = emu.calls[-1]
    assert (call.method, call.status) == ("sendMessage", 200)
    assert call.params == {"chat_id": VERA, "text": "Hoi"}
    assert call.ignored == {"disable_web_page_previews": "true"}


async def test_failed_calls_are_logged_with_their_description(api: BotApi, emu: Emulator) -> None:
    await api.call("sendMessage", chat_id=VERA)
    call = emu.calls[-1]
    assert (call.status, call.description) == (400, "Bad Request: message text is empty")


# -- bot commands ----------------------------------------------------------------------------


async def test_commands_are_stored_per_scope_and_language(api: BotApi, emu: Emulator) -> None:
    default = [{"command": "start", "description": "Begin"}]
    vera = [{"command": "bezoek", "description": "Na een bezoek"}]
    await api.ok("setMyCommands", commands=default)
    await api.ok(
        "setMyCommands", commands=vera, language_code="nl", scope={"type": "chat", "chat_id": VERA}
    )
    assert emu.commands() == default
    assert emu.commands("chat", chat_id=VERA, language_code="nl") == vera
    assert emu.commands("chat", chat_id=VERA) == []
    assert emu.effective_commands(VERA, "nl") == vera
    assert emu.effective_commands(WIM, "nl") == default
    assert (
        await api.ok("getMyCommands", scope={"type": "chat", "chat_id": VERA}, language_code="nl")
        == vera
    )
    await api.ok("deleteMyCommands", scope={"type": "chat", "chat_id": VERA}, language_code="nl")
    assert emu.commands("chat", chat_id=VERA, language_code="nl") == []


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"commands": [{"command": "Start", "description": "x"}]}, "BOT_COMMAND_INVALID"),
        ({"commands": [{"command": "a" * 33, "description": "x"}]}, "BOT_COMMAND_INVALID"),
        ({"commands": [{"command": "start", "description": ""}]}, "command description is empty"),
        (
            {"commands": [{"command": "start", "description": "x" * 257}]},
            "BOT_COMMAND_DESCRIPTION_INVALID",
        ),
        (
            {"commands": [{"command": f"c{i}", "description": "x"} for i in range(101)]},
            "too many commands specified",
        ),
        (
            {"commands": [], "scope": {"type": "chat"}},
            'field "chat_id" must be specified in the chat scope',
        ),
        ({"commands": [], "scope": {"type": "everyone"}}, "unsupported bot command scope type"),
        ({"commands": [], "scope": {"type": "chat", "chat_id": 999}}, "chat not found"),
        ({"commands": [], "language_code": "dutch"}, "invalid language code specified"),
    ],
)
async def test_invalid_commands(api: BotApi, params: dict, description: str) -> None:
    assert await api.error("setMyCommands", **params) == (400, f"Bad Request: {description}")


# -- the control API -------------------------------------------------------------------------


async def control(
    session: aiohttp.ClientSession, emu: Emulator, path: str, body: dict | None = None
) -> tuple[int, dict]:
    url = f"{emu.url}/control/{path}"
    method = session.post(url, json=body) if body is not None else session.get(url)
    async with method as response:
        return response.status, await response.json()


async def test_control_api_drives_users_and_reads_results(api: BotApi, emu: Emulator) -> None:
    session = api.session
    assert (await control(session, emu, "users", {"user_id": 2001, "first_name": "Pim"}))[0] == 200
    status, body = await control(session, emu, "text", {"user_id": 2001, "text": "/start"})
    assert status == 200 and body["result"]["update_id"] == emu.pending_updates()[0]["update_id"]
    sent = await api.ok("sendMessage", chat_id=2001, text="Kies", reply_markup=KEYBOARD)
    status, body = await control(
        session, emu, "press", {"user_id": 2001, "message_id": sent["message_id"], "button": "Goed"}
    )
    assert status == 200 and set(body["result"]) == {"update_id", "callback_query_id"}
    status, body = await control(session, emu, "messages?chat_id=2001")
    assert [m["text"] for m in body["result"]] == ["Kies"]
    assert body["result"][0]["reply_markup"] == KEYBOARD
    status, body = await control(session, emu, "calls")
    assert body["result"][-1]["method"] == "sendMessage"


async def test_control_api_block_flood_and_state(api: BotApi, emu: Emulator) -> None:
    session = api.session
    await control(session, emu, "block", {"user_id": VERA, "blocked": True})
    await control(session, emu, "force_429", {"count": 1, "retry_after": 2})
    status, body = await control(session, emu, "flood", {"enabled": True, "per_chat_burst": 3})
    assert body["result"]["per_chat_burst"] == 3
    status, body = await control(session, emu, "state")
    assert body["result"]["blocked"] == [VERA]
    assert body["result"]["forced_429_left"] == 1
    assert body["result"]["pending_updates"] == 1  # the my_chat_member update


async def test_control_api_reports_misuse_as_400(api: BotApi, emu: Emulator) -> None:
    status, body = await control(
        api.session, emu, "press", {"user_id": VERA, "message_id": 9, "data": "x"}
    )
    assert status == 400 and "no message 9" in body["error"]
    status, body = await control(api.session, emu, "text", {"text": "wie ben ik"})
    assert status == 400 and body["ok"] is False
    status, body = await control(api.session, emu, "flood", {"enabeld": True})
    assert status == 400 and "enabeld" in body["error"]


async def test_control_api_commands(api: BotApi, emu: Emulator) -> None:
    await api.ok(
        "setMyCommands",
        commands=[{"command": "start", "description": "Begin"}],
        scope={"type": "chat", "chat_id": VERA},
    )
    status, body = await control(api.session, emu, f"commands?chat_id={VERA}")
    assert body["result"] == [
        {
            "scope": "chat",
            "chat_id": VERA,
            "user_id": None,
            "language_code": "",
            "commands": [{"command": "start", "description": "Begin"}],
        }
    ]


async def test_json_body_is_stringified_like_telegram(api: BotApi, emu: Emulator) -> None:
    # Telegram turns JSON numbers into strings before reading them: 42 is accepted as text.
    message = await api.ok("sendMessage", encoding="json", chat_id=str(VERA), text=42)
    assert message["text"] == "42"
    status, body = await api.call(
        "sendMessage", encoding="json", chat_id=VERA, text="x", reply_markup=json.dumps(KEYBOARD)
    )
    assert status == 200 and body["result"]["reply_markup"] == KEYBOARD


async def test_bot_descriptions_are_stored_per_language(api: BotApi, emu: Emulator) -> None:
    await api.ok("setMyDescription", description="Omzien helpt na een bezoek", language_code="nl")
    await api.ok("setMyShortDescription", short_description="Na je bezoek")
    assert emu.descriptions == {
        ("description", "nl"): "Omzien helpt na een bezoek",
        ("short_description", ""): "Na je bezoek",
    }
    assert await api.error("setMyShortDescription", short_description="x" * 121) == (
        400,
        "Bad Request: short description is too long",
    )
