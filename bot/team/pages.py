"""Picking people on a coordinator's screen: a page of volunteers, names that fit a button.

Shared by /koppel (bot/team/coordinator.py) and /waardering (bot/appreciation/commands.py).
"""

from __future__ import annotations

from bot.routing.turn import Turn
from dialogues.model import Button
from storage import team

PAGE = 8
NAME_IN_LABEL = 18


def short_name(name: str) -> str:
    return name if len(name) <= NAME_IN_LABEL else name[: NAME_IN_LABEL - 1] + "…"


def number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


async def volunteer_page(turn: Turn, prefix: str, offset: int, template: str, edit: bool) -> None:
    found = await turn.rt.store.run(team.volunteers, offset, PAGE + 1)
    if not found and offset == 0:
        await turn.say("coordinator.geen_vrijwilligers", edit=edit)
        return
    rows: list[tuple[Button, ...]] = []
    for person in found[:PAGE]:
        label = (
            short_name(person.first_name)
            if person.linked
            else turn.text(
                "coordinator.knop_zonder_contact", voornaam=short_name(person.first_name)
            )
        )
        rows.append((Button(label, f"{prefix}.v.{person.id}"),))
    paging = []
    if offset > 0:
        paging.append(Button(turn.label("knoppen.vorige"), f"{prefix}.l.{max(0, offset - PAGE)}"))
    if len(found) > PAGE:
        paging.append(Button(turn.label("knoppen.volgende"), f"{prefix}.l.{offset + PAGE}"))
    if paging:
        rows.append(tuple(paging))
    await turn.say(template, buttons=tuple(rows), edit=edit)
