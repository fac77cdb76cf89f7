"""The closing of a reflection names something real and never quotes a no, a doubt or a
complaint back as praise. Every variant of `reflectie.afsluiting` is rendered, in both
locales, with such answers everywhere a volunteer may type or tap."""

from __future__ import annotations

import itertools

import pytest

from content.render import Content

NOT_PRAISE = [
    "Nee",
    "Weet ik niet",
    "Nee, zoals altijd",
    "Ze vraagt steeds meer. Nu moet ik ook boodschappen doen en haar 's avonds bellen.",
    "No",
    "I don't know",
    "It was awful",
]
PRAISE = ["Mooi om te lezen", "Fijn om te lezen", "goed genoeg", "Lovely to read", "good enough"]


def variants():
    for energy, previous, step, boundary, said in itertools.product(
        [None, 1, 3, 5],
        [None, "gelukt", "nog_niet"],
        [None, "foto", "Ik typ zelf iets"],
        [None, "tijd", "ok"],
        NOT_PRAISE,
    ):
        answers = {
            "energie": energy,
            "vorige_stap": previous,
            "nieuwe_stap": step,
            "grens": boundary if boundary != "ok" else None,
            "grens_woord": "ok" if boundary == "ok" else None,
            "antwoord_1": said,
            "antwoord_1_label": said,
            "regie": "voor",
            "afgezegd_gevoel": said,
            "buiten_afspraak": said,
        }
        yield answers, said


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_no_closing_quotes_a_no_a_doubt_or_a_complaint(locale):
    content = Content()
    for answers, said in variants():
        text = content.render(
            "reflectie.afsluiting",
            locale,
            voornaam="Vera",
            alias="mevrouw L",
            open_step_text="Vraag naar haar tuin",
            answers=answers,
            stap_teksten={"foto": "Vraag naar een foto aan de muur."},
        )
        assert said not in text, (answers, text)
        assert not any(p.lower() in text.lower() for p in PRAISE), (answers, text)
        assert ".." not in text, text


def test_the_closing_names_what_was_said():
    content = Content()
    render = lambda **answers: content.render(  # noqa: E731
        "reflectie.afsluiting",
        "nl",
        voornaam="Vera",
        alias="mevrouw L",
        open_step_text="Vraag naar haar tuin",
        answers=answers,
        stap_teksten={"foto": "Vraag naar een foto aan de muur."},
    )
    assert "<i>Vraag naar een foto aan de muur.</i>" in render(nieuwe_stap="foto")
    assert "gelukt: <i>Vraag naar haar tuin</i>" in render(vorige_stap="gelukt")
    assert "naar jezelf keek" in render(energie=2)
    assert "eigen grens" in render(grens="tijd")
    assert "er was voor mevrouw L" in render()
