"""What the contact person sees of a signal: its text (alias, categories, age, the
volunteer's note) and the buttons that move it on. Rendered in the reader's language;
used by bot/signals/service.py, escalation.py, digest.py and the export.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlite_utils import Database

from content.render import default_content
from storage import signals, users
from storage.signals import Signal
from storage.times import parse

NEXT = {"open": ("op", "ct", "af"), "picked_up": ("ct", "af")}  # professional buttons per status


def render(template_id: str, locale: str, **variables) -> Markup:
    return default_content().render(template_id, locale, **variables)


# ---- what the contact person sees ---------------------------------------------------


def alias_of(db: Database, resident_id: int | None, locale: str) -> str:
    if resident_id is not None:
        row = db.execute("SELECT alias FROM residents WHERE id = ?", [resident_id]).fetchone()
        if row:
            return row[0]
    return render("signalen.onbekende_bewoner", locale)


def category_labels(categories: list[str], locale: str) -> str:
    entries = default_content().catalogue("signals", locale).get("signals", ())
    labels = {e["id"]: e["label"] for e in entries}
    return ", ".join(labels.get(c, c) for c in categories)


def local_date(moment: str, tz: str) -> str:
    return parse(moment).astimezone(ZoneInfo(tz)).strftime("%d-%m-%Y")


def age_text(since: str, now: datetime, locale: str) -> str:
    minutes = max(0, int((now - parse(since)).total_seconds() // 60))
    if minutes < 60:
        return render("signalen.leeftijd_minuten", locale, aantal=minutes)
    if minutes < 48 * 60:
        return render("signalen.leeftijd_uren", locale, aantal=minutes // 60)
    return render("signalen.leeftijd_dagen", locale, aantal=minutes // (24 * 60))


def first_name(user) -> str:
    return user.first_name if user is not None else ""


def signal_text(db: Database, sig: Signal, locale: str, tz: str) -> str:
    """The minimum: volunteer, alias, categories, level, date; the note only if shared."""
    volunteer = users.get(db, sig.volunteer_id)
    if sig.kind == "support":
        return render(
            "signalen.steun_nieuw",
            locale,
            voornaam=first_name(volunteer),
            datum=local_date(sig.created_at, tz),
        )
    knows = (
        render(f"signalen.weet_{sig.resident_knows}", locale)
        if sig.resident_knows in ("ja", "nee", "weet_niet")
        else ""
    )
    return render(
        "signalen.nieuw",
        locale,
        voornaam=first_name(volunteer),
        onbevestigd=signals.has_event(db, sig.id, "unconfirmed"),
        alias=alias_of(db, sig.resident_id, locale),
        categorieen=category_labels(sig.categories, locale),
        niveau=sig.level,
        niveau_naam=render(f"signalen.niveau_{max(1, sig.level)}", locale),
        datum=local_date(sig.created_at, tz),
        bewoner_weet=knows,
        notitie=sig.note if sig.share_note and sig.note else "",
    )


def professional_buttons(db: Database, sig: Signal, locale: str) -> list[list[dict]]:
    volunteer = users.get(db, sig.volunteer_id)
    labels = {
        "op": render("signalen.knop_oppakken", locale),
        "ct": render("signalen.knop_contact", locale, voornaam=first_name(volunteer)[:12]),
        "af": render("signalen.knop_afgerond", locale),
    }
    rows = [[{"label": labels[a], "data": f"s.{sig.id}.{a}"}] for a in NEXT.get(sig.status, ())]
    if rows:  # while it is open, the contact person can answer the volunteer through Omzien
        rows.append(
            [
                {
                    "label": render("bericht.knop", locale, voornaam=first_name(volunteer)[:12]),
                    "data": f"s.{sig.id}.br",
                }
            ]
        )
    return rows
