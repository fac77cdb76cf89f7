"""Messages to other people than the one whose turn it is: written in the same
transaction as the event that caused them, delivered later by one worker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import new_id
from storage.times import iso, parse


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    recipient_id: int | None
    kind: str
    payload: dict
    attempts: int
    signal_id: int | None
    broadcast_id: int | None
    maybe_sent: int = 0  # attempts that may have reached Telegram, outcome unknown


def enqueue(
    db: Database,
    chat_id: int,
    kind: str,
    text: str,
    now: datetime,
    *,
    buttons: list | None = None,
    recipient_id: int | None = None,
    about_id: int | None = None,
    signal_id: int | None = None,
    broadcast_id: int | None = None,
    not_before: datetime | None = None,
) -> int:
    payload = json.dumps({"text": text, "buttons": buttons or []}, ensure_ascii=False)
    return new_id(
        db.execute(
            "INSERT INTO outbox (chat_id, recipient_id, about_id, signal_id, broadcast_id, kind, "
            "payload, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                chat_id,
                recipient_id,
                about_id,
                signal_id,
                broadcast_id,
                kind,
                payload,
                iso(not_before or now),
                iso(now),
            ],
        )
    )


def due(db: Database, now: datetime, limit: int = 100) -> list[OutboxRow]:
    """Pending rows whose time has come, oldest first. A row waiting out a retry (attempts
    > 0, not_before later) holds back the newer rows of its chat, so they keep their order;
    a row merely scheduled for later (a reminder after quiet hours) holds back nothing."""
    rows = db.execute(
        "SELECT id, chat_id, recipient_id, kind, payload, attempts, signal_id, broadcast_id, "
        "maybe_sent "
        "FROM outbox o WHERE status = 'pending' AND not_before <= ? AND NOT EXISTS ("
        "  SELECT 1 FROM outbox b WHERE b.status = 'pending' AND b.not_before > ? "
        "  AND b.attempts > 0 AND b.chat_id = o.chat_id AND b.id < o.id) "
        "ORDER BY id LIMIT ?",
        [iso(now), iso(now), limit],
    )
    return [
        OutboxRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8]) for r in rows
    ]


def next_due_after(db: Database, now: datetime) -> datetime | None:
    """The earliest moment after `now` at which a pending row becomes due: a row scheduled
    for later, or one waiting out a retry (it also frees the later rows of its chat)."""
    found = db.execute(
        "SELECT min(not_before) FROM outbox WHERE status = 'pending' AND not_before > ?", [iso(now)]
    ).fetchone()[0]
    return parse(found) if found else None


def pending_count(db: Database, now: datetime | None = None) -> int:
    if now is None:
        return db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    return db.execute(
        "SELECT count(*) FROM outbox WHERE status = 'pending' AND not_before <= ?", [iso(now)]
    ).fetchone()[0]


def mark_sent(db: Database, row_id: int, message_id: int | None, now: datetime) -> None:
    db.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, "
        "attempts = attempts + 1 WHERE id = ?",
        [iso(now), message_id, row_id],
    )


def mark_unreachable(db: Database, row_id: int, error: str) -> None:
    db.execute(
        "UPDATE outbox SET status = 'unreachable', last_error = ?, attempts = attempts + 1 "
        "WHERE id = ?",
        [error, row_id],
    )


def mark_failed(db: Database, row_id: int, error: str) -> None:
    db.execute(
        "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ?",
        [error, row_id],
    )


def retry_later(
    db: Database, row_id: int, not_before: datetime, error: str, *, reached: bool = False
) -> None:
    """Try again at `not_before`. `reached`: the request may have got to Telegram (no
    answer came back), so the count `begin_attempt` made stays."""
    db.execute(
        "UPDATE outbox SET not_before = ?, last_error = ?, attempts = attempts + 1, "
        "maybe_sent = maybe_sent - ? WHERE id = ?",
        [iso(not_before), error, 0 if reached else 1, row_id],
    )


def begin_attempt(db: Database, row_id: int) -> None:
    """Written BEFORE each request: if the outcome never becomes known (no answer, a crash)
    the row shows that it may have been sent. A known outcome takes it back."""
    db.execute("UPDATE outbox SET maybe_sent = maybe_sent + 1 WHERE id = ?", [row_id])


def not_sent(db: Database, row_id: int) -> None:
    """Telegram answered "not now" (429): this attempt did not send anything."""
    db.execute("UPDATE outbox SET maybe_sent = max(0, maybe_sent - 1) WHERE id = ?", [row_id])


def mark_uncertain(db: Database, row_id: int, error: str) -> None:
    """Sent twice without ever hearing back: most likely it arrived; never sent again."""
    db.execute(
        "UPDATE outbox SET status = 'uncertain', last_error = ? WHERE id = ?", [error, row_id]
    )


def broadcast_counts(db: Database, broadcast_id: int, kind: str) -> dict[str, int]:
    """Rows of `kind` per status (a broadcast's report row has the same broadcast_id)."""
    rows = db.execute(
        "SELECT status, count(*) FROM outbox WHERE broadcast_id = ? AND kind = ? GROUP BY status",
        [broadcast_id, kind],
    )
    return {status: n for status, n in rows}


def cancel_pending(db: Database, recipient_id: int, kind: str) -> int:
    """Drop messages of this kind still waiting for the recipient (e.g. a reminder held
    back until 09:00 when they pause overnight)."""
    return db.execute(
        "DELETE FROM outbox WHERE recipient_id = ? AND kind = ? AND status = 'pending'",
        [recipient_id, kind],
    ).rowcount


def purge_settled_before(db: Database, cutoff: datetime) -> int:
    """Remove delivered, unreachable, failed and uncertain rows created before `cutoff`."""
    return db.execute(
        "DELETE FROM outbox WHERE status != 'pending' AND created_at < ?", [iso(cutoff)]
    ).rowcount
