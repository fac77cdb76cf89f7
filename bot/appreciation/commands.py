"""/waardering: a coordinator picks who, picks or writes a text, and the `waardering` flow
previews and confirms it; bot/appreciation/broadcast.py delivers and reports.

Button data (prefix `wa`):
    wa.een | wa.alle | wa.pro | wa.sug                 who receives it
    wa.l.<offset>  wa.v.<volunteer>  wa.p.<prof>       paging and picking
    wa.t.<target>.<template>                           template (or `eigen`) → the flow
"""

from __future__ import annotations

from markupsafe import Markup

from bot.appreciation import broadcast
from bot.flows import runner as conversations
from bot.routing.registry import button, command
from bot.routing.turn import Turn
from bot.team.pages import number, short_name, volunteer_page
from content.appreciation import OWN_TEXT
from dialogues.model import Button
from storage import team


@command("/waardering")
async def appreciation_start(turn: Turn) -> None:
    rows = (
        (Button(turn.label("coordinator.knop_een"), "wa.een"),),
        (Button(turn.label("coordinator.knop_alle"), "wa.alle"),),
        (Button(turn.label("coordinator.knop_per_contact"), "wa.pro"),),
        (Button(turn.label("coordinator.knop_suggesties"), "wa.sug"),),
    )
    await turn.say("coordinator.waardering_voor_wie", buttons=rows)


@button("wa")
async def appreciation_button(turn: Turn) -> None:
    parts = turn.button_parts
    what = parts[1] if len(parts) > 1 else ""
    picked = number(parts[2]) if len(parts) > 2 else None
    if what == "een":
        await turn.notice()
        await volunteer_page(turn, "wa", 0, "coordinator.waardering_kies_vrijwilliger", True)
    elif what == "l" and picked is not None:
        await turn.notice()
        await volunteer_page(turn, "wa", picked, "coordinator.waardering_kies_vrijwilliger", True)
    elif what == "v" and picked is not None:
        await _choose_template(turn, f"v{picked}")
    elif what == "alle":
        await _choose_template(turn, "a")
    elif what == "sug":
        await _choose_template(turn, "s")
    elif what == "pro":
        await turn.notice()
        pros = await turn.rt.store.run(team.professionals)
        rows = tuple((Button(short_name(p.first_name), f"wa.p.{p.id}"),) for p in pros[:40])
        await turn.say(
            "coordinator.waardering_kies_contact" if pros else "coordinator.geen_contactpersonen",
            buttons=rows,
            edit=True,
        )
    elif what == "p" and picked is not None:
        await _choose_template(turn, f"p{picked}")
    elif what == "t" and len(parts) == 4:
        await _preview(turn, parts[2], parts[3])
    else:
        await turn.expired()


async def _choose_template(turn: Turn, target: str) -> None:
    found = await turn.rt.store.run(broadcast.recipients, target, turn.rt.clock.now())
    await turn.notice()
    if not found:
        await turn.say("coordinator.waardering_niemand", edit=True)
        return
    entries = turn.rt.content.appreciations(turn.locale)
    now = turn.rt.clock.now()
    fitting = await turn.rt.store.run(broadcast.fitting_templates, list(entries), target, now)
    buttons = [Button(entries[tid]["label"], f"wa.t.{target}.{tid}") for tid in fitting]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append(
        (Button(turn.label("coordinator.knop_zelf_schrijven"), f"wa.t.{target}.{OWN_TEXT}"),)
    )
    await turn.say(
        "coordinator.waardering_kies_tekst",
        buttons=tuple(rows),
        edit=True,
        aantal=len(found),
        voornaam=found[0].first_name,
        redenen=await _reasons(turn, target, found, now),
    )


async def _reasons(turn: Turn, target: str, found, now) -> list[Markup]:
    """Each suggestion says why: "Vera keek deze week voor het eerst even terug"."""
    names = {u.id: u.first_name for u in found}
    pairs = await turn.rt.store.run(broadcast.reasons, target, now)
    return [
        turn.text(f"coordinator.mijlpaal_{m}", voornaam=names[v]) for v, m in pairs if v in names
    ]


async def _preview(turn: Turn, target: str, template: str) -> None:
    now = turn.rt.clock.now()
    known = template == OWN_TEXT or template in await turn.rt.store.run(
        broadcast.fitting_templates, list(turn.rt.content.appreciations("nl")), target, now
    )
    found = await turn.rt.store.run(broadcast.recipients, target, now) if known else []
    if not found:
        await turn.expired()
        return
    await turn.notice()
    assert turn.user is not None  # /waardering is for coordinators (bot/routing/access.py)
    first = found[0]
    data = {
        "target": target,
        "template": template,
        "aantal": len(found),
        "ontvanger": first.first_name,
        "ontvanger_taal": first.language,
        "ontvanger_sinds": first.created_at,
        "afzender": turn.user.first_name,
    }
    await conversations.start(turn, "waardering", data)
