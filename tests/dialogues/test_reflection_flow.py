"""The real `reflectie` flow (dialogues/flows/reflectie.yaml) with the shipped content.

A reflection is driven by `drive()`: it answers each question the flow asks from a small
table of choices (state -> button value or typed text) and records which questions came up,
what was said and which effects were asked for.

    .venv/bin/python -m pytest tests/dialogues/test_reflection_flow.py -q
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.render import Content
from dialogues.engine import Engine
from dialogues.model import Context, Effect, Input, StepResult
from dialogues.prepare import RECENT_WINDOW, pick_questions

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
ALIAS = "mevrouw L"
OPEN_STEP = {"id": 7, "text": "Samen een foto bekijken"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Content())


def facts(**changes) -> dict:
    base = {
        "residents": [{"id": 1, "alias": ALIAS}],
        "has_professional": True,
        "reflection_count": 0,
        "recent_questions": [],
        "open_step": OPEN_STEP,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def context(locale: str = "nl", **changes) -> Context:
    return Context(locale, NOW, {"voornaam": "Vera", "contact": "Pim"}, facts(**changes))


FIRST = object()  # press the first button of the question, whatever it is
DEFAULTS = {
    "bezoek": "ja",
    "energie": "4",
    "vraag_1": FIRST,
    "vraag_2": FIRST,
    "regie": "met",
    "vorige_stap": "gelukt",
    "nieuwe_stap": FIRST,
    "opgevallen": "nee",
    "zorgen": ["_klaar"],
    "afspraken": "nee",
    "grens": "tijd",
    "grens_herkend": "ok",
    "contact_vraag": "nee",
    "afgezegd_hoe": "bewoner",
    "afgezegd_gevoel": "jammer",
}


@dataclass
class Run:
    asked: list[str] = field(default_factory=list)  # the questions, in order
    results: list[StepResult] = field(default_factory=list)

    @property
    def effects(self) -> list[Effect]:
        return [e for r in self.results for e in r.effects]

    @property
    def kinds(self) -> list[str]:
        return [e.kind for e in self.effects]

    @property
    def texts(self) -> list[str]:
        return [reply.text for r in self.results for reply in r.replies]

    def effect(self, kind: str) -> Effect:
        found = [e for e in self.effects if e.kind == kind]
        assert len(found) == 1, f"expected one {kind} effect, got {self.kinds}"
        return found[0]


def drive(engine: Engine, ctx: Context, **choices) -> Run:
    """Answer every question until the flow ends; `choices` override DEFAULTS per state.
    A list value is pressed in order (multi); a value starting with ':' is typed."""
    plan = {**DEFAULTS, **choices}
    if "zorgen" in choices and "opgevallen" not in choices:
        plan["opgevallen"] = "ja"  # naming worries means something was noticed
    run = Run()
    result = engine.start("reflectie", ctx, instance="beef")
    run.results.append(result)
    while result.conversation is not None:
        conv = result.conversation
        assert len(run.asked) < 20, f"no end after {run.asked}"
        run.asked.append(conv.state)
        assert conv.state in plan, f"no answer planned for question {conv.state!r}"
        wanted = plan[conv.state]
        for value in wanted if isinstance(wanted, list) else [wanted]:
            if isinstance(value, str) and value.startswith(":"):
                inp = Input("text", text=value[1:])
            else:
                if value is FIRST:
                    value = engine.prompt(conv, ctx).buttons[0][0].data.split(".", 3)[3]
                inp = Input("button", data=f"f.{conv.instance}.{conv.seq}.{value}")
            result = engine.step(conv, inp, ctx)
            run.results.append(result)
            assert result.changed, f"{conv.state}: {value!r} was not accepted: {result.replies}"
            conv = result.conversation or conv
    return run


# ---- a whole reflection -------------------------------------------------------------


def test_full_reflection_asks_the_questions_in_order(engine):
    """Last time's step is this reflection's extra question: no who-decided, no agreement."""
    run = drive(engine, context(), zorgen=["woning", "_klaar"])
    assert run.asked == [
        "bezoek",
        "energie",
        "vraag_1",
        "vorige_stap",
        "nieuwe_stap",
        "opgevallen",
        "zorgen",
    ]


@pytest.mark.parametrize(
    "count, extra",
    [(0, None), (1, "regie"), (2, "afspraken"), (3, None), (4, "regie"), (5, "afspraken")],
)
def test_who_decided_and_the_agreement_question_take_turns(engine, count, extra):
    run = drive(engine, context(reflection_count=count, open_step=None))
    assert [q for q in run.asked if q in ("regie", "afspraken")] == ([extra] if extra else [])


@pytest.mark.parametrize("count", range(6))
@pytest.mark.parametrize("open_step", [None, OPEN_STEP])
def test_an_ordinary_good_visit_takes_at_most_seven_messages(engine, count, open_step):
    run = drive(engine, context(reflection_count=count, open_step=open_step), energie="5")
    sent = [r for result in run.results for r in result.replies if not r.edit]
    assert len(sent) <= 7, [r.text[:40] for r in sent]


def test_the_alias_tip_comes_once_at_the_first_question_one_may_type_at(engine):
    tip = engine.content.render("algemeen.geen_namen", "nl")
    run = drive(engine, context(open_step=None))
    shown = [t for t in run.texts if tip in t]
    assert len({t.split("\n\n» ")[0] for t in shown}) == 1
    low = drive(engine, context(open_step=None), energie="1")  # no appreciative question
    assert any(tip in t and "klein stapje" in t for t in low.texts)


def test_full_reflection_ends_with_a_complete_journal_entry_of_the_answers(engine):
    ctx = context()
    run = drive(engine, ctx, zorgen=["woning", "_klaar"])
    assert run.results[-1].conversation is None
    journal = run.effect("journal").params
    assert journal["entry_kind"] == "reflectie"
    assert journal["complete"] is True
    answers = journal["answers"]
    idea = run.results[0].conversation.data["stap_ideeen"][0]
    assert {
        k: answers[k] for k in ("bezoek", "energie", "vorige_stap", "nieuwe_stap", "zorgen")
    } == {
        "bezoek": "ja",
        "energie": 4,
        "vorige_stap": "gelukt",
        "nieuwe_stap": idea,
        "zorgen": ["woning"],
    }
    assert answers["antwoord_1"] and answers["antwoord_1_label"]
    assert journal["data"]["resident"] == 1


def test_reflection_without_worries_has_exactly_these_effects(engine):
    run = drive(engine, context())
    assert run.kinds == ["asked_questions", "step_update", "step_new", "journal"]


def test_full_reflection_closes_with_the_chosen_step(engine):
    run = drive(engine, context(), nieuwe_stap=":Samen koffie drinken")
    assert (
        "Voor de volgende keer onthoud ik je stapje: <i>Samen koffie drinken</i>\n" in run.texts[-1]
    )
    assert "goed genoeg" not in run.texts[-1]  # no verdict on her own step
    step_new = run.effect("step_new").params
    assert step_new["answers"]["nieuwe_stap"] == "Samen koffie drinken"
    assert "nieuwe_stap" in step_new["data"]["typed"]


def test_a_chosen_step_keeps_its_full_sentence(engine):
    run = drive(engine, context())
    data = run.results[0].conversation.data
    idea = data["stap_ideeen"][0]
    full = data["stap_teksten"][idea]
    assert full.endswith(".") and len(full) > len(
        run.effect("step_new").params["answers"].get("nieuwe_stap_label") or ""
    )
    assert f"<i>{full}</i>" in run.texts[-1]


def test_last_times_step_question_can_be_skipped(engine):
    run = drive(engine, context(), vorige_stap="_skip")
    assert run.effect("step_update").params["answers"]["vorige_stap"] is None
    assert "nieuwe_stap" in run.asked


def test_the_first_question_names_the_one_resident(engine):
    result = engine.start("reflectie", context())
    assert result.replies[0].text == engine.content.render("reflectie.bezoek", "nl", alias=ALIAS)
    assert ALIAS in result.replies[0].text
    assert result.conversation.data["resident"] == 1


def test_asked_questions_are_recorded_when_shown_not_at_the_start(engine):
    start = engine.start("reflectie", context())
    assert "asked_questions" not in [e.kind for e in start.effects]
    run = drive(engine, context())
    asked = [e for e in run.effects if e.kind == "asked_questions"]
    assert [e.params["slots"] for e in asked][0] == ["vraag_1"]
    assert asked[0].params["data"]["vraag_1"] == run.results[0].conversation.data["vraag_1"]


def test_reflection_in_english(engine):
    run = drive(engine, context("en"))
    english = engine.content.render("reflectie.bezoek", "en", alias=ALIAS)
    assert english != engine.content.render("reflectie.bezoek", "nl", alias=ALIAS)
    assert run.texts[0] == english
    assert run.asked[-1] == "opgevallen"
    assert run.effect("journal").params["complete"] is True


# ---- the visit did not happen -----------------------------------------------------------


def test_cancelled_visit_asks_two_questions_and_journals_afgezegd(engine):
    run = drive(
        engine, context(), bezoek="afgezegd", afgezegd_hoe="ikzelf", afgezegd_gevoel="prima"
    )
    assert run.asked == ["bezoek", "afgezegd_hoe", "afgezegd_gevoel"]
    assert run.kinds == ["journal"]  # no appreciative question was shown, so none counts
    journal = run.effect("journal").params
    assert journal["entry_kind"] == "afgezegd"
    assert {k: journal["answers"][k] for k in ("bezoek", "afgezegd_hoe", "afgezegd_gevoel")} == {
        "bezoek": "afgezegd",
        "afgezegd_hoe": "ikzelf",
        "afgezegd_gevoel": "prima",
    }
    assert "/zorg" not in run.texts[-1]


@pytest.mark.parametrize("gevoel", ["zorgen", ":Ik maak me zorgen om haar"])
def test_a_worry_after_a_cancelled_visit_leads_to_the_worry_question(engine, gevoel):
    run = drive(
        engine, context(), bezoek="afgezegd", afgezegd_gevoel=gevoel, zorgen=["woning", "_klaar"]
    )
    assert run.asked == ["bezoek", "afgezegd_hoe", "afgezegd_gevoel", "zorgen"]
    assert not any("/zorg" in t or "hoort er ook bij" in t for t in run.texts)
    assert run.kinds[-2:] == ["journal", "start_flow"]


def test_a_cancelled_visit_takes_a_reason_in_own_words(engine):
    run = drive(engine, context(), bezoek="afgezegd", afgezegd_hoe=":Ze lag in het ziekenhuis")
    assert run.asked == ["bezoek", "afgezegd_hoe", "afgezegd_gevoel"]
    journal = run.effect("journal").params
    assert journal["answers"]["afgezegd_hoe"] == "Ze lag in het ziekenhuis"
    assert "afgezegd_hoe" in journal["data"]["typed"]


def test_anders_namelijk_asks_for_the_words(engine):
    run = drive(
        engine,
        context(),
        bezoek="afgezegd",
        afgezegd_hoe="anders",
        afgezegd_anders=":Ze was bij haar dochter",
    )
    assert run.asked == ["bezoek", "afgezegd_hoe", "afgezegd_anders", "afgezegd_gevoel"]
    assert run.effect("journal").params["answers"]["afgezegd_reden"] == "Ze was bij haar dochter"


def test_cancelled_visit_feeling_can_be_skipped(engine):
    run = drive(engine, context(), bezoek="afgezegd", afgezegd_gevoel="_skip")
    assert run.effect("journal").params["answers"]["afgezegd_gevoel"] is None


# ---- the boundary part --------------------------------------------------------------


@pytest.mark.parametrize("energy", ["1", "2"])
def test_boundary_part_follows_low_energy(engine, energy):
    run = drive(engine, context(), energie=energy)
    assert "grens" in run.asked


@pytest.mark.parametrize("energy", ["1", "2"])
def test_low_energy_is_acknowledged_before_any_other_question(engine, energy):
    run = drive(engine, context(), energie=energy)
    assert run.asked[:3] == ["bezoek", "energie", "grens"]
    assert run.results[2].replies[-1].text.startswith("Dat klinkt ")
    assert "eigen grens" in run.results[2].replies[-1].text


def test_boundary_part_follows_a_request_outside_the_agreement(engine):
    run = drive(engine, context(reflection_count=2, open_step=None), energie="5", afspraken="ja")
    assert run.asked[-3:] == ["afspraken", "grens", "contact_vraag"]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("energy", ["3", "4", "5"])
def test_boundary_part_is_skipped_otherwise(engine, count, energy):
    run = drive(engine, context(reflection_count=count), energie=energy)
    assert "grens" not in run.asked and "grens_herkend" not in run.asked


CREEP = "Ze vraagt steeds meer. Nu moet ik ook boodschappen doen en haar 's avonds bellen."


@pytest.mark.parametrize("where", ["vraag_1", "nieuwe_stap"])
def test_scope_creep_words_bring_the_boundary_sentences_that_fit(engine, where):
    run = drive(engine, context(open_step=None), **{where: ":" + CREEP})
    assert run.asked[run.asked.index(where) + 1] == "grens_herkend"
    shown = next(t for t in run.texts if t.startswith("Je schrijft dat"))
    assert "Boodschappen doen hoort niet bij mijn bezoek" in shown
    assert "'s Avonds neem ik niet op" in shown.replace("&#39;", "'")
    assert "geld" not in shown.lower()
    assert run.asked.count("grens_herkend") == 1 and "grens" not in run.asked
    assert "opgevallen" in run.asked and "nieuwe_stap" in run.asked


def test_ordinary_words_bring_no_boundary_part(engine):
    run = drive(
        engine, context(), vraag_1=":We hebben ook nog foto's gekeken, belangrijk voor haar"
    )
    assert "grens_herkend" not in run.asked


def test_talking_about_scope_creep_goes_to_the_contact_person_without_a_second_question(engine):
    run = drive(engine, context(), vraag_1=":" + CREEP, grens_herkend="praten")
    assert "support_request" in run.kinds and "contact_vraag" not in run.asked


def test_chosen_boundary_shows_its_example_sentences_then_offers_contact(engine):
    run = drive(engine, context(), energie="1", grens="tijd", contact_vraag="ja")
    assert run.asked[2:4] == ["grens", "contact_vraag"]
    assert any("Ik blijf tot drie uur. Dan ga ik weer naar huis." in t for t in run.texts)
    assert "support_request" in run.kinds
    assert engine.content.render("reflectie.contact_doorgegeven", "nl", contact="Pim") in run.texts


def test_skipped_boundary_shows_no_sentences_and_offers_nothing(engine):
    run = drive(engine, context(), energie="1", grens="_skip")
    assert run.effect("journal").params["answers"]["grens"] is None
    assert not any("Nee zeggen mag" in t for t in run.texts)
    assert "contact_vraag" not in run.asked
    assert run.asked[3] == "vorige_stap"


def test_no_contact_question_without_a_contact_person(engine):
    run = drive(engine, context(has_professional=False), energie="1")
    assert "grens" in run.asked and "contact_vraag" not in run.asked
    assert "support_request" not in run.kinds


# ---- last time's step ----------------------------------------------------------------


def test_open_step_is_followed_up_when_there_is_one(engine):
    run = drive(engine, context(), vorige_stap="deels")
    assert "vorige_stap" in run.asked
    assert any("<i>Samen een foto bekijken</i>" in t for t in run.texts)
    update = run.effect("step_update").params
    assert update["answers"]["vorige_stap"] == "deels"
    assert update["data"]["open_step"] == 7


def test_no_follow_up_without_an_open_step(engine):
    run = drive(engine, context(open_step=None))
    assert "vorige_stap" not in run.asked
    assert "step_update" not in run.kinds
    assert run.asked[run.asked.index("vraag_1") + 1] == "nieuwe_stap"


# ---- questions, residents, worries ------------------------------------------------------


def test_contact_review_comes_when_it_is_due_for_this_resident(engine):
    run = drive(
        engine,
        context(terugblik={"1": "drie_maanden"}),
        terugblik_1=FIRST,
        terugblik_2="_skip",
        terugblik_3=":Het gaat goed zo",
    )
    assert run.asked[1:5] == ["energie", "terugblik_1", "terugblik_2", "terugblik_3"]
    review = run.effect("relationship_review").params["answers"]
    assert review["terugblik_vraag_2"] is None
    assert review["terugblik_vraag_3"] == "Het gaat goed zo"


def test_no_contact_review_for_another_resident(engine):
    run = drive(engine, context(terugblik={"2": "drie_maanden"}))
    assert "terugblik_1" not in run.asked
    assert "relationship_review" not in run.kinds


@pytest.mark.parametrize("count", range(4))
def test_one_appreciative_question_each_time(engine, count):
    run = drive(engine, context(reflection_count=count))
    assert run.asked.count("vraag_1") == 1 and "vraag_2" not in run.asked


def test_question_can_be_answered_in_own_words(engine):
    run = drive(engine, context(), vraag_1=":We hebben samen gezongen")
    answers = run.effect("journal").params["answers"]
    assert answers["antwoord_1"] == "We hebben samen gezongen"
    assert run.texts[-1].startswith("Dank je, Vera.")


def test_several_residents_are_asked_for_first(engine):
    residents = [{"id": 1, "alias": ALIAS}, {"id": 2, "alias": "meneer B"}]
    run = drive(engine, context(residents=residents), kies_bewoner="2")
    assert run.asked[:2] == ["kies_bewoner", "bezoek"]
    answers = run.effect("journal").params["answers"]
    assert (answers["resident"], answers["alias"]) == ("2", "meneer B")
    assert any("Zagen jij en meneer B elkaar?" in t for t in run.texts)


def test_chosen_resident_is_escaped_in_the_echo(engine):
    residents = [{"id": 1, "alias": ALIAS}, {"id": 2, "alias": "B & <C>"}]
    run = drive(engine, context(residents=residents), kies_bewoner="2")
    echo = run.results[1].replies[0]
    assert echo.edit is True
    assert echo.text.endswith("» <i>B &amp; &lt;C&gt;</i>")


def test_without_residents_the_alias_is_asked_and_saved(engine):
    run = drive(engine, context(residents=None), nieuwe_bewoner=":Tante <R>")
    assert run.asked[:2] == ["nieuwe_bewoner", "bezoek"]
    assert run.effect("resident_add").params["answers"]["alias"] == "Tante <R>"
    assert any("Zagen jij en Tante &lt;R&gt; elkaar?" in t for t in run.texts)


def test_someone_else_leads_to_the_alias_question(engine):
    residents = [{"id": 1, "alias": ALIAS}, {"id": 2, "alias": "meneer B"}]
    run = drive(engine, context(residents=residents), kies_bewoner="nieuw", nieuwe_bewoner=":B")
    assert run.asked[:3] == ["kies_bewoner", "nieuwe_bewoner", "bezoek"]
    assert run.effect("resident_add").params["answers"]["alias"] == "B"


def test_niets_bijzonders_ends_the_worry_question_without_a_signal(engine):
    run = drive(engine, context(), zorgen=["woning", "niets"])
    assert run.effect("journal").params["answers"]["zorgen"] == ["niets"]
    assert "signal" not in run.kinds


def test_a_worry_is_noted_and_handed_on_with_its_boxes_not_signalled_twice(engine):
    """The signal flow makes the one signal; the reflection hands it the boxes ticked."""
    run = drive(engine, context(), zorgen=["geld_post", "woning", "_klaar"])
    assert run.effect("start_flow").params["answers"]["zorgen"] == ["woning", "geld_post"]
    assert "signal" not in run.kinds and "signal_urgent" not in run.kinds
    assert engine.content.render("reflectie.zorg_genoteerd", "nl") in run.texts


def test_a_worry_is_handed_to_the_signal_flow_after_the_journal(engine):
    run = drive(engine, context(), zorgen=["woning", "_klaar"])
    assert run.kinds[-2:] == ["journal", "start_flow"]
    assert run.effects[-1].params["target"] == "zorg"


def test_stop_halfway_keeps_the_answers_as_an_incomplete_entry(engine):
    ctx = context()
    conv = engine.start("reflectie", ctx).conversation
    conv = engine.step(conv, Input("button", data=f"f.{conv.instance}.1.ja"), ctx).conversation
    result = engine.step(conv, Input("command", text="/stop"), ctx)
    assert result.conversation is None
    journal = result.effects[0]
    assert (journal.kind, journal.params["entry_kind"], journal.params["complete"]) == (
        "journal",
        "reflectie",
        False,
    )
    assert journal.params["answers"] == {"bezoek": "ja"}


# ---- question rotation ----------------------------------------------------------------

BANK = Content().catalogue("questions", "nl")["questions"]
IDS = [q["id"] for q in BANK]
THEME = {q["id"]: q.get("theme") for q in BANK}


@settings(max_examples=300, deadline=None)
@given(
    recent=st.lists(st.sampled_from(IDS), max_size=15),
    how_many=st.integers(1, 2),
    seed=st.integers(0, 2**32),
)
def test_pick_questions_never_repeats_one_of_the_last_three(recent, how_many, seed):
    chosen = pick_questions(BANK, recent, how_many, random.Random(seed))
    assert len(chosen) == how_many
    assert not set(chosen) & set(recent[-RECENT_WINDOW:])
    assert set(chosen) <= set(IDS)
    assert len({THEME[q] for q in chosen}) == len(chosen)  # one question per theme


def test_pick_questions_prefers_questions_never_asked():
    recent = IDS[:-1]
    assert pick_questions(BANK, recent, 1, random.Random(1)) == [IDS[-1]]


def test_pick_questions_skips_exactly_the_last_three():
    recent = IDS[:]  # everything asked; the last three are blocked
    seen = {q for seed in range(200) for q in pick_questions(BANK, recent, 1, random.Random(seed))}
    assert seen == set(IDS[:-3])


def test_pick_questions_returns_two_when_the_never_asked_share_a_theme():
    """Two questions are wanted; the bank has plenty of themes left to choose from."""
    pair = [q for q in IDS if THEME[q] == "haakje"]
    assert len(pair) == 2
    recent = [q for q in IDS if q not in pair]
    chosen = pick_questions(BANK, recent, 2, random.Random(0))
    assert len(chosen) == 2, f"only {chosen} although other themes were available"
