"""Signals: a volunteer's worry about a resident, or a request for support for themselves.
Every change is an event with a timestamp."""
from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from storage import links
from storage.times import iso


def add_event(db: Database, signal_id: int, event_type: str, actor_id: int | None, now: datetime) -> None:
    db.execute("INSERT INTO signal_events (signal_id, type, actor_id, at) VALUES (?, ?, ?, ?)",
               [signal_id, event_type, actor_id, iso(now)])


def record_support(db: Database, volunteer_id: int, now: datetime) -> int:
    """The volunteer asks their contact person to get in touch: about them, not a resident."""
    professional_id = links.professional_of(db, volunteer_id)
    signal_id = db.execute(
        "INSERT INTO signals (volunteer_id, professional_id, kind, level, categories, status, "
        "created_at, updated_at) VALUES (?, ?, 'support', 2, ?, 'open', ?, ?)",
        [volunteer_id, professional_id, json.dumps(["te_veel"]), iso(now), iso(now)]).lastrowid
    add_event(db, signal_id, "created", volunteer_id, now)
    return signal_id
