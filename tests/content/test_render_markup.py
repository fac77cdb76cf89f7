"""A rendering is Telegram HTML that is already safe: it is `Markup`, so passing it into another
template or joining a volunteer's words to it escapes each piece exactly once."""

from __future__ import annotations

from markupsafe import Markup

from content.render import Content

NAME = "Ans & <b>Bert</b>"


def test_render_returns_markup_with_the_variable_escaped_once() -> None:
    content = Content()
    shown = content.render("coordinator.mijlpaal_eerste", "nl", voornaam=NAME)
    assert isinstance(shown, Markup)
    assert shown.startswith("Ans &amp; &lt;b&gt;Bert&lt;/b&gt; keek")
    assert "&amp;amp;" not in shown


def test_a_text_without_variables_is_markup_too() -> None:
    shown = Content().render("algemeen.geen_namen", "nl")
    assert isinstance(shown, Markup)
    assert shown == shown.strip()


def test_a_rendering_passed_into_a_template_is_not_escaped_twice() -> None:
    content = Content()
    inner = content.render("coordinator.mijlpaal_eerste", "nl", voornaam=NAME)
    outer = content.render_text("<i>{{ inner }}</i>", inner=inner)
    assert outer == f"<i>{inner}</i>"


def test_a_volunteers_words_joined_with_plus_are_escaped() -> None:
    joined = Content().render("algemeen.geen_namen", "nl") + "\n<script>"
    assert joined.endswith("\n&lt;script&gt;")
