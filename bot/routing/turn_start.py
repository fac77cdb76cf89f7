"""What a turn of someone with an account reads first, in one trip to the database thread
(each trip costs about 50 µs of CPU, more than the reads in it): who she is, the notice that
a conversation of hers expired, the conversation, an open crisis question, and the facts a
step needs.

The notice is taken (deleted) in that trip, so the trip reads it only for a turn that will
be handled: one the access table allows (bot/routing/access.py), on a message Telegram still
has. A refused command leaves the notice for her next turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.flows import facts
from bot.flows import runner as conversations
from bot.routing import access
from bot.signals import crisis
from dialogues.model import Input
from storage import dialogue_state, users
from storage.dialogue_state import SavedState
from storage.users import User


@dataclass(frozen=True)
class TurnStart:
    notice: bool  # a conversation of hers expired since her last turn
    saved: SavedState | None
    open_question: int | None  # an unanswered crisis question
    found: facts.Found | None  # what the engine may know, when a conversation is open


def read(db: Database, user: User, now: datetime) -> TurnStart:
    """The facts are read when a conversation is open, as most such turns step it; an
    expired or interrupted conversation only wastes the read."""
    notice = conversations.take_expiry_notice(db, user.id)
    saved = dialogue_state.load(db, user.id)
    return TurnStart(
        notice,
        saved,
        crisis.pending_confirm(db, user.id),
        facts.for_user(db, user, saved.flow, now) if saved is not None else None,
    )


def who_and_start(
    db: Database, user_id: int, inp: Input, now: datetime, handled: bool = True
) -> tuple[User | None, TurnStart | None]:
    """The account behind the update, and its start when the turn will be handled
    (`handled`: False when it is answered before dispatch, as a button on a lost message)."""
    user = users.get(db, user_id)
    if user is None or not handled or not access.allows(access.role_of(user), inp):
        return user, None
    return user, read(db, user, now)
