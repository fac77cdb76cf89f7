"""Updates the emulator's own controls do not make, written as Telegram sends them: an
edited message, a forwarded one, a reply, and a button press on a message Telegram no
longer gives the bot (an InaccessibleMessage: chat, message_id and date 0)."""

from __future__ import annotations

import itertools
import time

from sandbox.emulator.server import _Query
from sandbox.emulator.state import callback_query_json, chat_json, user_json
from sandbox.session import Sandbox

_ids = itertools.count(500_000)


async def inject(sandbox: Sandbox, kind: str, payload: dict) -> None:
    sandbox.emulator._queue.put(kind, payload)
    sandbox.emulator._notify()
    sandbox.injected += 1
    await sandbox.wait_idle()


def _message(sandbox: Sandbox, user_id: int, text: str, **extra) -> dict:
    emu = sandbox.emulator
    emu._user_speaks(user_id)  # writing to the bot starts (and unblocks) it, as in Telegram
    return {
        "message_id": next(_ids),
        "from": user_json(emu._users[user_id]),
        "chat": chat_json(emu._chats[user_id]),
        "date": int(time.time()),
        "text": text,
        **extra,
    }


async def edited(sandbox: Sandbox, user_id: int, text: str) -> None:
    now = int(time.time())
    await inject(sandbox, "edited_message", _message(sandbox, user_id, text, edit_date=now))


async def forwarded(sandbox: Sandbox, user_id: int, text: str) -> None:
    """Someone else's words, passed on by the user."""
    origin = {"type": "hidden_user", "sender_user_name": "Iemand Anders", "date": int(time.time())}
    await inject(sandbox, "message", _message(sandbox, user_id, text, forward_origin=origin))


async def reply(sandbox: Sandbox, user_id: int, text: str) -> None:
    """A reply to the bot's newest message in the chat (or to a made-up one)."""
    emu = sandbox.emulator
    mine = [m for m in emu.messages(user_id) if m.from_bot]
    replied = emu._message_json(mine[-1]) if mine else _message(sandbox, user_id, "x")
    await inject(sandbox, "message", _message(sandbox, user_id, text, reply_to_message=replied))


async def press_gone(sandbox: Sandbox, user_id: int, data: str) -> str:
    """Press `data` on a message Telegram reports as inaccessible; returns the query id."""
    emu = sandbox.emulator
    query_id = str(8_000_000_000 + next(_ids))
    gone = {"chat": chat_json(emu._chats[user_id]), "message_id": next(_ids), "date": 0}
    # Telegram knows the query itself; only its message is out of reach.
    emu._queries[query_id] = _Query(query_id, user_id, user_id, gone["message_id"], data)
    await inject(
        sandbox,
        "callback_query",
        callback_query_json(
            query_id, user_json(emu._users[user_id]), gone, data, chat_instance=str(user_id)
        ),
    )
    return query_id
