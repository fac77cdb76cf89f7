"""Appreciation to one or to hundreds: the rows, the progress message, the final report.

    confirm in the `waardering` flow
      └─ effect `appreciation` (same transaction as the flow's last step):
           one broadcasts row + one outbox row per recipient, rendered in THEIR language
    outbox worker delivers at the configured rate
      ├─ @on_settle("appreciation"): inside the transaction that marks a row, the last row
      │    of a broadcast also writes the report row for the coordinator (exactly once)
      └─ @after_delivery("appreciation"): wakes the progress reporter of that broadcast,
           which sends "Verzonden 1 van N" once and then EDITS it, at most once per
           PROGRESS_EVERY seconds, until the report is written.

The report row is itself an outbox row ("broadcast_report"), so it survives a crash. It is
delivered by EDITING the progress message into the report (@delivers), so the coordinator
keeps one status message that ends as the report; a per-broadcast lock keeps a late
progress edit from overwriting it. No progress message yet, or one Telegram no longer lets
us edit: the report is sent as a message of its own.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.delivery.outbox import after_delivery, delivers, on_settle, send_plain
from bot.flows.effects import applies
from bot.runtime import Runtime
from bot.transport.sender import flood_wait
from bot.transport.unparsed import Sent
from content.appreciation import render_appreciation
from content.render import default_content
from storage import broadcasts, journal, links, outbox, team, users
from storage.outbox import OutboxRow
from storage.times import iso, parse

log = logging.getLogger(__name__)
PROGRESS_EVERY = 2.0  # seconds between two edits of the progress message
KIND = "appreciation"
REPORT_KIND = "broadcast_report"
MAX_NAMES = 30


# ---- who receives it --------------------------------------------------------------------

# Templates about a situation are only offered to one volunteer it fits; the rest suit
# anyone. A worry that was taken care of is never offered: coordinators see no worries.
MIN_VISITS_FOR_PRESENCE = 5  # "Jij bent er gewoon, keer op keer" after one visit rings false
SITUATIONS = ("afscheid_goed", "aanwezigheid", "signaal_geholpen", "welkom_terug", "grens_bewaakt")


def fitting_templates(db, template_ids: list[str], target: str, now: datetime) -> list[str]:
    one = (
        users.get(db, int(target[1:])) if target.startswith("v") and target[1:].isdigit() else None
    )
    return [t for t in template_ids if t not in SITUATIONS or (one and _fits(db, t, one, now))]


def _fits(db, template: str, volunteer: users.User, now: datetime) -> bool:
    if template == "afscheid_goed":
        return (
            db.execute(
                "SELECT 1 FROM residents WHERE volunteer_id = ? AND ended_at >= ?",
                [volunteer.id, iso(now - timedelta(days=30))],
            ).fetchone()
            is not None
        )
    if template == "aanwezigheid":
        return journal.count(db, volunteer.id, "reflectie") >= MIN_VISITS_FOR_PRESENCE
    return template in ("welkom_terug", "grens_bewaakt")  # she told the coordinator herself


def reasons(db, target: str, now: datetime) -> list[tuple[int, str]]:
    """Why these volunteers are suggested: their milestones this week."""
    wanted = (
        None
        if target == "s"
        else int(target[1:])
        if target.startswith("v") and target[1:].isdigit()
        else -1
    )
    return [(v, m) for v, m in team.milestones(db, now) if wanted is None or v == wanted]


def recipients(db, target: str, now: datetime) -> list[users.User]:
    """'v<id>' one volunteer, 'a' all active volunteers, 'p<id>' the active volunteers of
    one professional, 's' the volunteers at a milestone this week."""
    if target.startswith("v") and target[1:].isdigit():
        found = users.get(db, int(target[1:]))
        return [found] if found and found.role == "volunteer" and found.status != "left" else []
    if target == "a":
        return users.by_role(db, "volunteer")
    if target.startswith("p") and target[1:].isdigit():
        ids = links.volunteers_of(db, int(target[1:]))
        return [u for u in (users.get(db, i) for i in ids) if u and u.status == "active"]
    if target == "s":
        seen: list[int] = []
        for volunteer_id, _ in team.milestones(db, now):
            if volunteer_id not in seen:
                seen.append(volunteer_id)
        return [u for u in (users.get(db, i) for i in seen) if u]
    return []


def render_for(
    content,
    user: users.User,
    template: str,
    afzender: str,
    tekst: str | None,
    now: datetime,
    persoonlijk: str | None = None,
) -> str:
    return render_appreciation(
        content,
        template,
        user.language,
        voornaam=user.first_name,
        afzender=afzender,
        tekst=tekst,
        joined=parse(user.created_at),
        now=now,
        persoonlijk=persoonlijk,
    )


@applies("appreciation")
def _appreciation(db, user_id: int, params: dict, now: datetime) -> None:
    """One broadcasts row and one outbox row per recipient, in the step's transaction."""
    answers, data = params["answers"], params["data"]
    if answers.get("bevestig") != "versturen":
        return
    coordinator = users.get(db, user_id)
    if coordinator is None or coordinator.role != "coordinator":
        return
    found = recipients(db, str(data.get("target", "")), now)
    if not found:
        return
    content = default_content()
    template = str(data.get("template"))
    broadcast_id = broadcasts.create(db, user_id, template, len(found), user_id, now)
    for person in found:
        text = render_for(
            content,
            person,
            template,
            coordinator.first_name,
            answers.get("tekst"),
            now,
            answers.get("persoonlijk"),
        )
        outbox.enqueue(
            db, person.id, KIND, text, now, recipient_id=person.id, broadcast_id=broadcast_id
        )
    log.info(
        "broadcast created id=%s recipients=%s template=%s", broadcast_id, len(found), template
    )


# ---- the final report: written with the last delivery ---------------------------------


@on_settle(KIND)
def _settled(db, rt: Runtime, row: OutboxRow, outcome: str, now: datetime) -> None:
    if row.broadcast_id is None:
        return
    counts = outbox.broadcast_counts(db, row.broadcast_id, KIND)
    if counts.get("pending"):
        return
    write_report(db, rt.content, row.broadcast_id, now)


def write_report(db, content, broadcast_id: int, now: datetime) -> bool:
    found = broadcasts.get(db, broadcast_id)
    if found is None or not broadcasts.mark_reported(db, broadcast_id):
        return False
    coordinator = users.get(db, found.created_by) if found.created_by else None
    if coordinator is None:
        return False
    counts = outbox.broadcast_counts(db, broadcast_id, KIND)
    names = broadcasts.unreachable_names(db, broadcast_id, KIND)
    text = content.render(
        "coordinator.waardering_verslag",
        coordinator.language,
        aangekomen=counts.get("sent", 0),
        totaal=found.total,
        niet_bereikt=len(names),
        namen=", ".join(names[:MAX_NAMES]),
        meer=max(0, len(names) - MAX_NAMES),
    )
    chat_id = found.progress_chat_id if found.progress_chat_id is not None else coordinator.id
    outbox.enqueue(
        db, chat_id, REPORT_KIND, text, now, recipient_id=coordinator.id, broadcast_id=broadcast_id
    )
    log.info("broadcast reported id=%s", broadcast_id)
    return True


# ---- the progress message -------------------------------------------------------------


class Progress:
    """One asyncio task per broadcast that is being delivered; edits are throttled."""

    def __init__(self) -> None:
        self.tasks: dict[int, asyncio.Task] = {}
        self.dirty: dict[int, asyncio.Event] = {}
        self.locks: dict[int, asyncio.Lock] = {}

    def lock(self, broadcast_id: int) -> asyncio.Lock:
        """Held while the progress message is read and edited, and while the report is."""
        return self.locks.setdefault(broadcast_id, asyncio.Lock())

    def poke(self, rt: Runtime, broadcast_id: int) -> None:
        event = self.dirty.setdefault(broadcast_id, asyncio.Event())
        event.set()
        task = self.tasks.get(broadcast_id)
        if task is None or task.done():
            self.tasks[broadcast_id] = asyncio.get_running_loop().create_task(
                self._run(rt, broadcast_id, event)
            )

    async def _run(self, rt: Runtime, broadcast_id: int, event: asyncio.Event) -> None:
        try:
            while True:
                await event.wait()
                event.clear()
                final = await self._show(rt, broadcast_id)
                if final:
                    return
                await asyncio.sleep(PROGRESS_EVERY)
        except Exception:  # noqa: BLE001 - progress is a courtesy; delivery goes on
            log.exception("broadcast progress failed id=%s", broadcast_id)
        finally:
            self.tasks.pop(broadcast_id, None)
            self.dirty.pop(broadcast_id, None)

    async def _show(self, rt: Runtime, broadcast_id: int) -> bool:
        async with self.lock(broadcast_id):
            return await self._show_locked(rt, broadcast_id)

    async def _show_locked(self, rt: Runtime, broadcast_id: int) -> bool:
        found, counts, language = await rt.store.run(_progress_state, broadcast_id)
        if found is None or found.progress_chat_id is None or found.total == 1:
            return True  # for one recipient the report alone is the status: no "1 of 1"
        if found.reported:
            return True  # the report takes over the message (_deliver_report)
        handled = sum(n for status, n in counts.items() if status != "pending")
        final = not counts.get("pending")
        text = rt.content.render(
            "coordinator.voortgang", language, verzonden=handled, totaal=found.total, klaar=final
        )
        for _ in range(5):
            try:
                if found.progress_message_id is None:
                    message = await rt.bot.send_message(found.progress_chat_id, text)
                    await rt.store.run(
                        broadcasts.set_progress_message, broadcast_id, message.message_id
                    )
                else:
                    await rt.bot.edit_message_text(
                        text, chat_id=found.progress_chat_id, message_id=found.progress_message_id
                    )
                break
            except RetryAfter as exc:
                await asyncio.sleep(flood_wait(exc))
            except BadRequest as exc:
                if "not modified" not in str(exc):
                    log.info("broadcast progress edit refused id=%s", broadcast_id)
                break
            except TelegramError as exc:
                log.info("broadcast progress error id=%s type=%s", broadcast_id, type(exc).__name__)
                await asyncio.sleep(1.0)
        return final


def _progress_state(db, broadcast_id: int):
    found = broadcasts.get(db, broadcast_id)
    coordinator = users.get(db, found.created_by) if found and found.created_by else None
    return (
        found,
        outbox.broadcast_counts(db, broadcast_id, KIND),
        coordinator.language if coordinator else "nl",
    )


PROGRESS = Progress()


@delivers(REPORT_KIND)
async def _deliver_report(rt: Runtime, row: OutboxRow, text: str, buttons: str | None) -> Sent:
    """The report as the end state of the progress message, or as a message of its own."""
    if row.broadcast_id is None:
        return await send_plain(rt, row, text, buttons)
    async with PROGRESS.lock(row.broadcast_id):
        found = await rt.store.run(broadcasts.get, row.broadcast_id)
        if found is not None and found.progress_message_id is not None:
            edited = await _edit_into_report(rt, row, found.progress_message_id, text)
            if edited is not None:
                return edited
        return await send_plain(rt, row, text, buttons)


async def _edit_into_report(rt: Runtime, row: OutboxRow, message_id: int, text: str) -> Sent | None:
    """The edited message, or None when Telegram refuses the edit (too old, deleted)."""
    try:
        await rt.bot.edit_message_text(text, chat_id=row.chat_id, message_id=message_id)
    except BadRequest as exc:
        if "not modified" not in str(exc):
            log.info("broadcast report: progress message not editable id=%s", row.broadcast_id)
            return None
    return Sent(message_id)  # the message that now holds the report


@after_delivery(KIND)
async def _delivered(rt: Runtime, row: OutboxRow, outcome: str) -> None:
    if row.broadcast_id is not None:
        PROGRESS.poke(rt, row.broadcast_id)
