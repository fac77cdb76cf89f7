"""The volunteer's private journal: one entry per reflection, searchable by its owner only.

Search puts the owner inside the FTS5 MATCH (`owner:u123 AND (...)`), so SQLite never
looks at other volunteers' entries, and returns the newest matches first (FTS5 walks its
lists in id order and stops early; ranking every match cost far more). See
docs/performance.md for the measurements.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.db import new_id
from storage.times import iso, parse

PAGE_SIZE = 5


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    complete: bool
    energy: int | None
    created_at: str
    alias: str | None
    body: str


def owner_token(user_id: int) -> str:
    return f"u{user_id}"


def add(
    db: Database,
    user_id: int,
    kind: str,
    now: datetime,
    *,
    resident_id: int | None,
    complete: bool,
    energy: int | None,
    answers: dict,
    texts: list[str],
) -> int:
    body = "\n".join(t for t in texts if t)
    cursor = db.execute(
        "INSERT INTO journal_entries (user_id, resident_id, kind, complete, energy, created_at, "
        "owner, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [user_id, resident_id, kind, int(complete), energy, iso(now), owner_token(user_id), body],
    )
    entry_id = new_id(cursor)
    rows = [
        (entry_id, key, json.dumps(value, ensure_ascii=False)) for key, value in answers.items()
    ]
    db.conn.executemany(
        "INSERT INTO journal_answers (entry_id, question, value) VALUES (?, ?, ?)", rows
    )
    return entry_id


_ENTRY_SQL = (
    "SELECT e.id, e.kind, e.complete, e.energy, e.created_at, r.alias, e.body "
    "FROM journal_entries e LEFT JOIN residents r ON r.id = e.resident_id "
)


def page(
    db: Database, user_id: int, before_id: int | None = None, size: int = PAGE_SIZE
) -> list[Entry]:
    """Newest first; `before_id` pages further back. Keyset paging on the index
    (user_id, created_at), whose rows end in the id: no sort, fast at any depth."""
    sql = _ENTRY_SQL + "WHERE e.user_id = ? "
    params: list = [user_id]
    if before_id is not None:
        sql += (
            "AND (e.created_at, e.id) < (SELECT created_at, id FROM journal_entries "
            "WHERE id = ? AND user_id = ?) "
        )
        params += [before_id, user_id]
    rows = db.execute(sql + "ORDER BY e.created_at DESC, e.id DESC LIMIT ?", params + [size])
    return [Entry(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def get(db: Database, user_id: int, entry_id: int) -> Entry | None:
    row = db.execute(
        _ENTRY_SQL + "WHERE e.user_id = ? AND e.id = ?", [user_id, entry_id]
    ).fetchone()
    return Entry(row[0], row[1], bool(row[2]), row[3], row[4], row[5], row[6]) if row else None


def answers(db: Database, entry_id: int) -> dict:
    rows = db.execute(
        "SELECT question, value FROM journal_answers WHERE entry_id = ? ORDER BY id", [entry_id]
    )
    return {q: json.loads(v) for q, v in rows}


def search(db: Database, user_id: int, words: str, limit: int = 10) -> list[Entry]:
    """The owner's entries holding every word (as a word or the start of one), newest first.

    Whole words first: FTS5 then skips through the owner's and the word's lists and stops at
    `limit` (well under a millisecond at 500,000 entries). Only when that finds fewer than
    `limit` does it ask again with prefixes, which costs more: FTS5 merges every matching
    term's list over all owners before it can filter (docs/performance.md)."""
    tokens = fts_tokens(words)
    if not tokens:
        return []
    owner = f"owner:{owner_token(user_id)}"
    whole = " AND ".join(f'body:"{t}"' for t in tokens)
    ids = _matching_ids(db, f"{owner} AND {whole}", limit)
    if len(ids) < limit:
        ids = _matching_ids(db, f"{owner} AND ({' AND '.join(fts_terms(words))})", limit)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(
        _ENTRY_SQL + f"WHERE e.id IN ({marks}) AND e.user_id = ? ORDER BY e.id DESC",
        [*ids, user_id],
    )
    return [Entry(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def _matching_ids(db: Database, match: str, limit: int) -> list[int]:
    rows = db.execute(
        "SELECT rowid FROM journal_entries_fts WHERE journal_entries_fts MATCH ? "
        "ORDER BY rowid DESC LIMIT ?",
        [match, limit],
    )
    return [r[0] for r in rows]


def fts_tokens(words: str) -> list[str]:
    """The words as plain tokens (letters and digits only), at most eight."""
    return re.findall(r"\w+", words.lower())[:8]


def fts_terms(words: str) -> list[str]:
    """Each word becomes a quoted prefix term, so user input can never be FTS5 syntax."""
    return [f'body:"{t}"*' for t in fts_tokens(words)]


def count(db: Database, user_id: int, kind: str | None = None, complete_only: bool = True) -> int:
    sql = "SELECT count(*) FROM journal_entries WHERE user_id = ?"
    params: list = [user_id]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    if complete_only:
        sql += " AND complete = 1"
    return db.execute(sql, params).fetchone()[0]


def record_asked(db: Database, user_id: int, question_ids: list[str], now: datetime) -> None:
    db.conn.executemany(
        "INSERT INTO asked_questions (user_id, question, asked_at) VALUES (?, ?, ?)",
        [(user_id, q, iso(now)) for q in question_ids if q],
    )


def recent_questions(db: Database, user_id: int, limit: int = 10) -> list[str]:
    """Oldest first, the newest last."""
    rows = db.execute(
        "SELECT question FROM asked_questions WHERE user_id = ? ORDER BY id DESC LIMIT ?",
        [user_id, limit],
    )
    return [r[0] for r in rows][::-1]


def purge_older_than(db: Database, cutoff: datetime) -> int:
    return db.execute("DELETE FROM journal_entries WHERE created_at < ?", [iso(cutoff)]).rowcount


WORRY_WINDOW_HOURS = 2  # the signal flow starts when the reflection is saved


def worry_status(db: Database, user_id: int, entry_id: int) -> str | None:
    """What happened with the worry named in this entry: the status of the signal she
    made right after it (journal, open, picked_up, closed), or None."""
    entry = db.execute(
        "SELECT created_at FROM journal_entries WHERE id = ? AND user_id = ?", [entry_id, user_id]
    ).fetchone()
    if entry is None:
        return None
    until = iso(parse(entry[0]) + timedelta(hours=WORRY_WINDOW_HOURS))
    row = db.execute(
        "SELECT status FROM signals WHERE volunteer_id = ? AND kind = 'signal' "
        "AND created_at >= ? AND created_at <= ? ORDER BY id LIMIT 1",
        [user_id, entry[0], until],
    ).fetchone()
    return row[0] if row else None
