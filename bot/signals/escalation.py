"""A worry nobody picked up: task "signal_escalate" (level 3: after an hour; level 2: after
two working days, scheduled by bot/signals/service.deliver_new) reminds the contact
person and gives the coordinators counts and ages, never what the worry is about.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.delivery.ticker import on_repeated_failure, task_handler
from bot.signals.service import ESCALATE
from bot.signals.texts import (
    age_text,
    first_name,
    professional_buttons,
    render,
)
from storage import outbox, signals, users

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from storage.tasks import Task

log = logging.getLogger(__name__)


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
            text = render(
                "signalen.p_herinnering",
                locale,
                voornaam=first_name(volunteer),
                niveau=sig.level,
                leeftijd=age_text(sig.created_at, now, locale),
            )
            outbox.enqueue(
                db,
                professional.id,
                "signal_reminder",
                text,
                now,
                buttons=professional_buttons(db, sig, locale),
                recipient_id=professional.id,
                about_id=sig.volunteer_id,
                signal_id=sig.id,
            )
        waiting = signals.open_for_professional(db, professional.id) if professional else [sig]
        waiting = [s for s in waiting if s.status == "open"] or [sig]
        oldest = min(s.created_at for s in waiting)
        for coordinator in users.by_role(db, "coordinator"):
            text = render(
                "signalen.c_escalatie",
                coordinator.language,
                contact=first_name(professional),
                aantal=len(waiting),
                leeftijd=age_text(oldest, now, coordinator.language),
            )
            outbox.enqueue(
                db,
                coordinator.id,
                "signal_escalation",
                text,
                now,
                recipient_id=coordinator.id,
                signal_id=sig.id,
            )
    log.info("signal escalated id=%s level=%s", sig.id, sig.level)
    return True


@on_repeated_failure(ESCALATE)
def _escalation_keeps_failing(db: Database, task: Task, now: datetime) -> None:
    """The escalation itself keeps raising (it is still retried): the coordinators hear
    that a worry waits, by its number only, so a person looks at it."""
    for coordinator in users.by_role(db, "coordinator"):
        text = render("signalen.c_escalatie_mislukt", coordinator.language, nummer=task.signal_id)
        outbox.enqueue(
            db,
            coordinator.id,
            "signal_escalation",
            text,
            now,
            recipient_id=coordinator.id,
            signal_id=task.signal_id,
        )
    log.warning("signal escalation failing id=%s task=%s", task.signal_id, task.id)
