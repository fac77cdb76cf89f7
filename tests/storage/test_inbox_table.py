"""The inbox table: idempotent by update_id, handled oldest first, no text once handled."""

from __future__ import annotations

from datetime import timedelta

from storage import inbox


def update(update_id: int, text: str = "hallo") -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": text}}


def test_a_batch_is_stored_once_and_comes_back_oldest_first(db, now):
    assert inbox.store(db, [update(12), update(10), update(11)], now) == 3
    assert inbox.store(db, [update(11), update(12, "anders")], now) == 0  # re-fetched
    pending = inbox.pending(db)
    assert [p.update_id for p in pending] == [10, 11, 12]
    assert pending[2].body["message"]["text"] == "hallo"
    assert inbox.next_offset(db) == 13


def test_a_handled_update_keeps_no_text_and_is_not_handled_again(db, now):
    inbox.store(db, [update(1, "geheim"), update(2)], now)
    assert inbox.mark_handled(db, 1, now)
    assert not inbox.mark_handled(db, 1, now)
    assert [p.update_id for p in inbox.pending(db)] == [2]
    assert inbox.store(db, [update(1, "geheim")], now) == 0
    assert [p.update_id for p in inbox.pending(db)] == [2]
    (body,) = db.execute("SELECT body FROM inbox WHERE update_id = 1").fetchone()
    assert body is None


def test_mark_current_marks_only_inside_a_turn(db, now):
    inbox.store(db, [update(5)], now)
    inbox.mark_current(db, now)
    assert not inbox.is_handled(db, 5)
    token = inbox.current_update.set(5)
    try:
        inbox.mark_current(db, now)
    finally:
        inbox.current_update.reset(token)
    assert inbox.is_handled(db, 5)


def test_purge_forgets_old_handled_ids_but_keeps_the_offset(db, now):
    inbox.store(db, [update(1), update(2), update(3)], now)
    for update_id in (1, 2, 3):
        inbox.mark_handled(db, update_id, now)
    inbox.store(db, [update(4)], now)  # not handled: kept
    assert inbox.purge(db, now + timedelta(hours=1)) == 0  # too recent
    assert inbox.purge(db, now + inbox.KEEP_HANDLED + timedelta(minutes=1)) == 3
    assert [p.update_id for p in inbox.pending(db)] == [4]
    inbox.mark_handled(db, 4, now)
    inbox.purge(db, now + timedelta(days=30))
    assert inbox.next_offset(db) == 5  # the newest row stays
