"""Crisis words: pass it on now? The open question (asked by bot/signals/detection.py) is a
due task "crisis_confirm": Ja sends the worry as urgent at once, Nee drops it, and no
answer in time sends it as urgent, marked "not confirmed".
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.delivery.ticker import task_handler
from bot.signals.service import (
    send_urgent,
    tell_volunteer,
)
from storage import signals, tasks

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from storage.tasks import Task

log = logging.getLogger(__name__)


CONFIRM = "crisis_confirm"


def ask_confirm(
    db: Database,
    user_id: int,
    now: datetime,
    minutes: float,
    categories: list[str],
    resident_id: int | None,
    tz: str,
) -> int:
    """The open question is a due task: unanswered when it falls due, the worry goes on."""
    return tasks.schedule(
        db,
        CONFIRM,
        now + timedelta(minutes=minutes),
        user_id=user_id,
        payload={"categories": categories, "resident": resident_id, "tz": tz},
        now=now,
    )


def pending_confirm(db: Database, user_id: int) -> int | None:
    found = tasks.pending_for_user(db, user_id, CONFIRM)
    return found[0].id if found else None


def _take_confirm(db: Database, task_id: int, user_id: int | None = None):
    """The pending question with this id (and owner), or None once it was answered or sent."""
    row = db.execute(
        "SELECT user_id, status, payload FROM due_tasks WHERE id = ? AND kind = ?",
        [task_id, CONFIRM],
    ).fetchone()
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
        send_urgent(
            db,
            user_id,
            now,
            payload["tz"],
            categories=payload["categories"],
            resident_id=payload.get("resident"),
            flow_run=f"k{task_id}",
        )
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
        signal_id = send_urgent(
            db,
            user_id,
            now,
            payload["tz"],
            categories=payload["categories"],
            resident_id=payload.get("resident"),
            flow_run=f"k{task_id}",
            unconfirmed=True,
        )
        sent = signals.get(db, signal_id)
        assert sent is not None  # just created
        tell_volunteer(db, sent, "signalen.v_onbevestigd", now)
    log.info("crisis question timed out user=%s signal=%s", user_id, signal_id)
    return True


@task_handler(CONFIRM)
async def _confirm_due(rt: Runtime, task: Task) -> None:
    await rt.store.run(confirm_timed_out, task.id, rt.clock.now())
    rt.wake_outbox()
