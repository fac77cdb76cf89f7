"""Invite codes: single use, time-limited, and never stored as text."""

from __future__ import annotations

from datetime import timedelta

from storage import invites, users
from storage.db import open_db
from storage.invites import Invite, InviteProblem

TWO_WEEKS = timedelta(days=14)


def test_a_fresh_invite_checks_ok(db, now):
    cora = users.create(db, 1, "coordinator", "Cora", "nl", now)
    code = invites.create(db, "volunteer", cora.id, now, TWO_WEEKS)
    checked = invites.check(db, code, now + timedelta(days=13))
    assert isinstance(checked, Invite)
    assert (checked.role, checked.created_by) == ("volunteer", cora.id)
    assert invites.looks_like_code(code)


def test_only_a_hash_of_the_code_is_stored(now, tmp_path):
    # A plain file even when OMZIEN_DB_KEY is set: only there are the raw bytes evidence.
    db = open_db(tmp_path / "t.db", key=None)
    code = invites.create(db, "professional", None, now, TWO_WEEKS)
    for table in db.table_names():
        for row in db.execute(f"SELECT * FROM [{table}]").fetchall():
            assert not any(code in str(value) for value in row), table
    stored = db.execute("SELECT code_hash FROM invites").fetchone()[0]
    assert stored == invites.hash_code(code)
    db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("t.db*"))
    assert code.encode() not in raw
    assert stored.encode() in raw  # the search above would have seen the code too


def test_an_expired_invite_is_refused(db, now):
    code = invites.create(db, "volunteer", None, now, TWO_WEEKS)
    assert invites.check(db, code, now + timedelta(days=15)) is InviteProblem.EXPIRED
    assert invites.check(db, code, now + TWO_WEEKS) is InviteProblem.EXPIRED  # the very end


def test_a_used_invite_is_refused(db, now):
    code = invites.create(db, "volunteer", None, now, TWO_WEEKS)
    anna = users.create(db, 7, "volunteer", "Anna", "nl", now)
    invite = invites.check(db, code, now)
    assert invites.mark_used(db, invite.id, anna.id, now) is True
    assert invites.check(db, code, now) is InviteProblem.USED


def test_malformed_and_unknown_codes_are_told_apart(db, now):
    invites.create(db, "volunteer", None, now, TWO_WEEKS)
    unknown = "A" * invites.CODE_LENGTH
    assert invites.check(db, unknown, now) is InviteProblem.UNKNOWN
    for malformed in (
        "",
        "kapot!",
        "A" * (invites.CODE_LENGTH - 1),
        "A" * (invites.CODE_LENGTH + 1),
        "0" * invites.CODE_LENGTH,
        "' OR 1=1 --" + "A" * 11,
        "Ä" * invites.CODE_LENGTH,
    ):
        assert invites.check(db, malformed, now) is InviteProblem.MALFORMED, malformed


def test_mark_used_works_only_once(db, now):
    code = invites.create(db, "volunteer", None, now, TWO_WEEKS)
    anna = users.create(db, 7, "volunteer", "Anna", "nl", now)
    bob = users.create(db, 8, "volunteer", "Bob", "nl", now)
    invite = invites.check(db, code, now)
    assert invites.mark_used(db, invite.id, anna.id, now) is True
    assert invites.mark_used(db, invite.id, bob.id, now + timedelta(minutes=1)) is False
    (used_by,) = db.execute("SELECT used_by FROM invites WHERE id = ?", [invite.id]).fetchone()
    assert used_by == anna.id


def test_codes_differ_each_time(db, now):
    codes = {invites.create(db, "volunteer", None, now, TWO_WEEKS) for _ in range(50)}
    assert len(codes) == 50
