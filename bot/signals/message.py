"""The contact person's short message to a volunteer, about one of her signals.

Only the contact person assigned to that signal can send it, and only while the signal is
open or picked up; it reaches the volunteer through the outbox. Logged by ids only.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from bot.flows.effects import applies
from bot.signals.service import tell_volunteer
from bot.signals.texts import NEXT
from storage import signals

log = logging.getLogger(__name__)


@applies("signal_message")
def _signal_message(db: Database, user_id: int, params: dict, now: datetime) -> None:
    signal_id = params["data"].get("signal")
    text = params["answers"].get("tekst")
    sig = signals.get(db, int(signal_id)) if str(signal_id).isdigit() else None
    if (
        sig is None
        or sig.professional_id != user_id
        or sig.status not in NEXT
        or not isinstance(text, str)
        or not text.strip()
    ):
        log.info("signal message refused user=%s signal=%s", user_id, signal_id)
        return
    signals.add_event(db, sig.id, "message", user_id, now)
    tell_volunteer(db, sig, "bericht.aan_vrijwilliger", now, tekst=text.strip())
    log.info("signal message sent signal=%s from=%s to=%s", sig.id, user_id, sig.volunteer_id)
