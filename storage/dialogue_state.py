"""Where each user is in a conversation: flow, state, answers so far.

Saved in the same transaction as the effects of the step that produced it, so a
restart continues at the same question with the same answers.

Saving compares on the step number: a step names the state it was taken from (`base`, the
run and seq it loaded), and is written only if that is still what is stored. A turn taken
from a state that changed meanwhile (expired by the tick, replaced, stepped twice) is stale:
`save` and `clear` return False and the caller applies nothing of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.times import iso, parse


@dataclass(frozen=True)
class SavedState:
    user_id: int
    flow: str
    state: str
    instance: str
    seq: int
    answers: dict
    data: dict
    started_at: str
    updated_at: str


_COLS = "user_id, flow, state, instance, seq, answers, data, started_at, updated_at"


def _from_row(row) -> SavedState:
    uid, flow, state, instance, seq, answers, data, started, updated = row
    return SavedState(
        uid, flow, state, instance, seq, json.loads(answers), json.loads(data), started, updated
    )


def load(db: Database, user_id: int) -> SavedState | None:
    row = db.execute(f"SELECT {_COLS} FROM dialogue_state WHERE user_id = ?", [user_id]).fetchone()
    return _from_row(row) if row else None


def save(db: Database, saved: SavedState, base: tuple[str, int] | None = None) -> bool:
    """Write `saved` if it follows `base` = (instance, seq) as stored now; `base` None
    starts a new run and needs that no conversation is stored. False: stale, nothing written."""
    values = [
        saved.flow,
        saved.state,
        saved.instance,
        saved.seq,
        json.dumps(saved.answers, ensure_ascii=False),
        json.dumps(saved.data, ensure_ascii=False),
        saved.started_at,
        saved.updated_at,
    ]
    if base is None:
        cursor = db.execute(
            f"INSERT INTO dialogue_state ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO NOTHING",
            [saved.user_id, *values],
        )
        return cursor.rowcount == 1
    instance, seq = base
    if saved.instance != instance or saved.seq not in (seq, seq + 1):
        return False
    cursor = db.execute(
        "UPDATE dialogue_state SET flow = ?, state = ?, instance = ?, seq = ?, answers = ?, "
        "data = ?, started_at = ?, updated_at = ? WHERE user_id = ? AND instance = ? AND seq = ?",
        [*values, saved.user_id, instance, seq],
    )
    return cursor.rowcount == 1


def clear(db: Database, user_id: int, base: tuple[str, int] | None = None) -> bool:
    """End the conversation; with `base`, only if it is still that run at that step."""
    if base is None:
        db.execute("DELETE FROM dialogue_state WHERE user_id = ?", [user_id])
        return True
    cursor = db.execute(
        "DELETE FROM dialogue_state WHERE user_id = ? AND instance = ? AND seq = ?",
        [user_id, *base],
    )
    return cursor.rowcount == 1


def idle_since(db: Database, before: datetime) -> list[SavedState]:
    rows = db.execute(f"SELECT {_COLS} FROM dialogue_state WHERE updated_at < ?", [iso(before)])
    return [_from_row(r) for r in rows]


def oldest_update(db: Database) -> datetime | None:
    """When the longest-untouched conversation was last touched (it expires first)."""
    found = db.execute("SELECT min(updated_at) FROM dialogue_state").fetchone()[0]
    return parse(found) if found else None
