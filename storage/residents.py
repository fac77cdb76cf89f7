"""The people a volunteer visits, by alias only (never a real name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import new_id
from storage.times import iso

MAX_ALIAS = 40


@dataclass(frozen=True)
class Resident:
    id: int
    volunteer_id: int
    alias: str
    created_at: str
    ended_at: str | None


def _from_row(row) -> Resident:
    return Resident(*row)


_COLS = "id, volunteer_id, alias, created_at, ended_at"


def active(db: Database, volunteer_id: int) -> list[Resident]:
    rows = db.execute(
        f"SELECT {_COLS} FROM residents WHERE volunteer_id = ? "
        "AND ended_at IS NULL ORDER BY created_at, id",
        [volunteer_id],
    )
    return [_from_row(r) for r in rows]


def get(db: Database, volunteer_id: int, resident_id: int) -> Resident | None:
    row = db.execute(
        f"SELECT {_COLS} FROM residents WHERE id = ? AND volunteer_id = ?",
        [resident_id, volunteer_id],
    ).fetchone()
    return _from_row(row) if row else None


def add(db: Database, volunteer_id: int, alias: str, now: datetime) -> Resident:
    alias = clean_alias(alias)
    existing = db.execute(
        "SELECT id FROM residents WHERE volunteer_id = ? AND alias = ?", [volunteer_id, alias]
    ).fetchone()
    if existing:
        db.execute("UPDATE residents SET ended_at = NULL WHERE id = ?", [existing[0]])
        resident = get(db, volunteer_id, existing[0])
        assert resident is not None  # the row was just found
        return resident
    cursor = db.execute(
        "INSERT INTO residents (volunteer_id, alias, created_at) VALUES (?, ?, ?)",
        [volunteer_id, alias, iso(now)],
    )
    resident = get(db, volunteer_id, new_id(cursor))
    assert resident is not None  # just inserted
    return resident


def rename(db: Database, volunteer_id: int, resident_id: int, alias: str) -> bool:
    """False when another active contact of this volunteer already has the alias. An
    ended contact with that alias gives it up (it keeps its id in its alias)."""
    alias = clean_alias(alias)
    taken = db.execute(
        "SELECT id, ended_at FROM residents WHERE volunteer_id = ? AND alias = ? AND id != ?",
        [volunteer_id, alias, resident_id],
    ).fetchone()
    if taken and taken[1] is None:
        return False
    if taken:
        db.execute(
            "UPDATE residents SET alias = substr(alias, 1, 30) || ' (' || id || ')' WHERE id = ?",
            [taken[0]],
        )
    db.execute(
        "UPDATE residents SET alias = ? WHERE id = ? AND volunteer_id = ?",
        [alias, resident_id, volunteer_id],
    )
    return True


def end(db: Database, volunteer_id: int, resident_id: int, now: datetime) -> None:
    db.execute(
        "UPDATE residents SET ended_at = ? WHERE id = ? AND volunteer_id = ?",
        [iso(now), resident_id, volunteer_id],
    )


def clean_alias(alias: str) -> str:
    alias = " ".join(alias.split())[:MAX_ALIAS]
    if not alias:
        raise ValueError("an alias cannot be empty")
    return alias
