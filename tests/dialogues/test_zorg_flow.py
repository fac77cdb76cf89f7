"""The signal flow (dialogues/flows/zorg.yaml) on the pure engine: which level the worries
propose, which questions follow from it, and what the `signal` effect carries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content.render import Content
from dialogues.engine import Engine
from dialogues.model import Context, Input
from dialogues.signal_levels import final_level, proposed_level

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
FACTS = {
    "residents": [{"id": 1, "alias": "mevrouw L"}],
    "has_professional": True,
    "share_digest": False,
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Content())


def ctx(**facts) -> Context:
    return Context(
        "nl",
        NOW,
        {
            "voornaam": "Vera",
            "contact": "Pim",
            "alias": "mevrouw L",
            "tijdzone": "Europe/Amsterdam",
            "hulpnummers": {
                "emergency": "112",
                "suicide_prevention": "113",
                "suicide_prevention_free": "0800-0113",
                "veilig_thuis": "0800-2000",
                "gp_out_of_hours": "",
            },
        },
        {**FACTS, **facts},
    )


def press(engine, conv, value, c):
    return engine.step(conv, Input("button", data=f"f.{conv.instance}.{conv.seq}.{value}"), c)


def run(engine, c, data, answers):
    """Answer each question from `answers` (state → list of values); return asked states
    and the effects."""
    result = engine.start("zorg", c, data)
    asked, effects, texts = [], list(result.effects), [r.text for r in result.replies]
    while result.conversation is not None:
        conv = result.conversation
        asked.append(conv.state)
        for value in answers[conv.state]:
            if value.startswith(":"):
                result = engine.step(conv, Input("text", text=value[1:]), c)
            else:
                result = press(engine, conv, value, c)
            effects += result.effects
            texts += [r.text for r in result.replies]
            conv = result.conversation or conv
    return asked, effects, texts


def test_the_proposed_level_is_the_highest_of_the_categories():
    assert proposed_level(["woning"]) == 1
    assert proposed_level(["woning", "geld_post"]) == 2
    assert proposed_level(["terugtrekking", "acuut"]) == 3
    assert proposed_level(["niets"]) == 0
    assert proposed_level(["woning"], floor=3) == 3
    assert final_level({"zorgen": ["woning"], "dringend": "ja"}, {}) == 3


def test_level_one_asks_about_the_weekly_overview_and_never_for_consent(engine):
    asked, effects, _ = run(
        engine,
        ctx(),
        {"via": "commando"},
        {
            "over": ["bewoner"],
            "categorieen": ["woning", "_klaar"],
            "niveau": ["nee"],
            "notitie": ["_skip"],
            "overzicht": ["ja"],
        },
    )
    assert asked == ["over", "categorieen", "niveau", "notitie", "overzicht"]
    signal = next(e for e in effects if e.kind == "signal")
    assert signal.params["answers"]["overzicht"] == "ja"


def test_level_two_asks_the_residents_say_first_then_one_consent_question(engine):
    # Issue 11 item 8: "Weet mevrouw L hiervan?" first, and one consent question that
    # covers the note too (no separate "Mag Pim je notitie lezen?").
    asked, effects, texts = run(
        engine,
        ctx(),
        {"via": "commando"},
        {
            "over": ["bewoner"],
            "categorieen": ["geld_post", "_klaar"],
            "niveau": ["nee"],
            "weet_bewoner": ["weet_niet"],
            "toestemming": ["ja"],
            "notitie_door": [":Post ligt dicht"],
        },
    )
    assert asked[-3:] == ["weet_bewoner", "toestemming", "notitie_door"]
    assert any("Pim leest wat je hier schrijft" in t for t in texts)
    answers = next(e for e in effects if e.kind == "signal").params["answers"]
    assert answers["toestemming"] == "ja" and "notitie_delen" not in answers


def test_level_two_without_consent_keeps_the_note_in_the_journal(engine):
    asked, _, texts = run(
        engine,
        ctx(),
        {"via": "commando"},
        {
            "over": ["bewoner"],
            "categorieen": ["geld_post", "_klaar"],
            "niveau": ["nee"],
            "weet_bewoner": ["ja"],
            "toestemming": ["nee"],
            "notitie": [":Post ligt dicht"],
        },
    )
    assert asked[-2:] == ["toestemming", "notitie"]
    assert any("blijft in je dagboek" in t for t in texts)


def test_level_three_goes_out_in_the_step_that_made_it_urgent(engine):
    result = engine.start("zorg", ctx(), {"via": "commando"})
    result = press(engine, result.conversation, "bewoner", ctx())
    result = press(engine, result.conversation, "acuut", ctx())
    result = press(engine, result.conversation, "_klaar", ctx())
    assert [e.kind for e in result.effects] == ["signal_urgent"]
    texts = [r.text for r in result.replies]
    helplines = next(i for i, t in enumerate(texts) if "112" in t and "0800-2000" in t)
    assert "meteen naar Pim" in texts[helplines]
    assert texts[-1] == "Ben je zelf veilig?" and helplines < len(texts) - 1
    assert result.conversation.state == "zelf_veilig"


def test_level_three_skips_consent_and_says_pim_reads_the_note(engine):
    asked, effects, texts = run(
        engine,
        ctx(),
        {"via": "commando"},
        {
            "over": ["bewoner"],
            "categorieen": ["acuut", "_klaar"],
            "zelf_veilig": ["nee"],
            "weet_bewoner": ["ja"],
            "notitie_door": ["_skip"],
        },
    )
    assert "niveau" not in asked and "toestemming" not in asked
    assert asked.index("weet_bewoner") < asked.index("notitie_door")
    assert any("Bel nu 112" in t for t in texts)  # not safe herself: 112 first
    assert [e.kind for e in effects].count("signal_urgent") == 1


def test_raising_to_dringend_goes_out_at_once(engine):
    result = engine.start("zorg", ctx(), {"via": "commando"})
    for value in ("bewoner", "terugtrekking", "_klaar"):
        result = press(engine, result.conversation, value, ctx())
    result = press(engine, result.conversation, "ja", ctx())
    assert [e.kind for e in result.effects] == ["signal_urgent"]
    assert result.conversation.state == "weet_bewoner"  # no danger box: no safety question


def test_after_an_urgent_worry_went_out_the_flow_only_adds_to_it(engine):
    result = engine.start(
        "zorg", ctx(), {"previous": {"zorgen": ["acuut"]}, "previous_run": "ab12"}
    )
    assert result.conversation.state == "weet_bewoner"
    assert "al bij Pim" in result.replies[-1].text


def test_worries_from_the_reflection_come_preselected(engine):
    result = engine.start("zorg", ctx(), {"previous": {"zorgen": ["geld_post", "niets"]}})
    assert result.conversation.state == "categorieen"
    labels = [b.label for row in result.replies[-1].buttons for b in row]
    assert "✓ 💶 Geld en post" in labels
    done = press(engine, result.conversation, "_klaar", ctx())
    assert done.conversation.answers["zorgen"] == ["geld_post"]


def test_a_crisis_proposes_level_three(engine):
    result = engine.start("zorg", ctx(), {"via": "crisis", "niveau_min": 3, "categories": []})
    done = press(engine, result.conversation, "terugtrekking", ctx())
    done = press(engine, done.conversation, "_klaar", ctx())
    assert done.conversation.state == "weet_bewoner"  # no level question: already urgent
    assert any("meteen naar Pim" in r.text for r in done.replies)
    assert not any("0800-2000" in r.text for r in done.replies)  # shown with the crisis message


def test_too_much_is_a_support_request_about_the_volunteer(engine):
    asked, effects, _ = run(engine, ctx(), {"via": "commando"}, {"over": ["zelf"], "steun": ["ja"]})
    assert asked == ["over", "steun"]
    assert [e.kind for e in effects] == ["support_request"]
