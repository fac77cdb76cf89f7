"""The emulator's control API under /control/: how a test in another process (or a person
with curl) adds users, sends their messages and button presses, blocks the bot, sets flood
control, and reads what each chat received. Each route is a thin wrapper over a method of
`Emulator`, so the Python API and the HTTP API cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web


class ControlError(Exception):
    """Raised by the emulator for a control request it cannot honour."""


def routes(emu) -> list[tuple[str, str, Callable[[dict], Any]]]:
    """(HTTP method, path under /control/, action on the JSON body or query)."""
    return [
        ("POST", "users", lambda b: emu.add_user(**b)),
        ("POST", "groups", lambda b: emu.add_group(**b)),
        ("POST", "text", lambda b: {"update_id": emu.send_text(**b)}),
        ("POST", "other", lambda b: {"update_id": emu.send_other(**b)}),
        ("POST", "group_text", lambda b: {"update_id": emu.send_group_text(**b)}),
        ("POST", "press", lambda b: emu.press(**b)._asdict()),
        ("POST", "block", lambda b: emu.block(b["user_id"], bool(b.get("blocked", True)))),
        ("POST", "flood", lambda b: emu.set_flood(**b)),
        ("POST", "force_429", lambda b: emu.force_429(**b)),
        ("POST", "fail", lambda b: emu.faults.fail(**b)),
        ("POST", "hold", lambda b: emu.faults.hold(**b)),
        ("GET", "messages", lambda q: emu.messages(int(q["chat_id"]))),
        ("GET", "calls", lambda q: emu.calls[int(q.get("since", 0)) :]),
        ("GET", "callback_answers", lambda q: emu.callback_answers),
        ("GET", "commands", lambda q: commands(emu, q)),
        ("GET", "updates", lambda q: emu.pending_updates()),
        ("GET", "state", lambda q: emu.state()),
    ]


def commands(emu, query: dict) -> list[dict]:
    chat_id = int(query["chat_id"]) if "chat_id" in query else None
    return [
        {
            "scope": scope,
            "chat_id": chat,
            "user_id": user,
            "language_code": language,
            "commands": commands,
        }
        for (scope, chat, user, language), commands in emu._commands.items()
        if chat_id is None or chat == chat_id
    ]


def endpoint(action: Callable[[dict], Any]) -> Callable:
    """Wrap an action as a JSON endpoint: {"ok": true, "result": ...} or 400 {"ok": false}."""

    async def handle(request: web.Request) -> web.Response:
        try:
            body: dict = dict(request.query)
            if request.body_exists:
                body.update(await request.json())
            result = action(body)
        except KeyError as error:
            return web.json_response({"ok": False, "error": f"missing field {error}"}, status=400)
        except (ControlError, TypeError, ValueError) as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        return web.json_response({"ok": True, "result": jsonable(result)})

    return handle


def jsonable(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, set):
        return sorted(value)
    return value
