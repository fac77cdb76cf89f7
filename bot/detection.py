"""The worry watch: every free text a volunteer sends passes the detector
(dialogues/detector.py), inside a conversation or outside one.

- crisis language → at once a calm safety message with the help lines; outside a
  conversation the signal flow starts with level 3 proposed; inside one the volunteer's
  conversation goes on and, after its reply, one button offers to pass the worry on
  (nothing they were doing is thrown away);
- concern language → "Je schreef iets waar ik even bij wil stilstaan…" with the choice to
  pass it on or not.

Never logs the text: only the level and the number of rules that matched.
"""
from __future__ import annotations

import logging

from bot.turn import Turn, helplines
from dialogues.detector import Detection, detect
from dialogues.model import Button, Reply
from dialogues.signal_levels import final_level

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


async def safety_first(turn: Turn, found: Detection | None, conv=None) -> None:
    """Crisis: the help lines before anything else (not again inside an urgent signal
    flow, where they were just shown)."""
    if found is None or not found.is_crisis:
        return
    if conv is not None and conv.flow == "zorg" and final_level(conv.answers, conv.data) >= 3:
        return
    await turn.say("zorg.crisis", hulpnummers=helplines(turn.rt))


async def offer(turn: Turn, found: Detection | None, contact: str, in_flow: str | None) -> bool:
    """After the turn's own reply: offer to pass the worry on. False if nothing to offer."""
    if found is None or in_flow == "zorg":
        return False
    from bot.handlers.signals import offer_data
    data = offer_data(found.is_crisis, found.categories)
    buttons = ((Button(turn.label("zorg.knop_zorg_doorgeven"), data),
                Button(turn.label("zorg.knop_niet_nodig"), "z.n")),)
    template = "zorg.crisis_aanbod" if found.is_crisis else "zorg.stilstaan"
    await turn.send([Reply(turn.text(template, contact=contact), buttons)])
    return True


async def outside_flow(turn: Turn, found: Detection) -> None:
    """Not in a conversation: a crisis goes straight into the signal flow (level 3
    proposed); a concern gets the offer."""
    if found.is_crisis:
        from bot.handlers.signals import start_signal_flow
        await start_signal_flow(turn, urgent=True, categories=list(found.categories))
        return
    await offer(turn, found, await contact_name(turn), None)


async def contact_name(turn: Turn) -> str:
    def lookup(db) -> str:
        from storage import links, users
        professional_id = links.professional_of(db, turn.user_id)
        professional = users.get(db, professional_id) if professional_id else None
        return professional.first_name if professional else ""
    return await turn.rt.store.run(lookup)
