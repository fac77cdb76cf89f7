"""Signals on their way: from the volunteer's flow to the contact person, and back.

    a worry is urgent ─▶ effect "signal_urgent" in THAT step's transaction (signal row, its
                          first event, the outbox row to the contact person, the escalation
                          task); /stop, silence or a crash afterwards change nothing
    the zorg flow ends ─▶ effect "signal": a new signal (levels 1–2), or what the volunteer
                          added to the urgent one (same signal, an addition to the contact person)
    crisis words       ─▶ task "crisis_confirm" (asked by bot/signals/detection.py, answered
                          or timed out in bot/signals/crisis.py): no answer within
                          the setting's minutes → sent as urgent, marked "not confirmed"
    outbox delivers   ─▶ @on_settle("signal"), in the transaction that marks the row:
                          sent → the volunteer hears "arrived"; unreachable (403) → the
                          coordinators at once, and the volunteer is told who follows up
    contact person    ─▶ s.<id>.op / .ct / .af (bot/signals/handlers.py) → events, and the
                          volunteer hears "picked up" / "expect contact" / "closed" + word back
    nobody picks up   ─▶ task "signal_escalate" (level 3: 1 hour; level 2: 2 working days)
                          → a reminder to the contact person, counts and ages to coordinators
                          (bot/signals/escalation.py)

The weekly digest of level-1 points is bot/signals/digest.py.

Texts for other people are rendered in *their* language. Nothing here logs a note, a name
or an alias: ids, levels and event types only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.delivery.outbox import on_settle
from bot.flows.effects import applies, resident_of
from bot.signals.texts import NEXT, alias_of, first_name, professional_buttons, render, signal_text
from bot.timekeeping.workdays import add_working_days
from dialogues.signal_levels import URGENT, final_level, known_categories
from storage import links, outbox, signals, tasks, users
from storage.outbox import OutboxRow
from storage.signals import Signal
from storage.times import parse

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
ESCALATE = "signal_escalate"
URGENT_WITHIN = timedelta(hours=1)
WORKING_DAYS = 2


# ---- writing and delivering (inside the caller's transaction) -------------------------


def deliver_new(db: Database, signal_id: int, now: datetime, tz: str) -> None:
    """The outbox row to the contact person and the escalation task; or, without a
    reachable contact person, the coordinators at once."""
    sig = signals.get(db, signal_id)
    if sig is None or sig.status != "open":
        return
    professional = users.get(db, sig.professional_id) if sig.professional_id else None
    if professional is None or not professional.reachable or professional.status == "left":
        fallback(db, sig, now, tell_volunteer=professional is not None)
        return
    outbox.enqueue(
        db,
        professional.id,
        "signal",
        signal_text(db, sig, professional.language, tz),
        now,
        buttons=professional_buttons(db, sig, professional.language),
        recipient_id=professional.id,
        about_id=sig.volunteer_id,
        signal_id=sig.id,
    )
    due = now + URGENT_WITHIN if sig.level >= URGENT else add_working_days(now, WORKING_DAYS, tz)
    tasks.schedule(db, ESCALATE, due, signal_id=sig.id, payload={"tz": tz}, now=now)
    log.info("signal queued id=%s level=%s kind=%s", sig.id, sig.level, sig.kind)


def fallback(db: Database, sig: Signal, now: datetime, *, tell_volunteer: bool) -> None:
    """No contact person, or one we cannot reach: every coordinator hears it at once,
    without what the worry is; the volunteer hears who will follow up."""
    signals.add_event(db, sig.id, "fallback", None, now)
    coordinators = users.by_role(db, "coordinator")
    professional = users.get(db, sig.professional_id) if sig.professional_id else None
    volunteer = users.get(db, sig.volunteer_id)
    for coordinator in coordinators:
        text = render(
            "signalen.c_fallback",
            coordinator.language,
            voornaam=first_name(volunteer),
            contact=first_name(professional),
            niveau=sig.level,
        )
        buttons = [
            [
                {
                    "label": render("signalen.knop_regel", coordinator.language),
                    "data": f"s.{sig.id}.cr",
                }
            ]
        ]
        outbox.enqueue(
            db,
            coordinator.id,
            "signal_fallback",
            text,
            now,
            buttons=buttons,
            recipient_id=coordinator.id,
            signal_id=sig.id,
        )
    if tell_volunteer and coordinators and volunteer is not None:
        names = ", ".join(c.first_name for c in coordinators)
        text = render(
            "signalen.v_onbereikbaar",
            volunteer.language,
            contact=first_name(professional),
            coordinator=names,
        )
        outbox.enqueue(
            db,
            volunteer.id,
            "signal_update",
            text,
            now,
            recipient_id=volunteer.id,
            signal_id=sig.id,
        )
    log.info("signal fallback id=%s coordinators=%s", sig.id, len(coordinators))


def tell_volunteer(db: Database, sig: Signal, template_id: str, now: datetime, **extra) -> None:
    volunteer = users.get(db, sig.volunteer_id)
    if volunteer is None:
        return
    professional = users.get(db, sig.professional_id) if sig.professional_id else None
    text = render(
        template_id,
        volunteer.language,
        contact=first_name(professional),
        alias=alias_of(db, sig.resident_id, volunteer.language),
        soort=sig.kind,
        **extra,
    )
    outbox.enqueue(
        db, volunteer.id, "signal_update", text, now, recipient_id=volunteer.id, signal_id=sig.id
    )


# ---- effects ------------------------------------------------------------------------

RUN_LOOKBACK = timedelta(days=2)  # a run id is short: only a recent signal can be this run's


def signal_of_run(db: Database, user_id: int, params: dict, now: datetime) -> Signal | None:
    """The urgent signal this run (or the reflection that started it) already sent."""
    for run in (
        params.get("run"),
        params["data"].get("previous_run"),
        params["data"].get("signal_run"),
    ):
        sig = signals.of_run(db, user_id, run)
        if sig is not None and parse(sig.created_at) >= now - RUN_LOOKBACK:
            return sig
    return None


def chosen_categories(answers: dict, data: dict) -> list[str]:
    chosen = answers.get("zorgen") or data.get("categories") or ()
    return [c for c in chosen if c in known_categories()]


def send_urgent(
    db: Database,
    user_id: int,
    now: datetime,
    tz: str,
    *,
    categories: list[str],
    resident_id: int | None,
    flow_run: str | None,
    unconfirmed: bool = False,
) -> int:
    """An urgent worry goes out now: the signal, its outbox row (or the coordinators'
    fallback) and the escalation task, in the caller's transaction."""
    signal_id = signals.create(
        db,
        user_id,
        now,
        level=URGENT,
        categories=categories or ["acuut"],
        resident_id=resident_id,
        consent=not unconfirmed,
        status="open",
        professional_id=links.professional_of(db, user_id),
        flow_run=flow_run,
    )
    if unconfirmed:
        signals.add_event(db, signal_id, "unconfirmed", None, now)
    deliver_new(db, signal_id, now, tz)
    return signal_id


@applies("signal_urgent")
def _signal_urgent(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """Declared on the step where a worry becomes urgent: it goes out in that step's
    transaction, whatever the volunteer does next. Once per run."""
    if signal_of_run(db, user_id, params, now) is not None:
        return
    send_urgent(
        db,
        user_id,
        now,
        params["timezone"],
        categories=chosen_categories(params["answers"], params["data"]),
        resident_id=resident_of(params, db, user_id),
        flow_run=params.get("run"),
    )


def add_to_urgent(db: Database, sig: Signal, answers: dict, now: datetime, tz: str) -> None:
    """What the volunteer added after the urgent worry went out: the same signal, and an
    addition to the contact person when there is something to add."""
    note = answers.get("notitie") if isinstance(answers.get("notitie"), str) else None
    categories = chosen_categories(answers, {}) or sig.categories
    knows = answers.get("bewoner_weet")
    merged = [*sig.categories, *(c for c in categories if c not in sig.categories)]
    signals.add_details(
        db, sig.id, now, categories=merged, note=note, share_note=bool(note), resident_knows=knows
    )
    professional = users.get(db, sig.professional_id) if sig.professional_id else None
    if professional is None or not professional.reachable or professional.status == "left":
        return
    if not note and knows not in ("ja", "nee", "weet_niet"):
        return
    updated = signals.get(db, sig.id)
    assert updated is not None  # the signal was just updated
    sig = updated
    locale = professional.language
    text = f"{render('signalen.aanvulling', locale)}\n\n{signal_text(db, sig, locale, tz)}"
    outbox.enqueue(
        db,
        professional.id,
        "signal_addition",
        text,
        now,
        buttons=professional_buttons(db, sig, locale),
        recipient_id=professional.id,
        about_id=sig.volunteer_id,
        signal_id=sig.id,
    )
    log.info("signal addition id=%s note=%s", sig.id, bool(note))


@applies("signal")
def _signal(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """The zorg flow's answers become a signal; levels 2 (with consent) and 3 go out now.
    In the reflection this effect only marks the worry: the zorg flow follows it."""
    if params["flow"] != "zorg":
        return
    answers, data = params["answers"], params["data"]
    urgent = signal_of_run(db, user_id, params, now)
    if urgent is not None:
        add_to_urgent(db, urgent, answers, now, params["timezone"])
        return
    categories = [c for c in answers.get("zorgen") or () if c in known_categories()]
    level = final_level(answers, data)
    if not categories or level == 0:
        return
    consent = level >= URGENT or answers.get("toestemming") == "ja"
    # The note goes along only when the volunteer knew it would: she agreed, or the worry
    # was urgent before she wrote it (the note question then says the contact person reads it).
    urgent_before_note = final_level({**answers, "notitie": None}, data) >= URGENT
    share_note = answers.get("toestemming") == "ja" or urgent_before_note
    status = "open" if level >= URGENT or (level == 2 and consent) else "journal"
    note = answers.get("notitie") if isinstance(answers.get("notitie"), str) else None
    signal_id = signals.create(
        db,
        user_id,
        now,
        level=level,
        categories=categories,
        resident_id=resident_of(params, db, user_id),
        note=note,
        share_note=bool(note) and share_note,
        consent=consent,
        resident_knows=answers.get("bewoner_weet"),
        status=status,
        professional_id=links.professional_of(db, user_id),
        flow_run=params.get("run"),
    )
    if answers.get("overzicht") == "ja":
        users.set_share_digest(db, user_id, True)
    if status == "open":
        deliver_new(db, signal_id, now, params["timezone"])


@applies("support_request")
def _support_request(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """ "Het wordt me te veel": about the volunteer, not a resident; same way out."""
    signal_id = signals.record_support(db, user_id, now)
    deliver_new(db, signal_id, now, params["timezone"])


@applies("signal_close")
def _signal_close(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """Only the assigned contact person closes, and only an open or picked-up signal."""
    signal_id = params["data"].get("signal")
    sig = signals.get(db, int(signal_id)) if str(signal_id).isdigit() else None
    if sig is None or sig.professional_id != user_id or sig.status not in NEXT:
        return
    word = (
        params["answers"].get("woord") if isinstance(params["answers"].get("woord"), str) else None
    )
    signals.set_status(db, sig.id, "closed", user_id, now, word_back=word)
    tell_volunteer(db, sig, "signalen.v_afgerond", now, woord=word or "")
    log.info("signal closed id=%s word_back=%s", sig.id, bool(word))


# ---- after delivery -------------------------------------------------------------------


@on_settle("signal")
def _delivered(db: Database, rt: Runtime, row: OutboxRow, outcome: str, now: datetime) -> None:
    """In the transaction that marks the row: sent → the volunteer hears it arrived;
    unreachable (403) → the coordinators at once, and the volunteer hears who follows up."""
    sig = signals.get(db, row.signal_id) if row.signal_id else None
    if sig is None:
        return
    if outcome == "sent" and not signals.has_event(db, sig.id, "delivered"):
        signals.add_event(db, sig.id, "delivered", None, now)
        tell_volunteer(db, sig, "signalen.v_aangekomen", now)
    elif outcome == "unreachable" and sig.status in NEXT:
        signals.add_event(db, sig.id, "unreachable", None, now)
        fallback(db, sig, now, tell_volunteer=True)


@on_settle("signal_reminder")
def _reminder_delivered(
    db: Database, rt: Runtime, row: OutboxRow, outcome: str, now: datetime
) -> None:
    sig = signals.get(db, row.signal_id) if row.signal_id else None
    if (
        outcome == "unreachable"
        and sig is not None
        and sig.status in NEXT
        and not signals.has_event(db, sig.id, "fallback")
    ):
        fallback(db, sig, now, tell_volunteer=True)
