"""/overzicht: a picture of the volunteer's own visits and energy, sent with sendPhoto.

Drawing takes matplotlib a few hundred milliseconds, so it runs on a worker thread of its
own (bot/coach/charts.py draws on a private Figure, no pyplot state), never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from bot.coach import charts
from bot.routing.registry import command
from bot.routing.turn import Turn
from bot.transport.sender import with_retry
from storage import overview

log = logging.getLogger(__name__)
_DRAWING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="omzien-chart")


def labels(turn: Turn) -> charts.Labels:
    return charts.Labels(
        energy_title=turn.text("overzicht.titel_energie"),
        visits_title=turn.text("overzicht.titel_bezoeken"),
        energy_low=turn.text("overzicht.energie_laag"),
        energy_high=turn.text("overzicht.energie_hoog"),
        months=tuple(turn.text("overzicht.maanden").split()),
    )


@command("/overzicht")
async def overview_picture(turn: Turn) -> None:
    tz = ZoneInfo(turn.rt.settings.timezone)
    now = turn.rt.clock.now()
    rows = await turn.rt.store.run(overview.visits_since, turn.user_id, charts.since(now, tz))
    visits = [charts.Visit(at, energy) for at, energy in rows]
    if not visits:
        await turn.say("overzicht.leeg")
        return
    loop = asyncio.get_running_loop()
    png = await loop.run_in_executor(_DRAWING, charts.render_png, visits, now, tz, labels(turn))
    caption = turn.text("overzicht.onderschrift", trend=charts.trend(visits))
    # bytes, not a BytesIO: a retry after a 429 must send the picture again, not an empty file
    await with_retry(turn.rt.bot.send_photo, turn.chat_id, photo=png, caption=caption)
    log.info("overview sent user=%s visits=%s", turn.user_id, len(visits))
