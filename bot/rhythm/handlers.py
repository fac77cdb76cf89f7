"""/ritme and the reminders that follow from it; the check-in after three quiet weeks.

    /ritme (flow dialogues/flows/ritme.yaml) → effects `rhythm` + `reminders`
    task `reminder`           2 h after the usual dagdeel ends (ochtend 12:00, middag 17:00,
                              avond 21:00): "Hoe was je bezoek bij mevrouw L?" unless paused,
                              reminders off, or a reflection was made since the visit; then
                              the same moment next week, and at most one `reminder_followup`
                              the next day at 10:00. After two weeks of reminders without
                              any answer (no reflection, no button, no /ritme) they stop,
                              until she looks back or changes /ritme.
    task `checkin_sweep`      daily: volunteers silent for three weeks get one check-in,
                              not again until they reflect again.
Messages go through the outbox (kind `reminder`) with not_before outside quiet hours
(21:00–09:00 Europe/Amsterdam by default): a message due at night waits until 09:00.

Button data (prefix `ri`): ri.nu (reflect now), ri.later (not tonight), ri.geen (there
was no visit), ri.ok (check-in dismissed). They only ever touch the presser's own tasks.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.delivery.ticker import recurring, task_handler
from bot.flows import runner as conversations
from bot.flows.effects import applies
from bot.rhythm import timing
from bot.routing.registry import button, command
from bot.routing.turn import Turn
from storage import outbox, residents, tasks, team, users
from storage.times import iso, parse

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.runtime import Runtime
    from storage.tasks import Task

log = logging.getLogger(__name__)
REMINDER, FOLLOW_UP, SWEEP, CHECKIN = "reminder", "reminder_followup", "checkin_sweep", "checkin"
REMINDED, ANSWERED = "reminder_sent", "reminder_answered"  # records (done tasks)
SILENCE = timedelta(weeks=3)
UNANSWERED_WEEKS = 2  # weekly reminders without any answer, then they rest


@command("/ritme")
async def rhythm(turn: Turn) -> None:
    await conversations.start(turn, "ritme")


def schedule_next(db: Database, user: users.User, now: datetime, tz: str) -> None:
    """The next reminder for this volunteer's usual moment (if any, and wanted)."""
    if user.rhythm_day is None or user.rhythm_part not in timing.DAYPARTS or not user.reminders:
        return
    visit, ask = timing.reminder_moment(now, user.rhythm_day, user.rhythm_part, tz)
    tasks.schedule(db, REMINDER, ask, user_id=user.id, payload={"visit": iso(visit)}, now=now)


@applies("reminders")
def _reminders(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """After `rhythm` stored the moment: replace any planned reminders by the new plan."""
    for kind in (REMINDER, FOLLOW_UP):
        tasks.cancel_for_user(db, user_id, kind)
    tasks.record(db, ANSWERED, user_id, now)  # changing /ritme is an answer too
    user = users.get(db, user_id)
    if user is not None:
        schedule_next(db, user, now, params["timezone"])


def _quiet_ok(rt: Runtime, moment: datetime) -> datetime:
    s = rt.settings
    return timing.outside_quiet(moment, s.timezone, s.quiet_start_hour, s.quiet_end_hour)


def _may_remind(db: Database, user: users.User | None, visit: datetime) -> bool:
    if user is None or user.role != "volunteer" or user.status != "active" or not user.reminders:
        return False
    last = team.last_reflection(db, user.id)
    return not (last and parse(last) >= visit)


def gone_unanswered(db: Database, user_id: int) -> bool:
    """Two weeks of reminders without any answer (no reflection, no button, no /ritme):
    asking more would only nag, so they rest until she answers."""
    answers = [
        a
        for a in (team.last_reflection(db, user_id), tasks.last_recorded(db, user_id, ANSWERED))
        if a
    ]
    since = max(answers, default=None)
    return tasks.count_recorded_since(db, user_id, REMINDED, since) >= UNANSWERED_WEEKS


def _enqueue_reminder(
    db: Database, rt: Runtime, user: users.User, template: str, now: datetime
) -> None:
    visited = residents.active(db, user.id)
    content = rt.content
    text = content.render(
        template,
        user.language,
        voornaam=user.first_name,
        alias=visited[0].alias if len(visited) == 1 else "",
    )
    label = lambda key: content.render(f"ritme.{key}", user.language)  # noqa: E731
    buttons = [
        [
            {"label": label("knop_nu"), "data": "ri.nu"},
            {"label": label("knop_vanavond_niet"), "data": "ri.later"},
        ],
        [{"label": label("knop_geen_bezoek"), "data": "ri.geen"}],
    ]
    outbox.enqueue(
        db,
        user.id,
        "reminder",
        text,
        now,
        buttons=buttons,
        recipient_id=user.id,
        not_before=_quiet_ok(rt, now),
    )


@task_handler(REMINDER)
async def reminder(rt: Runtime, task: Task) -> None:
    now = rt.clock.now()

    def run(db: Database) -> bool:
        with db.atomic():
            user = users.get(db, task.user_id) if task.user_id else None
            if user is None or user.rhythm_day is None or not user.reminders:
                return False
            schedule_next(db, user, now, rt.settings.timezone)  # the same moment next week
            visit = parse(task.payload["visit"])
            if not _may_remind(db, user, visit) or gone_unanswered(db, user.id):
                return False
            _enqueue_reminder(db, rt, user, "ritme.herinnering", now)
            tasks.record(db, REMINDED, user.id, now)
            follow = timing.at_local(
                _quiet_ok(rt, now) + timedelta(days=1), timing.FOLLOW_UP_HOUR, rt.settings.timezone
            )  # the day after it arrives
            tasks.schedule(db, FOLLOW_UP, follow, user_id=user.id, payload=task.payload, now=now)
            return True

    sent = await rt.store.run(run)
    log.info("reminder user=%s sent=%s", task.user_id, sent)


@task_handler(FOLLOW_UP)
async def reminder_follow_up(rt: Runtime, task: Task) -> None:
    now = rt.clock.now()

    def run(db: Database) -> bool:
        with db.atomic():
            user = users.get(db, task.user_id) if task.user_id else None
            if user is None or not _may_remind(db, user, parse(task.payload["visit"])):
                return False
            _enqueue_reminder(db, rt, user, "ritme.herinnering_nog_eens", now)
            return True

    sent = await rt.store.run(run)
    log.info("reminder follow-up user=%s sent=%s", task.user_id, sent)


# ---- three quiet weeks --------------------------------------------------------------------


@recurring(SWEEP)
def _first_sweep(now: datetime, settings: Settings) -> datetime:
    return now


@task_handler(SWEEP)
async def checkin_sweep(rt: Runtime, task: Task) -> None:
    now = rt.clock.now()

    def run(db: Database) -> int:
        with db.atomic():
            silent = team.silent_volunteers(db, now - SILENCE)
            for user_id in silent:
                user = users.get(db, user_id)
                assert user is not None  # silent_volunteers names existing users
                content = rt.content
                buttons = [
                    [
                        {
                            "label": content.render("ritme.knop_terugkijken", user.language),
                            "data": "ri.nu",
                        },
                        {
                            "label": content.render("ritme.knop_laat_maar", user.language),
                            "data": "ri.ok",
                        },
                    ]
                ]
                outbox.enqueue(
                    db,
                    user.id,
                    "reminder",
                    content.render("ritme.inchecken", user.language, voornaam=user.first_name),
                    now,
                    buttons=buttons,
                    recipient_id=user.id,
                    not_before=_quiet_ok(rt, now),
                )
                tasks.record(db, CHECKIN, user.id, now)  # so it comes once
            tasks.schedule(
                db,
                SWEEP,
                timing.next_daily_at(now, timing.SWEEP_HOUR, rt.settings.timezone),
                now=now,
            )
            return len(silent)

    count = await rt.store.run(run)
    log.info("check-in sweep sent=%s", count)


# ---- the buttons on a reminder ------------------------------------------------------------


def _answered(db: Database, user_id: int, now: datetime) -> None:
    with db.atomic():
        tasks.record(db, ANSWERED, user_id, now)


@button("ri")
async def reminder_button(turn: Turn) -> None:
    what = await turn.button_choice(("nu", "later", "geen", "ok"))
    if what is None:
        return
    await turn.notice()
    await turn.rt.store.run(_answered, turn.user_id, turn.rt.clock.now())
    if what in ("nu", "geen", "ok"):
        # Only the presser's own follow-up is cancelled (user_id = the presser).
        await turn.rt.store.run(tasks.cancel_for_user, turn.user_id, FOLLOW_UP)
    if what == "nu":
        await turn.say("ritme.nu_gekozen", edit=True)
        await conversations.start(turn, "reflectie")
        return
    await turn.say(
        {
            "later": "ritme.later_gekozen",
            "geen": "ritme.geen_bezoek_gekozen",
            "ok": "ritme.laat_maar_gekozen",
        }[what],
        edit=True,
    )
