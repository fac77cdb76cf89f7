"""The inbox stores updates as Telegram sent them and parses each one once, when handled
(bot/transport/inbox.py, issue 14); getUpdates' failures still back off; replies, sent
without parsing Telegram's answer, still arrive with their buttons."""

from __future__ import annotations

import json
from collections import Counter

from telegram import Update

from bot.transport import inbox as loop
from sandbox.emulator.methods import ApiError
from storage import inbox

VERA = 1003


def body_of(db, update_id: int) -> dict:
    (body,) = db.execute("SELECT body FROM inbox WHERE update_id = ?", [update_id]).fetchone()
    return json.loads(body)


async def test_updates_are_stored_as_received_and_parsed_once_when_handled(sandbox, monkeypatch):
    sent: list[dict] = []  # by the emulator, as Telegram sends them
    stored: list[dict] = []
    parsed: Counter[int] = Counter()
    queue = sandbox.emulator._queue
    put, store, de_json = queue.put, inbox.store, Update.de_json

    def sending(kind, payload):
        update_id = put(kind, payload)
        sent.append(json.loads(json.dumps({"update_id": update_id, kind: payload})))
        return update_id

    def storing(db, updates, now):
        assert all(type(u) is dict for u in updates)  # no Update objects on the way in
        new = store(db, updates, now)
        stored.extend(body_of(db, u["update_id"]) for u in updates)
        return new

    def parsing(data, bot=None):
        parsed[data["update_id"]] += 1
        return de_json(data, bot)

    monkeypatch.setattr(queue, "put", sending)
    monkeypatch.setattr(inbox, "store", storing)
    monkeypatch.setattr(Update, "de_json", staticmethod(parsing))

    await sandbox.say("vera", "/bezoek")
    await sandbox.press("vera", "Ja")
    before = len(sandbox.messages("vera"))
    await sandbox.say("vera", "Het was een fijne middag")

    assert len(sent) == 3
    assert stored == sent  # the JSON as Telegram sent it, not PTB's rendering of it
    assert parsed == Counter({u["update_id"]: 1 for u in sent}), parsed
    handled = await sandbox.rt.store.run(
        lambda db: [r for (r,) in db.execute("SELECT update_id FROM inbox WHERE handled_at")]
    )
    assert sorted(handled) == sorted(parsed)
    assert len(sandbox.messages("vera")) > before  # every turn answered


def test_no_arbitrary_callback_data(sandbox):
    """ExtBot would resolve arbitrary callback data in get_updates and send_message, which
    the unparsed calls skip; Omzien's button data are plain strings (docs/architecture.md)."""
    assert sandbox.rt.bot.callback_data_cache is None


async def test_getupdates_network_errors_back_off_and_polling_goes_on(sandbox, monkeypatch):
    waits: list[int] = []

    def counting(failures: int) -> float:
        waits.append(failures)
        return 0.01

    monkeypatch.setattr(loop, "backoff", counting)
    await sandbox.say("vera", "/help")  # the poller is in a long poll now
    sandbox.emulator.faults.fail(status=502, count=2, methods=["getUpdates"])
    await sandbox.emulator.wait_for(lambda: sandbox.emulator.faults.injected >= 1)
    await sandbox.say("vera", "/help")
    # backoff(failures) is asked for the log line and for the wait: 1 s, then 2 s
    assert list(dict.fromkeys(waits)) == [1, 2], waits
    assert "/bezoek" in sandbox.messages("vera")[-1].raw_text


async def test_a_getupdates_429_waits_what_telegram_asks(sandbox, monkeypatch):
    emu = sandbox.emulator
    asked: list[float] = []
    real_wait = loop.flood_wait
    get_updates = emu._api["getUpdates"]
    refused: list[bool] = []

    async def flooded(args):
        if not refused:
            refused.append(True)
            raise ApiError(429, "Too Many Requests: retry after 2", retry_after=2)
        return await get_updates(args)

    def waiting(exc) -> float:
        asked.append(real_wait(exc))
        return 0.01

    monkeypatch.setattr(loop, "flood_wait", waiting)
    monkeypatch.setitem(emu._api, "getUpdates", flooded)
    await emu.wait_for(lambda: refused)
    await sandbox.say("vera", "/help")
    assert asked == [2.0]
    assert "/bezoek" in sandbox.messages("vera")[-1].raw_text


async def test_replies_arrive_with_their_buttons_and_the_pressed_one_is_edited(sandbox):
    await sandbox.say("vera", "/bezoek")
    question = sandbox.messages("vera")[-1]
    assert question.reply_markup["inline_keyboard"]
    assert question.parse_mode == "HTML"  # from Defaults, as before
    await sandbox.press("vera", "Ja")
    edited = next(m for m in sandbox.messages("vera") if m.message_id == question.message_id)
    assert edited.edit_count == 1 and "»" in edited.raw_text  # the trail under the question
    assert not (edited.reply_markup or {}).get("inline_keyboard")  # its buttons gone
    newest = sandbox.messages("vera")[-1]
    assert "Hoe is het nu met jou" in newest.raw_text
    assert newest.reply_markup["inline_keyboard"] and newest.parse_mode == "HTML"


async def test_a_reply_waits_out_a_429_and_an_unchanged_edit_is_no_error(sandbox, monkeypatch):
    from bot.transport import sender
    from dialogues.model import Button, Reply

    waits: list[float] = []
    monkeypatch.setattr(sender, "flood_wait", lambda exc: waits.append(exc.retry_after) or 0.01)
    emu = sandbox.emulator
    sandbox.ensure_persona("vera")
    emu.force_429(1, retry_after=3)
    reply = Reply("<b>Vraag</b>", ((Button("Ja", "x.ja"),),))
    await sender.send_reply(sandbox.rt.bot, VERA, reply)
    sent = sandbox.messages("vera")[-1]
    assert len(waits) == 1 and sent.text == "Vraag" and sent.reply_markup["inline_keyboard"]
    same = Reply("<b>Vraag</b>", reply.buttons, edit=True)
    await sender.send_reply(sandbox.rt.bot, VERA, same, sent.message_id)  # "not modified"
    assert [c.status for c in emu.calls if c.method == "editMessageText"] == [400]
