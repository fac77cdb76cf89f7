"""/bewoners: the people a volunteer visits, by alias. Add one, give one another alias,
or end a contact (the farewell flow, dialogues/flows/afscheid.yaml).

Buttons are `b.<what>[.<resident id>]`: `b.n` new, `b.s.<id>` pick, `b.r.<id>` rename,
`b.e.<id>` end, `b.l` back to the list. The id in a button grants nothing: every press
looks the resident up again among the presser's own active contacts.

Also the appliers of the relationship effects (the 3/11-month review, and telling the
professional that a resident may still need someone).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from bot.flows import runner as conversations
from bot.flows.effects import applies, resident_of
from bot.routing.registry import button, command
from bot.routing.turn import Turn
from dialogues.model import Button
from storage import journal, relationship, residents

log = logging.getLogger(__name__)
MAX_LISTED = 12


@command("/bewoners")
async def residents_list(turn: Turn) -> None:
    await _show_list(turn, edit=False)


async def _show_list(turn: Turn, edit: bool) -> None:
    visited = await turn.rt.store.run(residents.active, turn.user_id)
    rows = [(Button(r.alias, f"b.s.{r.id}"),) for r in visited[:MAX_LISTED]]
    rows.append((Button(turn.label("bewoners.knop_erbij"), "b.n"),))
    await turn.say("bewoners.lijst" if visited else "bewoners.leeg", buttons=tuple(rows), edit=edit)


@button("b")
async def residents_button(turn: Turn) -> None:
    parts = turn.button_parts
    what = parts[1] if len(parts) > 1 else ""
    if what == "l":
        await turn.notice()
        await _show_list(turn, edit=True)
        return
    if what == "n":
        await _start_flow(turn, "bewoner_naam", {})
        return
    resident = None
    if what in ("s", "r", "e") and len(parts) == 3 and parts[2].isdigit():
        found = await turn.rt.store.run(residents.get, turn.user_id, int(parts[2]))
        resident = found if found is not None and found.ended_at is None else None
    if resident is None:
        await turn.notice()
        await turn.say("bewoners.niet_gevonden")
        return
    if what == "s":
        await turn.notice()
        rows = (
            (Button(turn.label("bewoners.knop_andere_naam"), f"b.r.{resident.id}"),),
            (Button(turn.label("bewoners.knop_afronden"), f"b.e.{resident.id}"),),
            (Button(turn.label("bewoners.knop_terug"), "b.l"),),
        )
        await turn.say("bewoners.wat_doen", buttons=rows, edit=True, alias=resident.alias)
        return
    flow = "bewoner_naam" if what == "r" else "afscheid"
    await _start_flow(turn, flow, {"resident": resident.id, "alias": resident.alias})


async def _start_flow(turn: Turn, flow_id: str, data: dict) -> None:
    # An old /bewoners message must not silently replace a conversation in progress.
    if await conversations.load(turn) is not None:
        await turn.notice()
        await turn.say("bewoners.eerst_gesprek")
        return
    await turn.notice()
    await conversations.start(turn, flow_id, data)


@applies("relationship_review")
def _relationship_review(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """The 3- or 11-month review was done: a journal entry of its own marks it, so it is
    asked once. Typed words stay in the reflection's entry only (no double search hits)."""
    resident_id = resident_of(params, db, user_id)
    if resident_id is None:
        return
    moment = relationship.due_reviews(db, user_id, now).get(resident_id)
    if moment is None:
        return
    answers = {k: v for k, v in params["answers"].items() if k.startswith("terugblik_vraag_")}
    journal.add(
        db,
        user_id,
        relationship.review_kind(moment),
        now,
        resident_id=resident_id,
        complete=True,
        energy=None,
        answers={"moment": moment, **answers},
        texts=[],
    )


@applies("tell_professional_need")
def _tell_professional_need(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """The resident may still need someone after the contact ends: an open signal to the
    volunteer's professional, with consent. Delivery is the signal worker's job."""
    signal_id = relationship.record_need(db, user_id, resident_of(params, db, user_id), now)
    log.info("need after contact user=%s signal=%s", user_id, signal_id)
