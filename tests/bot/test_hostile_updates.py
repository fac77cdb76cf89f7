"""Property test: whatever arrives, in whatever order, from whoever — the bot answers
without a single unhandled error, and never leaks one person's journal to another.

Each example starts a fresh sandbox (the real Application against the emulator) and
replays a random stream: typed text, real and made-up commands, presses of real buttons,
forged callback data, photos and stickers, edited, forwarded and replied messages, and
presses on messages Telegram no longer has, from seeded and unknown personas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot.config import Settings
from bot.routing.access import COMMANDS
from sandbox.demo import persona_id
from sandbox.emulator.flood import FloodPolicy
from sandbox.session import Sandbox
from storage import users
from tests.bot import hostile

PERSONAS = ["vera", "wim", "pim", "cora", "nieuwkomer"]
SECRET = "zeppelinkoffie"

commands = st.sampled_from(
    sorted(COMMANDS) + ["/onzin", "/start abc", "/zoek", "/zoek koffie", "/start " + "A" * 22]
)
texts = st.text(min_size=1, max_size=300).filter(lambda t: t.strip())
actions = st.one_of(
    st.tuples(st.just("say"), st.sampled_from(PERSONAS), st.one_of(commands, texts)),
    st.tuples(st.just("press"), st.sampled_from(PERSONAS), st.integers(1, 12)),
    st.tuples(
        st.just("forge"),
        st.sampled_from(PERSONAS),
        st.text(alphabet="fjsvpbcitkwzdr.0123456789_-abc", min_size=1, max_size=60),
    ),
    st.tuples(
        st.just("media"), st.sampled_from(PERSONAS), st.sampled_from(["photo", "sticker", "voice"])
    ),
    st.tuples(
        st.sampled_from(["edit", "forward", "reply"]),
        st.sampled_from(PERSONAS),
        st.one_of(commands, texts),
    ),
    st.tuples(
        st.just("gone"),
        st.sampled_from(PERSONAS),
        st.sampled_from(["v.1", "v.2", "t.en", "j.p.1", "s.1.op", "f.x.1.ja", "c.ok.x"]),
    ),
)
# Updates the emulator's controls don't make (tests/bot/hostile.py): {kind: (sandbox, id, what)}
TELEGRAM_ONLY = {
    "edit": hostile.edited,
    "forward": hostile.forwarded,
    "reply": hostile.reply,
    "gone": hostile.press_gone,
}


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage())


async def replay(stream: list[tuple]) -> tuple[list[str], Sandbox]:
    counter = ErrorCounter()
    logging.getLogger().addHandler(counter)
    with tempfile.TemporaryDirectory() as scratch:
        sandbox = Sandbox(Settings(), Path(scratch) / "h.db", flood=FloodPolicy(enabled=False))
        await sandbox.start()
        try:
            await sandbox.say("vera", f"/zoek {SECRET}")  # vera's own words, later checked
            for kind, persona, what in stream:
                await act(sandbox, kind, persona, what)
            leaked = [
                m.raw_text
                for p in ("wim", "pim", "cora", "nieuwkomer")
                for m in sandbox.messages(p)
                if SECRET in (m.raw_text or "")
            ]
        finally:
            await sandbox.stop()
            logging.getLogger().removeHandler(counter)
    return counter.errors + [f"leaked: {t[:40]}" for t in leaked], sandbox


async def act(sandbox: Sandbox, kind: str, persona: str, what) -> None:
    user_id = sandbox.ensure_persona(persona)
    if kind in TELEGRAM_ONLY:
        # Pressing needs a message from the bot: someone who never started it has none.
        if kind != "gone" or sandbox.emulator._users[user_id].started:
            await TELEGRAM_ONLY[kind](sandbox, user_id, what)
        return
    if kind == "say":
        await sandbox.say(persona, what)
    elif kind == "media":
        sandbox.emulator.send_other(user_id, what)
        sandbox.injected += 1
        await sandbox.wait_idle()
    elif kind == "press":
        if sandbox.newest_with_buttons(user_id) is not None:
            with contextlib.suppress(LookupError):  # fewer buttons: nothing was pressed
                await sandbox.press(persona, f"#{what}")
    else:
        await forged_press(sandbox, user_id, what)


async def forged_press(sandbox: Sandbox, user_id: int, data: str) -> None:
    """A button the bot never offered: put a message with it in the chat, then press it
    (the emulator, like Telegram, only lets people press buttons a message has)."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data=data)]])
    try:
        message = await sandbox.rt.bot.send_message(user_id, "x", reply_markup=keyboard)
    except Forbidden:
        return  # someone who never wrote to the bot has no chat to press anything in
    sandbox.emulator.press(user_id, message.message_id, data=data)
    sandbox.injected += 1
    await sandbox.wait_idle()


# Each example boots a whole bot, so few examples and no shrinking: a failure prints the
# stream that caused it, which is enough to replay it by hand.
@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(actions, min_size=1, max_size=25))
def test_no_stream_of_updates_makes_the_bot_fail_or_leak(stream):
    errors, _ = asyncio.run(replay(stream))
    assert errors == []


def test_the_leak_check_can_see_the_secret_word():
    """The bot does echo vera's search word back to her, so if it ever went to someone
    else, the check above would see it."""
    errors, sandbox = asyncio.run(replay([]))
    assert errors == []
    assert any(SECRET in (m.raw_text or "") for m in sandbox.emulator.messages(persona_id("vera")))


# ---- cases found by the kinds above, kept -------------------------------------------------


def answers_to(sandbox: Sandbox, query_id: str) -> list:
    return [
        c.params.get("text")
        for c in sandbox.emulator.calls
        if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id
    ]


async def test_a_press_on_a_message_telegram_no_longer_has_says_the_button_expired(sandbox):
    vera = persona_id("vera")
    await sandbox.say("vera", "/vergeet")
    data = sandbox.newest_with_buttons(vera).reply_markup["inline_keyboard"][0][0]["callback_data"]
    before = len(sandbox.messages("vera"))
    query_id = await hostile.press_gone(sandbox, vera, data)
    assert answers_to(sandbox, query_id) == ["Deze knop is verlopen."]
    assert [m.raw_text for m in sandbox.messages("vera")[before:]] == []
    assert await sandbox.rt.store.run(users.get, vera) is not None  # nothing was forgotten


async def test_edited_forwarded_and_replied_messages_are_answered_and_never_stored(sandbox):
    vera = persona_id("vera")
    await hostile.edited(sandbox, vera, f"/zoek {SECRET}")
    await hostile.forwarded(sandbox, vera, f"/vergeet {SECRET}")
    await hostile.reply(sandbox, vera, "/help")
    texts = [m.raw_text or "" for m in sandbox.messages("vera")]
    assert not any("Er ging iets mis" in t for t in texts)
    assert not any("wis" in t.lower() and "?" in t for t in texts), "a forwarded /vergeet acted"
    assert any("/bezoek" in t for t in texts), "the reply /help was answered"
    assert await sandbox.rt.store.run(users.get, vera) is not None
