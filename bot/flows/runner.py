"""Running a user's conversation: load it (expiring it when left idle), take a step,
and save the new state together with the step's effects in one transaction."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.flows import effects, facts
from bot.routing.turn import Turn
from dialogues.model import Context, Conversation, StepResult
from storage import dialogue_state, inbox, tasks
from storage.dialogue_state import SavedState
from storage.times import iso, parse

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
EXPIRED_NOTICE = "flow_expired_notice"


def to_conversation(saved: SavedState) -> Conversation:
    return Conversation(
        saved.flow,
        saved.state,
        saved.instance,
        saved.seq,
        saved.answers,
        saved.data,
        parse(saved.started_at),
        parse(saved.updated_at),
    )


def to_saved(user_id: int, conv: Conversation) -> SavedState:
    return SavedState(
        user_id,
        conv.flow,
        conv.state,
        conv.instance,
        conv.seq,
        conv.answers,
        conv.data,
        iso(conv.started_at),
        iso(conv.updated_at),
    )


def commit(
    db: Database,
    user_id: int,
    result: StepResult,
    now: datetime,
    timezone: str,
    base: Conversation | None = None,
    mark: bool = True,
) -> bool:
    """New state, effects and outbox rows: all or nothing. `base` is the conversation the
    step was taken from (None: a new run). False when the stored state is no longer `base`:
    the turn is stale and nothing of it is written. A step marks the turn's update handled
    in the same transaction (storage/inbox.py), so it is never applied twice; leaving a
    conversation (expiry, replacement) does not, since replaying the update after it is safe."""
    where = (base.instance, base.seq) if base is not None else None
    with db.atomic():
        if result.conversation is None:
            written = dialogue_state.clear(db, user_id, where)
        else:
            written = dialogue_state.save(db, to_saved(user_id, result.conversation), where)
        if not written:
            return False
        for effect in result.effects:
            effects.apply(db, user_id, effect, now, timezone)
        if mark:
            inbox.mark_current(db, now)
    return True


async def context_for(turn: Turn, flow_id: str, found: facts.Found | None = None) -> Context:
    """`found`: the facts when the caller already read them in its own trip."""
    if found is None:
        found = await turn.rt.store.run(facts.for_user, turn.user, flow_id, turn.rt.clock.now())
    return turn.context(found.facts, found.vars)


async def load(turn: Turn) -> Conversation | None:
    return await from_saved(turn, await turn.rt.store.run(dialogue_state.load, turn.user_id))


async def from_saved(turn: Turn, saved: SavedState | None) -> Conversation | None:
    """The stored conversation, unless it was left idle too long (then it is expired)."""
    if saved is None:
        return None
    conv = to_conversation(saved)
    idle_limit = timedelta(hours=turn.rt.settings.flow_idle_hours)
    if turn.rt.clock.now() - conv.updated_at < idle_limit:
        return conv
    await expire(turn.rt, turn.user_id, conv, turn.locale)
    return None


async def expire(rt: Runtime, user_id: int, conv: Conversation, locale: str) -> None:
    """Keep what was answered as an incomplete entry; tell the user next time they write."""
    now = rt.clock.now()
    result = rt.engine.leave(conv, Context(locale, now), "expired")

    def write(db: Database) -> bool:
        with db.atomic():
            if not commit(db, user_id, result, now, rt.settings.timezone, base=conv, mark=False):
                return False
            tasks.schedule(db, EXPIRED_NOTICE, now, user_id=user_id)
            return True

    if await rt.store.run(write):
        log.info("flow expired user=%s flow=%s", user_id, conv.flow)
    else:
        log.info("flow expiry skipped, the conversation moved on user=%s", user_id)


def take_expiry_notice(db: Database, user_id: int) -> bool:
    """True once after a conversation of hers expired: she is told at her next turn."""
    return bool(tasks.take_for_user(db, user_id, EXPIRED_NOTICE))


async def tell_expired(turn: Turn, notice: bool) -> None:
    if notice:
        await turn.say("engine.verlopen_gesprek")


async def start(turn: Turn, flow_id: str, data: dict | None = None) -> StepResult:
    await _leave_open_conversation(turn)
    ctx = await context_for(turn, flow_id)
    result = turn.rt.engine.start(flow_id, ctx, data)
    return await finish(turn, result)


async def _leave_open_conversation(turn: Turn) -> None:
    """A button outside the conversation can start another one: leave the open one
    properly first (its on_leave effects keep what was answered), never overwrite it."""
    saved = await turn.rt.store.run(dialogue_state.load, turn.user_id)
    if saved is None:
        return
    conv = to_conversation(saved)
    result = turn.rt.engine.leave(conv, turn.context(), "replaced")
    await turn.rt.store.run(
        commit, turn.user_id, result, turn.rt.clock.now(), turn.rt.settings.timezone, conv, False
    )
    log.info("flow replaced user=%s flow=%s", turn.user_id, conv.flow)


async def step(turn: Turn, conv: Conversation, found: facts.Found | None = None) -> StepResult:
    ctx = await context_for(turn, conv.flow, found)
    result = turn.rt.engine.step(conv, turn.input, ctx)
    return await finish(turn, result, conv)


async def finish(turn: Turn, result: StepResult, base: Conversation | None = None) -> StepResult:
    if result.changed:
        committed = await turn.rt.store.run(
            commit, turn.user_id, result, turn.rt.clock.now(), turn.rt.settings.timezone, base
        )
        if not committed:
            return await _stale(turn, base)
        inbox.note_marked()  # commit marked the update in the same transaction
        if result.effects:
            turn.rt.wake_outbox()
            turn.rt.wake_ticker()
    log.info(
        "flow step user=%s flow=%s state=%s effects=%s",
        turn.user_id,
        result.conversation.flow if result.conversation else "-",
        result.conversation.state if result.conversation else "end",
        ",".join(e.kind for e in result.effects) or "-",
    )
    # The spinner's answer and the replies go out together: one round trip less per tap.
    await asyncio.gather(turn.notice(result.notice), turn.send(result.replies))
    for follow_up in effects.follow_ups(result.effects):
        await start(turn, follow_up["flow"], follow_up.get("data"))
    return result


async def _stale(turn: Turn, base: Conversation | None) -> StepResult:
    """The stored conversation moved on while this turn was taken: apply nothing, and show
    the person where the conversation is now (or that a pressed button no longer works)."""
    log.warning(
        "stale turn not applied user=%s flow=%s seq=%s",
        turn.user_id,
        base.flow if base else "-",
        base.seq if base else "-",
    )
    await turn.expired()
    saved = await turn.rt.store.run(dialogue_state.load, turn.user_id)
    if saved is not None:
        conv = to_conversation(saved)
        await turn.send([turn.rt.engine.prompt(conv, await context_for(turn, conv.flow))])
    return StepResult(None, changed=False)
