"""The readable half of /export: what Omzien stores about one person, per area, as one
HTML page in their language that opens on a phone (no scripts, no external files).

The page layout is content/export/page.html (Jinja2, autoescaped); every word on it is a
template in content/<locale>/export.yaml. The data is exactly `storage.privacy.export`
(the JSON half) plus the names of the people the person's own rows point at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot.signals.texts import category_labels
from content.render import CONTENT_ROOT, Content
from storage.times import iso, parse

_PAGE = Environment(
    loader=FileSystemLoader(CONTENT_ROOT / "export"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Reader:
    """Renders labels and values for one person: their locale and the organisation's zone."""

    content: Content
    locale: str
    timezone: str

    def t(self, key: str, **variables) -> Markup:
        # Content renders Telegram HTML, already escaped: the page must not escape it again.
        return self.content.render(f"export.{key}", self.locale, **variables)

    def known(self, key: str) -> bool:
        return self.content.has(f"export.{key}", self.locale) or self.content.has(
            f"export.{key}", "nl"
        )

    def label_or(self, key: str, fallback: str) -> str:
        return self.t(key) if self.known(key) else fallback

    def when(self, stamp: str | None) -> str:
        if not stamp:
            return "–"
        return parse(stamp).astimezone(ZoneInfo(self.timezone)).strftime("%d-%m-%Y %H:%M")

    def day(self, stamp: str) -> str:
        return parse(stamp).astimezone(ZoneInfo(self.timezone)).strftime("%d-%m-%Y")

    def yes_no(self, value) -> str:
        return self.t("ja") if value else self.t("nee")


def readable_page(
    reader: Reader, data: dict[str, list[dict]], people: dict[int, dict], now: datetime
) -> str:
    me = data["users"][0]
    residents = {r["id"]: r["alias"] for r in data["residents"]}
    page = _PAGE.get_template("page.html")
    return page.render(
        t=reader.t,
        lang=reader.locale,
        role=me["role"],
        made=reader.when(iso(now)),
        details=_details(reader, me, data),
        residents=_residents(reader, data["residents"]),
        journal=_journal(reader, data, residents),
        steps=_steps(reader, data["steps"], residents),
        worries=_worries(reader, me["id"], data, residents, people),
        links=_links(reader, me, data["links"], people),
        settings=_settings(reader, me),
        invites=_invites(reader, me["id"], data["invites"]),
        broadcasts=[(reader.when(b["created_at"]), b["total"]) for b in data["broadcasts"]],
        waiting=len(
            [
                o
                for o in data["outbox"]
                if o["status"] == "pending" and o["recipient_id"] == me["id"]
            ]
        ),
        conversation=bool(data["dialogue_state"]),
    )


def _details(r: Reader, me: dict, data: dict) -> list[tuple[str, str]]:
    return [
        (r.t("naam"), me["display_name"]),
        (r.t("rol"), r.t(f"rol_{me['role']}")),
        (r.t("telegram_id"), str(me["id"])),
        (r.t("toestemming"), r.when(me["consent_at"])),
        (r.t("status"), r.label_or(f"status_{me['status']}", me["status"])),
        (r.t("bereikbaar"), r.yes_no(me["reachable"])),
    ]


def _residents(r: Reader, rows: list[dict]) -> list[tuple[str, str, str]]:
    return [
        (row["alias"], r.day(row["created_at"]), r.day(row["ended_at"]) if row["ended_at"] else "")
        for row in rows
    ]


def _journal(r: Reader, data: dict, residents: dict[int, str]) -> list[dict]:
    answers: dict[int, list[dict]] = {}
    for row in data["journal_answers"]:
        answers.setdefault(row["entry_id"], []).append(row)
    entries = sorted(data["journal_entries"], key=lambda e: (e["created_at"], e["id"]))
    return [
        {
            "when": r.when(e["created_at"]),
            "kind": r.label_or(f"soort_{e['kind']}", e["kind"]),
            "alias": residents.get(e["resident_id"], ""),
            "complete": bool(e["complete"]),
            "answers": _answers(r, answers.get(e["id"], [])),
            "body": e["body"],
        }
        for e in entries
    ]


def _answers(r: Reader, rows: list[dict]) -> list[tuple[str, str]]:
    """(question, answer) pairs; a chosen button is shown by the label the person saw."""
    values = {row["question"]: json.loads(row["value"]) if row["value"] else None for row in rows}
    shown = []
    for key, value in values.items():
        if key.endswith("_label") or value in (None, "", []):
            continue
        label = values.get(f"{key}_label")
        shown.append(
            (
                r.label_or(f"vraag_{key}", r.t("vraag_anders")),
                _value(r, key, label if label else value),
            )
        )
    return shown


def _value(r: Reader, key: str, value) -> str:
    if isinstance(value, bool):
        return r.yes_no(value)
    if key == "zorgen" and isinstance(value, list):
        return category_labels([str(v) for v in value], r.locale)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _steps(r: Reader, rows: list[dict], residents: dict[int, str]) -> list[tuple[str, ...]]:
    return [
        (
            r.day(s["created_at"]),
            residents.get(s["resident_id"], ""),
            s["text"],
            r.label_or(f"stap_{s['status']}", s["status"]),
            r.day(s["updated_at"]),
        )
        for s in rows
    ]


def _worries(
    r: Reader, my_id: int, data: dict, residents: dict[int, str], people: dict[int, dict]
) -> list[dict]:
    events: dict[int, list[dict]] = {}
    for row in data["signal_events"]:
        events.setdefault(row["signal_id"], []).append(row)
    return [
        {
            "when": r.when(s["created_at"]),
            "mine": s["volunteer_id"] == my_id,
            "volunteer": _name(r, s["volunteer_id"], my_id, people),
            "alias": residents.get(s["resident_id"], ""),
            "kind": r.label_or(f"zorg_soort_{s['kind']}", s["kind"]),
            "categories": category_labels(json.loads(s["categories"] or "[]"), r.locale),
            "note": s["note"],
            "shared": r.yes_no(s["share_note"]),
            "status": r.label_or(f"zorg_status_{s['status']}", s["status"]),
            "contact": _name(r, s["professional_id"], my_id, people)
            if s["professional_id"]
            else r.t("niemand"),
            "word_back": s["word_back"],
            "events": [
                (
                    r.when(e["at"]),
                    r.label_or(f"gebeurtenis_{e['type']}", e["type"]),
                    _name(r, e["actor_id"], my_id, people),
                )
                for e in events.get(s["id"], [])
            ],
        }
        for s in sorted(data["signals"], key=lambda s: (s["created_at"], s["id"]))
    ]


def _name(r: Reader, user_id: int | None, my_id: int, people: dict[int, dict]) -> str:
    if user_id is None:
        return r.t("omzien_zelf")
    if user_id == my_id:
        return r.t("jij")
    person = people.get(user_id)
    if person is None:
        return r.t("iemand_anders")
    return f"{person['name']} ({r.t('rol_' + person['role'])})"


def _links(r: Reader, me: dict, rows: list[dict], people: dict[int, dict]) -> list[tuple[str, str]]:
    other = "professional_id" if me["role"] == "volunteer" else "volunteer_id"
    return [(_name(r, row[other], me["id"], people), r.day(row["linked_at"])) for row in rows]


def _settings(r: Reader, me: dict) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [
        (
            r.t("taal"),
            r.t(f"taal_{me['language']}") if r.known(f"taal_{me['language']}") else me["language"],
        )
    ]
    if me["role"] == "volunteer":
        day = r.t(f"dag_{me['rhythm_day']}") if me["rhythm_day"] is not None else r.t("wisselend")
        rows += [
            (r.t("ritme"), f"{day} {me['rhythm_part'] or ''}".strip()),
            (r.t("herinneringen"), r.yes_no(me["reminders"])),
            (r.t("deel_energie"), r.yes_no(me["share_energy"])),
            (r.t("deel_overzicht"), r.yes_no(me["share_digest"])),
            (r.t("gepauzeerd"), r.when(me["paused_at"]) if me["paused_at"] else r.t("nee")),
        ]
    if me["role"] == "professional":
        rows.append((r.t("wil_overzicht"), r.yes_no(me["wants_digest"])))
    return rows


def _invites(r: Reader, my_id: int, rows: list[dict]) -> list[tuple[str, str, str]]:
    """Invites this person made (a coordinator) and the one they joined with."""
    return [
        (
            r.when(i["created_at"]),
            r.t(f"rol_{i['role']}"),
            r.t("uitnodiging_van_mij")
            if i["used_by"] == my_id
            else (r.when(i["used_at"]) if i["used_at"] else r.t("niet_gebruikt")),
        )
        for i in rows
    ]
