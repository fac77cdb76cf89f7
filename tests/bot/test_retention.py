"""What is kept, and for how long: journal entries for the retention period, delivered
messages (which hold names and notes) for thirty days."""

from datetime import timedelta

from storage import journal, outbox

VERA = 1003


async def test_delivered_messages_are_purged_after_thirty_days_pending_ones_never(sandbox):
    now = sandbox.clock.now()

    def write(db):
        sent = outbox.enqueue(db, VERA, "test", "Een notitie", now, recipient_id=VERA)
        outbox.mark_sent(db, sent, 1, now)
        later = outbox.enqueue(
            db,
            VERA,
            "test",
            "Nog te sturen",
            now,
            recipient_id=VERA,
            not_before=now + timedelta(days=400),
        )
        return sent, later

    sent, later = await sandbox.rt.store.run(write)
    await sandbox.advance_clock(timedelta(days=29))
    rows = lambda db: {r[0] for r in db.execute("SELECT id FROM outbox")}  # noqa: E731
    assert sent in await sandbox.rt.store.run(rows)
    await sandbox.advance_clock(timedelta(days=2))
    remaining = await sandbox.rt.store.run(rows)
    assert sent not in remaining and later in remaining


async def test_journal_entries_go_after_the_retention_period(sandbox):
    now = sandbox.clock.now()
    await sandbox.rt.store.run(
        lambda db: journal.add(
            db,
            VERA,
            "reflectie",
            now,
            resident_id=None,
            complete=True,
            energy=3,
            answers={"energie": 3},
            texts=["oud stukje"],
        )
    )
    await sandbox.advance_clock(timedelta(days=364))
    assert len(await sandbox.rt.store.run(journal.page, VERA)) == 1
    await sandbox.advance_clock(timedelta(days=2))
    assert await sandbox.rt.store.run(journal.page, VERA) == []
    assert await sandbox.rt.store.run(journal.search, VERA, "stukje") == []


async def test_worries_that_were_dealt_with_go_after_the_retention_period_open_ones_stay(sandbox):
    from storage import signals

    now = sandbox.clock.now()

    def write(db):
        closed = signals.create(db, VERA, now, level=2, categories=["woning"], status="closed")
        still_open = signals.create(db, VERA, now, level=2, categories=["woning"], status="open")
        return closed, still_open

    closed, still_open = await sandbox.rt.store.run(write)
    await sandbox.advance_clock(timedelta(days=366))
    left = await sandbox.rt.store.run(
        lambda db: {r[0] for r in db.execute("SELECT id FROM signals")}
    )
    assert closed not in left and still_open in left
    events = await sandbox.rt.store.run(
        lambda db: db.execute(
            "SELECT count(*) FROM signal_events WHERE signal_id = ?", [closed]
        ).fetchone()[0]
    )
    assert events == 0
