"""The dialogue engine, one behaviour per test, on small flows written for the test.

Each flow below is a few states of YAML; the texts come from a tiny content root (the shipped
`knoppen` and `engine` templates plus a `test` file), so the expected strings stay readable.

    .venv/bin/python -m pytest tests/dialogues/test_engine.py -q
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from content.render import CONTENT_ROOT, Content
from dialogues import inputs
from dialogues.engine import Engine
from dialogues.flow import Flow, FlowError, InputSpec, load_flow
from dialogues.model import Context, Conversation, Input, Reply, StepResult

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)

TEST_TEMPLATES_NL = """\
kleur: "Welke kleur?"
rood: "Rood"
blauw: "Blauw"
groen: "Groen"
rood_gekozen: "Rood, zoals {{ voornaam }} wilde."
zeker: "Weet je het zeker?"
einde: "Klaar."
dieren: "Welke dieren?"
kat: "Kat"
hond: "Hond"
geen_dier: "Geen dier"
score: "Hoeveel energie heb je?"
laag: "Rustig aan."
hoog: "Mooi zo."
met: "Met contactpersoon."
zonder: "Zonder contactpersoon."
naam: "Hoe heet je?"
stap: "Welk stapje?"
koffie: "Koffie"
groet: "Dag {{ naam if naam else 'onbekende' }}, stap: {{ answers.get('stap_label') }}."
moment: "Wanneer ga je meestal?"
eerste: "Eerste zin."
tweede: "Tweede zin, {{ answers.get('kleur') }}."
"""
TEST_TEMPLATES_EN = """\
kleur: "Which colour?"
"""


# ---- fixtures and helpers -------------------------------------------------------------


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Content:
    root = tmp_path_factory.mktemp("content")
    for locale, templates in (("nl", TEST_TEMPLATES_NL), ("en", TEST_TEMPLATES_EN)):
        (root / locale).mkdir()
        for name in ("knoppen.yaml", "engine.yaml", "moment.yaml"):
            shutil.copy(CONTENT_ROOT / locale / name, root / locale / name)
        (root / locale / "test.yaml").write_text(templates, encoding="utf-8")
    return Content(root)


def write_flow(tmp_path: Path, text: str) -> Flow:
    text = textwrap.dedent(text)
    path = tmp_path / "flow.yaml"
    path.write_text(text, encoding="utf-8")
    return load_flow(path)


@pytest.fixture
def make(tmp_path, content):
    """make(FLOW_YAML) -> Engine with just that flow."""

    def build(text: str) -> Engine:
        flow = write_flow(tmp_path, text)
        return Engine(content, {flow.id: flow})

    return build


def ctx(locale: str = "nl", **facts) -> Context:
    return Context(locale, NOW, {"voornaam": "Vera"}, facts)


def press(conv: Conversation, value: str) -> Input:
    """The current question's button with this value."""
    return Input("button", data=f"f.{conv.instance}.{conv.seq}.{value}")


def typed(text: str) -> Input:
    return Input("text", text=text)


def labels(reply: Reply) -> list[list[str]]:
    return [[b.label for b in row] for row in reply.buttons]


def values(reply: Reply) -> list[list[str]]:
    return [[b.data.split(".", 3)[3] for b in row] for row in reply.buttons]


def texts(result: StepResult) -> list[str]:
    return [r.text for r in result.replies]


def kinds(result: StepResult) -> list[str]:
    return [e.kind for e in result.effects]


# ---- the flows ----------------------------------------------------------------------

KEUZE = """\
id: keuze
start: kleur
on_leave:
  - {kind: journal, entry_kind: test}
states:
  kleur:
    say: test.kleur
    input:
      kind: choice
      store: kleur
      store_label: kleur_label
      skip: true
      options:
        - {id: rood, label: test.rood}
        - {id: blauw, label: test.blauw}
        - {id: groen, label: test.groen}
    next:
      - {if: {kleur: rood}, to: rood_gekozen}
      - {if: {kleur: [blauw, null]}, to: zeker}
      - {to: einde}
  rood_gekozen:
    say: test.rood_gekozen
    effects:
      - {kind: signal, waarom: rood}
    next:
      - {to: zeker}
  zeker:
    say: test.zeker
    input: {kind: confirm, store: zeker}
    next:
      - {if: {zeker: true}, to: einde}
      - {to: kleur}
  einde:
    say: test.einde
    effects:
      - {kind: journal, complete: true}
    end: true
"""

MEER = """\
id: meer
start: dieren
states:
  dieren:
    say: test.dieren
    input:
      kind: multi
      store: dieren
      columns: 2
      options:
        - {id: kat, label: test.kat}
        - {id: hond, label: test.hond}
        - {id: geen, label: test.geen_dier, alone: true}
    next:
      - {to: einde}
  einde:
    say: test.einde
    effects:
      - {kind: journal}
    end: true
"""

SCHAAL = """\
id: schaal
start: energie
states:
  energie:
    say: test.score
    input: {kind: scale, store: energie}
    next:
      - {if: energie_laag, to: laag}
      - {to: hoog}
  laag: {say: test.laag, end: true}
  hoog: {say: test.hoog, end: true}
"""

CONTACT = """\
id: contact
start: begin
states:
  begin:
    next:
      - {if: not heeft_contactpersoon, to: zonder}
      - {to: met}
  zonder: {say: test.zonder, end: true}
  met: {say: test.met, end: true}
"""

TEKST = """\
id: tekst
start: naam
states:
  naam:
    say: test.naam
    input: {kind: text, store: naam, max_length: 10, skip: true}
    next:
      - {to: stap}
  stap:
    say: test.stap
    input:
      kind: choice
      store: stap
      store_label: stap_label
      text: true
      max_length: 5
      options:
        - {id: koffie, label: test.koffie}
    next:
      - {to: einde}
  einde:
    say: test.groet
    effects:
      - {kind: journal}
    end: true
"""

MOMENT = """\
id: moment
start: wanneer
states:
  wanneer:
    say: test.moment
    input: {kind: daypart, store: moment}
    next:
      - {to: einde}
  einde: {say: test.einde, end: true}
"""

KETEN = """\
id: keten
start: eerste
states:
  eerste:
    say: test.eerste
    effects:
      - {kind: asked_questions}
    next:
      - {to: kleur}
  kleur:
    say: test.kleur
    input:
      kind: choice
      store: kleur
      options:
        - {id: rood, label: test.rood}
    next:
      - {to: tweede}
  tweede:
    say: test.tweede
    effects:
      - {kind: signal}
    next:
      - {to: leeg}
  leeg:
    next:
      - {to: zeker}
  zeker:
    say: test.zeker
    input: {kind: confirm, store: zeker}
    next:
      - {to: einde}
  einde:
    effects:
      - {kind: journal}
    end: true
"""


# ---- choice, conditions in {key: value} form, effects ---------------------------------


def test_start_asks_the_first_question_with_its_buttons(make):
    result = make(KEUZE).start("keuze", ctx(), instance="aaaa")
    conv = result.conversation
    assert (conv.state, conv.seq, conv.instance) == ("kleur", 1, "aaaa")
    assert texts(result) == ["Welke kleur?"]
    assert labels(result.replies[0]) == [["Rood"], ["Blauw"], ["Groen"], ["Sla over"]]
    assert result.replies[0].buttons[0][0].data == "f.aaaa.1.rood"
    assert result.replies[0].buttons[3][0].data == "f.aaaa.1._skip"
    assert result.effects == []


def test_choice_stores_value_and_label_and_echoes_the_choice(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, press(conv, "blauw"), ctx())
    assert result.conversation.answers == {"kleur": "blauw", "kleur_label": "Blauw"}
    assert result.replies[0] == Reply("Welke kleur?\n\n» <i>Blauw</i>", edit=True)
    assert result.replies[1].text == "Weet je het zeker?"
    assert (result.conversation.state, result.conversation.seq) == ("zeker", 2)
    assert result.changed is True


def test_step_leaves_the_callers_conversation_untouched(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    engine.step(conv, press(conv, "blauw"), ctx())
    assert (conv.state, conv.seq, conv.answers) == ("kleur", 1, {})


def test_value_condition_picks_the_matching_transition(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, press(conv, "groen"), ctx())
    assert result.conversation is None
    assert texts(result)[-1] == "Klaar."


def test_value_condition_with_a_list_matches_a_skipped_answer(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, press(conv, "_skip"), ctx())
    assert result.conversation.state == "zeker"
    assert result.conversation.answers == {"kleur": None, "kleur_label": None}
    assert result.replies[0].text.endswith("» <i>Sla over</i>")


def test_entering_a_state_emits_its_effects_with_the_answers_so_far(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx(), data={"bron": "test", "_werk": 1}).conversation
    result = engine.step(conv, press(conv, "rood"), ctx())
    assert texts(result)[1] == "Rood, zoals Vera wilde."
    assert kinds(result) == ["signal"]
    effect = result.effects[0]
    assert dict(effect.params) == {
        "waarom": "rood",
        "flow": "keuze",
        "answers": {"kleur": "rood", "kleur_label": "Rood"},
        "data": {"bron": "test"},
        "run": conv.instance,
    }


def test_effect_answers_do_not_change_when_later_questions_are_answered(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    first = engine.step(conv, press(conv, "rood"), ctx())
    conv = first.conversation
    last = engine.step(conv, press(conv, "ja"), ctx())
    assert first.effects[0].params["answers"] == {"kleur": "rood", "kleur_label": "Rood"}
    assert last.conversation is None
    assert kinds(last) == ["journal"]
    assert last.effects[0].params["complete"] is True
    assert last.effects[0].params["answers"] == {
        "kleur": "rood",
        "kleur_label": "Rood",
        "zeker": True,
    }


def test_choice_without_text_refuses_typed_text_in_one_message(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, typed("paars"), ctx())
    assert result.changed is False
    assert result.conversation.state == "kleur"
    # why, and the question again with its buttons: one message, one Bot API call
    assert texts(result) == [
        "Kies een van de knoppen hieronder. Dat maakt het makkelijk.\n\nWelke kleur?"
    ]
    assert values(result.replies[0]) == [["rood"], ["blauw"], ["groen"], ["_skip"]]


@pytest.mark.parametrize("said", ["blauw", "Blauw", " BLAUW! ", "blauw."])
def test_a_typed_label_counts_as_its_button(make, said):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, typed(said), ctx())
    assert result.changed is True
    assert result.conversation.answers["kleur"] == "blauw"
    assert result.conversation.state == "zeker"


class LabelsAsWritten:
    """Content whose every template renders as its own id (the labels above are literal)."""

    def render(self, template_id: str, locale: str, **_) -> str:
        return template_id


def test_a_typed_word_counts_only_when_it_starts_exactly_one_label():
    spec = InputSpec(
        kind="choice",
        options=(
            {"id": "ja", "label": "Ja 🙂"},
            {"id": "af", "label": "Nee, afgezegd"},
            {"id": "later", "label": "Nee, later"},
        ),
    )
    content = LabelsAsWritten()
    moment = datetime(2026, 12, 2, tzinfo=UTC)
    conv = Conversation("f", "s", "i", 1, {}, {}, moment, moment)
    pick = lambda text: inputs.typed_button(spec, text, ctx(), conv, content)  # noqa: E731
    assert pick("ja") == "ja"
    assert pick("nee") is None  # two labels start with it
    assert pick("nee, later") == "later"
    assert pick("ja hoor, het ging prima") is None  # a sentence is an answer in words


def test_unknown_button_value_asks_to_use_the_buttons(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, press(conv, "paars"), ctx())
    assert result.changed is False
    assert result.conversation.answers == {}
    assert texts(result) == [
        "Kies een van de knoppen hieronder. Dat maakt het makkelijk.\n\nWelke kleur?"
    ]


def test_skip_is_refused_where_no_skip_is_offered(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, press(conv, "blauw"), ctx()).conversation  # now at `zeker`
    result = engine.step(conv, press(conv, "_skip"), ctx())
    assert result.changed is False
    assert result.conversation.state == "zeker"
    assert "zeker" not in result.conversation.answers


def test_a_transition_back_asks_the_question_again_under_a_new_number(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, press(conv, "blauw"), ctx()).conversation
    result = engine.step(conv, press(conv, "nee"), ctx())
    assert (result.conversation.state, result.conversation.seq) == ("kleur", 3)
    assert result.replies[-1].buttons[0][0].data.endswith(".3.rood")


def test_english_locale_renders_english_and_falls_back_to_dutch(make):
    result = make(KEUZE).start("keuze", ctx("en"))
    assert result.replies[0].text == "Which colour?"
    assert labels(result.replies[0]) == [["Rood"], ["Blauw"], ["Groen"], ["Skip"]]


# ---- confirm ------------------------------------------------------------------------


def test_confirm_offers_ja_nee_and_stores_a_boolean(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    asked = engine.step(conv, press(conv, "blauw"), ctx())
    conv = asked.conversation
    assert labels(asked.replies[-1]) == [["Ja", "Nee"]]
    assert values(asked.replies[-1]) == [["ja", "nee"]]
    result = engine.step(conv, press(conv, "nee"), ctx())
    assert result.conversation.answers["zeker"] is False
    assert result.replies[0].text == "Weet je het zeker?\n\n» <i>Nee</i>"


# ---- named conditions, `not name`, chaining through states without input ---------------


@pytest.mark.parametrize(
    "energy, ending", [(1, "Rustig aan."), (2, "Rustig aan."), (3, "Mooi zo."), (5, "Mooi zo.")]
)
def test_named_condition_energie_laag_routes_by_scale_answer(make, energy, ending):
    engine = make(SCHAAL)
    conv = engine.start("schaal", ctx()).conversation
    result = engine.step(conv, press(conv, str(energy)), ctx())
    assert result.conversation is None
    assert texts(result)[-1] == ending


@pytest.mark.parametrize(
    "has_professional, ending", [(False, "Zonder contactpersoon."), (True, "Met contactpersoon.")]
)
def test_not_condition_negates_a_named_condition_on_facts(make, has_professional, ending):
    result = make(CONTACT).start("contact", ctx(has_professional=has_professional))
    assert result.conversation is None
    assert texts(result) == [ending]


def test_states_without_input_chain_with_their_texts_and_effects(make):
    engine = make(KETEN)
    started = engine.start("keten", ctx())
    assert texts(started) == ["Eerste zin.", "Welke kleur?"]
    assert kinds(started) == ["asked_questions"]
    conv = started.conversation
    result = engine.step(conv, press(conv, "rood"), ctx())
    # echo, the text of `tweede`, nothing for the silent `leeg`, then the next question
    assert texts(result) == [
        "Welke kleur?\n\n» <i>Rood</i>",
        "Tweede zin, rood.",
        "Weet je het zeker?",
    ]
    assert kinds(result) == ["signal"]
    assert result.conversation.state == "zeker"
    ended = engine.step(result.conversation, press(result.conversation, "ja"), ctx())
    assert ended.conversation is None
    assert texts(ended) == ["Weet je het zeker?\n\n» <i>Ja</i>"]  # silent end state
    assert kinds(ended) == ["journal"]


def test_a_loop_of_states_without_input_is_a_flow_error(make):
    engine = make("""\
        id: rondje
        start: a
        states:
          a: {next: [{to: b}]}
          b: {next: [{to: a}]}
        """)
    with pytest.raises(FlowError, match="without a question"):
        engine.start("rondje", ctx())


# ---- scale --------------------------------------------------------------------------


def test_scale_offers_five_buttons_and_stores_an_int(make):
    engine = make(SCHAAL)
    started = engine.start("schaal", ctx())
    assert values(started.replies[0]) == [["5", "4", "3", "2", "1"]]
    assert labels(started.replies[0]) == [
        ["😄", "🙂", "😐", "😕", "😞"]
    ]  # a quick first tap is not "bad"
    conv = started.conversation
    result = engine.step(conv, press(conv, "4"), ctx())
    assert result.replies[0].text == "Hoeveel energie heb je?\n\n» <i>🙂</i>"


def test_scale_refuses_a_value_outside_one_to_five(make):
    engine = make(SCHAAL)
    conv = engine.start("schaal", ctx()).conversation
    result = engine.step(conv, press(conv, "6"), ctx())
    assert result.changed is False
    assert result.conversation.state == "energie"
    assert texts(result)[0].startswith(
        "Kies een van de knoppen hieronder. Dat maakt het makkelijk."
    )


# ---- multi --------------------------------------------------------------------------


def test_multi_shows_options_in_columns_and_a_klaar_row(make):
    started = make(MEER).start("meer", ctx())
    assert labels(started.replies[0]) == [["Kat", "Hond"], ["Geen dier"], ["Klaar ✔️"]]
    assert values(started.replies[0])[-1] == ["_klaar"]


def test_multi_toggle_marks_the_option_and_edits_the_same_question(make):
    engine = make(MEER)
    conv = engine.start("meer", ctx()).conversation
    result = engine.step(conv, press(conv, "hond"), ctx())
    assert result.conversation.seq == conv.seq  # the same message stays valid
    assert result.conversation.state == "dieren"
    assert len(result.replies) == 1 and result.replies[0].edit is True
    assert labels(result.replies[0]) == [["Kat", "✓ Hond"], ["Geen dier"], ["Klaar ✔️"]]
    assert result.conversation.answers == {}


def test_multi_second_press_unticks_the_option(make):
    engine = make(MEER)
    conv = engine.start("meer", ctx()).conversation
    conv = engine.step(conv, press(conv, "hond"), ctx()).conversation
    result = engine.step(conv, press(conv, "hond"), ctx())
    assert labels(result.replies[0]) == [["Kat", "Hond"], ["Geen dier"], ["Klaar ✔️"]]
    assert result.conversation.data["_sel"] == []


def test_multi_klaar_answers_in_option_order_and_hides_working_values(make):
    engine = make(MEER)
    conv = engine.start("meer", ctx()).conversation
    conv = engine.step(conv, press(conv, "hond"), ctx()).conversation
    conv = engine.step(conv, press(conv, "kat"), ctx()).conversation
    result = engine.step(conv, press(conv, "_klaar"), ctx())
    assert result.conversation is None
    assert result.replies[0].text == "Welke dieren?\n\n» <i>Kat, Hond</i>"
    journal = result.effects[0]
    assert journal.params["answers"] == {"dieren": ["kat", "hond"]}
    assert journal.params["data"] == {}


def test_multi_klaar_with_nothing_ticked_answers_an_empty_list(make):
    engine = make(MEER)
    conv = engine.start("meer", ctx()).conversation
    result = engine.step(conv, press(conv, "_klaar"), ctx())
    assert result.effects[0].params["answers"] == {"dieren": []}
    assert result.replies[0].text.endswith("» <i>–</i>")


def test_multi_alone_option_ends_the_question_at_once(make):
    engine = make(MEER)
    conv = engine.start("meer", ctx()).conversation
    conv = engine.step(conv, press(conv, "kat"), ctx()).conversation
    result = engine.step(conv, press(conv, "geen"), ctx())
    assert result.conversation is None
    assert result.effects[0].params["answers"] == {"dieren": ["geen"]}
    assert result.replies[0].text.endswith("» <i>Geen dier</i>")


def test_multi_unknown_value_keeps_the_ticks(make):
    engine = make(MEER)
    conv = engine.start("meer", ctx()).conversation
    conv = engine.step(conv, press(conv, "kat"), ctx()).conversation
    result = engine.step(conv, press(conv, "vis"), ctx())
    assert result.changed is False
    assert labels(result.replies[0])[0] == ["✓ Kat", "Hond"]


# ---- text (and choice that accepts text) ----------------------------------------------


def test_text_is_stored_stripped_and_marked_as_typed(make):
    engine = make(TEKST)
    conv = engine.start("tekst", ctx()).conversation
    result = engine.step(conv, typed("  Vera  "), ctx())
    assert result.conversation.answers == {"naam": "Vera"}
    assert result.conversation.data["typed"] == ["naam"]
    assert texts(result) == ["Welk stapje?"]  # no echo for typed text


def test_text_of_exactly_max_length_is_accepted(make):
    engine = make(TEKST)
    conv = engine.start("tekst", ctx()).conversation
    result = engine.step(conv, typed("a" * 10), ctx())
    assert result.conversation.answers["naam"] == "a" * 10


def test_text_over_max_length_is_refused(make):
    engine = make(TEKST)
    conv = engine.start("tekst", ctx()).conversation
    result = engine.step(conv, typed("a" * 11), ctx())
    assert result.changed is False
    assert result.conversation.state == "naam"
    assert texts(result) == ["Dat is wat lang voor hier. Kun je het korter zeggen?\n\nHoe heet je?"]


def test_blank_text_is_refused(make):
    engine = make(TEKST)
    conv = engine.start("tekst", ctx()).conversation
    result = engine.step(conv, typed(" \n "), ctx())
    assert result.changed is False
    assert texts(result)[0].startswith("Ik zag geen tekst. Probeer het nog eens.\n\n")


def test_text_question_offers_skip_which_stores_none(make):
    engine = make(TEKST)
    started = engine.start("tekst", ctx())
    assert values(started.replies[0]) == [["_skip"]]
    conv = started.conversation
    result = engine.step(conv, press(conv, "_skip"), ctx())
    assert result.conversation.answers == {"naam": None}
    assert "typed" not in result.conversation.data
    assert result.replies[0].text == "Hoe heet je?\n\n» <i>Sla over</i>"


def test_text_question_answers_a_non_skip_button_with_type_here(make):
    engine = make(TEKST)
    conv = engine.start("tekst", ctx()).conversation
    result = engine.step(conv, press(conv, "koffie"), ctx())
    assert result.changed is False
    assert texts(result)[0].startswith("Typ hier je antwoord, of kies een knop.\n\n")


def test_typed_text_is_escaped_where_it_is_shown(make):
    engine = make(TEKST)
    conv = engine.start("tekst", ctx()).conversation
    conv = engine.step(conv, typed("<b>&"), ctx()).conversation
    result = engine.step(conv, press(conv, "koffie"), ctx())
    assert texts(result)[-1] == "Dag &lt;b&gt;&amp;, stap: Koffie."


def test_choice_with_text_accepts_typing_up_to_its_own_max_length(make):
    engine = make(TEKST)
    conv = engine.start("tekst", ctx()).conversation
    conv = engine.step(conv, typed("Vera"), ctx()).conversation
    too_long = engine.step(conv, typed("thee!!"), ctx())
    assert too_long.changed is False
    result = engine.step(conv, typed("thee"), ctx())
    assert result.conversation is None
    journal = result.effects[0]
    assert journal.params["answers"] == {"naam": "Vera", "stap": "thee", "stap_label": "thee"}
    assert journal.params["data"] == {"typed": ["naam", "stap"]}


# ---- daypart ------------------------------------------------------------------------


def test_daypart_first_offers_weekdays_and_wisselend(make):
    started = make(MOMENT).start("moment", ctx())
    assert values(started.replies[0]) == [
        ["ma", "di", "wo", "do"],
        ["vr", "za", "zo"],
        ["wisselend"],
    ]


def test_daypart_weekday_then_dagdeel_stores_both(make):
    engine = make(MOMENT)
    conv = engine.start("moment", ctx()).conversation
    day = engine.step(conv, press(conv, "di"), ctx())
    assert day.conversation.seq == conv.seq
    assert day.replies[0].edit is True
    assert labels(day.replies[0]) == [["Ochtend", "Middag", "Avond"]]
    conv = day.conversation
    result = engine.step(conv, press(conv, "middag"), ctx())
    assert result.conversation is None
    assert result.replies[0].text == "Wanneer ga je meestal?\n\n» <i>dinsdagmiddag</i>"


def test_daypart_answer_value_is_day_index_and_part(make):
    engine = make(
        MOMENT.replace(
            "  einde: {say: test.einde, end: true}",
            "  einde: {say: test.einde, effects: [{kind: rhythm}], end: true}",
        )
    )
    conv = engine.start("moment", ctx()).conversation
    conv = engine.step(conv, press(conv, "vr"), ctx()).conversation
    result = engine.step(conv, press(conv, "avond"), ctx())
    assert result.effects[0].params["answers"] == {"moment": {"day": 4, "part": "avond"}}
    assert result.effects[0].params["data"] == {}  # the working `_day` is gone


def test_daypart_wisselend_answers_without_day_and_part(make):
    engine = make(
        MOMENT.replace(
            "  einde: {say: test.einde, end: true}",
            "  einde: {say: test.einde, effects: [{kind: rhythm}], end: true}",
        )
    )
    conv = engine.start("moment", ctx()).conversation
    result = engine.step(conv, press(conv, "wisselend"), ctx())
    assert result.effects[0].params["answers"] == {"moment": {"day": None, "part": None}}
    assert result.replies[0].text.endswith("» <i>Wisselend</i>")


def test_daypart_dagdeel_before_a_day_is_refused(make):
    engine = make(MOMENT)
    conv = engine.start("moment", ctx()).conversation
    result = engine.step(conv, press(conv, "ochtend"), ctx())
    assert result.changed is False
    assert result.conversation.state == "wanneer"
    assert "_day" not in result.conversation.data


# ---- stale buttons --------------------------------------------------------------------


def test_button_of_another_run_is_expired_and_changes_nothing(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx(), instance="aaaa").conversation
    result = engine.step(conv, Input("button", data="f.bbbb.1.rood"), ctx())
    assert result.notice == "Deze knop is verlopen."
    assert result.changed is False
    assert result.replies == []
    assert (result.conversation.state, result.conversation.seq, result.conversation.answers) == (
        "kleur",
        1,
        {},
    )


def test_button_of_an_earlier_question_is_expired(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    old = press(conv, "blauw")
    conv = engine.step(conv, old, ctx()).conversation
    result = engine.step(conv, old, ctx())  # a double press
    assert result.notice == "Deze knop is verlopen."
    assert result.changed is False
    assert result.conversation.state == "zeker"


def test_button_of_a_finished_run_is_expired_in_the_next_run(make):
    engine = make(KEUZE)
    first = engine.start("keuze", ctx(), instance="aaaa").conversation
    finished = engine.step(first, press(first, "groen"), ctx())
    assert finished.conversation is None
    second = engine.start("keuze", ctx(), instance="bbbb").conversation
    result = engine.step(second, press(first, "groen"), ctx())
    assert result.notice == "Deze knop is verlopen."
    assert result.conversation.state == "kleur"


@pytest.mark.parametrize("data", ["", "f", "f.aaaa.1", "x.aaaa.1.rood", "f.aaaa.01.rood"])
def test_malformed_button_data_is_expired(make, data):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx(), instance="aaaa").conversation
    result = engine.step(conv, Input("button", data=data), ctx())
    assert result.notice == "Deze knop is verlopen."
    assert result.changed is False


def test_expired_notice_is_in_the_users_language(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx("en"), instance="aaaa").conversation
    result = engine.step(conv, Input("button", data="f.bbbb.1.rood"), ctx("en"))
    assert result.notice == "This button has expired."


# ---- media, /stop, other commands, expiry -----------------------------------------------


def test_media_gets_only_text_and_the_question_again(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, Input("media"), ctx())
    assert result.changed is False
    assert texts(result) == ["Ik kan hier alleen tekst lezen. Zo kom je verder:\n\nWelke kleur?"]
    assert values(result.replies[0])[0] == ["rood"]


@pytest.mark.parametrize("command", ["/stop", "/STOP", "/stop@omzien_bot", "/stop nu"])
def test_stop_ends_the_flow_with_its_on_leave_effects_marked_incomplete(make, command):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, press(conv, "blauw"), ctx()).conversation
    result = engine.step(conv, Input("command", text=command), ctx())
    assert result.conversation is None
    assert texts(result) == ["Goed, we stoppen hier. Wat je al vertelde, staat in je dagboek."]
    assert kinds(result) == ["journal"]
    assert dict(result.effects[0].params) == {
        "entry_kind": "test",
        "complete": False,
        "reason": "stop",
        "flow": "keuze",
        "answers": {"kleur": "blauw", "kleur_label": "Blauw"},
        "data": {},
        "run": conv.instance,
    }
    assert result.command is None


def test_other_command_asks_whether_to_leave(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    result = engine.step(conv, Input("command", text="/help"), ctx())
    assert result.conversation.seq == conv.seq + 1
    assert result.conversation.state == "kleur"
    assert result.effects == []
    assert texts(result) == ["We zijn nog even in gesprek. Wil je daarmee stoppen?"]
    assert labels(result.replies[0]) == [["Ja, stoppen", "Nee, ga verder"]]
    assert values(result.replies[0]) == [["_leave", "_stay"]]
    assert engine.prompt(result.conversation, ctx()).text == texts(result)[0]


def test_leave_ends_the_flow_and_hands_back_the_command(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, press(conv, "blauw"), ctx()).conversation
    conv = engine.step(conv, Input("command", text="/zoek koffie"), ctx()).conversation
    result = engine.step(conv, press(conv, "_leave"), ctx())
    assert result.conversation is None
    assert result.command == "/zoek koffie"
    assert result.replies == [
        Reply("We zijn nog even in gesprek. Wil je daarmee stoppen?", edit=True)
    ]
    assert kinds(result) == ["journal"]
    assert result.effects[0].params["complete"] is False
    assert result.effects[0].params["reason"] == "command"
    assert result.effects[0].params["answers"] == {"kleur": "blauw", "kleur_label": "Blauw"}


def test_stay_asks_the_same_question_again_with_fresh_buttons(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, Input("command", text="/help"), ctx()).conversation
    result = engine.step(conv, press(conv, "_stay"), ctx())
    stayed = result.conversation
    assert (stayed.state, stayed.seq) == ("kleur", 3)
    assert "_leave_for" not in stayed.data
    assert texts(result) == ["Welke kleur?"]
    assert result.replies[0].buttons[0][0].data == f"f.{stayed.instance}.3.rood"
    answered = engine.step(stayed, press(stayed, "groen"), ctx())
    assert answered.conversation is None


def test_question_buttons_are_expired_while_the_leave_question_is_open(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    old = press(conv, "rood")
    conv = engine.step(conv, Input("command", text="/help"), ctx()).conversation
    result = engine.step(conv, old, ctx())
    assert result.notice == "Deze knop is verlopen."
    assert result.conversation.data["_leave_for"] == "/help"


def test_text_during_the_leave_question_asks_for_the_buttons(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, Input("command", text="/help"), ctx()).conversation
    result = engine.step(conv, typed("ja"), ctx())
    assert result.changed is False
    assert texts(result) == [
        "Kies een van de knoppen hieronder. Dat maakt het makkelijk.\n\n"
        "We zijn nog even in gesprek. Wil je daarmee stoppen?"
    ]
    assert values(result.replies[0]) == [["_leave", "_stay"]]


def test_stop_during_the_leave_question_still_stops(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, Input("command", text="/help"), ctx()).conversation
    result = engine.step(conv, Input("command", text="/stop"), ctx())
    assert result.conversation is None
    assert result.effects[0].params["reason"] == "stop"


def test_expiry_leaves_silently_with_incomplete_on_leave_effects(make):
    engine = make(KEUZE)
    conv = engine.start("keuze", ctx()).conversation
    conv = engine.step(conv, press(conv, "rood"), ctx()).conversation
    result = engine.leave(conv, ctx(), "expired")
    assert result.conversation is None
    assert result.replies == []
    assert kinds(result) == ["journal"]
    assert dict(result.effects[0].params) == {
        "entry_kind": "test",
        "complete": False,
        "reason": "expired",
        "flow": "keuze",
        "answers": {"kleur": "rood", "kleur_label": "Rood"},
        "data": {},
        "run": conv.instance,
    }


def test_prompt_repeats_the_current_question(make):
    engine = make(MEER)
    conv = engine.start("meer", ctx()).conversation
    conv = engine.step(conv, press(conv, "kat"), ctx()).conversation
    reply = engine.prompt(conv, ctx())
    assert reply.text == "Welke dieren?"
    assert labels(reply)[0] == ["✓ Kat", "Hond"]


# ---- the loader refuses malformed flows -----------------------------------------------

VALID_STATES = """\
  vraag:
    say: test.kleur
    input: {kind: confirm, store: ok}
    next:
      - {to: einde}
  einde: {end: true}
"""


def flow_text(states: str, head: str = "id: fout\nstart: vraag\n") -> str:
    return head + "states:\n" + states


def test_the_valid_base_flow_loads(tmp_path):
    flow = write_flow(tmp_path, flow_text(VALID_STATES))
    assert list(flow.states) == ["vraag", "einde"]
    assert flow.state("vraag").next[0].to == "einde"


@pytest.mark.parametrize(
    "states, message",
    [
        (
            VALID_STATES.replace("{to: einde}", "{to: nergens}"),
            "state 'vraag' goes to 'nergens', which does not exist",
        ),
        (
            VALID_STATES.replace("- {to: einde}", "- {if: heeft_contactpersoon, to: einde}"),
            "state 'vraag': the last transition needs no condition",
        ),
        (
            VALID_STATES.replace("kind: confirm", "kind: slider"),
            "state 'vraag': input kind 'slider' is not one of",
        ),
        (
            VALID_STATES.replace(
                "  einde: {end: true}", "  einde: {effects: [{kind: email}], end: true}"
            ),
            "einde: unknown effect kind 'email'",
        ),
        (
            VALID_STATES.replace("- {to: einde}", "- {if: zonnig, to: einde}\n      - {to: einde}"),
            "state 'vraag': unknown condition 'zonnig'",
        ),
        (
            VALID_STATES.replace(
                "- {to: einde}", "- {if: not zonnig, to: einde}\n      - {to: einde}"
            ),
            "unknown condition 'zonnig'",
        ),
        (
            VALID_STATES.replace("- {to: einde}", "- {if: [a, b], to: einde}\n      - {to: einde}"),
            "cannot read condition",
        ),
        (
            VALID_STATES.replace("  einde: {end: true}", "  einde: {say: test.einde}"),
            "state 'einde' has no 'next' and is not an end",
        ),
        (
            VALID_STATES.replace("kind: confirm, store: ok", "kind: choice, store: ok"),
            "a choice needs options or options_from",
        ),
        (
            VALID_STATES.replace("store: ok", "store: ok, maximum: 3"),
            r"unknown input field\(s\) \['maximum'\]",
        ),
        (VALID_STATES.replace("- {to: einde}", "- {naar: einde}"), "a transition needs 'to'"),
        (
            VALID_STATES.replace(
                "  einde: {end: true}",
                "  einde: {effects: [{kind: journal, answers: {}}], end: true}",
            ),
            r"einde: effect parameter\(s\) \['answers'\] are reserved",
        ),
        (
            VALID_STATES.replace(
                "  einde: {end: true}", "  einde: {effects: [{kind: start_flow}], end: true}"
            ),
            "einde: start_flow needs a target flow",
        ),
    ],
)
def test_loader_rejects_malformed_flow(tmp_path, states, message):
    with pytest.raises(FlowError, match=message):
        write_flow(tmp_path, flow_text(states))


def test_loader_rejects_unknown_on_leave_effect(tmp_path):
    head = "id: fout\nstart: vraag\non_leave:\n  - {kind: telefoon}\n"
    with pytest.raises(FlowError, match="on_leave: unknown effect kind 'telefoon'"):
        write_flow(tmp_path, flow_text(VALID_STATES, head))


def test_loader_rejects_a_missing_start_state(tmp_path):
    with pytest.raises(FlowError, match="start state 'begin' does not exist"):
        write_flow(tmp_path, flow_text(VALID_STATES, "id: fout\nstart: begin\n"))


def test_loader_rejects_a_file_without_states(tmp_path):
    with pytest.raises(FlowError, match="needs 'id', 'start' and 'states'"):
        write_flow(tmp_path, "id: fout\nstart: vraag\n")
