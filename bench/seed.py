"""The bench's organisation: one professional, volunteers each visiting one resident and
linked to that professional, and plain registered volunteers up to a total number of users."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage import links, residents, users
from storage.db import open_db

PROFESSIONAL = 4999
VOLUNTEERS_FROM = 5000
REGISTERED_FROM = 1_000_000


def seed(db_path: Path, volunteers: int, total_users: int) -> None:
    now = datetime.now(UTC)
    db = open_db(db_path)
    try:
        with db.atomic():
            users.create(db, PROFESSIONAL, "professional", "Pim", "nl", now)
            for n in range(volunteers):
                users.create(db, VOLUNTEERS_FROM + n, "volunteer", f"Vrijwilliger{n}", "nl", now)
                links.link(db, VOLUNTEERS_FROM + n, PROFESSIONAL, now)
                residents.add(db, VOLUNTEERS_FROM + n, "mevrouw L", now)
            for n in range(total_users - volunteers - 1):
                users.create(db, REGISTERED_FROM + n, "volunteer", f"Lid{n}", "nl", now)
    finally:
        db.close()
