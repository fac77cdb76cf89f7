"""`omzien content check` (dialogues.check.check_all): silent on the shipped content, and
precise about each kind of mistake an author can make. Every case below breaks one thing
in a copy of dialogues/flows and content/ under tmp_path.

    .venv/bin/python -m pytest tests/content/test_check.py -q
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import dialogues.check
from content.render import CONTENT_ROOT
from dialogues.check import check_all
from dialogues.flow import FLOWS_DIR


class Copy:
    """A writable copy of the flows and the content, checked like the real ones."""

    def __init__(self, root: Path) -> None:
        self.flows = root / "flows"
        self.content = root / "content"
        shutil.copytree(FLOWS_DIR, self.flows)
        shutil.copytree(
            CONTENT_ROOT, self.content, ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.md")
        )

    def check(self) -> list[str]:
        return check_all(flows_dir=self.flows, content_root=self.content)

    def add_template(self, locale: str, area: str, key: str, text: str) -> None:
        path = self.content / locale / f"{area}.yaml"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{key}: {json.dumps(text)}\n")  # a JSON string is YAML too

    def edit_yaml(self, path: Path, change) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(raw)
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def edit_flow(self, change, flow_id: str = "reflectie") -> None:
        self.edit_yaml(self.flows / f"{flow_id}.yaml", change)


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Copy:
    made = Copy(tmp_path)
    monkeypatch.setattr(dialogues.check, "SAMPLE_PATH", made.content / "sample.yaml")
    return made


def test_shipped_content_has_no_problems():
    assert check_all() == []


def test_an_untouched_copy_has_no_problems(copy):
    assert copy.check() == []


# ---- templates ------------------------------------------------------------------------

BROKEN_TEMPLATES = {  # key -> (text, what the check must say about it)
    "open_if": ("{% if voornaam %}Hoi", "algemeen.open_if: does not render"),
    "onbekend": (
        "Hoi {{ achternaam }}",
        "algemeen.onbekend: does not render: 'achternaam' is undefined",
    ),
    "open_b": (
        "<b>Hoi",
        "algemeen.open_b: not valid Telegram HTML: can't parse entities: "
        'Can\'t find end tag corresponding to start tag "b"',
    ),
    "div": (
        "<div>Hoi</div>",
        'algemeen.div: not valid Telegram HTML: can\'t parse entities: Unsupported start tag "div"',
    ),
    "ampersand": ("Koffie & thee", "algemeen.ampersand: not valid Telegram HTML"),
    "leeg": ("{% if false %}x{% endif %}", "algemeen.leeg: renders empty"),
    "lang": ("x" * 4097, "algemeen.lang: longer than 4096 characters"),
    "regel": (
        "Hoi{% if voornaam %} {{ voornaam }}{% endif %}\nTot zo",
        "algemeen.regel: line 1 ends in a block tag after text",
    ),
}


@pytest.fixture(scope="module")
def broken_template_problems(tmp_path_factory) -> list[str]:
    """One check of a copy with every broken template of BROKEN_TEMPLATES (a check is slow)."""
    made = Copy(tmp_path_factory.mktemp("broken"))
    for key, (text, _) in BROKEN_TEMPLATES.items():
        for locale in ("nl", "en"):
            made.add_template(locale, "algemeen", key, text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dialogues.check, "SAMPLE_PATH", made.content / "sample.yaml")
        return made.check()


@pytest.mark.parametrize("key", sorted(BROKEN_TEMPLATES))
def test_broken_template_is_named(broken_template_problems, key):
    finding = BROKEN_TEMPLATES[key][1]
    for locale in ("nl", "en"):
        assert any(
            p.startswith(f"content/{locale}: ") and finding in p for p in broken_template_problems
        ), (locale, finding)


def test_broken_templates_are_the_only_problems(broken_template_problems):
    assert len(broken_template_problems) == 2 * len(BROKEN_TEMPLATES)


def test_missing_english_template_is_named(copy):
    copy.edit_yaml(copy.content / "en" / "reflectie.yaml", lambda raw: raw.pop("regie"))
    assert copy.check() == ["content/en: template 'reflectie.regie' is missing (it exists in nl)"]


def test_template_only_in_english_is_named_too(copy):
    copy.add_template("en", "algemeen", "extra", "Only here")
    assert copy.check() == ["content/nl: template 'algemeen.extra' is missing (it exists in en)"]


def test_unreadable_template_file_is_reported(copy):
    (copy.content / "nl" / "algemeen.yaml").write_text("kapot: [\n", encoding="utf-8")
    problems = copy.check()
    assert len(problems) == 1 and "algemeen.yaml: not valid YAML" in problems[0]


# ---- buttons --------------------------------------------------------------------------


def test_over_long_button_label_is_named(copy):
    long_label = "Ja, dat wil ik heel graag doen vandaag"
    copy.edit_yaml(copy.content / "nl" / "knoppen.yaml", lambda raw: raw.update(ja=long_label))
    assert copy.check() == ["content/nl: knoppen.ja: button label longer than 32"]


def test_over_long_catalogue_label_is_named(copy):
    def lengthen(raw):
        raw["steps"][0]["label"] = "Een heel lang stapje dat niet op een knop past"

    copy.edit_yaml(copy.content / "nl" / "catalogues" / "steps.yaml", lengthen)
    problems = copy.check()
    assert len(problems) == 1
    assert problems[0].endswith("steps.yaml: vraag_wens: label longer than 32")


def test_over_long_callback_value_is_named(copy):
    long_id = "kort_" + "x" * 60

    def change(raw):
        options = raw["states"]["bezoek"]["input"]["options"]
        options[1]["id"] = long_id

    copy.edit_flow(change)
    problems = copy.check()
    assert problems, "an option id of 65 characters cannot fit in callback_data"
    assert all(p.startswith("reflectie.bezoek [") for p in problems), problems
    assert {p.split("]")[0] for p in problems} == {"reflectie.bezoek [nl", "reflectie.bezoek [en"}
    assert all(f"callback_data 'f.abcd.999.{long_id}' is not 1-64 bytes" in p for p in problems)


# ---- flow graphs --------------------------------------------------------------------


def test_unreachable_state_is_named(copy):
    copy.edit_flow(
        lambda raw: raw["states"].update(
            vergeten={"say": "reflectie.regie", "next": [{"to": "afsluiting"}]}
        )
    )
    assert copy.check() == ["reflectie: state 'vergeten' cannot be reached from 'begin'"]


def test_state_that_can_never_end_is_named(copy):
    def add_loop(raw):
        states = raw["states"]
        states["afgezegd_gevoel"]["next"].insert(
            0, {"if": {"afgezegd_gevoel": "zorgen"}, "to": "rondje"}
        )
        states["rondje"] = {
            "say": "reflectie.regie",
            "input": {"kind": "confirm", "store": "x"},
            "next": [{"to": "rondje_terug"}],
        }
        states["rondje_terug"] = {
            "say": "reflectie.regie",
            "input": {"kind": "confirm", "store": "y"},
            "next": [{"to": "rondje"}],
        }

    copy.edit_flow(add_loop)
    assert copy.check() == [
        "reflectie: state 'rondje' can never reach an end",
        "reflectie: state 'rondje_terug' can never reach an end",
    ]


def test_malformed_flow_is_reported_with_its_file(copy):
    copy.edit_flow(lambda raw: raw["states"]["bezoek"]["next"].__setitem__(-1, {"to": "nergens"}))
    problems = copy.check()
    assert problems == [
        "reflectie.yaml: reflectie.yaml: state 'bezoek' goes to 'nergens', which does not exist"
    ]


def test_question_whose_text_cannot_be_shown_is_named(copy):
    copy.edit_flow(lambda raw: raw["states"]["regie"].update(say="reflectie.bestaat_niet"))
    problems = copy.check()
    assert problems and all(
        p.startswith("reflectie.regie [") and "cannot be shown" in p for p in problems
    ), problems
