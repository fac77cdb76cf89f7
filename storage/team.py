"""What coordinators may see: lists of people to pick from (names and roles only) and
aggregates (counts). Never journal content, never signal details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.times import iso
from storage.users import first_name_of


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    language: str
    linked: bool = True  # volunteers: has a professional


def volunteers(
    db: Database, offset: int = 0, limit: int = 8, active_only: bool = False
) -> list[Person]:
    sql = (
        "SELECT u.id, u.display_name, u.language, l.professional_id IS NOT NULL "
        "FROM users u LEFT JOIN links l ON l.volunteer_id = u.id "
        "WHERE u.role = 'volunteer' AND u.status != 'left' "
    )
    if active_only:
        sql += "AND u.status = 'active' "
    rows = db.execute(sql + "ORDER BY u.display_name, u.id LIMIT ? OFFSET ?", [limit, offset])
    return [Person(r[0], first_name_of(r[1]), r[2], bool(r[3])) for r in rows]


def professionals(db: Database) -> list[Person]:
    rows = db.execute(
        "SELECT id, display_name, language FROM users WHERE role = 'professional' "
        "AND status != 'left' ORDER BY display_name, id"
    )
    return [Person(r[0], first_name_of(r[1]), r[2]) for r in rows]


def person(db: Database, user_id: int, role: str) -> Person | None:
    row = db.execute(
        "SELECT id, display_name, language FROM users WHERE id = ? AND role = ?", [user_id, role]
    ).fetchone()
    return Person(row[0], first_name_of(row[1]), row[2]) if row else None


def coordinators(db: Database) -> list[Person]:
    rows = db.execute(
        "SELECT id, display_name, language FROM users WHERE role = 'coordinator' "
        "AND status = 'active' ORDER BY id"
    )
    return [Person(r[0], first_name_of(r[1]), r[2]) for r in rows]


# ---- milestones ---------------------------------------------------------------------

MILESTONES = ("eerste", "tiende", "drie_maanden", "een_jaar")


def milestones(db: Database, now: datetime, days: int = 7) -> list[tuple[int, str]]:
    """(volunteer id, milestone) for every milestone reached in the last `days` days.
    Moments and time only: the first and the tenth time they looked back, three months
    and a year with us. Never a worry: what coordinators see is numbers and moments."""
    since = iso(now - timedelta(days=days))
    found: list[tuple[int, str]] = []
    for volunteer_id, created_at in db.execute(
        "SELECT id, created_at FROM users WHERE role = 'volunteer' AND status = 'active' "
        "ORDER BY display_name, id"
    ).fetchall():
        stamps = [
            r[0]
            for r in db.execute(
                "SELECT created_at FROM journal_entries WHERE user_id = ? AND kind = 'reflectie' "
                "AND complete = 1 ORDER BY created_at, id LIMIT 10",
                [volunteer_id],
            )
        ]
        if stamps and since <= stamps[0]:
            found.append((volunteer_id, "eerste"))
        if len(stamps) >= 10 and since <= stamps[9]:
            found.append((volunteer_id, "tiende"))
        for name, age in (("drie_maanden", 91), ("een_jaar", 365)):
            crossed = iso(now - timedelta(days=age))
            if iso(now - timedelta(days=age + days)) < created_at <= crossed:
                found.append((volunteer_id, name))
    return found


# ---- aggregates for /team -----------------------------------------------------------


@dataclass(frozen=True)
class TeamNumbers:
    active_30d: int
    paused: int
    without_professional: int
    reflections_30d: int
    open_young: int  # < 1 day
    open_week: int  # 1–7 days
    open_old: int  # > 7 days


# Who looked back and how often, over the same window and the same entries (complete
# reflections), so the two numbers on /team always agree with each other.
LOOKED_BACK = (
    "FROM journal_entries j JOIN users u ON u.id = j.user_id WHERE u.role = 'volunteer' "
    "AND j.kind = 'reflectie' AND j.complete = 1 AND j.created_at >= ?"
)


def numbers(db: Database, now: datetime, days: int = 30) -> TeamNumbers:
    one = lambda sql, *p: db.execute(sql, list(p)).fetchone()[0]  # noqa: E731
    since = iso(now - timedelta(days=days))
    active = one("SELECT count(DISTINCT j.user_id) " + LOOKED_BACK, since)
    paused = one("SELECT count(*) FROM users WHERE role = 'volunteer' AND status = 'paused'")
    unlinked = one(
        "SELECT count(*) FROM users WHERE role = 'volunteer' AND status != 'left' "
        "AND id NOT IN (SELECT volunteer_id FROM links)"
    )
    month = one("SELECT count(*) " + LOOKED_BACK, since)
    open_sql = (
        "SELECT count(*) FROM signals WHERE status IN ('open', 'picked_up') "
        "AND created_at > ? AND created_at <= ?"
    )
    day_ago, week_ago = iso(now - timedelta(days=1)), iso(now - timedelta(days=7))
    young = one(open_sql, day_ago, iso(now))
    week = one(open_sql, week_ago, day_ago)
    old = one(
        "SELECT count(*) FROM signals WHERE status IN ('open', 'picked_up') AND created_at <= ?",
        week_ago,
    )
    return TeamNumbers(active, paused, unlinked, month, young, week, old)


def reflections_per_week(db: Database, week_starts: list[datetime]) -> list[int]:
    """Complete reflections in each week [start, next start); the last runs to now."""
    counts = []
    bounds = [iso(w) for w in week_starts] + ["9999"]
    for start, end in zip(bounds, bounds[1:], strict=False):
        counts.append(
            db.execute(
                "SELECT count(*) FROM journal_entries WHERE kind = 'reflectie' "
                "AND complete = 1 AND created_at >= ? AND created_at < ?",
                [start, end],
            ).fetchone()[0]
        )
    return counts


def last_reflection(db: Database, user_id: int) -> str | None:
    row = db.execute(
        "SELECT max(created_at) FROM journal_entries WHERE user_id = ? "
        "AND kind IN ('reflectie', 'afgezegd')",
        [user_id],
    ).fetchone()
    return row[0] if row else None


def silent_volunteers(db: Database, before: datetime) -> list[int]:
    """Active volunteers with reminders on and no reflection since `before` (nor joined since),
    who had no check-in since their last reflection."""
    rows = db.execute(
        "SELECT u.id FROM users u WHERE u.role = 'volunteer' AND u.status = 'active' "
        "AND u.reminders = 1 AND u.created_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM journal_entries j WHERE j.user_id = u.id "
        "  AND j.kind IN ('reflectie', 'afgezegd') AND j.created_at >= ?) "
        "AND NOT EXISTS (SELECT 1 FROM due_tasks t WHERE t.user_id = u.id AND t.kind = 'checkin' "
        "  AND t.created_at >= coalesce((SELECT max(j.created_at) FROM journal_entries j "
        "  WHERE j.user_id = u.id AND j.kind IN ('reflectie', 'afgezegd')), u.created_at)) "
        "ORDER BY u.id",
        [iso(before), iso(before)],
    )
    return [r[0] for r in rows]
