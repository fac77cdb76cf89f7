"""Regressions: the engine stays calm when the world changed under a saved conversation,
and a skipped question leaves nothing behind."""

from datetime import UTC, datetime

from content.render import Content
from dialogues.engine import Engine
from dialogues.model import Context, Conversation, Input

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
CTX = Context(
    "nl",
    NOW,
    {"voornaam": "Vera", "contact": "Pim"},
    {"residents": [{"id": 1, "alias": "mevrouw L"}], "has_professional": True},
)
ENGINE = Engine(Content())


def saved(flow: str, state: str, answers: dict | None = None) -> Conversation:
    return Conversation(flow, state, "abcd", 3, answers or {}, {}, NOW, NOW)


def test_a_state_removed_by_a_newer_flow_ends_the_conversation_and_keeps_the_answers():
    result = ENGINE.step(
        saved("reflectie", "oude_vraag", {"bezoek": "ja"}), Input("text", "hoi"), CTX
    )
    assert result.conversation is None
    assert result.replies[0].text == ENGINE.content.render("engine.gesprek_vervallen", "nl")
    journal = [e for e in result.effects if e.kind == "journal"]
    assert journal and journal[0].params["complete"] is False
    assert journal[0].params["answers"] == {"bezoek": "ja"}


def test_a_removed_flow_ends_the_conversation_without_effects():
    result = ENGINE.step(saved("bestaat_niet", "ergens"), Input("button", data="f.abcd.3.ja"), CTX)
    assert result.conversation is None
    assert result.effects == []


def test_media_while_asked_to_leave_says_only_text_and_asks_again():
    conv = ENGINE.start("reflectie", CTX).conversation
    asked = ENGINE.step(conv, Input("command", "/dagboek"), CTX).conversation
    result = ENGINE.step(asked, Input("media"), CTX)
    render = ENGINE.content.render
    assert [r.text for r in result.replies] == [
        f"{render('engine.alleen_tekst', 'nl')}\n\n{render('engine.verlaten_vraag', 'nl')}"
    ]
    assert result.changed is False


def test_a_skipped_question_keeps_no_label():
    """'Sla over' on the step question must not become a step called 'Sla over'."""
    conv = saved("reflectie", "nieuwe_stap")
    conv.data.update(stap_ideeen=["vraag_wens"], vraag_1="mooiste_moment")
    result = ENGINE.step(conv, Input("button", data="f.abcd.3._skip"), CTX)
    assert result.conversation.answers["nieuwe_stap"] is None
    assert result.conversation.answers["nieuwe_stap_label"] is None
