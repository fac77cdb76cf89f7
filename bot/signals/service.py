"""Signals on their way: from the volunteer's flow to the contact person, and back.

    a worry is urgent ─▶ effect "signal_urgent" in THAT step's transaction (signal row, its
                          first event, the outbox row to the contact person, the escalation
                          task); /stop, silence or a crash afterwards change nothing
    the zorg flow ends ─▶ effect "signal": a new signal (levels 1–2), or what the volunteer
                          added to the urgent one (same signal, an addition to the contact person)
    crisis words       ─▶ task "crisis_confirm" (bot/signals/detection.py asks once): no
                          answer within the setting's minutes → sent as urgent, marked "not confirmed"
    outbox delivers   ─▶ @on_settle("signal"), in the transaction that marks the row:
                          sent → the volunteer hears "arrived"; unreachable (403) → the
                          coordinators at once, and the volunteer is told who follows up
    contact person    ─▶ s.<id>.op / .ct / .af (bot/signals/handlers.py) → events, and the
                          volunteer hears "picked up" / "expect contact" / "closed" + word back
    nobody picks up   ─▶ task "signal_escalate" (level 3: 1 hour; level 2: 2 working days)
                          → a reminder to the contact person, counts and ages to coordinators

Texts for other people are rendered in *their* language. Nothing here logs a note, a name
or an alias: ids, levels and event types only.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.delivery.outbox import on_settle
from bot.delivery.ticker import on_repeated_failure, task_handler
from bot.flows.effects import applies, resident_of
from bot.timekeeping.local import at_local, local, next_weekday_at
from bot.timekeeping.workdays import add_working_days
from content.render import default_content
from dialogues.signal_levels import URGENT, final_level, known_categories
from storage import links, outbox, signals, tasks, users
from storage.outbox import OutboxRow
from storage.signals import Signal
from storage.times import parse

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from storage.tasks import Task

log = logging.getLogger(__name__)
ESCALATE = "signal_escalate"
DIGEST = "signal_digest"
URGENT_WITHIN = timedelta(hours=1)
WORKING_DAYS = 2
NEXT = {"open": ("op", "ct", "af"), "picked_up": ("ct", "af")}   # professional buttons per status


def render(template_id: str, locale: str, **variables) -> str:
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
        return render("signalen.steun_nieuw", locale, voornaam=first_name(volunteer),
                      datum=local_date(sig.created_at, tz))
    knows = render(f"signalen.weet_{sig.resident_knows}", locale) if sig.resident_knows in (
        "ja", "nee", "weet_niet") else ""
    return render("signalen.nieuw", locale, voornaam=first_name(volunteer),
                  onbevestigd=signals.has_event(db, sig.id, "unconfirmed"),
                  alias=alias_of(db, sig.resident_id, locale),
                  categorieen=category_labels(sig.categories, locale), niveau=sig.level,
                  niveau_naam=render(f"signalen.niveau_{max(1, sig.level)}", locale),
                  datum=local_date(sig.created_at, tz), bewoner_weet=knows,
                  notitie=sig.note if sig.share_note and sig.note else "")


def professional_buttons(db: Database, sig: Signal, locale: str) -> list[list[dict]]:
    volunteer = users.get(db, sig.volunteer_id)
    labels = {"op": render("signalen.knop_oppakken", locale),
              "ct": render("signalen.knop_contact", locale, voornaam=first_name(volunteer)[:12]),
              "af": render("signalen.knop_afgerond", locale)}
    rows = [[{"label": labels[a], "data": f"s.{sig.id}.{a}"}] for a in NEXT.get(sig.status, ())]
    if rows:   # while it is open, the contact person can answer the volunteer through Omzien
        rows.append([{"label": render("bericht.knop", locale, voornaam=first_name(volunteer)[:12]),
                      "data": f"s.{sig.id}.br"}])
    return rows


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
    outbox.enqueue(db, professional.id, "signal", signal_text(db, sig, professional.language, tz),
                   now, buttons=professional_buttons(db, sig, professional.language),
                   recipient_id=professional.id, about_id=sig.volunteer_id, signal_id=sig.id)
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
        text = render("signalen.c_fallback", coordinator.language, voornaam=first_name(volunteer),
                      contact=first_name(professional), niveau=sig.level)
        buttons = [[{"label": render("signalen.knop_regel", coordinator.language),
                     "data": f"s.{sig.id}.cr"}]]
        outbox.enqueue(db, coordinator.id, "signal_fallback", text, now, buttons=buttons,
                       recipient_id=coordinator.id, signal_id=sig.id)
    if tell_volunteer and coordinators and volunteer is not None:
        names = ", ".join(c.first_name for c in coordinators)
        text = render("signalen.v_onbereikbaar", volunteer.language, contact=first_name(professional),
                      coordinator=names)
        outbox.enqueue(db, volunteer.id, "signal_update", text, now, recipient_id=volunteer.id,
                       signal_id=sig.id)
    log.info("signal fallback id=%s coordinators=%s", sig.id, len(coordinators))


def tell_volunteer(db: Database, sig: Signal, template_id: str, now: datetime, **extra) -> None:
    volunteer = users.get(db, sig.volunteer_id)
    if volunteer is None:
        return
    professional = users.get(db, sig.professional_id) if sig.professional_id else None
    text = render(template_id, volunteer.language, contact=first_name(professional),
                  alias=alias_of(db, sig.resident_id, volunteer.language), soort=sig.kind, **extra)
    outbox.enqueue(db, volunteer.id, "signal_update", text, now, recipient_id=volunteer.id,
                   signal_id=sig.id)


# ---- effects ------------------------------------------------------------------------

RUN_LOOKBACK = timedelta(days=2)   # a run id is short: only a recent signal can be this run's


def signal_of_run(db: Database, user_id: int, params: dict, now: datetime) -> Signal | None:
    """The urgent signal this run (or the reflection that started it) already sent."""
    for run in (params.get("run"), params["data"].get("previous_run"), params["data"].get("signal_run")):
        sig = signals.of_run(db, user_id, run)
        if sig is not None and parse(sig.created_at) >= now - RUN_LOOKBACK:
            return sig
    return None


def chosen_categories(answers: dict, data: dict) -> list[str]:
    chosen = answers.get("zorgen") or data.get("categories") or ()
    return [c for c in chosen if c in known_categories()]


def send_urgent(db: Database, user_id: int, now: datetime, tz: str, *, categories: list[str],
                resident_id: int | None, flow_run: str | None, unconfirmed: bool = False) -> int:
    """An urgent worry goes out now: the signal, its outbox row (or the coordinators'
    fallback) and the escalation task, in the caller's transaction."""
    signal_id = signals.create(
        db, user_id, now, level=URGENT, categories=categories or ["acuut"],
        resident_id=resident_id, consent=not unconfirmed, status="open",
        professional_id=links.professional_of(db, user_id), flow_run=flow_run)
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
    send_urgent(db, user_id, now, params["timezone"],
                categories=chosen_categories(params["answers"], params["data"]),
                resident_id=resident_of(params, db, user_id), flow_run=params.get("run"))


def add_to_urgent(db: Database, sig: Signal, answers: dict, now: datetime, tz: str) -> None:
    """What the volunteer added after the urgent worry went out: the same signal, and an
    addition to the contact person when there is something to add."""
    note = answers.get("notitie") if isinstance(answers.get("notitie"), str) else None
    categories = chosen_categories(answers, {}) or sig.categories
    knows = answers.get("bewoner_weet")
    merged = [*sig.categories, *(c for c in categories if c not in sig.categories)]
    signals.add_details(db, sig.id, now, categories=merged, note=note, share_note=bool(note), resident_knows=knows)
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
    outbox.enqueue(db, professional.id, "signal_addition", text, now,
                   buttons=professional_buttons(db, sig, locale),
                   recipient_id=professional.id, about_id=sig.volunteer_id, signal_id=sig.id)
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
        db, user_id, now, level=level, categories=categories,
        resident_id=resident_of(params, db, user_id), note=note,
        share_note=bool(note) and share_note, consent=consent,
        resident_knows=answers.get("bewoner_weet"), status=status,
        professional_id=links.professional_of(db, user_id), flow_run=params.get("run"))
    if answers.get("overzicht") == "ja":
        users.set_share_digest(db, user_id, True)
    if status == "open":
        deliver_new(db, signal_id, now, params["timezone"])


@applies("support_request")
def _support_request(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """"Het wordt me te veel": about the volunteer, not a resident; same way out."""
    signal_id = signals.record_support(db, user_id, now)
    deliver_new(db, signal_id, now, params["timezone"])


@applies("signal_close")
def _signal_close(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """Only the assigned contact person closes, and only an open or picked-up signal."""
    signal_id = params["data"].get("signal")
    sig = signals.get(db, int(signal_id)) if str(signal_id).isdigit() else None
    if sig is None or sig.professional_id != user_id or sig.status not in NEXT:
        return
    word = params["answers"].get("woord") if isinstance(params["answers"].get("woord"), str) else None
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
def _reminder_delivered(db: Database, rt: Runtime, row: OutboxRow, outcome: str, now: datetime) -> None:
    sig = signals.get(db, row.signal_id) if row.signal_id else None
    if outcome == "unreachable" and sig is not None and sig.status in NEXT \
            and not signals.has_event(db, sig.id, "fallback"):
        fallback(db, sig, now, tell_volunteer=True)


# ---- escalation -------------------------------------------------------------------------

@task_handler(ESCALATE)
async def _escalate(rt: Runtime, task: Task) -> None:
    now = rt.clock.now()
    await rt.store.run(escalate, task.signal_id, now)
    rt.wake_outbox()


def escalate(db: Database, signal_id: int | None, now: datetime) -> bool:
    """Still not picked up: a reminder to the contact person, counts and ages to the
    coordinators. Nothing about what the worry is goes to a coordinator."""
    sig = signals.get(db, signal_id) if signal_id else None
    if sig is None or sig.status != "open":
        return False
    with db.atomic():
        signals.add_event(db, sig.id, "escalated", None, now)
        professional = users.get(db, sig.professional_id) if sig.professional_id else None
        volunteer = users.get(db, sig.volunteer_id)
        if professional is not None:
            locale = professional.language
            text = render("signalen.p_herinnering", locale, voornaam=first_name(volunteer),
                          niveau=sig.level, leeftijd=age_text(sig.created_at, now, locale))
            outbox.enqueue(db, professional.id, "signal_reminder", text, now,
                           buttons=professional_buttons(db, sig, locale), recipient_id=professional.id,
                           about_id=sig.volunteer_id, signal_id=sig.id)
        waiting = (signals.open_for_professional(db, professional.id) if professional
                   else [sig])
        waiting = [s for s in waiting if s.status == "open"] or [sig]
        oldest = min(s.created_at for s in waiting)
        for coordinator in users.by_role(db, "coordinator"):
            text = render("signalen.c_escalatie", coordinator.language, contact=first_name(professional),
                          aantal=len(waiting), leeftijd=age_text(oldest, now, coordinator.language))
            outbox.enqueue(db, coordinator.id, "signal_escalation", text, now,
                           recipient_id=coordinator.id, signal_id=sig.id)
    log.info("signal escalated id=%s level=%s", sig.id, sig.level)
    return True


@on_repeated_failure(ESCALATE)
def _escalation_keeps_failing(db: Database, task: Task, now: datetime) -> None:
    """The escalation itself keeps raising (it is still retried): the coordinators hear
    that a worry waits, by its number only, so a person looks at it."""
    for coordinator in users.by_role(db, "coordinator"):
        text = render("signalen.c_escalatie_mislukt", coordinator.language, nummer=task.signal_id)
        outbox.enqueue(db, coordinator.id, "signal_escalation", text, now,
                       recipient_id=coordinator.id, signal_id=task.signal_id)
    log.warning("signal escalation failing id=%s task=%s", task.signal_id, task.id)


# ---- the weekly digest of *aandachtspunten* -------------------------------------------

def next_monday_morning(now: datetime, tz: str) -> datetime:
    """09:00 on the first Monday after today (on a Monday: a week later)."""
    tomorrow = at_local(local(now, tz) + timedelta(days=1), 0, tz)
    return next_weekday_at(tomorrow - timedelta(microseconds=1), 0, 9, tz)


def set_digest(db: Database, professional_id: int, wanted: bool, now: datetime, tz: str) -> None:
    with db.atomic():
        users.set_wants_digest(db, professional_id, wanted)
        tasks.cancel_for_user(db, professional_id, DIGEST)
        if wanted:
            tasks.schedule(db, DIGEST, next_monday_morning(now, tz), user_id=professional_id,
                           payload={"tz": tz}, now=now)


@task_handler(DIGEST)
async def _digest(rt: Runtime, task: Task) -> None:
    await rt.store.run(send_digest, task.user_id, rt.clock.now(), rt.settings.timezone)
    rt.wake_outbox()


def send_digest(db: Database, professional_id: int | None, now: datetime, tz: str) -> int:
    professional = users.get(db, professional_id) if professional_id else None
    if professional is None or not professional.wants_digest:
        return 0
    with db.atomic():
        points = signals.digest_points(db, professional.id, now - timedelta(days=7))
        locale = professional.language
        if points:
            rows = [{"datum": local_date(p.created_at, tz),
                     "voornaam": first_name(users.get(db, p.volunteer_id)),
                     "alias": alias_of(db, p.resident_id, locale),
                     "categorieen": category_labels(p.categories, locale)} for p in points]
            outbox.enqueue(db, professional.id, "signal_digest",
                           render("signalen.weekoverzicht", locale, aandachtspunten=rows), now,
                           recipient_id=professional.id)
        tasks.schedule(db, DIGEST, next_monday_morning(now, tz), user_id=professional.id,
                       payload={"tz": tz}, now=now)
    log.info("digest user=%s points=%s", professional.id, len(points))
    return len(points)


# ---- crisis words: pass it on now? (asked by bot/signals/detection.py) ------------------------

CONFIRM = "crisis_confirm"


def ask_confirm(db: Database, user_id: int, now: datetime, minutes: float, categories: list[str],
                resident_id: int | None, tz: str) -> int:
    """The open question is a due task: unanswered when it falls due, the worry goes on."""
    return tasks.schedule(db, CONFIRM, now + timedelta(minutes=minutes), user_id=user_id,
                          payload={"categories": categories, "resident": resident_id, "tz": tz},
                          now=now)


def pending_confirm(db: Database, user_id: int) -> int | None:
    found = tasks.pending_for_user(db, user_id, CONFIRM)
    return found[0].id if found else None


def _take_confirm(db: Database, task_id: int, user_id: int | None = None):
    """The pending question with this id (and owner), or None once it was answered or sent."""
    row = db.execute("SELECT user_id, status, payload FROM due_tasks WHERE id = ? AND kind = ?",
                     [task_id, CONFIRM]).fetchone()
    if row is None or (user_id is not None and row[0] != user_id):
        return None, "gone"
    if row[1] != "pending":
        return None, "answered" if row[1] == "answered" else "already"
    return (row[0], json.loads(row[2])), "pending"


def answer_confirm(db: Database, task_id: int, user_id: int, yes: bool, now: datetime) -> str:
    """Ja → urgent now; Nee, het is anders → nothing recorded. One transaction with the
    task, so an answer and the timeout can never both send it."""
    with db.atomic():
        taken, state = _take_confirm(db, task_id, user_id)
        if taken is None:
            return state
        _, payload = taken
        tasks.finish(db, task_id, now, status="answered")
        if not yes:
            log.info("crisis question user=%s answer=no", user_id)
            return "dropped"
        send_urgent(db, user_id, now, payload["tz"], categories=payload["categories"],
                    resident_id=payload.get("resident"), flow_run=f"k{task_id}")
        log.info("crisis question user=%s answer=yes", user_id)
        return "sent"


def confirm_timed_out(db: Database, task_id: int, now: datetime) -> bool:
    """No answer in time: it goes on as urgent, marked as not confirmed; she is told."""
    with db.atomic():
        taken, _ = _take_confirm(db, task_id)
        if taken is None:
            return False
        user_id, payload = taken
        tasks.finish(db, task_id, now)
        signal_id = send_urgent(db, user_id, now, payload["tz"], categories=payload["categories"],
                                resident_id=payload.get("resident"), flow_run=f"k{task_id}",
                                unconfirmed=True)
        sent = signals.get(db, signal_id)
        assert sent is not None  # just created
        tell_volunteer(db, sent, "signalen.v_onbevestigd", now)
    log.info("crisis question timed out user=%s signal=%s", user_id, signal_id)
    return True


@task_handler(CONFIRM)
async def _confirm_due(rt: Runtime, task: Task) -> None:
    await rt.store.run(confirm_timed_out, task.id, rt.clock.now())
    rt.wake_outbox()
