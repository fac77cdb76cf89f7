"""Everything stored about one person: to export it, and to forget it for real.

`forget` deletes the user (foreign keys cascade to everything theirs), then merges the
search index so no deleted words linger in its segments, checkpoints the WAL and
VACUUMs, so the text is gone from the file too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlite_utils import Database

from storage import inbox

# (table, where-clause) pairs that select rows about the user `?`.
_MINE = (
    ("users", "id = ?"),
    ("invites", "used_by = ? OR created_by = ?"),
    ("links", "volunteer_id = ? OR professional_id = ?"),
    ("residents", "volunteer_id = ?"),
    ("dialogue_state", "user_id = ?"),
    ("journal_entries", "user_id = ?"),
    ("journal_answers", "entry_id IN (SELECT id FROM journal_entries WHERE user_id = ?)"),
    ("asked_questions", "user_id = ?"),
    ("steps", "user_id = ?"),
    ("signals", "volunteer_id = ? OR professional_id = ?"),
    (
        "signal_events",
        "signal_id IN (SELECT id FROM signals WHERE volunteer_id = ?) OR actor_id = ?",
    ),
    ("outbox", "recipient_id = ? OR about_id = ?"),
    ("due_tasks", "user_id = ?"),
    ("broadcasts", "created_by = ?"),  # appreciation a coordinator sent
)
_HIDDEN_COLUMNS = {"journal_entries": {"owner"}, "invites": {"code_hash"}}


def export(db: Database, user_id: int) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = {}
    for table, where in _MINE:
        params = [user_id] * where.count("?")
        rows = [dict(r) for r in db.query(f"SELECT * FROM {table} WHERE {where}", params)]
        hidden = _HIDDEN_COLUMNS.get(table, set())
        rows = [{k: v for k, v in row.items() if k not in hidden} for row in rows]
        if table == "signals":
            rows = [_as_seen_by(row, user_id) for row in rows]
        result[table] = rows
    return result


def _as_seen_by(signal: dict, user_id: int) -> dict:
    """A contact person's export holds the signals they were given, but a volunteer's note
    only if the volunteer chose to share it (exactly what they could read in the chat)."""
    if signal["volunteer_id"] != user_id and not signal["share_note"]:
        return {**signal, "note": None}
    return signal


def forget(db: Database, user_id: int) -> None:
    with db.atomic():
        db.execute("DELETE FROM users WHERE id = ?", [user_id])
        # The /vergeet update itself holds her name: its text goes before the VACUUM.
        inbox.mark_current(db, datetime.now(UTC))
    db.execute("INSERT INTO journal_entries_fts(journal_entries_fts) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rebuilt file, not a WAL copy


def people_around(db: Database, user_id: int) -> dict[int, dict]:
    """{id: {"name", "role"}} of the people this person's own rows point at: their contact
    person or linked volunteers, and whoever acted on their worries. The readable export
    says *who* saw a worry; it never holds anything else of theirs."""
    rows = db.execute(
        "SELECT id, display_name, role FROM users WHERE id IN ("
        " SELECT professional_id FROM links WHERE volunteer_id = :me"
        " UNION SELECT volunteer_id FROM links WHERE professional_id = :me"
        " UNION SELECT professional_id FROM signals WHERE volunteer_id = :me"
        " UNION SELECT volunteer_id FROM signals WHERE professional_id = :me"
        " UNION SELECT e.actor_id FROM signal_events e JOIN signals s ON s.id = e.signal_id"
        "  WHERE s.volunteer_id = :me OR s.professional_id = :me)",
        {"me": user_id},
    )
    return {r[0]: {"name": r[1], "role": r[2]} for r in rows}
