"""Coordinator commands: /koppel, /team, and the weekly milestone list.

Coordinators see names and roles to pick from, and counts; never journal content or
signal details. Messages to the people involved go through the outbox.

Button data (prefix `ko` for /koppel; /waardering lives in bot/appreciation/commands.py):
    ko.l.<offset>            page of volunteers        ko.v.<volunteer>    pick professional
    ko.p.<volunteer>.<prof>  link (or relink)
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.coach import charts
from bot.delivery.ticker import recurring, task_handler
from bot.rhythm import timing
from bot.routing.registry import button, command
from bot.routing.turn import Turn
from bot.team.pages import number, short_name, volunteer_page
from bot.transport.sender import with_retry
from dialogues.model import Button
from storage import links, outbox, tasks, team

log = logging.getLogger(__name__)
WEEKS_IN_CHART = 12
MILESTONE_TASK = "milestones_weekly"


# ---- /koppel ----------------------------------------------------------------------------


@command("/koppel")
async def link_start(turn: Turn) -> None:
    await volunteer_page(turn, "ko", 0, "coordinator.koppel_kies_vrijwilliger", edit=False)


@button("ko")
async def link_button(turn: Turn) -> None:
    parts = turn.button_parts
    if len(parts) == 3 and parts[1] == "l" and number(parts[2]) is not None:
        await turn.notice()
        await volunteer_page(
            turn, "ko", int(parts[2]), "coordinator.koppel_kies_vrijwilliger", True
        )
    elif len(parts) == 3 and parts[1] == "v" and number(parts[2]) is not None:
        await _pick_professional(turn, int(parts[2]))
    elif len(parts) == 4 and parts[1] == "p" and number(parts[2]) and number(parts[3]):
        await _link(turn, int(parts[2]), int(parts[3]))
    else:
        await turn.expired()


async def _pick_professional(turn: Turn, volunteer_id: int) -> None:
    volunteer = await turn.rt.store.run(team.person, volunteer_id, "volunteer")
    pros = await turn.rt.store.run(team.professionals)
    if volunteer is None:
        await turn.expired()
        return
    await turn.notice()
    if not pros:
        await turn.say("coordinator.geen_contactpersonen", edit=True)
        return
    rows = tuple(
        (Button(short_name(p.first_name), f"ko.p.{volunteer_id}.{p.id}"),) for p in pros[:40]
    )
    await turn.say(
        "coordinator.koppel_kies_contact", buttons=rows, edit=True, voornaam=volunteer.first_name
    )


def _write_link(db, volunteer_id: int, professional_id: int, content, now) -> tuple | None:
    """Link and tell both (and a previous professional) in one transaction."""
    with db.atomic():
        volunteer = team.person(db, volunteer_id, "volunteer")
        pro = team.person(db, professional_id, "professional")
        if volunteer is None or pro is None:
            return None
        previous = links.link(db, volunteer_id, professional_id, now)
        if previous == professional_id:
            return volunteer, pro, "zelfde"
        outbox.enqueue(
            db,
            volunteer.id,
            "link",
            content.render(
                "coordinator.koppel_aan_vrijwilliger", volunteer.language, contact=pro.first_name
            ),
            now,
            recipient_id=volunteer.id,
            about_id=pro.id,
        )
        outbox.enqueue(
            db,
            pro.id,
            "link",
            content.render(
                "coordinator.koppel_aan_contact", pro.language, voornaam=volunteer.first_name
            ),
            now,
            recipient_id=pro.id,
            about_id=volunteer.id,
        )
        old = team.person(db, previous, "professional") if previous else None
        if old is not None:
            outbox.enqueue(
                db,
                old.id,
                "link",
                content.render(
                    "coordinator.koppel_weg_bij_contact",
                    old.language,
                    voornaam=volunteer.first_name,
                ),
                now,
                recipient_id=old.id,
                about_id=volunteer.id,
            )
        return volunteer, pro, "opnieuw" if previous else "nieuw"


async def _link(turn: Turn, volunteer_id: int, professional_id: int) -> None:
    done = await turn.rt.store.run(
        _write_link, volunteer_id, professional_id, turn.rt.content, turn.rt.clock.now()
    )
    if done is None:
        await turn.expired()
        return
    await turn.notice()
    turn.rt.wake_outbox()
    volunteer, pro, how = done
    log.info("linked volunteer=%s professional=%s how=%s", volunteer.id, pro.id, how)
    await turn.say(
        f"coordinator.gekoppeld_{how}",
        edit=True,
        voornaam=volunteer.first_name,
        contact=pro.first_name,
    )


# ---- the weekly milestone list ------------------------------------------------------------


@recurring(MILESTONE_TASK)
def _first_milestones(now: datetime, settings) -> datetime:
    return now  # the very first list at once; then every Monday morning


def _milestone_rows(db, content, now: datetime) -> int:
    """One message per coordinator: who is at a milestone, each with a suggested message."""
    found = team.milestones(db, now)
    if not found:
        return 0
    people = {p.id: p for p in (team.person(db, vid, "volunteer") for vid, _ in found) if p}
    with db.atomic():
        for coordinator in team.coordinators(db):
            lines, rows = [], []
            for volunteer_id, milestone in found[:20]:
                person = people.get(volunteer_id)
                if person is None:
                    continue
                lines.append(
                    content.render(
                        f"coordinator.mijlpaal_{milestone}",
                        coordinator.language,
                        voornaam=person.first_name,
                    )
                )
                template = (
                    "mijlpaal" if milestone in ("drie_maanden", "een_jaar") else "gewoon_bedankt"
                )
                label = content.render(
                    "coordinator.knop_stuur_aan",
                    coordinator.language,
                    voornaam=short_name(person.first_name),
                )
                rows.append([{"label": label, "data": f"wa.t.v{volunteer_id}.{template}"}])
            text = content.render("coordinator.mijlpalen", coordinator.language, regels=lines)
            outbox.enqueue(
                db,
                coordinator.id,
                "milestones",
                text,
                now,
                buttons=rows[:20],
                recipient_id=coordinator.id,
            )
    return len(found)


@task_handler(MILESTONE_TASK)
async def milestones_weekly(rt, task) -> None:
    now = rt.clock.now()

    def run(db) -> int:
        with db.atomic():
            count = _milestone_rows(db, rt.content, now)
            tasks.schedule(
                db,
                MILESTONE_TASK,
                timing.next_weekday_at(now, 0, timing.SWEEP_HOUR, rt.settings.timezone),
                now=now,
            )
        return count

    count = await rt.store.run(run)
    log.info("milestones listed count=%s", count)


# ---- /team -------------------------------------------------------------------------------


def _week_starts(now: datetime, tz: str, weeks: int) -> list[datetime]:
    local = now.astimezone(ZoneInfo(tz))
    monday = timing.at_local(local - timedelta(days=local.weekday()), 0, tz)
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


@command("/team")
async def team_overview(turn: Turn) -> None:
    now = turn.rt.clock.now()
    tz = turn.rt.settings.timezone
    starts = _week_starts(now, tz, WEEKS_IN_CHART)
    numbers = await turn.rt.store.run(team.numbers, now)
    counts = await turn.rt.store.run(team.reflections_per_week, starts)
    await turn.say(
        "coordinator.team",
        actief=numbers.active_30d,
        gepauzeerd=numbers.paused,
        zonder_contact=numbers.without_professional,
        deze_maand=numbers.reflections_30d,
        zorg_jong=numbers.open_young,
        zorg_week=numbers.open_week,
        zorg_oud=numbers.open_old,
    )
    labels = [s.astimezone(ZoneInfo(tz)).strftime("%d-%m") for s in starts]
    title = turn.text("coordinator.team_grafiek_titel")
    png = await asyncio.get_running_loop().run_in_executor(
        None, charts.weekly_bars_png, labels, counts, title
    )
    await with_retry(
        turn.rt.bot.send_photo,
        turn.chat_id,
        photo=io.BytesIO(png),
        filename="team.png",
        caption=turn.text("coordinator.team_grafiek"),
    )
