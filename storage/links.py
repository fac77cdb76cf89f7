"""Which professional a volunteer is linked to (at most one)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from storage.times import iso


def professional_of(db: Database, volunteer_id: int) -> int | None:
    row = db.execute(
        "SELECT professional_id FROM links WHERE volunteer_id = ?", [volunteer_id]
    ).fetchone()
    return row[0] if row else None


def volunteers_of(db: Database, professional_id: int) -> list[int]:
    rows = db.execute(
        "SELECT volunteer_id FROM links WHERE professional_id = ? ORDER BY volunteer_id",
        [professional_id],
    )
    return [r[0] for r in rows]


def link(db: Database, volunteer_id: int, professional_id: int, now: datetime) -> int | None:
    """Link (or relink) a volunteer; returns the previous professional, if any."""
    previous = professional_of(db, volunteer_id)
    db.execute(
        "INSERT INTO links (volunteer_id, professional_id, linked_at) VALUES (?, ?, ?) "
        "ON CONFLICT(volunteer_id) DO UPDATE SET professional_id = excluded.professional_id, "
        "linked_at = excluded.linked_at",
        [volunteer_id, professional_id, iso(now)],
    )
    return previous


def unlinked_volunteers(db: Database) -> list[int]:
    rows = db.execute(
        "SELECT id FROM users WHERE role = 'volunteer' AND status != 'left' "
        "AND id NOT IN (SELECT volunteer_id FROM links) ORDER BY id"
    )
    return [r[0] for r in rows]
