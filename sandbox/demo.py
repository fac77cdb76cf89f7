"""The demo organisation of the sandbox, as the product brief describes it:
coordinator cora, professional pim, volunteers vera and wim (both linked to pim),
and vera visits "mevrouw L". Any other persona is a new, unregistered Telegram user."""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlite_utils import Database

from storage import links, residents, users

PERSONAS = {
    "cora": (1001, "Cora", "coordinator"),
    "pim": (1002, "Pim", "professional"),
    "vera": (1003, "Vera", "volunteer"),
    "wim": (1004, "Wim", "volunteer"),
}


def persona_id(name: str) -> int:
    """Seeded personas have fixed ids; any other name gets a stable id of its own."""
    if name in PERSONAS:
        return PERSONAS[name][0]
    return 100_000 + zlib.crc32(name.encode()) % 900_000


def seed(db: Database, now: datetime) -> None:
    """Create the demo organisation unless it is already there."""
    if users.get(db, PERSONAS["cora"][0]) is not None:
        return
    with db.atomic():
        for user_id, name, role in PERSONAS.values():
            users.create(db, user_id, role, name, "nl", now)
        for volunteer in ("vera", "wim"):
            links.link(db, PERSONAS[volunteer][0], PERSONAS["pim"][0], now)
        residents.add(db, PERSONAS["vera"][0], "mevrouw L", now)
