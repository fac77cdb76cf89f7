"""Where each user is in a conversation: flow, state, answers so far.

Saved in the same transaction as the effects of the step that produced it, so a
restart continues at the same question with the same answers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.times import iso


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
    return SavedState(uid, flow, state, instance, seq, json.loads(answers), json.loads(data),
                      started, updated)


def load(db: Database, user_id: int) -> SavedState | None:
    row = db.execute(f"SELECT {_COLS} FROM dialogue_state WHERE user_id = ?",
                     [user_id]).fetchone()
    return _from_row(row) if row else None


def save(db: Database, saved: SavedState) -> None:
    db.execute(
        f"INSERT OR REPLACE INTO dialogue_state ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [saved.user_id, saved.flow, saved.state, saved.instance, saved.seq,
         json.dumps(saved.answers, ensure_ascii=False), json.dumps(saved.data, ensure_ascii=False),
         saved.started_at, saved.updated_at],
    )


def clear(db: Database, user_id: int) -> None:
    db.execute("DELETE FROM dialogue_state WHERE user_id = ?", [user_id])


def idle_since(db: Database, before: datetime) -> list[SavedState]:
    rows = db.execute(f"SELECT {_COLS} FROM dialogue_state WHERE updated_at < ?", [iso(before)])
    return [_from_row(r) for r in rows]
