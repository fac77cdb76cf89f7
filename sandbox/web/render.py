"""Telegram message entities to HTML for the web sandbox, the way a Telegram client shows them.

The page never sees the bot's own HTML: the emulator has already parsed it into plain text
and entities (as Telegram does), and this module builds markup from those alone, escaping all
text. Only the tags below can come out, and links only with a safe scheme::

    >>> to_html("Hoi <Vera>", [{"type": "bold", "offset": 4, "length": 6}])
    'Hoi <b>&lt;Vera&gt;</b>'
"""

from __future__ import annotations

import html
from typing import TypeGuard
from urllib.parse import urlsplit

_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "bot_command": ('<span class="command">', "</span>"),
}
SAFE_SCHEMES = frozenset({"http", "https", "tg", "mailto"})


def to_html(text: str | None, entities: list[dict] | None) -> str:
    """Escaped text with the entities' tags around their parts (UTF-16 offsets)."""
    if not text:
        return ""
    units = text.encode("utf-16-le")
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, closing tag) of the open entities
    position = 0
    total = len(units) // 2

    def emit_until(end: int) -> None:
        nonlocal position
        if end > position:
            out.append(html.escape(_slice(units, position, end), quote=False))
            position = end

    def close_until(point: int) -> None:
        while stack and stack[-1][0] <= point:
            end, closing = stack.pop()
            emit_until(end)
            out.append(closing)

    for entity in sorted(entities or (), key=lambda e: (e["offset"], -e["length"])):
        start = entity["offset"]
        end = min(start + entity["length"], total)
        close_until(start)
        emit_until(start)
        if stack:  # entities nest in Telegram; clip one that would overlap its parent
            end = min(end, stack[-1][0])
        tags = _tags_for(entity, _slice(units, start, end))
        if tags is None or end <= start:
            continue
        out.append(tags[0])
        stack.append((end, tags[1]))
    close_until(total)
    emit_until(total)
    return "".join(out)


def _slice(units: bytes, start: int, end: int) -> str:
    return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")


def _tags_for(entity: dict, part: str) -> tuple[str, str] | None:
    kind = entity["type"]
    if kind in ("text_link", "url"):
        href = entity.get("url") if kind == "text_link" else part
        if not safe_url(href):
            return None
        quoted = html.escape(href, quote=True)
        return f'<a href="{quoted}" target="_blank" rel="noopener noreferrer">', "</a>"
    return _TAGS.get(kind)


def safe_url(url: str | None) -> TypeGuard[str]:
    if not url:
        return False
    try:
        return urlsplit(url.strip()).scheme.lower() in SAFE_SCHEMES
    except ValueError:
        return False
