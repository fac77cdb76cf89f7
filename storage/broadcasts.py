"""Appreciation sent to many at once: one broadcasts row, one outbox row per recipient,
written in one transaction; the progress message and the final report hang off the row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import new_id
from storage.times import iso
from storage.users import first_name_of


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_by: int | None
    template: str
    total: int
    progress_chat_id: int | None
    progress_message_id: int | None
    reported: bool


def create(
    db: Database, created_by: int, template: str, total: int, progress_chat_id: int, now: datetime
) -> int:
    return new_id(
        db.execute(
            "INSERT INTO broadcasts (created_by, template, total, progress_chat_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [created_by, template, total, progress_chat_id, iso(now)],
        )
    )


def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = db.execute(
        "SELECT id, created_by, template, total, progress_chat_id, "
        "progress_message_id, reported FROM broadcasts WHERE id = ?",
        [broadcast_id],
    ).fetchone()
    return Broadcast(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6])) if row else None


def set_progress_message(db: Database, broadcast_id: int, message_id: int) -> None:
    db.execute(
        "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?", [message_id, broadcast_id]
    )


def mark_reported(db: Database, broadcast_id: int) -> bool:
    """True only for the one caller that flips it: the report is written exactly once."""
    return (
        db.execute(
            "UPDATE broadcasts SET reported = 1 WHERE id = ? AND reported = 0", [broadcast_id]
        ).rowcount
        == 1
    )


def unreachable_names(db: Database, broadcast_id: int, kind: str) -> list[str]:
    rows = db.execute(
        "SELECT u.display_name FROM outbox o JOIN users u ON u.id = o.recipient_id "
        "WHERE o.broadcast_id = ? AND o.kind = ? AND o.status IN ('unreachable', 'failed') "
        "ORDER BY o.id",
        [broadcast_id, kind],
    )
    return [first_name_of(r[0]) for r in rows]


def unfinished(db: Database) -> list[int]:
    """Broadcasts whose report is still to come (for the safety-net task)."""
    return [r[0] for r in db.execute("SELECT id FROM broadcasts WHERE reported = 0 ORDER BY id")]
