"""Character references and tag arguments as Telegram's HTML parser (TDLib) reads them;
the pieces of content/telegram_html.py that need no parser state."""

from __future__ import annotations

import re
import string

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_DIGITS = frozenset(string.digits)
_HEX = frozenset(string.hexdigits)
_ALPHA = frozenset(string.ascii_letters)
_REFERENCE_LIKE = re.compile(r"&#?[A-Za-z0-9]+;?")
SPACE = frozenset(" \t\r\n\0\v\f")  # TDLib's is_space; NUL marks the end of the text


def decode_reference(src: str, pos: int) -> tuple[int, int]:
    """Decode the character reference at src[pos] == '&' like TDLib.

    Returns (code point, index after it) or (0, pos) when it is not one Telegram knows.
    `src` must end in a NUL sentinel. The ';' is optional, as in TDLib.
    """
    end = pos + 1
    if src[end] == "#":
        end += 1
        digits, base = (_HEX, 16) if src[end] == "x" else (_DIGITS, 10)
        end += base == 16
        start = end
        while src[end] in digits:
            end += 1
        code = int(src[start:end], base) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while src[end] in _ALPHA:
            end += 1
        name = src[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return 0, pos
        code = ord(_NAMED_ENTITIES[name])
    if src[end] == ";":
        end += 1
    return code, end


def strict_reason(src: str, pos: int) -> tuple[str, str]:
    """(head, tail) of the strict-mode error for an '&' Telegram would show literally."""
    reference = _REFERENCE_LIKE.match(src, pos)
    if reference:
        return f'Unsupported HTML entity "{reference.group()}"', "; write a literal & as &amp;"
    return 'Unescaped "&"', "; write it as &amp;"


def tag_argument(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    if tag == "blockquote" and name == "expandable":
        return "1"
    return current


def checked_link(url: str) -> str:
    """A rough stand-in for TDLib's link check: drop empty links, default to http://."""
    url = url.strip()
    if not url or any(ch in SPACE for ch in url):
        return ""
    if "://" in url or url.startswith(("tg:", "mailto:", "ton:")):
        return url
    return f"http://{url}"
