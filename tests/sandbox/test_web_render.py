"""Telegram entities to the web page's HTML: every text escaped, only Telegram's formatting
as tags, links only with a safe scheme, UTF-16 offsets as Telegram counts them."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from content.telegram_html import parse_html
from sandbox.web.render import to_html

ALLOWED_TAG = re.compile(
    r'</?(?:b|i|u|s|code|pre|blockquote)>|<span class="(?:spoiler|command)">|</span>'
    r'|<a href="[^"<>]*" target="_blank" rel="noopener noreferrer">|</a>'
)
KINDS = [
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "code",
    "pre",
    "blockquote",
    "text_link",
    "url",
    "bot_command",
    "mention",
    "custom_emoji",
    "made_up",
]


def shown(markup: str) -> str:
    return to_html(*_parsed(markup))


def _parsed(markup: str):
    parsed = parse_html(markup)
    return parsed.text, parsed.entities


def test_telegrams_formatting_becomes_the_same_tags():
    assert shown("<b>vet</b> <i>schuin</i> <u>onder</u> <s>weg</s> <code>x</code>") == (
        "<b>vet</b> <i>schuin</i> <u>onder</u> <s>weg</s> <code>x</code>"
    )
    assert shown("<b>Hé <i>jij</i></b>!") == "<b>Hé <i>jij</i></b>!"
    assert shown("<blockquote>citaat</blockquote>") == "<blockquote>citaat</blockquote>"
    assert shown("<tg-spoiler>geheim</tg-spoiler>") == '<span class="spoiler">geheim</span>'


def test_text_is_escaped_and_entities_count_utf16_units():
    assert shown("&lt;script&gt;alert(1)&lt;/script&gt;") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert shown("👋 <b>Vera</b> &amp; co") == "👋 <b>Vera</b> &amp; co"


def test_links_keep_a_safe_scheme_only():
    link = shown('<a href="https://omzien.nl/?a=1&amp;b=2">lees</a>')
    assert link == (
        '<a href="https://omzien.nl/?a=1&amp;b=2" target="_blank" '
        'rel="noopener noreferrer">lees</a>'
    )
    hostile = to_html(
        "klik", [{"type": "text_link", "offset": 0, "length": 4, "url": "javascript:alert(1)"}]
    )
    assert hostile == "klik"
    quoted = to_html(
        "x", [{"type": "text_link", "offset": 0, "length": 1, "url": 'https://a.nl/"><script>'}]
    )
    assert "<script>" not in quoted and "&quot;&gt;&lt;script&gt;" in quoted


def test_an_entity_overlapping_its_parent_is_clipped_so_tags_still_nest():
    out = to_html(
        "abcdef",
        [{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 2, "length": 4}],
    )
    assert out == "<b>ab<i>cd</i></b>ef"


@given(
    text=st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)), max_size=40),
    entities=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(KINDS),
                "offset": st.integers(0, 45),
                "length": st.integers(0, 45),
                "url": st.text(max_size=20),
            }
        ),
        max_size=6,
    ),
)
def test_whatever_the_entities_only_allowed_tags_appear_and_the_text_survives(text, entities):
    out = to_html(text, entities)
    rest = ALLOWED_TAG.sub("", out)
    assert "<" not in rest and ">" not in rest
    assert html.unescape(rest) == text
