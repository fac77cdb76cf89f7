"""What the engine may know about a user before a step: loaded in one go, on the
writer thread, so a step itself never touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from storage import journal, links, relationship, residents, steps, users
from storage.users import User


@dataclass
class Found:
    facts: dict = field(default_factory=dict)
    vars: dict = field(default_factory=dict)


def for_user(db: Database, user: User, flow_id: str, now: datetime) -> Found:
    found = Found(vars={"voornaam": user.first_name})
    if user.role != "volunteer":
        return found
    visited = residents.active(db, user.id)
    found.facts["residents"] = [{"id": r.id, "alias": r.alias} for r in visited]
    if len(visited) == 1:
        found.vars["alias"] = visited[0].alias
        found.vars["resident"] = visited[0].id
    professional_id = links.professional_of(db, user.id)
    professional = users.get(db, professional_id) if professional_id else None
    found.facts["has_professional"] = professional is not None
    found.facts["share_digest"] = user.share_digest
    found.vars["contact"] = professional.first_name if professional else ""
    found.facts["reflection_count"] = journal.count(db, user.id, "reflectie")
    found.facts["recent_questions"] = journal.recent_questions(db, user.id)
    open_steps = steps.open_steps(db, user.id)
    found.facts["open_steps"] = [{"id": s.id, "text": s.text} for s in open_steps]
    if open_steps:
        found.facts["open_step"] = {"id": open_steps[0].id, "text": open_steps[0].text}
    if flow_id == "reflectie":
        # {resident id as text: "drie_maanden" | "elf_maanden"}: a review of the contact is due
        due = relationship.due_reviews(db, user.id, now)
        found.facts["terugblik"] = {str(k): v for k, v in due.items()}
    return found
