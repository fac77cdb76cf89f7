"""The durable inbox: every update the bot fetched, stored before Telegram is told it
arrived (the next getUpdates offset), and handled from here in update_id order.

Rows are idempotent by update_id: storing a re-fetched update again changes nothing, and
a handled row keeps only its id and the handled mark (the body, which holds message text,
is gone the moment it is handled). `purge` removes id-only rows after a day: Telegram keeps
an unconfirmed update for at most 24 hours, so nothing older can come back.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.times import iso

KEEP_HANDLED = timedelta(days=1)

# The update whose turn is running, so the turn's own transaction can mark it handled
# (bot/conversations.commit). Store.run carries it onto the database thread.
current_update: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "omzien_current_update", default=None
)
PAGE = 100  # updates read per query


class TurnMark:
    """Set by the poller around a turn: the turn notes here that a transaction of its own
    marked the update (and committed), so the poller need not mark it again."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = False


current_mark: contextvars.ContextVar[TurnMark | None] = contextvars.ContextVar(
    "omzien_current_mark", default=None
)


def note_marked() -> None:
    """Call on the event loop after a transaction that ran `mark_current` has committed."""
    mark = current_mark.get()
    if mark is not None:
        mark.done = True


@dataclass(frozen=True)
class Stored:
    update_id: int
    body: dict


def store(db: Database, updates: Iterable[dict], now: datetime) -> int:
    """Write a fetched batch in one transaction; return how many were new."""
    rows = [(u["update_id"], json.dumps(u, ensure_ascii=False), iso(now)) for u in updates]
    with db.atomic():
        before = db.conn.total_changes
        db.conn.executemany(
            "INSERT OR IGNORE INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)", rows
        )
        return db.conn.total_changes - before


def pending(db: Database, after: int | None = None, limit: int = PAGE) -> list[Stored]:
    """Stored, not yet handled, oldest first; with `after`, only those after that update
    (the ones before it are already being handled)."""
    rows = db.execute(
        "SELECT update_id, body FROM inbox WHERE handled_at IS NULL AND update_id > ? "
        "ORDER BY update_id LIMIT ?",
        [-1 if after is None else after, limit],
    ).fetchall()
    return [Stored(update_id, json.loads(body)) for update_id, body in rows]


def store_then_pending(
    db: Database, updates: Iterable[dict], now: datetime, after: int | None
) -> list[Stored]:
    """`store`, then `pending` after `after`: one trip to the database thread instead of two."""
    store(db, updates, now)
    return pending(db, after)


def next_offset(db: Database) -> int | None:
    """The getUpdates offset that confirms everything stored (None: nothing stored)."""
    (highest,) = db.execute("SELECT max(update_id) FROM inbox").fetchone()
    return None if highest is None else highest + 1


def mark_handled(db: Database, update_id: int, now: datetime) -> bool:
    """Handled: keep the id and the mark, drop the text. False if it already was."""
    cursor = db.execute(
        "UPDATE inbox SET body = NULL, handled_at = ? WHERE update_id = ? AND handled_at IS NULL",
        [iso(now), update_id],
    )
    return cursor.rowcount == 1


def mark_current(db: Database, now: datetime) -> None:
    """Inside a turn's transaction: mark that turn's update handled (no-op outside a turn)."""
    update_id = current_update.get()
    if update_id is not None:
        mark_handled(db, update_id, now)


def is_handled(db: Database, update_id: int) -> bool:
    row = db.execute("SELECT handled_at FROM inbox WHERE update_id = ?", [update_id]).fetchone()
    return row is not None and row[0] is not None


def purge(db: Database, now: datetime) -> int:
    """Forget handled ids older than KEEP_HANDLED, but keep the newest row: it holds the
    offset that confirms everything after a restart."""
    cursor = db.execute(
        "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ? "
        "AND update_id < (SELECT max(update_id) FROM inbox)",
        [iso(now - KEEP_HANDLED)],
    )
    return cursor.rowcount
