"""Single-use invite codes. Only a hash of each code is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlite_utils import Database

from storage.times import iso, parse

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
CODE_LENGTH = 22  # ~128 bits: not guessable, well inside Telegram's 64-character payload


class InviteProblem(Enum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Invite:
    id: int
    role: str
    created_by: int | None
    expires_at: str


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def looks_like_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)


def create(
    db: Database, role: str, created_by: int | None, now: datetime, valid_for: timedelta
) -> str:
    """Store a new invite and return its code (shown once, never stored)."""
    code = new_code()
    db.execute(
        "INSERT INTO invites (code_hash, role, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [hash_code(code), role, created_by, iso(now), iso(now + valid_for)],
    )
    return code


def check(db: Database, code: str, now: datetime) -> Invite | InviteProblem:
    """Is this code usable right now? Does not use it up."""
    if not looks_like_code(code):
        return InviteProblem.MALFORMED
    row = db.execute(
        "SELECT id, role, created_by, expires_at, used_at FROM invites WHERE code_hash = ?",
        [hash_code(code)],
    ).fetchone()
    if row is None:
        return InviteProblem.UNKNOWN
    invite_id, role, created_by, expires_at, used_at = row
    if used_at is not None:
        return InviteProblem.USED
    if parse(expires_at) <= now:
        return InviteProblem.EXPIRED
    return Invite(invite_id, role, created_by, expires_at)


def mark_used(db: Database, invite_id: int, user_id: int, now: datetime) -> bool:
    """Use the invite up; False when someone else was first."""
    cursor = db.execute(
        "UPDATE invites SET used_by = ?, used_at = ? WHERE id = ? AND used_at IS NULL",
        [user_id, iso(now), invite_id],
    )
    return cursor.rowcount == 1
