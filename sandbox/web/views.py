"""What the page gets: messages, personas and the clock as small JSON-ready dicts."""

from __future__ import annotations

from datetime import datetime

from sandbox.demo import PERSONAS, persona_id
from sandbox.web.render import to_html

UNREGISTERED = "unregistered"


def message_view(record) -> dict:
    """One message as the page draws it; `html` is safe markup made from text + entities."""
    return {
        "id": record.message_id,
        "from": "bot" if record.from_bot else "user",
        "date": record.date,
        "html": to_html(record.text, record.entities),
        "caption_html": to_html(record.caption, record.caption_entities),
        "edited": record.edit_count > 0,
        "deleted": record.deleted,
        "buttons": _keyboard(record.reply_markup),
        "photo": _photo(record.photo),
        "document": _document(record.document),
        "media": sorted(record.media),
    }


def fingerprint(record) -> tuple[int, bool]:
    """Changes whenever the page must redraw a message (every edit counts, and deletion)."""
    return (record.edit_count, record.deleted)


def _keyboard(markup: dict | None) -> list[list[dict]]:
    rows = (markup or {}).get("inline_keyboard", [])
    return [[_button(button) for button in row] for row in rows]


def _button(button: dict) -> dict:
    view = {"text": button["text"]}
    if "callback_data" in button:
        view["data"] = button["callback_data"]
    elif "url" in button:
        view["url"] = button["url"]
    return view


def file_url(file_id: str) -> str:
    return f"/api/files/{file_id}"


def _photo(sizes: list[dict] | None) -> dict | None:
    if not sizes:
        return None
    largest = sizes[-1]
    return {
        "url": file_url(largest["file_id"]),
        "width": largest.get("width"),
        "height": largest.get("height"),
    }


def _document(document: dict | None) -> dict | None:
    if not document:
        return None
    return {
        "url": file_url(document["file_id"]),
        "file_name": document.get("file_name"),
        "size": document.get("file_size"),
    }


def persona_view(name: str, role: str | None) -> dict:
    """`role` from the database: None while the person has not signed up."""
    first_name = PERSONAS[name][1] if name in PERSONAS else name.capitalize()
    return {
        "name": name,
        "first_name": first_name,
        "user_id": persona_id(name),
        "role": role or UNREGISTERED,
    }


def clock_view(now: datetime, timezone: str) -> dict:
    """The bot's "now"; the page formats it in the organisation's time zone."""
    return {"iso": now.isoformat(), "epoch_ms": int(now.timestamp() * 1000), "timezone": timezone}
