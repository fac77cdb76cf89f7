"""Worries: /zorg for volunteers; /signalen and /vrijwilligers for contact persons; the
buttons on a signal.

A signal button carries only `s.<signal id>.<action>`. Whoever presses it, the handler
checks again, in the same transaction that acts on it, that the presser is the contact
person assigned to that signal (or a coordinator, for the follow-up button of a signal
that went to the coordinators). Anyone else gets one neutral answer, whether or not the
signal exists.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from markupsafe import escape
from sqlite_utils import Database

from bot.flows import runner as conversations
from bot.routing.registry import button, command
from bot.routing.turn import Turn, helplines
from bot.signals import crisis, digest, texts
from bot.signals import service as flow_out
from bot.signals.detection import contact_name
from dialogues.model import Button, Reply
from dialogues.signal_levels import known_categories
from storage import links, signals, users

if TYPE_CHECKING:
    from dialogues.model import Conversation

log = logging.getLogger(__name__)
PROFESSIONAL_ACTIONS = frozenset({"op", "ct", "af", "br"})
FLOW_ACTIONS = {"af": "afronden", "br": "bericht"}  # buttons that start a short flow
COORDINATOR_ACTIONS = frozenset({"cr"})
LIST_LIMIT = 10


# ---- volunteers -----------------------------------------------------------------------


@command("/zorg")
async def raise_worry(turn: Turn) -> None:
    await conversations.start(turn, "zorg", {"via": "commando"})


@button("z")
async def offer_answered(turn: Turn) -> None:
    """The offer after a message with worrying words: `z.n` (no), `z.<2|3>[.<cat>+<cat>]`."""
    parts = turn.button_parts
    await turn.notice()
    if parts[1:2] == ["n"]:
        await turn.say("zorg.niet_nodig", edit=True)
        return
    if len(parts) < 2 or parts[1] not in ("2", "3"):
        return
    named = [
        c
        for c in (parts[2].split("+") if len(parts) > 2 else ())
        if c in known_categories(turn.rt.content)
    ]
    await start_signal_flow(turn, urgent=parts[1] == "3", categories=named)


@button("k")
async def crisis_answered(turn: Turn) -> None:
    """`k.<task>.j` (pass it on now) or `k.<task>.n` (Nee, het is anders). Then the
    conversation that waited asks its question again; outside one, a Ja opens the signal
    flow to add to what just went out."""
    parts = turn.button_parts
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in ("j", "n"):
        await turn.expired()
        return
    task_id, yes = int(parts[1]), parts[2] == "j"
    outcome = await turn.rt.store.run(
        crisis.answer_confirm, task_id, turn.user_id, yes, turn.rt.clock.now()
    )
    turn.rt.wake_outbox()
    await turn.notice()
    if outcome in ("gone", "answered"):
        await turn.expired()
        return
    contact = await contact_name(turn)
    await _show_answer(
        turn,
        "zorg.crisis_vraag",
        "zorg.knop_crisis_ja" if yes else "zorg.knop_crisis_nee",
        eerst=True,
        contact=contact,
        minuten=_minutes(turn),
    )
    template = {"sent": "zorg.crisis_ja", "dropped": "zorg.crisis_nee"}.get(
        outcome, "zorg.crisis_al"
    )
    await turn.say(template, contact=contact)
    conv = await conversations.load(turn)
    if conv is not None:
        await resume(turn, conv)
    elif outcome == "sent":
        await conversations.start(turn, "zorg", {"via": "crisis", "signal_run": f"k{task_id}"})


async def _show_answer(turn: Turn, question: str, label: str, **variables) -> None:
    """The question stays readable (the help lines in it too), its buttons give way to
    the answer, as the engine does for a flow's questions."""
    text = turn.text(question, hulpnummers=helplines(turn.rt), **variables)
    await turn.send_one(Reply(f"{text}\n\n» <i>{escape(turn.label(label))}</i>", edit=True))


def _minutes(turn: Turn) -> int:
    return int(turn.rt.settings.crisis_confirm_minutes)


@button("h")
async def volunteer_help_answered(turn: Turn) -> None:
    """After help for the volunteer herself: `h.j` asks her contact person to get in
    touch (a support request, about her, never a worry about a resident)."""
    await turn.notice()
    wanted = turn.button_parts[1:2] == ["j"]
    if wanted:
        await turn.rt.store.run(
            _support, turn.user_id, turn.rt.clock.now(), turn.rt.settings.timezone
        )
        turn.rt.wake_outbox()
    contact = await contact_name(turn)
    await _show_answer(
        turn,
        "zorg.voor_jou",
        "zorg.knop_steun_ja" if wanted else "zorg.knop_steun_nee",
        contact=contact,
    )
    await turn.say("zorg.voor_jou_ja" if wanted else "zorg.voor_jou_nee", contact=contact)
    conv = await conversations.load(turn)
    if conv is not None:
        await resume(turn, conv)


def _support(db: Database, user_id: int, now: datetime, tz: str) -> None:
    with db.atomic():
        flow_out.deliver_new(db, signals.record_support(db, user_id, now), now, tz)


async def resume(turn: Turn, conv: Conversation) -> None:
    """The conversation that waited: its current question again, with its buttons."""
    ctx = await conversations.context_for(turn, conv.flow)
    await turn.send([turn.rt.engine.prompt(conv, ctx)])


async def start_signal_flow(turn: Turn, *, urgent: bool, categories: list[str]) -> None:
    """The signal flow with the recognised worries ticked and, for a crisis, level 3.
    (`conversations.start` leaves an open conversation properly first.)"""
    data: dict = {"via": "crisis" if urgent else "zorgtaal", "categories": categories}
    if urgent:
        data["niveau_min"] = 3
    await conversations.start(turn, "zorg", data)


# ---- the buttons on a signal ----------------------------------------------------------


@button("s")
async def signal_pressed(turn: Turn) -> None:
    parts = turn.button_parts
    valid = (
        len(parts) == 3
        and parts[1].isdigit()
        and parts[2] in PROFESSIONAL_ACTIONS | COORDINATOR_ACTIONS
    )
    outcome = None
    if valid:
        outcome = await turn.rt.store.run(
            press,
            int(parts[1]),
            parts[2],
            turn.user_id,
            turn.account.role,
            turn.rt.clock.now(),
            turn.rt.settings.timezone,
            turn.locale,
        )
    if outcome is None:
        log.info("signal button refused user=%s", turn.user_id)
        await turn.notice(turn.text("signalen.niet_beschikbaar"))
        return
    turn.rt.wake_outbox()
    kind, payload = outcome
    log.info("signal button user=%s action=%s outcome=%s", turn.user_id, parts[2], kind)
    if kind == "already":
        await turn.notice(turn.text("signalen.al_gedaan"))
    elif kind == "flow":
        await turn.notice()
        await conversations.start(turn, *payload)
    elif kind == "updated":
        text, buttons, toast = payload
        await turn.notice(toast)
        await turn.send_one(Reply(text, buttons, edit=True))
    else:
        await turn.notice(payload)


def press(
    db: Database,
    signal_id: int,
    action: str,
    presser: int,
    role: str,
    now: datetime,
    tz: str,
    locale: str,
):
    """Check and act in one transaction. None = refused (the same for a signal that does
    not exist, one assigned to someone else, or an action not meant for the presser)."""
    with db.atomic():
        sig = signals.get(db, signal_id)
        if sig is None:
            return None
        if action in PROFESSIONAL_ACTIONS:
            if role != "professional" or sig.professional_id != presser:
                return None
            return _professional_action(db, sig, action, presser, now, tz, locale)
        if role != "coordinator" or not (
            signals.has_event(db, sig.id, "fallback") or signals.has_event(db, sig.id, "escalated")
        ):
            return None
        if signals.has_event(db, sig.id, "coordinator_ack"):
            return ("already", None)
        signals.add_event(db, sig.id, "coordinator_ack", presser, now)
        coordinator = users.get(db, presser)
        flow_out.tell_volunteer(
            db,
            sig,
            "signalen.v_coordinator_regelt",
            now,
            coordinator=texts.first_name(coordinator),
        )
        return (
            "toast",
            texts.render(
                "signalen.contact_bevestigd", locale, vrijwilliger=_volunteer_name(db, sig)
            ),
        )


def _professional_action(
    db: Database, sig, action: str, presser: int, now: datetime, tz: str, locale: str
):
    if sig.status not in texts.NEXT or (action == "op" and sig.status != "open"):
        return ("already", None)
    volunteer = _volunteer_name(db, sig)
    if action in FLOW_ACTIONS:
        return ("flow", (FLOW_ACTIONS[action], {"signal": sig.id, "vrijwilliger": volunteer}))
    if action == "ct" and signals.has_event(db, sig.id, "contact_asked"):
        return ("already", None)
    if sig.status == "open":
        signals.set_status(db, sig.id, "picked_up", presser, now)
        if action == "op":
            flow_out.tell_volunteer(db, sig, "signalen.v_opgepakt", now)
    if action == "ct":
        signals.add_event(db, sig.id, "contact_asked", presser, now)
        flow_out.tell_volunteer(db, sig, "signalen.v_contact", now)
    sig = signals.get(db, sig.id)
    status_line = texts.render(
        "signalen.status_contact" if action == "ct" else "signalen.status_opgepakt",
        locale,
        vrijwilliger=volunteer,
    )
    text = f"{texts.signal_text(db, sig, locale, tz)}\n\n{status_line}"
    buttons = _buttons(texts.professional_buttons(db, sig, locale))
    toast = (
        texts.render("signalen.contact_bevestigd", locale, vrijwilliger=volunteer)
        if action == "ct"
        else None
    )
    return ("updated", (text, buttons, toast))


def _volunteer_name(db: Database, sig) -> str:
    return texts.first_name(users.get(db, sig.volunteer_id))


def _buttons(rows: list[list[dict]]) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(Button(b["label"], b["data"]) for b in row) for row in rows)


# ---- contact persons ------------------------------------------------------------------


@command("/signalen")
async def open_signals(turn: Turn) -> None:
    items = await turn.rt.store.run(
        _signal_list, turn.user_id, turn.rt.clock.now(), turn.rt.settings.timezone, turn.locale
    )
    if not items:
        await turn.say("signalen.lijst_leeg")
        return
    await turn.say("signalen.lijst_kop", aantal=len(items))
    for text, rows in items[:LIST_LIMIT]:
        await turn.send_one(Reply(text, rows))


def _signal_list(db: Database, professional_id: int, now: datetime, tz: str, locale: str):
    items = []
    for sig in signals.open_for_professional(db, professional_id):
        since = texts.render(
            "signalen.open_sinds",
            locale,
            status=sig.status,
            leeftijd=texts.age_text(sig.created_at, now, locale),
        )
        text = f"<i>{since}</i>\n{texts.signal_text(db, sig, locale, tz)}"
        items.append((text, _buttons(texts.professional_buttons(db, sig, locale))))
    return items


@command("/vrijwilligers")
async def my_volunteers(turn: Turn) -> None:
    rows = await turn.rt.store.run(
        _volunteer_rows, turn.user_id, turn.rt.settings.timezone, turn.locale
    )
    if not rows:
        await turn.say("signalen.vrijwilligers_leeg")
        return
    wanted = turn.account.wants_digest
    toggle = Button(
        turn.label("signalen.knop_overzicht_uit" if wanted else "signalen.knop_overzicht_aan"),
        "d.0" if wanted else "d.1",
    )
    await turn.say("signalen.vrijwilligers", buttons=((toggle,),), rijen=rows, aan=wanted)


def _volunteer_rows(db: Database, professional_id: int, tz: str, locale: str) -> list[dict]:
    rows = []
    for volunteer_id in links.volunteers_of(db, professional_id):
        volunteer = users.get(db, volunteer_id)
        if volunteer is None:
            continue
        trend = ""
        if volunteer.share_energy:  # only for volunteers who chose to share it
            trend = " → ".join(
                texts.render(f"knoppen.schaal_{e}", locale)
                for e in signals.recent_energy(db, volunteer_id)
                if 1 <= e <= 5
            )
        # No reflection dates: the texts promise the contact person only passed-on worries
        # and, for who chose it, energy (tests/bot/test_who_sees_what.py).
        rows.append({"naam": volunteer.first_name, "energie": trend or None})
    return rows


@button("d")
async def digest_toggle(turn: Turn) -> None:
    wanted = turn.button_parts[1:2] == ["1"]
    await turn.rt.store.run(
        digest.set_digest, turn.user_id, wanted, turn.rt.clock.now(), turn.rt.settings.timezone
    )
    await turn.notice()
    await turn.say("signalen.overzicht_aan" if wanted else "signalen.overzicht_uit", edit=True)
