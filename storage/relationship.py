"""Moments in a contact: the reviews at about three and eleven months, and the end of a
contact (when the resident may still need someone, the volunteer can let their
professional know).

A review counts as done when the volunteer's journal holds an entry of kind
`terugblik_3` or `terugblik_11` for that resident. Each review has a window (days since
the contact started): it is only asked inside it, so a review whose entry was removed by
the retention period is never asked again.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from storage import links, signals
from storage.times import parse

DRIE_MAANDEN = "drie_maanden"
ELF_MAANDEN = "elf_maanden"
# moment → (first day, day after the last, journal entry kind that marks it done)
WINDOWS: dict[str, tuple[int, int, str]] = {
    ELF_MAANDEN: (330, 540, "terugblik_11"),
    DRIE_MAANDEN: (90, 180, "terugblik_3"),
}
REVIEW_KINDS = tuple(kind for _, _, kind in WINDOWS.values())
NEED_CATEGORY = "hulpvraag_buiten_rol"


def moment_for(started_at: datetime, done_kinds: set[str], now: datetime) -> str | None:
    """Which review is due for a contact that started at `started_at`, if any."""
    days = (now - started_at).days
    for moment, (first, last, kind) in WINDOWS.items():
        if first <= days < last and kind not in done_kinds:
            return moment
    return None


def due_reviews(db: Database, volunteer_id: int, now: datetime) -> dict[int, str]:
    """{resident id: moment} for the volunteer's active contacts with a review due."""
    marks = ", ".join("?" for _ in REVIEW_KINDS)
    rows = db.execute(
        "SELECT r.id, r.created_at, (SELECT group_concat(e.kind) FROM journal_entries e "
        f"WHERE e.user_id = r.volunteer_id AND e.resident_id = r.id AND e.kind IN ({marks})) "
        "FROM residents r WHERE r.volunteer_id = ? AND r.ended_at IS NULL",
        [*REVIEW_KINDS, volunteer_id],
    )
    due: dict[int, str] = {}
    for resident_id, created_at, done in rows:
        moment = moment_for(parse(created_at), set((done or "").split(",")), now)
        if moment:
            due[resident_id] = moment
    return due


def review_kind(moment: str) -> str:
    return WINDOWS[moment][2]


def record_need(
    db: Database, volunteer_id: int, resident_id: int | None, now: datetime
) -> int | None:
    """At the end of a contact: the resident may still need someone, and the volunteer
    agreed to tell their professional. An open signal; delivery is the signal worker's."""
    professional_id = links.professional_of(db, volunteer_id)
    if professional_id is None:
        return None
    return signals.create(
        db,
        volunteer_id,
        now,
        level=2,
        categories=[NEED_CATEGORY],
        resident_id=resident_id,
        consent=True,
        professional_id=professional_id,
    )
