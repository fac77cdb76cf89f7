"""What /overzicht draws: the volunteer's own visits (reflections) since a moment, with the
energy they gave after each. Only dates and numbers: never text, never an alias."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from storage.times import iso, parse


def visits_since(db: Database, user_id: int, since: datetime) -> list[tuple[datetime, int | None]]:
    """(moment, energy or None) per reflection on a visit, oldest first. A cancelled visit
    is journaled as 'afgezegd' and does not count."""
    rows = db.execute(
        "SELECT created_at, energy FROM journal_entries WHERE user_id = ? "
        "AND kind = 'reflectie' AND created_at >= ? ORDER BY created_at",
        [user_id, iso(since)],
    )
    return [(parse(at), energy) for at, energy in rows]
