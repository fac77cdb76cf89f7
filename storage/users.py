"""People who consented: volunteers, professionals, coordinators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.times import iso

ROLES = ("volunteer", "professional", "coordinator")


def first_name_of(display_name: str) -> str:
    """What the bot calls someone: the first word of the name Telegram gave at sign-up."""
    return display_name.split(" ")[0] if display_name else ""


@dataclass(frozen=True)
class User:
    id: int
    role: str
    display_name: str
    language: str
    status: str
    reachable: bool
    consent_at: str
    created_at: str
    rhythm_day: int | None = None
    rhythm_part: str | None = None
    reminders: bool = True
    share_energy: bool = False
    share_digest: bool = False
    wants_digest: bool = False
    paused_at: str | None = None

    @property
    def first_name(self) -> str:
        return first_name_of(self.display_name)


_COLUMNS = (
    "id, role, display_name, language, status, reachable, consent_at, created_at, "
    "rhythm_day, rhythm_part, reminders, share_energy, share_digest, wants_digest, paused_at"
)


def _row_to_user(row: tuple) -> User:
    (
        uid,
        role,
        name,
        lang,
        status,
        reachable,
        consent,
        created,
        day,
        part,
        reminders,
        share_energy,
        share_digest,
        wants_digest,
        paused,
    ) = row
    return User(
        uid,
        role,
        name,
        lang,
        status,
        bool(reachable),
        consent,
        created,
        day,
        part,
        bool(reminders),
        bool(share_energy),
        bool(share_digest),
        bool(wants_digest),
        paused,
    )


def get(db: Database, user_id: int) -> User | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
    return _row_to_user(row) if row else None


def create(
    db: Database, user_id: int, role: str, display_name: str, language: str, now: datetime
) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    db.execute(
        "INSERT INTO users (id, role, display_name, language, consent_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [user_id, role, display_name, language, iso(now), iso(now)],
    )
    user = get(db, user_id)
    assert user is not None  # just inserted
    return user


def by_role(db: Database, role: str, *, status: str | None = "active") -> list[User]:
    sql = f"SELECT {_COLUMNS} FROM users WHERE role = ?"
    params: list = [role]
    if status:
        sql += " AND status = ?"
        params.append(status)
    return [_row_to_user(r) for r in db.execute(sql + " ORDER BY display_name, id", params)]


def set_language(db: Database, user_id: int, language: str) -> None:
    db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])


def set_status(db: Database, user_id: int, status: str, now: datetime) -> None:
    paused_at = iso(now) if status == "paused" else None
    db.execute(
        "UPDATE users SET status = ?, paused_at = ? WHERE id = ?", [status, paused_at, user_id]
    )


def set_reachable(db: Database, user_id: int, reachable: bool) -> None:
    db.execute("UPDATE users SET reachable = ? WHERE id = ?", [int(reachable), user_id])


def set_rhythm(
    db: Database, user_id: int, day: int | None, part: str | None, reminders: bool
) -> None:
    db.execute(
        "UPDATE users SET rhythm_day = ?, rhythm_part = ?, reminders = ? WHERE id = ?",
        [day, part, int(reminders), user_id],
    )


def set_share_digest(db: Database, user_id: int, allowed: bool) -> None:
    """A volunteer allows their level-1 points in the contact person's weekly digest."""
    db.execute("UPDATE users SET share_digest = ? WHERE id = ?", [int(allowed), user_id])


def set_share_energy(db: Database, user_id: int, allowed: bool) -> None:
    db.execute("UPDATE users SET share_energy = ? WHERE id = ?", [int(allowed), user_id])


def set_wants_digest(db: Database, user_id: int, wanted: bool) -> None:
    """A contact person wants (or no longer wants) the weekly digest."""
    db.execute("UPDATE users SET wants_digest = ? WHERE id = ?", [int(wanted), user_id])


def delete(db: Database, user_id: int) -> None:
    """Remove the user; foreign keys cascade to everything that is theirs."""
    db.execute("DELETE FROM users WHERE id = ?", [user_id])
