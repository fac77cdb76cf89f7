"""Applying a flow's effects to storage, inside the transaction that saves the new state.

Each effect kind named in dialogues/effects.py has one function here; a test checks
that none is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlite_utils import Database

from dialogues.model import Effect
from dialogues.registry import Registry
from storage import journal, residents, steps, users

log = logging.getLogger(__name__)
Applier = Callable[[Database, int, dict, datetime], None]
APPLIERS: Registry[Applier] = Registry()


applies = APPLIERS.register


def apply(db: Database, user_id: int, effect: Effect, now: datetime, timezone: str) -> None:
    """Appliers get the flow's parameters plus the organisation's time zone (for
    anything they schedule), since they run without the settings."""
    APPLIERS[effect.kind](db, user_id, {**effect.params, "timezone": timezone}, now)
    log.info("effect applied user=%s kind=%s", user_id, effect.kind)


def follow_ups(effects: list[Effect]) -> list[dict]:
    """Flows to start after this step is committed: `{kind: start_flow, target: <flow id>}`.
    The new flow gets the answers so far as `data.previous` and the run that gave them as
    `data.previous_run` (so it can add to a signal that run already sent)."""
    return [
        {
            "flow": e.params["target"],
            "data": {"previous": dict(e.params["answers"]), "previous_run": e.params.get("run")},
        }
        for e in effects
        if e.kind == "start_flow"
    ]


def resident_of(params: dict, db: Database | None = None, user_id: int | None = None) -> int | None:
    for source in (params["answers"], params["data"]):
        value = source.get("resident")
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
    alias = params["answers"].get("alias")
    if db is not None and alias and user_id is not None:  # a resident added inline
        found = [r.id for r in residents.active(db, user_id) if r.alias == alias]
        return found[0] if found else None
    return None


def typed_texts(params: dict, leave_out: tuple[str, ...] = ()) -> list[str]:
    typed = [k for k in params["data"].get("typed", []) if k not in leave_out]
    return [params["answers"][k] for k in typed if isinstance(params["answers"].get(k), str)]


@applies("journal")
def _journal(db: Database, user_id: int, params: dict, now: datetime) -> None:
    answers = params["answers"]
    if not answers and not params.get("complete", True):
        return  # stopped before the first answer: nothing to keep
    energy = answers.get("energie") if isinstance(answers.get("energie"), int) else None
    texts = typed_texts(params, leave_out=NOT_JOURNAL_LINES)
    journal.add(
        db,
        user_id,
        params.get("entry_kind", params["flow"]),
        now,
        resident_id=resident_of(params, db, user_id),
        complete=params.get("complete", True),
        energy=energy,
        answers={**answers, **_rereadable(params)},
        texts=texts,
    )


NOT_JOURNAL_LINES = ("alias", "nieuwe_alias")  # a nickname is not something she wrote


def _rereadable(params: dict) -> dict:
    """What the journal shows besides the answers: the question asked, the step in full."""
    answers, data = params["answers"], params["data"]
    extra = {}
    if "antwoord_1" in answers and data.get("vraag_1"):
        extra["vraag_1_id"] = data["vraag_1"]
    step = (data.get("stap_teksten") or {}).get(answers.get("nieuwe_stap"))
    if step:
        extra["nieuwe_stap_tekst"] = step
    if answers.get("vorige_stap") and data.get("open_step_text"):
        extra["vorige_stap_tekst"] = data["open_step_text"]
    return extra


@applies("asked_questions")
def _asked(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """Declared on the question's own state, so only questions really shown count."""
    data = params["data"]
    journal.record_asked(db, user_id, [data.get(slot) for slot in params.get("slots", ())], now)


@applies("step_new")
def _step_new(db: Database, user_id: int, params: dict, now: datetime) -> None:
    text = params["answers"].get(params.get("answer", "nieuwe_stap"))
    label = params["answers"].get(params.get("label", "nieuwe_stap_label"))
    full = (params["data"].get("stap_teksten") or {}).get(text)
    chosen = text if text in typed_texts(params) else (full or label or text)
    if chosen:
        steps.add(db, user_id, resident_of(params, db, user_id), str(chosen), now)


@applies("step_update")
def _step_update(db: Database, user_id: int, params: dict, now: datetime) -> None:
    status = params["answers"].get(params.get("answer", "vorige_stap"))
    step_id = params["data"].get("open_step")
    if step_id and status in steps.STATUSES:
        steps.set_status(db, user_id, int(step_id), status, now)


@applies("resident_add")
def _resident_add(db: Database, user_id: int, params: dict, now: datetime) -> None:
    alias = params["answers"].get(params.get("answer", "alias"))
    if alias:
        residents.add(db, user_id, alias, now)


@applies("resident_rename")
def _resident_rename(db: Database, user_id: int, params: dict, now: datetime) -> None:
    resident_id = resident_of(params)
    alias = params["answers"].get(params.get("answer", "alias"))
    if resident_id and alias:
        residents.rename(db, user_id, resident_id, alias)


@applies("resident_end")
def _resident_end(db: Database, user_id: int, params: dict, now: datetime) -> None:
    resident_id = resident_of(params)
    if resident_id:
        residents.end(db, user_id, resident_id, now)


@applies("start_flow")
def _start_flow(db: Database, user_id: int, params: dict, now: datetime) -> None:
    """Nothing to store: the flow starts after the commit (see follow_ups)."""


# "signal", "support_request" and "signal_close" are applied in bot/signals/service.py.


@applies("rhythm")
def _rhythm(db: Database, user_id: int, params: dict, now: datetime) -> None:
    moment = params["answers"].get("moment") or {}
    users.set_rhythm(
        db,
        user_id,
        moment.get("day"),
        moment.get("part"),
        bool(params["answers"].get("herinneren", True)),
    )
