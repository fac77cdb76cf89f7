"""Due tasks: everything that must happen later (reminders, escalations, notices).

A row with a `due_at`, processed by the clock-driven tick, so it survives restarts and
the sandbox clock can move it. Never rely on an in-memory job for these.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import new_id
from storage.times import iso, parse


@dataclass(frozen=True)
class Task:
    id: int
    kind: str
    due_at: str
    user_id: int | None
    signal_id: int | None
    payload: dict
    attempts: int = 0  # how often its handler raised so far


def schedule(
    db: Database,
    kind: str,
    due_at: datetime,
    *,
    user_id: int | None = None,
    signal_id: int | None = None,
    payload: dict | None = None,
    now: datetime | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO due_tasks (kind, due_at, user_id, signal_id, payload, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [kind, iso(due_at), user_id, signal_id, json.dumps(payload or {}), iso(now or due_at)],
    )
    return new_id(cursor)


def due(db: Database, now: datetime, kinds: tuple[str, ...], limit: int = 200) -> list[Task]:
    marks = ", ".join("?" for _ in kinds) or "NULL"
    rows = db.execute(
        "SELECT id, kind, due_at, user_id, signal_id, payload, attempts FROM due_tasks "
        f"WHERE status = 'pending' AND due_at <= ? AND kind IN ({marks}) "
        "ORDER BY due_at, id LIMIT ?",
        [iso(now), *kinds, limit],
    )
    return [Task(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]


def next_due_at(db: Database, kinds: tuple[str, ...]) -> datetime | None:
    """When the earliest pending task of these kinds is due (it may be overdue)."""
    marks = ", ".join("?" for _ in kinds) or "NULL"
    found = db.execute(
        f"SELECT min(due_at) FROM due_tasks WHERE status = 'pending' AND kind IN ({marks})",
        list(kinds),
    ).fetchone()[0]
    return parse(found) if found else None


def finish(db: Database, task_id: int, now: datetime, status: str = "done") -> None:
    db.execute(
        "UPDATE due_tasks SET status = ?, done_at = ? WHERE id = ?", [status, iso(now), task_id]
    )


def retry_later(db: Database, task_id: int, due_at: datetime, error: str) -> None:
    """The handler raised: the task stays pending, due again at `due_at`."""
    db.execute(
        "UPDATE due_tasks SET due_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
        [iso(due_at), error, task_id],
    )


def cancel_for_user(db: Database, user_id: int, kind: str) -> None:
    db.execute(
        "UPDATE due_tasks SET status = 'cancelled' WHERE user_id = ? AND kind = ? "
        "AND status = 'pending'",
        [user_id, kind],
    )


def pending_for_user(db: Database, user_id: int, kind: str) -> list[Task]:
    rows = db.execute(
        "SELECT id, kind, due_at, user_id, signal_id, payload FROM due_tasks "
        "WHERE user_id = ? AND kind = ? AND status = 'pending' ORDER BY due_at",
        [user_id, kind],
    )
    return [Task(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]


def take_for_user(db: Database, user_id: int, kind: str) -> bool:
    """Consume pending tasks of this kind for the user; True if there was one."""
    cursor = db.execute(
        "DELETE FROM due_tasks WHERE user_id = ? AND kind = ? AND status = 'pending'",
        [user_id, kind],
    )
    return cursor.rowcount > 0


def pending_of_kind(db: Database, kind: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM due_tasks WHERE kind = ? AND status = 'pending' LIMIT 1", [kind]
        ).fetchone()
        is not None
    )


def record(db: Database, kind: str, user_id: int, now: datetime) -> int:
    """A task that is done at once: the record that something happened (a check-in was
    sent, a reminder was answered), for later decisions."""
    task_id = schedule(db, kind, now, user_id=user_id, now=now)
    finish(db, task_id, now)
    return task_id


def last_recorded(db: Database, user_id: int, kind: str) -> str | None:
    return db.execute(
        "SELECT max(created_at) FROM due_tasks WHERE user_id = ? AND kind = ? AND status = 'done'",
        [user_id, kind],
    ).fetchone()[0]


def count_recorded_since(db: Database, user_id: int, kind: str, since: str | None) -> int:
    return db.execute(
        "SELECT count(*) FROM due_tasks WHERE user_id = ? AND kind = ? "
        "AND status = 'done' AND created_at > ?",
        [user_id, kind, since or ""],
    ).fetchone()[0]
