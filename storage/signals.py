"""Signals: a volunteer's worry about a resident, or a request for support for themselves.
Every change is an event with a timestamp."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage import links
from storage.db import new_id
from storage.times import iso


def add_event(
    db: Database, signal_id: int, event_type: str, actor_id: int | None, now: datetime
) -> None:
    db.execute(
        "INSERT INTO signal_events (signal_id, type, actor_id, at) VALUES (?, ?, ?, ?)",
        [signal_id, event_type, actor_id, iso(now)],
    )


def record_support(db: Database, volunteer_id: int, now: datetime) -> int:
    """The volunteer asks their contact person to get in touch: about them, not a resident."""
    return create(
        db,
        volunteer_id,
        now,
        kind="support",
        level=2,
        categories=["te_veel"],
        professional_id=links.professional_of(db, volunteer_id),
    )


# ---- the signal itself --------------------------------------------------------------

STATUSES = ("journal", "open", "picked_up", "closed")
_COLUMNS = (
    "id, volunteer_id, resident_id, professional_id, kind, level, categories, note, "
    "share_note, consent, resident_knows, status, word_back, created_at, updated_at"
)


@dataclass(frozen=True)
class Signal:
    id: int
    volunteer_id: int
    resident_id: int | None
    professional_id: int | None
    kind: str
    level: int
    categories: list
    note: str | None
    share_note: bool
    consent: bool
    resident_knows: str | None
    status: str
    word_back: str | None
    created_at: str
    updated_at: str


def _row(row) -> Signal:
    values = list(row)
    values[6] = json.loads(values[6])
    values[8], values[9] = bool(values[8]), bool(values[9])
    return Signal(*values)


def create(
    db: Database,
    volunteer_id: int,
    now: datetime,
    *,
    kind: str = "signal",
    level: int,
    categories: list[str],
    resident_id: int | None = None,
    note: str | None = None,
    share_note: bool = False,
    consent: bool = False,
    resident_knows: str | None = None,
    status: str = "open",
    professional_id: int | None = None,
    flow_run: str | None = None,
) -> int:
    """A new signal and its first event ('created'); call inside the caller's transaction."""
    signal_id = new_id(
        db.execute(
            "INSERT INTO signals (volunteer_id, resident_id, professional_id, kind, level, "
            "categories, note, share_note, consent, resident_knows, status, created_at, "
            "updated_at, flow_run) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                volunteer_id,
                resident_id,
                professional_id,
                kind,
                level,
                json.dumps(list(categories)),
                note,
                int(share_note),
                int(consent),
                resident_knows,
                status,
                iso(now),
                iso(now),
                flow_run,
            ],
        )
    )
    add_event(db, signal_id, "created", volunteer_id, now)
    return signal_id


def of_run(db: Database, volunteer_id: int, flow_run: str | None) -> Signal | None:
    """The signal a conversation run already wrote (an urgent worry, sent at once)."""
    if not flow_run:
        return None
    row = db.execute(
        f"SELECT {_COLUMNS} FROM signals WHERE volunteer_id = ? AND flow_run = ? "
        "ORDER BY id DESC LIMIT 1",
        [volunteer_id, flow_run],
    ).fetchone()
    return _row(row) if row else None


def add_details(
    db: Database,
    signal_id: int,
    now: datetime,
    *,
    categories: list[str],
    note: str | None,
    share_note: bool,
    resident_knows: str | None,
) -> None:
    """What the volunteer added after an urgent worry went out (same signal)."""
    db.execute(
        "UPDATE signals SET categories = ?, note = ?, share_note = ?, resident_knows = ?, "
        "updated_at = ? WHERE id = ?",
        [json.dumps(list(categories)), note, int(share_note), resident_knows, iso(now), signal_id],
    )
    add_event(db, signal_id, "added", None, now)


def get(db: Database, signal_id: int) -> Signal | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM signals WHERE id = ?", [signal_id]).fetchone()
    return _row(row) if row else None


def set_status(
    db: Database,
    signal_id: int,
    status: str,
    actor_id: int | None,
    now: datetime,
    event: str | None = None,
    word_back: str | None = None,
) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown signal status {status!r}")
    db.execute(
        "UPDATE signals SET status = ?, updated_at = ?, word_back = COALESCE(?, word_back) "
        "WHERE id = ?",
        [status, iso(now), word_back, signal_id],
    )
    add_event(db, signal_id, event or status, actor_id, now)


def events(db: Database, signal_id: int) -> list[tuple[str, int | None, str]]:
    return [
        tuple(r)
        for r in db.execute(
            "SELECT type, actor_id, at FROM signal_events WHERE signal_id = ? ORDER BY id",
            [signal_id],
        )
    ]


def has_event(db: Database, signal_id: int, event_type: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM signal_events WHERE signal_id = ? AND type = ? LIMIT 1",
            [signal_id, event_type],
        ).fetchone()
        is not None
    )


def open_for_professional(db: Database, professional_id: int) -> list[Signal]:
    """Open and picked-up signals assigned to this professional, oldest first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM signals WHERE professional_id = ? "
        "AND status IN ('open', 'picked_up') ORDER BY created_at, id",
        [professional_id],
    )
    return [_row(r) for r in rows]


def digest_points(db: Database, professional_id: int, since: datetime) -> list[Signal]:
    """Level-1 *aandachtspunten* since `since` of this professional's volunteers who allow
    them in the weekly digest (users.share_digest)."""
    rows = db.execute(
        f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))} FROM signals s "
        "JOIN links l ON l.volunteer_id = s.volunteer_id "
        "JOIN users u ON u.id = s.volunteer_id "
        "WHERE l.professional_id = ? AND u.share_digest = 1 AND s.kind = 'signal' "
        "AND s.level = 1 AND s.created_at >= ? ORDER BY s.created_at, s.id",
        [professional_id, iso(since)],
    )
    return [_row(r) for r in rows]


def last_reflection(db: Database, volunteer_id: int) -> str | None:
    row = db.execute(
        "SELECT max(created_at) FROM journal_entries WHERE user_id = ? AND kind = 'reflectie'",
        [volunteer_id],
    ).fetchone()
    return row[0] if row else None


def recent_energy(db: Database, volunteer_id: int, limit: int = 4) -> list[int]:
    """The volunteer's last energy answers, oldest first (only shown if they opted in)."""
    rows = db.execute(
        "SELECT energy FROM journal_entries WHERE user_id = ? AND energy IS NOT NULL "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        [volunteer_id, limit],
    )
    return [r[0] for r in rows][::-1]


def purge_settled_before(db: Database, cutoff: datetime) -> int:
    """Signals that are closed (or stayed in the journal) and untouched since `cutoff` go,
    with their events; open and picked-up ones stay until they are dealt with."""
    return db.execute(
        "DELETE FROM signals WHERE status IN ('closed', 'journal') AND updated_at < ?",
        [iso(cutoff)],
    ).rowcount
