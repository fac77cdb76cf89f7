"""Small steps: one thing the volunteer wants to try next time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import new_id
from storage.times import iso

STATUSES = ("open", "gelukt", "deels", "nog_niet", "niet_nodig")


@dataclass(frozen=True)
class Step:
    id: int
    resident_id: int | None
    text: str
    status: str
    created_at: str


def add(db: Database, user_id: int, resident_id: int | None, text: str, now: datetime) -> int:
    return new_id(
        db.execute(
            "INSERT INTO steps (user_id, resident_id, text, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [user_id, resident_id, text, iso(now), iso(now)],
        )
    )


def open_steps(db: Database, user_id: int, resident_id: int | None = None) -> list[Step]:
    sql = (
        "SELECT id, resident_id, text, status, created_at FROM steps WHERE user_id = ? "
        "AND status IN ('open', 'nog_niet', 'deels')"
    )
    params: list = [user_id]
    if resident_id is not None:
        sql += " AND resident_id = ?"
        params.append(resident_id)
    return [Step(*r) for r in db.execute(sql + " ORDER BY id DESC", params)]


def set_status(db: Database, user_id: int, step_id: int, status: str, now: datetime) -> bool:
    if status not in STATUSES:
        raise ValueError(f"unknown step status {status!r}")
    cursor = db.execute(
        "UPDATE steps SET status = ?, updated_at = ? WHERE id = ? AND user_id = ?",
        [status, iso(now), step_id, user_id],
    )
    return cursor.rowcount == 1
