"""/export under Telegram's flood limit: both files arrive complete, in the person's language;
the readable page is valid HTML, one area per section, with no external assets; contact
persons and coordinators get what is stored about *them*, and no journal of anyone else.

    .venv/bin/python -m pytest tests/bot/test_export.py -q
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from bot.config import Settings
from sandbox.demo import PERSONAS
from sandbox.emulator.flood import FloodPolicy
from sandbox.session import Sandbox
from storage import privacy, users
from tests.bot.test_privacy_rows import WORD, make_rows_about

VERA, PIM, CORA = PERSONAS["vera"][0], PERSONAS["pim"][0], PERSONAS["cora"][0]
VOID = {"meta", "br", "hr", "img", "input", "link"}
# One token per chat, refilled once a second: the reply takes it, so each file meets a 429.
TIGHT = FloodPolicy(per_chat_rate=1.0, per_chat_burst=1)


class Checked(HTMLParser):
    """Every tag closed in order; collects what would fetch something from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.sections: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if name in attrs and not attrs[name].startswith("#"):
                self.problems.append(f"<{tag} {name}={attrs[name]}> leaves the file")
        if tag == "section":
            self.sections.append(attrs.get("id", ""))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_page(page: str) -> Checked:
    parser = Checked()
    parser.feed(page)
    parser.close()
    assert page.startswith("<!doctype html>")
    assert parser.problems == [] and parser.open == [], (parser.problems, parser.open)
    assert 'name="viewport"' in page
    return parser


def sent_files(sandbox, name: str) -> dict[str, bytes]:
    documents = [m for m in sandbox.messages(name) if m.document]
    return {
        m.document_file_name: sandbox.emulator._files[m.document["file_id"]].data
        for m in documents[-2:]
    }


def refused_uploads(sandbox) -> int:
    return sum(1 for c in sandbox.emulator.calls if c.method == "sendDocument" and c.status == 429)


@pytest.fixture
async def tight(tmp_path):
    sb = Sandbox(Settings(), tmp_path / "export.db", flood=TIGHT)
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.mark.parametrize(
    "language, heading, question",
    [
        ("nl", "Je dagboek", "Je antwoord op de eerste vraag"),
        ("en", "Your journal", "Your answer to the first question"),
    ],
)
async def test_export_under_flood_control_sends_both_files_complete(
    tight, language, heading, question
):
    now = tight.clock.now()
    await tight.rt.store.run(make_rows_about, VERA, now)
    await tight.rt.store.run(users.set_language, VERA, language)
    await tight.say("vera", "/export")

    assert refused_uploads(tight) >= 1, "the test must meet a 429 on an upload to prove anything"
    files = sent_files(tight, "vera")
    assert sorted(files) == ["omzien-export.html", "omzien-export.json"]
    expected = await tight.rt.store.run(privacy.export, VERA)
    assert json.loads(files["omzien-export.json"].decode("utf-8")) == expected

    page = files["omzien-export.html"].decode("utf-8")
    parsed = check_page(page)
    assert f'<html lang="{language}">' in page
    assert parsed.sections == [
        "gegevens",
        "bewoners",
        "dagboek",
        "stapjes",
        "zorgen",
        "instellingen",
    ]
    text = "".join(parsed.text)
    for shown in (heading, question, f"we aten {WORD}", f"samen {WORD} bakken", "Vera", "Pim"):
        assert shown in text, shown
    assert "None" not in text and "journal_answers" not in text


async def test_a_contact_persons_export_holds_no_journal_of_others(sandbox):
    now = sandbox.clock.now()
    await sandbox.rt.store.run(make_rows_about, VERA, now)
    await sandbox.say("pim", "/export")
    files = sent_files(sandbox, "pim")
    for name, data in files.items():
        assert WORD not in data.decode("utf-8"), f"vera's journal is in pim's {name}"
    exported = json.loads(files["omzien-export.json"])
    assert [u["id"] for u in exported["users"]] == [PIM]
    assert exported["journal_entries"] == [] and exported["steps"] == []
    parsed = check_page(files["omzien-export.html"].decode("utf-8"))
    assert parsed.sections == ["gegevens", "zorgen", "instellingen"]
    text = "".join(parsed.text)
    assert "Vrijwilligers die aan jou gekoppeld zijn" in text and "Vera" in text


async def test_a_coordinators_export_shows_the_invites_she_made(sandbox):
    now = sandbox.clock.now()
    await sandbox.rt.store.run(make_rows_about, VERA, now)  # cora made vera's invite
    await sandbox.say("cora", "/export")
    files = sent_files(sandbox, "cora")
    assert WORD not in files["omzien-export.html"].decode("utf-8")
    parsed = check_page(files["omzien-export.html"].decode("utf-8"))
    assert parsed.sections == ["gegevens", "zorgen", "uitnodigingen", "instellingen"]
    assert "vrijwilliger" in "".join(parsed.text)
