"""Telegram's HTML parse mode, checked the way Telegram checks it.

Pure functions, no dependencies, so that both the content checker and the Bot API emulator
(`sandbox/emulator`) agree on what Telegram will accept::

    >>> check_html("<b>Hoi</b> &amp; welkom") is None
    True
    >>> check_html("<div>x</div>")
    'can\\'t parse entities: Unsupported start tag "div" at byte offset 0'
    >>> visible_length("<b>Hé 👋</b>", "HTML")    # UTF-16 code units, as Telegram counts
    5

The rules follow TDLib's `parse_html` (the code behind `parse_mode=HTML`): the same tags, the
same attribute handling, the same error texts and UTF-8 *byte* offsets. One deliberate
difference: Telegram shows a bare ``&`` (or an unknown entity such as ``&laquo;``) literally,
which nearly always means a template forgot to escape; with ``strict=True`` (the default) this
module reports it as an error instead. Pass ``strict=False`` for Telegram's exact behaviour.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

__all__ = [
    "HtmlError",
    "ParsedText",
    "check_html",
    "parse_html",
    "utf16_length",
    "visible_length",
    "visible_text",
]

from content.telegram_refs import (
    SPACE as _SPACE,
)
from content.telegram_refs import (
    checked_link,
    decode_reference,
    strict_reason,
    tag_argument,
)

TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    ]
)
_NAME_TOKEN = frozenset(string.ascii_letters + string.digits + ".-")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_SPECIAL = re.compile(r"[<&]")
# TDLib sorts entities by offset, then longest first, then by this priority.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SURROGATES = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)


class HtmlError(ValueError):
    """Text that Telegram would refuse with parse_mode=HTML.

    `description` is Telegram's wording without the "Bad Request: " prefix, e.g.
    ``can't parse entities: Unexpected end tag at byte offset 12``.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.description = f"can't parse entities: {reason}"
        super().__init__(self.description)


@dataclass(frozen=True)
class ParsedText:
    """What the user sees: the plain text and Bot API MessageEntity dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict] = field(default_factory=list)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def check_html(text: str, *, strict: bool = True) -> str | None:
    """None when `text` is valid for parse_mode=HTML, else Telegram's error description."""
    try:
        parse_html(text, strict=strict)
    except HtmlError as error:
        return error.description
    return None


def visible_text(text: str, parse_mode: str | None, *, strict: bool = True) -> str:
    """The text after entity parsing. Only HTML is parsed; other modes are returned as is."""
    if (parse_mode or "").lower() == "html":
        return parse_html(text, strict=strict).text
    return text


def visible_length(text: str, parse_mode: str | None = None, *, strict: bool = True) -> int:
    """UTF-16 length after entity parsing, the number Telegram's 4096/1024 limits compare.

    Raises HtmlError for invalid HTML. Markdown modes are not parsed, so for them this is the
    raw length: an upper bound.
    """
    return utf16_length(visible_text(text, parse_mode, strict=strict))


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text + entities, or raise HtmlError like Telegram."""
    return _Parser(text, strict).run()


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the output
    out_index: int  # index into the output pieces, to recover the inner text of <a>


class _Parser:
    """One pass over the text, mirroring TDLib's parse_html state machine."""

    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.src = text + "\0"  # the C string TDLib reads ends in NUL
        self.end = len(text)
        self.strict = strict
        self.i = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict] = []
        self.surrogate = False

    def run(self) -> ParsedText:
        while self.i < self.end:
            match = _SPECIAL.search(self.src, self.i, self.end)
            stop = match.start() if match else self.end
            self._emit(self.src[self.i : stop])
            self.i = stop
            if match is None:
                break
            if self.src[stop] == "&":
                self._reference()
            else:
                self._tag()
        return self._finish()

    def _finish(self) -> ParsedText:
        if self.stack:
            raise HtmlError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        if self.surrogate:
            raise HtmlError(_SURROGATES)
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # a language only counts on <pre><code>
        self.entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY[e["type"]]))
        return ParsedText("".join(self.out), self.entities)

    def _emit(self, chunk: str) -> None:
        if chunk:
            self.out.append(chunk)
            self.utf16 += utf16_length(chunk)

    def _byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8", "surrogatepass"))

    def _error(self, head: str, index: int, tail: str = "") -> HtmlError:
        """Telegram's errors all read "<head> at byte offset N<tail>"."""
        return HtmlError(f"{head} at byte offset {self._byte_offset(index)}{tail}")

    def _skip_spaces(self) -> None:
        while self.src[self.i] != "\0" and self.src[self.i] in _SPACE:
            self.i += 1

    def _scan_name(self, stops: str) -> str:
        """Advance over a tag or attribute name: up to a space, NUL or one of `stops`."""
        start = self.i
        while self.src[self.i] not in _SPACE and self.src[self.i] not in stops:
            self.i += 1
        return self.src[start : self.i]

    # -- character references ---------------------------------------------------------------

    def _reference(self) -> None:
        code, after = decode_reference(self.src, self.i)
        if code:
            self.surrogate |= 0xD800 <= code <= 0xDFFF
            self._emit(chr(code))
            self.i = after
            return
        if self.strict:
            head, tail = strict_reason(self.src, self.i)
            raise self._error(head, self.i, tail)
        self._emit("&")
        self.i += 1

    # -- tags -------------------------------------------------------------------------------

    def _tag(self) -> None:
        begin = self.i
        self.i += 1
        if self.src[self.i] == "/":
            self._end_tag(begin)
        else:
            self._start_tag(begin)
        self.i += 1  # past '>'

    def _start_tag(self, begin: int) -> None:
        name = self._scan_name(">")
        if self.src[self.i] == "\0":
            raise self._error("Unclosed start tag", begin)
        tag = name.translate(_ASCII_LOWER)
        if tag not in TAGS:
            raise self._error(f'Unsupported start tag "{tag}"', begin)
        argument = ""
        while self.src[self.i] != ">":
            self._skip_spaces()
            if self.src[self.i] == ">":
                break
            argument = self._attribute(tag, begin, argument)
        if tag == "span" and argument != "spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler"', begin)
        self.stack.append(_Open(tag, argument, self.utf16, len(self.out)))

    def _attribute(self, tag: str, begin: int, argument: str) -> str:
        """Read one `name=value` (or a bare `expandable`); return the tag's new argument."""
        name = self._scan_name("=>")
        if not name:
            raise self._error(f'Empty attribute name in the tag "{tag}"', begin)
        self._skip_spaces()
        if self.src[self.i] != "=":
            if self.src[self.i] == "\0":
                raise self._error(f'Unclosed start tag "{tag}"', begin)
            if tag == "blockquote" and name == "expandable":
                return "1"
            raise self._error(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
            )
        self.i += 1
        self._skip_spaces()
        if self.src[self.i] == "\0":
            raise self._error(f'Unclosed start tag "{tag}"', begin)
        value = self._attribute_value()
        if self.src[self.i] == "\0":
            raise self._error("Unclosed start tag", begin)
        return tag_argument(tag, name, value, argument)

    def _attribute_value(self) -> str:
        quote = self.src[self.i]
        if quote not in "'\"":
            start = self.i
            while self.src[self.i] in _NAME_TOKEN:
                self.i += 1
            if self.src[self.i] not in _SPACE and self.src[self.i] != ">":
                raise self._error("Unexpected end of name token", start)
            return self.src[start : self.i].translate(_ASCII_LOWER)
        self.i += 1
        value: list[str] = []
        while self.src[self.i] != quote and self.src[self.i] != "\0":
            if self.src[self.i] == "&":
                code, after = decode_reference(self.src, self.i)
                if code:
                    value.append(chr(code))
                    self.i = after
                    continue
            value.append(self.src[self.i])
            self.i += 1
        if self.src[self.i] == quote:
            self.i += 1
        return "".join(value)

    def _end_tag(self, begin: int) -> None:
        if not self.stack:
            raise self._error("Unexpected end tag", begin)
        name = self._scan_name(">")[1:].translate(_ASCII_LOWER)  # drop the '/'
        while self.src[self.i] in _SPACE and self.src[self.i] != "\0":
            self.i += 1
        if self.src[self.i] != ">":
            raise self._error("Unclosed end tag", begin)
        opened = self.stack[-1]
        if name and name != opened.tag:
            tail = f', expected "</{opened.tag}>", found "</{name}>"'
            raise self._error("Unmatched end tag", begin, tail)
        if self.utf16 > opened.offset:
            self._add_entity(opened, self.utf16 - opened.offset)
        self.stack.pop()

    def _add_entity(self, opened: _Open, length: int) -> None:
        entity: dict = {"type": "", "offset": opened.offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (
            opened.offset,
            length,
        )
        tag = opened.tag
        if tag in _SIMPLE:
            entity["type"] = _SIMPLE[tag]
        elif tag == "tg-emoji":
            if not opened.argument.isascii() or not opened.argument.isdigit():
                raise HtmlError("Invalid custom emoji identifier specified")
            if not 0 < int(opened.argument) < 2**63:
                raise HtmlError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=opened.argument)
        elif tag == "a":
            url = opened.argument or "".join(self.out[opened.out_index :])
            url = checked_link(url)
            if not url:
                return  # Telegram silently drops links it cannot use
            entity.update(type="text_link", url=url)
        elif tag == "pre":
            if same_span and last is not None and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
                return
            entity["type"] = "pre"
        elif tag == "code":
            if same_span and last is not None and last["type"] == "pre" and opened.argument:
                last["language"] = opened.argument
                return
            entity["type"] = "code"
            if opened.argument:
                entity["language"] = opened.argument
        else:  # blockquote
            entity["type"] = "expandable_blockquote" if opened.argument else "blockquote"
        self.entities.append(entity)
