"""content.telegram_html: Telegram's HTML parse mode, checked like Telegram checks it."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.telegram_html import (
    HtmlError,
    check_html,
    parse_html,
    utf16_length,
    visible_length,
    visible_text,
)

VALID = [
    "plain text",
    "",
    "<b>bold</b> <strong>strong</strong> <i>i</i> <em>em</em> <u>u</u> <ins>ins</ins>",
    "<s>s</s> <strike>strike</strike> <del>del</del>",
    '<span class="tg-spoiler">spoiler</span> <tg-spoiler>spoiler</tg-spoiler>',
    '<a href="https://example.org/?a=1&amp;b=2">link</a>',
    "<code>x &lt; y</code> <pre>block</pre>",
    '<pre><code class="language-python">print(1)</code></pre>',
    "<blockquote>quote</blockquote> <blockquote expandable>long quote</blockquote>",
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<b>bold <i>italic <u>nested</u></i></b>",
    "&lt;&gt;&amp;&quot; &#39; &#x27; &#128075;",
    "a > b",  # a bare '>' is fine
    "<B>upper case tags</B>",
    "<b>x</>",  # an empty end tag closes the innermost tag
]


@pytest.mark.parametrize("text", VALID)
def test_valid_html_passes(text: str) -> None:
    assert check_html(text) is None


INVALID = [
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("Hoi Vera</b>", "Unexpected end tag at byte offset 8"),
    ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("ok<", "Unclosed start tag at byte offset 2"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    (
        "<i aba>x</i>",
        'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 0',
    ),
    ("<i =x>x</i>", 'Empty attribute name in the tag "i" at byte offset 0'),
    ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
    ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    (
        "&#xD83D;",
        "Text contains invalid Unicode characters after decoding HTML entities, "
        "check for unmatched surrogate code units",
    ),
    ("Tom & Jerry", 'Unescaped "&" at byte offset 4; write it as &amp;'),
    (
        "&laquo;hoi&raquo;",
        'Unsupported HTML entity "&laquo;" at byte offset 0; write a literal & as &amp;',
    ),
]


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_invalid_html_gets_telegrams_description(text: str, reason: str) -> None:
    assert check_html(text) == f"can't parse entities: {reason}"


def test_byte_offsets_count_utf8_bytes() -> None:
    # "🏟 🏟&lt;" is 4 + 1 + 4 + 4 bytes: the tag starts at byte 13, as in TDLib's own tests.
    assert check_html("🏟 🏟&lt;<abac>") == (
        'can\'t parse entities: Unsupported start tag "abac" at byte offset 13'
    )


def test_non_strict_mode_shows_a_bare_ampersand_like_telegram() -> None:
    assert check_html("Tom & Jerry &laquo;", strict=False) is None
    assert parse_html("Tom & Jerry &laquo;", strict=False).text == "Tom & Jerry &laquo;"


def test_entities_have_telegram_types_and_utf16_offsets() -> None:
    parsed = parse_html('👋 <b>Hoi <a href="https://x.nl">Vera</a></b>')
    assert parsed.text == "👋 Hoi Vera"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 8},
        {"type": "text_link", "offset": 7, "length": 4, "url": "https://x.nl"},
    ]


def test_pre_with_language_becomes_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


def test_visible_length_counts_text_after_entities_in_utf16() -> None:
    assert visible_length("<b>Hé</b> &amp; 👋", "HTML") == len("Hé & ") + 2
    assert visible_length("<b>x</b>", None) == len("<b>x</b>")  # no parse mode: raw text
    assert visible_length("&lt;b&gt;", "html") == 3  # parse_mode is case-insensitive


def test_visible_length_raises_for_invalid_html() -> None:
    with pytest.raises(HtmlError) as raised:
        visible_length("<b>x", "HTML")
    assert raised.value.description.startswith("can't parse entities:")


def test_visible_text_leaves_markdown_alone() -> None:
    assert visible_text("*bold*", "MarkdownV2") == "*bold*"


def test_utf16_length_counts_surrogate_pairs() -> None:
    assert utf16_length("a👋é") == 4


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")))
def test_escaped_text_is_always_valid_and_shows_unchanged(text: str) -> None:
    parsed = parse_html(html.escape(text))
    assert parsed.text == text
    assert parsed.entities == []


@given(st.text(alphabet="<>/&;#xabiuspn= \"'-0123456789é👋"))
def test_any_text_is_either_accepted_or_refused_with_a_description(text: str) -> None:
    result = check_html(text)
    assert result is None or result.startswith("can't parse entities: ")
