"""Issue 15: families of meaning, language as written, context and who is at risk.

Every example phrase in the issue text is here with the family and person it must yield.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dialogues import detector
from dialogues.detector import CRISIS_FAMILIES, Detection, detect
from dialogues.detector.text import Spelling, edit_distance, looks_dutch

# (text, family that must be found, who is at risk)
ISSUE_EXAMPLES: list[tuple[str, str, str]] = [
    ("hij zegt dat hij klaar is met leven", "doodswens_passief", "resident"),
    ("ze heeft haar sieraden al verdeeld onder de kleinkinderen", "afscheid", "resident"),
    ("hij heeft een voorraad medicijnen verzameld", "plan_middelen", "resident"),
    ("hij verwondt zichzelf expres", "zelfbeschadiging", "resident"),
    ("ze is gevallen en ligt al uren op de vloer", "medisch_acuut", "resident"),
    ("ze is uitgedroogd en weet niet meer welke dag het is", "verwaarlozing_acuut", "resident"),
    ("haar schoonzoon beheert haar geld en laat haar niemand zien", "opsluiting_geld", "resident"),
    ("zijn dochter vertelde dat hij wil stoppen met leven", "doodswens_actief", "resident"),
    ("she says she has no reason to go on", "doodswens_passief", "resident"),
    ("de thuiszorg vertelde dat ze steeds over doodgaan praat", "doodswens_passief", "resident"),
    (
        "ik trek het zelf ook niet meer, ik zie het niet meer zitten",
        "vrijwilliger_zelf",
        "volunteer",
    ),
]

# More phrasings per family, written like the notes volunteers send (no punctuation, typos).
FAMILY_CASES: list[tuple[str, str, str]] = [
    # Families of meaning widened for unseen phrasings (issue 15, generalising): one each.
    # Widened after the fresh2 report (its misses read once it was spent): one per gap.
    ("hij bidt elke avond dat hij niet meer ontwaakt", "doodswens_passief", "resident"),
    ("ze zei dat ze zichzelf wel iets wil aandoen", "doodswens_actief", "resident"),
    (
        "de buurvrouw zegt dat hij al drie dagen niet opendoet, de tv staat hard aan",
        "medisch_acuut",
        "resident",
    ),
    (
        "hij heeft zijn jachtgeweer uit de schuur gehaald en schoongemaakt",
        "plan_middelen",
        "resident",
    ),
    ("ze legde expres haar hand op de kookplaat", "zelfbeschadiging", "resident"),
    ("hij heeft haar aan haar haren over de vloer gesleept", "geweld", "resident"),
    ("she has been eating the cat food, the cupboards are bare", "verwaarlozing_acuut", "resident"),
    (
        "he punched the wall till his knuckles bled, says he deserved it",
        "zelfbeschadiging",
        "resident",
    ),
    ("honestly i'm in a dark place myself lately", "vrijwilliger_zelf", "volunteer"),
    ("ze heeft met een scheermesje in haar arm gestoken", "zelfbeschadiging", "resident"),
    ("he stabbed his leg with the scissors again", "zelfbeschadiging", "resident"),
    (
        "she rolled up her sleeve to show me where she had been cutting",
        "zelfbeschadiging",
        "resident",
    ),
    ("ze zegt dat ze 'er tussenuit' wil stappen, voorgoed", "doodswens_actief", "resident"),
    (
        "een jaar geleden is haar man overleden, nu wil ze niet meer leven",
        "doodswens_passief",
        "resident",
    ),
    (
        "ik heb de huisartsenpost gebeld en daarna kwam de ambulance voor haar",
        "medisch_acuut",
        "resident",
    ),
    ("kzit in de auto en kwil ni meer leven", "vrijwilliger_zelf", "volunteer"),
    ("hij heeft op internet opgezocht hoeveel pillen dodelijk zijn", "plan_middelen", "resident"),
    ("she has been googling how much insulin is lethal", "plan_middelen", "resident"),
    ("he is talking about overdosing again", "doodswens_actief", "resident"),
    ("the grandson keeps her phone and answers for her", "opsluiting_geld", "resident"),
    ("ze zei dat ze er vanavond een eind aan maakt", "doodswens_actief", "resident"),
    ("he said he's gonna top himself this weekend", "doodswens_actief", "resident"),
    ("she says dying would be a relief for everyone", "doodswens_passief", "resident"),
    ("als ik dood was zou dat een opluchting zijn, zegt hij", "doodswens_passief", "resident"),
    (
        "she won't be needing a christmas tree this year she says, she won't see another",
        "doodswens_passief",
        "resident",
    ),
    ("ze is elke ochtend teleurgesteld dat ze nog leeft", "doodswens_passief", "resident"),
    ("hij mag van zijn kleinzoon niet meer naar buiten", "opsluiting_geld", "resident"),
    (
        "her son-in-law decides who comes in, she isn't allowed to see her friends",
        "opsluiting_geld",
        "resident",
    ),
    (
        "de zoon van meneer stond vanavond voor mijn huis en bleef aanbellen",
        "bedreiging",
        "volunteer",
    ),
    ("her grandson followed me to my car and kicked the door", "bedreiging", "volunteer"),
    ("meneer zat aan me toen ik hem hielp met zijn jas", "geweld", "volunteer"),
    ("he groped her when the carer left", "geweld", "resident"),
    ("ze heeft al haar pillen naast elkaar uitgestald op tafel", "plan_middelen", "resident"),
    ("he's got the tablets lined up in a row on the bedside table", "plan_middelen", "resident"),
    (
        "brandplekjes op haar handen, kleine rondjes, allemaal even groot",
        "zelfbeschadiging",
        "resident",
    ),
    (
        "plasters on every finger and dried blood on her sleeve, says she's clumsy",
        "zelfbeschadiging",
        "resident",
    ),
    ("zegt dat hij die buurman iets aandoet als hij nog eens komt", "bedreiging", "other"),
    ("he says the warden has it coming", "bedreiging", "resident"),
    ("weer een blauwe plek, weer gevallen zegt ze, de derde keer al", "geweld", "resident"),
    (
        "the nurse stopped coming two weeks ago and the catheter bag is overflowing",
        "verwaarlozing_acuut",
        "resident",
    ),
    ("her toes have gone black and she's feverish", "medisch_acuut", "resident"),
    (
        "he recorded a video message for each of the grandkids and put them on a usb stick",
        "afscheid",
        "resident",
    ),
    (
        "i'm tired of it all, some nights i think it would be easier if i was dead",
        "vrijwilliger_zelf",
        "volunteer",
    ),
    ("ik merk dat het vrijwilligerswerk me begint op te breken", "anders", "volunteer"),
    ("honestly these visits are wearing me down", "anders", "volunteer"),
    ("he said nothing makes him happy anymore", "gezondheid_psychisch", "resident"),
    ("ze zei dat alles goed gaat maar haar ogen zeiden wat anders", "onderbuik", "resident"),
    ("ze wilt ni meer leven", "doodswens_passief", "resident"),
    ("ze zegt da ze dood wilt", "doodswens_actief", "resident"),
    ("der zoon slaat der", "geweld", "resident"),
    ("ze had het over zelfmorod", "doodswens_actief", "resident"),
    ("she said she wants to kms", "doodswens_actief", "resident"),
    ("he wants to unalive himself", "doodswens_actief", "resident"),
    ("she gave away her jewellery to the grandkids", "afscheid", "resident"),
    ("he has a stash of pills in the drawer", "plan_middelen", "resident"),
    ("she burns herself on purpose", "zelfbeschadiging", "resident"),
    ("she has been on the floor for hours", "medisch_acuut", "resident"),
    ("he hasnt eaten for days and is confused", "verwaarlozing_acuut", "resident"),
    ("her son takes all her money and wont let her see anyone", "opsluiting_geld", "resident"),
    ("i cant do this anymore i dont see the point", "vrijwilliger_zelf", "volunteer"),
    ("ze zei: ik zie het niet meer zitten", "vrijwilliger_zelf", "resident"),
    ("hij kwam met een mes op me af", "bedreiging", "volunteer"),
    ("ik denk dat hij de kinderen slaat", "schade_anderen", "other"),
    ("haar man wil niet meer leven", "doodswens_passief", "other"),
    ("ik wil zelf ook niet meer leven", "doodswens_passief", "volunteer"),
    ("ze zegt het hoeft voor mij niet meer", "doodswens_passief", "resident"),
    ("hij neemt afscheid van iedereen alsof hij weggaat", "afscheid", "resident"),
    ("ze heeft al haar pillen gespaard", "plan_middelen", "resident"),
    ("ze reageert niet meer.", "medisch_acuut", "resident"),
    ("hij heeft al dagen niks gegeten of gedronken", "verwaarlozing_acuut", "resident"),
    ("hij sluit haar op in de slaapkamer", "opsluiting_geld", "resident"),
    ("het is mooi geweest zegt ze", "doodswens_passief", "resident"),
    ("je hoeft volgende week niet te komen zei hij", "doodswens_passief", "resident"),
    ("de melk van gisteren staat nog op de stoep", "medisch_acuut", "resident"),
    ("he shook her hard", "geweld", "resident"),
    ("i know where you live he shouted at her", "bedreiging", "resident"),
    ("she said you dont need to come next week", "doodswens_passief", "resident"),
    ("he said he might do something stupid tonight", "doodswens_actief", "resident"),
    ("she couldnt lift her arm and her face looked odd", "medisch_acuut", "resident"),
    ("her nephew uses her bank card and she doesnt know what for", "opsluiting_geld", "resident"),
    ("he has bedsores and nobody has been", "verwaarlozing_acuut", "resident"),
    ("hij schreeuwde tegen mevrouw ik maak je af", "bedreiging", "resident"),
    ("haar kleinzoon neemt stiekem geld op van haar rekening", "opsluiting_geld", "resident"),
    ("hij knijpt haar hard in haar arm", "geweld", "resident"),
    ("ze krast in haar armen met een schaar", "zelfbeschadiging", "resident"),
    ("hij heeft doorligwonden en niemand komt", "verwaarlozing_acuut", "resident"),
]

# Issue 15, families built from concept word lists that combine (the combos in the YAML):
# written from the meaning, one per combo that the tables above do not already exercise.
COMBO_CASES: list[tuple[str, str, str]] = [
    ("she has bruises on her arms and said she walked into the door", "geweld", "resident"),
    (
        "he was wandering in the street at 3am in his pyjamas, very confused",
        "verwaarlozing_acuut",
        "resident",
    ),
    ("she hugged me and said thank you for everything, forever", "afscheid", "resident"),
    ("he said he is going to jump off the bridge", "doodswens_actief", "resident"),
    ("she is severely dehydrated and alone", "verwaarlozing_acuut", "resident"),
    (
        "no answer at her flat, the milk and the post are still on the mat",
        "medisch_acuut",
        "resident",
    ),
    ("the neighbour heard screaming and things breaking last night", "geweld", "resident"),
    ("a man she met online has had thousands of euros from her", "opsluiting_geld", "resident"),
    ("he threatened her with a knife, said he will kill her", "bedreiging", "resident"),
    (
        "her son has a hammer and keeps talking about the man upstairs, says he is waiting for him",
        "bedreiging",
        "other",
    ),
    ("ze dreigde met een mes en zei dat hij spijt krijgt", "bedreiging", "resident"),
    (
        "ze heeft geen hoop meer, hopeloos, wenst dat god haar komt halen",
        "doodswens_passief",
        "resident",
    ),
    (
        "niemand heeft hem gezien, de post en de melk staan nog bij de deur sinds dinsdag",
        "medisch_acuut",
        "resident",
    ),
    ("haar ademhaling is heel raar en haar lippen zijn blauw", "medisch_acuut", "resident"),
    ("er hangt een strop in de schuur", "plan_middelen", "resident"),
    ("hij ligt al uren op de vloer, grauw en klam en hij kreunt", "medisch_acuut", "resident"),
    ("she refuses to see the gp about her leg", "zorgmijding", "resident"),
    # the two phrases the lead asked for
    ("ik wil zelf ook niet meer", "vrijwilliger_zelf", "volunteer"),
    ("Ik maak me zorgen of ze nog wel wil", "doodswens_passief", "resident"),
]

# Look-alikes the combos must leave alone (jokes, yearly habits, accidents, worries now over).
COMBO_HARMLESS = [
    "die soep is om dood te gaan zo lekker zei hij",
    "ze wil voor haar verjaardag alles weggeven aan de kleinkinderen, doet ze ieder jaar",
    "hij heeft zich gesneden aan een mes bij het koken",
    "he hung a rope swing for the grandkids in the garden, very proud of it",
    "she said the trifle was to die for",
]

# Fiction, the news and the long past are no crisis and no new worry.
DISTANCED = [
    "we lazen in een boek over iemand die zelfmoord pleegde",
    "op het nieuws was een man die zijn vrouw sloeg",
    "haar man is twintig jaar terug rustig overleden",
    "we watched a film about a man who killed himself",
    "her husband died peacefully thirty years ago",
    "ze vertelde over de oorlog, in de oorlog werd haar vader geslagen",
    "we watched a film where someone was pushed",
    "meneer zei ik maak je af met dammen en dat deed ie ook",
    "she shook his hand",
]


def _check(text: str, family: str, at_risk: str) -> None:
    found = detect(text)
    assert found.level == ("crisis" if family in CRISIS_FAMILIES else "concern"), (text, found)
    assert family in found.families, (text, found)
    assert found.at_risk == at_risk, (text, found)


@pytest.mark.parametrize(("text", "family", "at_risk"), ISSUE_EXAMPLES, ids=lambda v: str(v)[:40])
def test_every_issue_example(text: str, family: str, at_risk: str) -> None:
    _check(text, family, at_risk)


@pytest.mark.parametrize(("text", "family", "at_risk"), FAMILY_CASES, ids=lambda v: str(v)[:40])
def test_family_phrasings(text: str, family: str, at_risk: str) -> None:
    _check(text, family, at_risk)


@pytest.mark.parametrize(("text", "family", "at_risk"), COMBO_CASES, ids=lambda v: str(v)[:40])
def test_combo_families(text: str, family: str, at_risk: str) -> None:
    _check(text, family, at_risk)


@pytest.mark.parametrize("text", COMBO_HARMLESS)
def test_combo_lookalikes_raise_no_crisis(text: str) -> None:
    assert detect(text).level != "crisis"


@pytest.mark.parametrize("text", DISTANCED)
def test_fiction_news_and_long_past_do_not_count(text: str) -> None:
    assert detect(text) == Detection()


def test_the_present_undoes_the_long_past() -> None:
    found = detect("twintig jaar geleden deed ze een poging en nu wil ze weer dood")
    assert found.is_crisis


def test_reported_speech_is_still_crisis() -> None:
    found = detect("de buurvrouw zei dat hij zichzelf iets wil aandoen")
    assert found.is_crisis and found.at_risk == "resident"


@pytest.mark.parametrize(
    "text",
    [t for t, _, _ in ISSUE_EXAMPLES + FAMILY_CASES + COMBO_CASES] + DISTANCED,
    ids=lambda v: v[:40],
)
def test_signal_words_change_nothing(text: str) -> None:
    """The signal words in the YAML are only a speed-up: running every rule gives the same."""
    assert detect(text) == detector._DETECTOR.detect(text, precheck=False)


def test_every_crisis_family_has_a_rule() -> None:
    assert {rule.family for rule in detector._ENGINE.rules} >= set(CRISIS_FAMILIES)


# --- spelling ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("zelfmoord", "zelfmoord", 0),
        ("zelfmord", "zelfmoord", 1),
        ("zelfmorod", "zelfmoord", 1),
        ("verkocht", "verkracht", 2),
        ("", "abc", 2),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, 1) == min(distance, 2)


def test_typos_are_corrected_only_towards_crisis_words_and_only_slightly() -> None:
    spelling = Spelling({"ni": "niet"}, ["zelfmoord", "mishandeld"])
    assert spelling.apply("ze wil ni zelfmood") == "ze wil niet zelfmoord"
    assert spelling.apply("zelfmordgedachten") == "zelfmoordgedachten"
    assert spelling.apply("zelfstandig") == "zelfstandig"  # far from any crisis word
    assert spelling.apply("nietje") == "nietje"  # variants replace whole words only


def test_signal_words_change_nothing_on_the_development_corpus() -> None:
    """Every dev note gives the same result with and without the signal-word pre-check."""
    path = Path(__file__).resolve().parents[2] / "bench" / "corpus" / "detector_dev.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(items) > 300
    different = [
        i["text"]
        for i in items
        if detect(i["text"]) != detector._DETECTOR.detect(i["text"], precheck=False)
    ]
    assert different == []


def test_the_dutch_u_is_not_text_speak_for_you() -> None:
    spelling = Spelling({"u": "you"}, [])
    assert spelling.apply("we weten waar u woont, zei ze") == "we weten waar u woont, zei ze"
    assert spelling.apply("he said he will find u") == "he said he will find you"
    assert looks_dutch("de thuiszorg zei dat meneer u ziek is")
    assert not looks_dutch("the wijkteam came by, she said thank u")


def test_a_threat_with_the_polite_u_is_a_threat() -> None:
    found = detector.detect("er zat een briefje in de bus: we weten waar u woont")
    assert (found.level, found.families[:1], found.at_risk) == (
        "crisis",
        ("bedreiging",),
        "resident",
    )


def test_typo_correction_does_not_depend_on_word_order() -> None:
    """The crisis words used to be tried in set order, which changes with PYTHONHASHSEED."""
    for words in (["suicide", "suicidaal"], ["suicidaal", "suicide"]):
        assert Spelling({}, words).apply("ze is suicideaal") == "ze is suicidaal"
