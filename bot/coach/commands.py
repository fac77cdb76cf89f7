"""Volunteer commands: /bezoek, /dagboek, /zoek, /stap, /pauze, /verder."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.coach.journal_view import leftover, question_lines
from bot.flows import runner as conversations
from bot.routing.registry import button, command
from bot.routing.turn import Turn
from dialogues.model import Button
from storage import journal, outbox, steps, users
from storage.times import parse

STEP_ANSWERS = ("gelukt", "deels", "nog_niet", "niet_nodig")


@command("/bezoek")
async def visit(turn: Turn) -> None:
    await conversations.start(turn, "reflectie")


def _date(turn: Turn, stamp: str) -> str:
    return parse(stamp).astimezone(ZoneInfo(turn.rt.settings.timezone)).strftime("%d-%m-%Y")


def _time(turn: Turn, stamp: str) -> str:
    """Two entries of one day are told apart by their time."""
    return parse(stamp).astimezone(ZoneInfo(turn.rt.settings.timezone)).strftime("%H:%M")


def _entry_button(turn: Turn, entry) -> Button:
    label = (
        f"{_date(turn, entry.created_at)} {_time(turn, entry.created_at)} · {entry.alias or '–'}"
    )
    return Button(label if entry.complete else f"{label} …", f"j.e.{entry.id}")


@command("/dagboek")
async def diary(turn: Turn) -> None:
    await _diary_page(turn, None, edit=False)


async def _diary_page(turn: Turn, before_id: int | None, edit: bool) -> None:
    entries = await turn.rt.store.run(journal.page, turn.user_id, before_id, journal.PAGE_SIZE + 1)
    if not entries:
        await turn.say("dagboek.leeg", edit=edit)
        return
    more = len(entries) > journal.PAGE_SIZE
    entries = entries[: journal.PAGE_SIZE]
    rows = [(_entry_button(turn, e),) for e in entries]
    if more:
        rows.append((Button(turn.label("knoppen.volgende"), f"j.p.{entries[-1].id}"),))
    await turn.say("dagboek.lijst", buttons=tuple(rows), edit=edit)


@button("j")
async def diary_button(turn: Turn) -> None:
    parts = turn.button_parts
    await turn.notice()
    if len(parts) != 3 or not parts[2].isdigit():
        return
    if parts[1] == "p":
        await _diary_page(turn, int(parts[2]), edit=True)
    elif parts[1] == "e":
        await _show_entry(turn, int(parts[2]))


async def _show_entry(turn: Turn, entry_id: int) -> None:
    # journal.get filters on the presser's own id: a forged entry id shows nothing.
    entry = await turn.rt.store.run(journal.get, turn.user_id, entry_id)
    if entry is None:
        await turn.say("dagboek.niet_gevonden")
        return
    answers = await turn.rt.store.run(journal.answers, entry.id)
    alias = entry.alias or "–"
    lines = question_lines(turn.rt.content, turn.locale, answers, alias)
    if any(c != "niets" for c in answers.get("zorgen") or ()):
        status = await turn.rt.store.run(journal.worry_status, turn.user_id, entry.id)
        lines.append(
            (
                turn.text("dagboek.v_zorg_gebeurd"),
                turn.text("dagboek.zorg_status", status=status or ""),
            )
        )
    await turn.say(
        "dagboek.stukje",
        datum=_date(turn, entry.created_at),
        tijd=_time(turn, entry.created_at),
        alias=alias,
        compleet=entry.complete,
        energie=answers.get("energie"),
        vragen=lines,
        tekst=leftover(entry.body, lines),
        soort=entry.kind,
        punten=_points(answers, entry.body),
    )


# Answers of a contact review or a goodbye, shown as short lines in the journal.
_POINT_ANSWERS = (
    "terugblik_vraag_1_label",
    "terugblik_vraag_2_label",
    "terugblik_vraag_3_label",
    "bracht_jou_label",
    "bracht_bewoner_label",
    "hoe_afscheid_label",
)


def _points(answers: dict, body: str) -> list[str]:
    typed = set(body.splitlines())  # typed answers are shown once, as the text itself
    return [str(answers[k]) for k in _POINT_ANSWERS if answers.get(k) and answers[k] not in typed]


@command("/zoek")
async def search(turn: Turn) -> None:
    words = turn.args
    if not words:
        await turn.say("dagboek.zoek_hoe")
        return
    found = await turn.rt.store.run(journal.search, turn.user_id, words)
    if not found:
        await turn.say("dagboek.zoek_niets", woorden=words)
        return
    rows = tuple((_entry_button(turn, e),) for e in found)
    await turn.say("dagboek.zoek_gevonden", buttons=rows, aantal=len(found), woorden=words)


@command("/stap")
async def my_steps(turn: Turn) -> None:
    found = await turn.rt.store.run(steps.open_steps, turn.user_id)
    if not found:
        await turn.say("stap.geen")
        return
    for step in found[:5]:
        row = tuple(
            Button(turn.label(f"reflectie.knop_stap_{a}"), f"p.{step.id}.{a}")
            for a in STEP_ANSWERS[:2]
        )
        row2 = tuple(
            Button(turn.label(f"reflectie.knop_stap_{a}"), f"p.{step.id}.{a}")
            for a in STEP_ANSWERS[2:]
        )
        await turn.say("stap.een", buttons=(row, row2), tekst=step.text)


@button("p")
async def step_marked(turn: Turn) -> None:
    parts = turn.button_parts
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in STEP_ANSWERS:
        await turn.expired()
        return
    # set_status matches on the presser's own user id: a forged step id changes nothing.
    changed = await turn.rt.store.run(
        steps.set_status, turn.user_id, int(parts[1]), parts[2], turn.rt.clock.now()
    )
    await turn.notice(None if changed else turn.text("engine.verlopen"))
    if changed:
        await turn.say(f"stap.gemarkeerd_{parts[2]}", edit=True)


@command("/pauze")
async def pause(turn: Turn) -> None:
    await turn.rt.store.run(_pause, turn.user_id, turn.rt.clock.now())
    await turn.say("pauze.gepauzeerd")


def _pause(db: Database, user_id: int, now: datetime) -> None:
    """Paused means nothing at all: also no reminder that was already waiting to go out."""
    with db.atomic():
        users.set_status(db, user_id, "paused", now)
        outbox.cancel_pending(db, user_id, "reminder")


@command("/verder")
async def resume(turn: Turn) -> None:
    was_paused = turn.account.status == "paused"
    await turn.rt.store.run(users.set_status, turn.user_id, "active", turn.rt.clock.now())
    await turn.say("pauze.welkom_terug" if was_paused else "pauze.was_niet_gepauzeerd")
