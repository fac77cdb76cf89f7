"""The worry watch: every free text a volunteer sends passes the detector
(dialogues/detector/), inside a conversation or outside one.

- about the volunteer herself ("ik trek het niet meer") → help for HER (113, huisarts, 112
  when acute) and the offer of contact with her contact person as a support request; never
  a worry about the resident. Safe messaging (113): acknowledge, resources first, stay
  available, never mention methods;
- crisis language about someone else → the help lines and ONE question, "Zal ik dit nu aan
  Pim doorgeven?" [Ja] [Nee, het is anders]. The conversation she was in waits (her text is
  not taken as its answer) and asks its question again once she answered. The question is
  a due task (bot/signals/service.py): unanswered in time, the worry goes on as not confirmed;
- inside the signal flow itself → the help lines only (the flow handles the rest);
- concern language → "Je schreef iets waar ik even bij wil stilstaan…" with the choice to
  pass it on or not.

Never logs the text: only the level and the number of rules that matched.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.routing.turn import Turn, helplines
from bot.signals import crisis
from dialogues.detector import Detection, detect
from dialogues.model import Button, Reply
from dialogues.signal_levels import final_level, known_categories
from storage import links, users

if TYPE_CHECKING:
    from dialogues.model import Conversation

log = logging.getLogger(__name__)


def watch(turn: Turn) -> Detection | None:
    """What the detector found in this turn's free text (volunteers only)."""
    if turn.input.kind != "text" or turn.user is None or turn.user.role != "volunteer":
        return None
    found = detect(turn.input.text)
    if found.level is None:
        return None
    log.info("detector user=%s level=%s rules=%s", turn.user_id, found.level, len(found.rules))
    return found


def about_volunteer(found: Detection | None) -> bool:
    """A crisis about the volunteer herself takes her own route; her strain (a concern)
    goes the ordinary way, as something she may pass on."""
    return found is not None and found.is_crisis and found.about_volunteer


# ---- routes -------------------------------------------------------------------------


async def interrupts(
    turn: Turn, found: Detection | None, conv: Conversation | None, open_question: int | None
) -> bool:
    """Handle what must come before the conversation's own step. True: the turn is done
    (the conversation waits). `open_question`: her unanswered crisis question
    (`crisis.pending_confirm`), read at the start of the turn."""
    if turn.account.role != "volunteer":
        return False
    if turn.input.kind in ("text", "button") and await _question_open(turn, open_question):
        return True
    if found is None:
        return False
    if about_volunteer(found):
        await help_for_volunteer(turn, found)
        return True
    if not found.is_crisis:
        return False
    if conv is not None and conv.flow == "zorg":
        await safety_first(turn, found, conv)
        return False
    await ask_pass_on(turn, found, conv)
    return True


async def safety_first(
    turn: Turn, found: Detection | None, conv: Conversation | None = None
) -> None:
    """Crisis inside the signal flow: the help lines (not again when it is urgent already)."""
    if found is None or not found.is_crisis:
        return
    if (
        conv is not None
        and conv.flow == "zorg"
        and final_level(conv.answers, conv.data, turn.rt.content) >= 3
    ):
        return
    await turn.say("zorg.crisis", hulpnummers=helplines(turn.rt))


async def help_for_volunteer(turn: Turn, found: Detection) -> None:
    """Help for her, and one question: may her contact person get in touch?"""
    log.info("volunteer route user=%s level=%s", turn.user_id, found.level)
    buttons = (
        (
            Button(turn.label("zorg.knop_steun_ja"), "h.j"),
            Button(turn.label("zorg.knop_steun_nee"), "h.n"),
        ),
    )
    await turn.say(
        "zorg.voor_jou",
        buttons=buttons,
        hulpnummers=helplines(turn.rt),
        contact=await contact_name(turn),
    )


async def ask_pass_on(turn: Turn, found: Detection, conv: Conversation | None) -> None:
    known = known_categories(turn.rt.content)
    categories = [c for c in found.categories if c in known] or ["acuut"]
    resident = _resident(conv)
    now, settings = turn.rt.clock.now(), turn.rt.settings
    task_id = await turn.rt.store.run(
        crisis.ask_confirm,
        turn.user_id,
        now,
        settings.crisis_confirm_minutes,
        categories,
        resident,
        settings.timezone,
    )
    await _send_question(turn, task_id, first=True)


async def _send_question(turn: Turn, task_id: int, *, first: bool) -> None:
    buttons = (
        (
            Button(turn.label("zorg.knop_crisis_ja"), f"k.{task_id}.j"),
            Button(turn.label("zorg.knop_crisis_nee"), f"k.{task_id}.n"),
        ),
    )
    await turn.say(
        "zorg.crisis_vraag",
        buttons=buttons,
        hulpnummers=helplines(turn.rt),
        contact=await contact_name(turn),
        eerst=first,
        minuten=int(turn.rt.settings.crisis_confirm_minutes),
    )


async def _question_open(turn: Turn, task_id: int | None) -> bool:
    """While the crisis question is open, the conversation waits: ask it again."""
    if turn.input.kind == "button" and not turn.input.data.startswith("f."):
        return False
    if task_id is None:
        return False
    await turn.notice()
    await _send_question(turn, task_id, first=False)
    return True


def _resident(conv: Conversation | None) -> int | None:
    if conv is None:
        return None
    for source in (conv.answers, conv.data):
        value = source.get("resident")
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
    return None


async def offer(turn: Turn, found: Detection | None, contact: str, in_flow: str | None) -> bool:
    """After the turn's own reply: offer to pass a concern on. False if nothing to offer."""
    if found is None or found.is_crisis or in_flow == "zorg":
        return False
    data = offer_data(False, found.categories)
    buttons = (
        (
            Button(turn.label("zorg.knop_zorg_doorgeven"), data),
            Button(turn.label("zorg.knop_niet_nodig"), "z.n"),
        ),
    )
    await turn.send([Reply(turn.text("zorg.stilstaan", contact=contact), buttons)])
    return True


def offer_data(urgent: bool, categories: tuple[str, ...]) -> str:
    """Button data for the offer, with as many recognised categories as fit in 64 bytes."""
    data = f"z.{3 if urgent else 2}"
    chosen: list[str] = []
    for category in categories:
        candidate = f"{data}.{'+'.join([*chosen, category])}"
        if len(candidate.encode()) <= 64:
            chosen.append(category)
    return f"{data}.{'+'.join(chosen)}" if chosen else data


async def outside_flow(turn: Turn, found: Detection) -> None:
    """Not in a conversation, no crisis: a concern gets the offer."""
    await offer(turn, found, await contact_name(turn), None)


async def contact_name(turn: Turn) -> str:
    def lookup(db: Database) -> str:
        professional_id = links.professional_of(db, turn.user_id)
        professional = users.get(db, professional_id) if professional_id else None
        return professional.first_name if professional else ""

    return await turn.rt.store.run(lookup)
