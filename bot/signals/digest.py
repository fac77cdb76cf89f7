"""The weekly digest of *aandachtspunten* (level 1) for a contact person who wants one:
Monday 09:00, only the points of volunteers who allow it (storage.signals.digest_points).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.delivery.ticker import task_handler
from bot.signals.texts import (
    alias_of,
    category_labels,
    first_name,
    local_date,
    render,
)
from bot.timekeeping.local import at_local, local, next_weekday_at
from storage import outbox, signals, tasks, users

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from storage.tasks import Task

log = logging.getLogger(__name__)
DIGEST = "signal_digest"


def next_monday_morning(now: datetime, tz: str) -> datetime:
    """09:00 on the first Monday after today (on a Monday: a week later)."""
    tomorrow = at_local(local(now, tz) + timedelta(days=1), 0, tz)
    return next_weekday_at(tomorrow - timedelta(microseconds=1), 0, 9, tz)


def set_digest(db: Database, professional_id: int, wanted: bool, now: datetime, tz: str) -> None:
    with db.atomic():
        users.set_wants_digest(db, professional_id, wanted)
        tasks.cancel_for_user(db, professional_id, DIGEST)
        if wanted:
            tasks.schedule(
                db,
                DIGEST,
                next_monday_morning(now, tz),
                user_id=professional_id,
                payload={"tz": tz},
                now=now,
            )


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
            rows = [
                {
                    "datum": local_date(p.created_at, tz),
                    "voornaam": first_name(users.get(db, p.volunteer_id)),
                    "alias": alias_of(db, p.resident_id, locale),
                    "categorieen": category_labels(p.categories, locale),
                }
                for p in points
            ]
            outbox.enqueue(
                db,
                professional.id,
                "signal_digest",
                render("signalen.weekoverzicht", locale, aandachtspunten=rows),
                now,
                recipient_id=professional.id,
            )
        tasks.schedule(
            db,
            DIGEST,
            next_monday_morning(now, tz),
            user_id=professional.id,
            payload={"tz": tz},
            now=now,
        )
    log.info("digest user=%s points=%s", professional.id, len(points))
    return len(points)
