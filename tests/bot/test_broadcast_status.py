"""A coordinator's appreciation to many ends in ONE status message: the progress message is
edited into the report (issue 11 item 7). If Telegram refuses that edit (the message is too
old or was deleted), the report still arrives, as a message of its own; a progress edit
that comes late never overwrites the report.

Real SQLite file and the real outbox worker pass; the Bot is a recorder that can refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from telegram.error import BadRequest

import bot.features  # noqa: F401  (registers the appreciation hooks)
from bot.appreciation import broadcast
from bot.config import Settings
from bot.delivery import outbox as worker_module
from bot.runtime import Runtime
from bot.timekeeping.clock import OffsetClock
from content.render import default_content
from storage import broadcasts, outbox, users
from storage.db import Store

CORA, VERA, WIM = 1001, 1003, 1004
PROGRESS_MESSAGE = 77


@dataclass
class Sent:
    message_id: int


class Recorder:
    def __init__(self, refuse_edits: bool = False) -> None:
        self.refuse_edits = refuse_edits
        self.calls: list[tuple[str, int | None, str]] = []

    async def _post(self, endpoint, data, **_):
        """The outbox sends through bot/transport/unparsed.py, which calls PTB's Bot._post."""
        assert endpoint == "sendMessage"
        sent = await self.send_message(data["chat_id"], data["text"])
        return {"message_id": sent.message_id}

    async def send_message(self, chat_id, text, **_):
        self.calls.append(("send", None, text))
        return Sent(500 + len(self.calls))

    async def edit_message_text(self, text, chat_id=None, message_id=None, **_):
        if self.refuse_edits:
            raise BadRequest("Message to edit not found")
        self.calls.append(("edit", message_id, text))
        return True


@pytest.fixture
async def rt(tmp_path):
    store = Store.open(tmp_path / "status.db")
    settings = replace(Settings(), outbox_chat_interval=0.0)
    runtime = Runtime(settings, store, OffsetClock(), default_content(), engine=None)
    yield runtime
    store.close()


def seed(db, with_progress_message: bool) -> int:
    now = datetime.now(UTC)
    users.create(db, CORA, "coordinator", "Cora", "nl", now)
    for user_id, name in ((VERA, "Vera"), (WIM, "Wim")):
        users.create(db, user_id, "volunteer", name, "nl", now)
    broadcast_id = broadcasts.create(db, CORA, "gewoon_bedankt", 2, CORA, now)
    if with_progress_message:
        broadcasts.set_progress_message(db, broadcast_id, PROGRESS_MESSAGE)
    for user_id in (VERA, WIM):
        outbox.enqueue(
            db,
            user_id,
            broadcast.KIND,
            "dank je wel",
            now,
            recipient_id=user_id,
            broadcast_id=broadcast_id,
        )
    return broadcast_id


async def deliver_everything(rt) -> None:
    worker = worker_module.Worker(rt)
    while await worker_module.deliver_due(worker) > 0:
        pass


async def test_the_progress_message_becomes_the_report(rt):
    rt.bot = Recorder()
    await rt.store.run(seed, True)
    await deliver_everything(rt)
    to_cora = [call for call in rt.bot.calls if "waardering" in call[2]]
    assert len(to_cora) == 1
    kind, message_id, text = to_cora[0]
    assert (kind, message_id) == ("edit", PROGRESS_MESSAGE)
    assert "2 van de 2 berichten zijn aangekomen" in text


async def test_a_refused_edit_still_brings_the_report(rt):
    rt.bot = Recorder(refuse_edits=True)
    await rt.store.run(seed, True)
    await deliver_everything(rt)
    reports = [call for call in rt.bot.calls if "waardering is rond" in call[2]]
    assert [kind for kind, _, _ in reports] == ["send"]
    statuses = await rt.store.run(
        lambda db: [
            r[0]
            for r in db.execute("SELECT status FROM outbox WHERE kind = ?", [broadcast.REPORT_KIND])
        ]
    )
    assert statuses == ["sent"]


async def test_no_progress_message_yet_means_the_report_is_sent(rt, monkeypatch):
    monkeypatch.delitem(worker_module.AFTER_DELIVERY, broadcast.KIND)  # no progress at all
    rt.bot = Recorder()
    await rt.store.run(seed, False)
    await deliver_everything(rt)
    reports = [call for call in rt.bot.calls if "waardering is rond" in call[2]]
    assert [kind for kind, _, _ in reports] == ["send"]


async def test_a_late_progress_edit_does_not_overwrite_the_report(rt):
    rt.bot = Recorder()
    broadcast_id = await rt.store.run(seed, True)
    await deliver_everything(rt)
    before = list(rt.bot.calls)
    assert await broadcast.PROGRESS._show(rt, broadcast_id) is True
    assert rt.bot.calls == before


async def test_the_report_counts_only_the_appreciations_not_itself(rt):
    rt.bot = Recorder()
    broadcast_id = await rt.store.run(seed, True)
    await deliver_everything(rt)
    counts = await rt.store.run(outbox.broadcast_counts, broadcast_id, broadcast.KIND)
    assert counts == {"sent": 2}
