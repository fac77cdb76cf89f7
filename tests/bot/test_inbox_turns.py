"""Turns through the inbox, in the sandbox (the same Poller as production): a flow step
marks its update handled in its own transaction, a stale step is not applied, and a
network error on a direct reply is retried in place."""

from __future__ import annotations

from bot.flows import runner as conversations
from bot.transport import sender
from storage import dialogue_state, inbox

VERA = 1003


def handled(db) -> set[int]:
    rows = db.execute("SELECT update_id FROM inbox WHERE handled_at IS NOT NULL").fetchall()
    return {update_id for (update_id,) in rows}


async def test_a_flow_step_marks_its_update_in_the_transaction_of_the_turn(sandbox, monkeypatch):
    """A step marks its update in its own transaction, so the loop does not go to the
    database again for it; a turn without a step is marked by the loop when it is over."""
    marked_by_the_loop: dict[int, bool] = {}  # update id -> already handled at that moment
    mark_after_the_turn = sandbox.poller._mark

    async def watching(update_id):
        marked_by_the_loop[update_id] = await sandbox.rt.store.run(inbox.is_handled, update_id)
        await mark_after_the_turn(update_id)

    monkeypatch.setattr(sandbox.poller, "_mark", watching)

    await sandbox.say("vera", "/help")  # no conversation step
    await sandbox.say("vera", "/bezoek")  # starts the reflection: a committed step
    await sandbox.press("vera", "Ja")  # a step inside it
    all_handled = await sandbox.rt.store.run(handled)
    assert len(all_handled) == 3, all_handled
    assert list(marked_by_the_loop.values()) == [False], marked_by_the_loop
    assert min(all_handled) in marked_by_the_loop, "the /help turn is marked by the loop"
    bodies = await sandbox.rt.store.run(
        lambda db: db.execute("SELECT count(*) FROM inbox WHERE body IS NOT NULL").fetchone()
    )
    assert bodies == (0,)


async def test_a_step_from_a_state_that_moved_on_is_not_applied(sandbox, monkeypatch):
    await sandbox.say("vera", "/bezoek")
    before = await sandbox.rt.store.run(dialogue_state.load, VERA)
    original = conversations.context_for

    async def moved_on_meanwhile(turn, flow_id, found=None):
        # Another step lands between loading the state and saving this one.
        await turn.rt.store.run(
            lambda db: db.execute(
                "UPDATE dialogue_state SET seq = seq + 1 WHERE user_id = ?", [VERA]
            )
        )
        monkeypatch.setattr(conversations, "context_for", original)
        return await original(turn, flow_id, found)

    monkeypatch.setattr(conversations, "context_for", moved_on_meanwhile)

    await sandbox.press("vera", "Ja")
    after = await sandbox.rt.store.run(dialogue_state.load, VERA)
    assert after.seq == before.seq + 1 and after.state == before.state
    assert "bezoek" not in after.answers
    expired = sandbox.rt.content.render("engine.verlopen", "nl")
    assert sandbox.emulator.callback_answers[-1]["text"] == expired
    assert "elkaar" in sandbox.messages("vera")[-1].raw_text  # the question, shown again


async def test_a_network_error_on_a_reply_is_retried_and_the_order_kept(sandbox, monkeypatch):
    monkeypatch.setattr(sender, "NETWORK_BACKOFF", 0.01)
    emu = sandbox.emulator
    await sandbox.say("vera", "/bezoek")
    since = len(emu.calls)
    emu.faults.fail(status=502, count=1, methods=["editMessageText"])
    await sandbox.press("vera", "Ja")
    calls = [
        (c.method, c.status)
        for c in emu.calls[since:]
        if c.method in ("editMessageText", "sendMessage")
    ]
    assert calls[:3] == [
        ("editMessageText", 502),
        ("editMessageText", 200),
        ("sendMessage", 200),
    ], calls
    assert "Hoe is het nu met jou" in sandbox.messages("vera")[-1].raw_text


async def test_a_reply_that_keeps_failing_is_given_up_after_a_few_tries(sandbox, monkeypatch):
    monkeypatch.setattr(sender, "NETWORK_BACKOFF", 0.01)
    emu = sandbox.emulator
    since = len(emu.calls)
    emu.faults.fail(status=502, count=sender.NETWORK_RETRIES + 1, methods=["sendMessage"])
    await sandbox.say("vera", "/help")
    sorry = sandbox.rt.content.render("algemeen.even_mis", "nl")
    await emu.wait_for(lambda: [m for m in sandbox.messages("vera") if m.raw_text == sorry])
    sends = [c.status for c in emu.calls[since:] if c.method == "sendMessage"]
    # 1 + NETWORK_RETRIES failures, then the error handler's apology goes through.
    assert sends == [502] * (sender.NETWORK_RETRIES + 1) + [200], sends


async def test_vergeet_leaves_no_update_text_in_the_inbox(sandbox, monkeypatch):
    """Earlier updates lost their text when handled; the confirming press itself loses it
    in the forget transaction, before the file is VACUUMed."""
    text_left_after_the_turn: list[int] = []
    mark_after_the_turn = sandbox.poller._mark

    async def watching(update_id):
        left = await sandbox.rt.store.run(
            lambda db: db.execute("SELECT count(*) FROM inbox WHERE body IS NOT NULL").fetchone()[0]
        )
        text_left_after_the_turn.append(left)
        await mark_after_the_turn(update_id)

    await sandbox.say("vera", "Ze vertelde over de zwaluwstaartxyz")
    await sandbox.say("vera", "/vergeet")
    await sandbox.press("vera", "wis alles")
    monkeypatch.setattr(sandbox.poller, "_mark", watching)
    await sandbox.press("vera", "echt wissen")
    assert "Alles is gewist" in sandbox.messages("vera")[-1].raw_text
    assert text_left_after_the_turn == [0]


async def test_the_outbox_worker_stops_while_ptb_can_still_send(tmp_path, monkeypatch):
    """post_stop, not post_shutdown: PTB closes its HTTP client in shutdown."""
    from bot import app as app_module
    from bot.config import Settings
    from sandbox.emulator.flood import FloodPolicy
    from sandbox.session import Sandbox

    could_send: list[bool] = []
    stop_worker = app_module.outbox.stop_worker

    async def watching(app):
        try:
            await app.bot.get_me()
            could_send.append(True)
        except Exception:  # noqa: BLE001 - what fails here is the point of the test
            could_send.append(False)
        await stop_worker(app)

    monkeypatch.setattr(app_module.outbox, "stop_worker", watching)
    sb = Sandbox(Settings(), tmp_path / "s.db", flood=FloodPolicy(enabled=False))
    await sb.start()
    await sb.say("vera", "/help")
    await sb.stop()
    assert could_send == [True]


async def test_the_inbox_loop_survives_a_database_error_and_goes_on(sandbox, monkeypatch):
    import sqlite3

    real_pending = inbox.pending
    failures = []

    def failing_once(db, *args, **kwargs):
        if not failures:
            failures.append(1)
            raise sqlite3.OperationalError("disk I/O error")
        return real_pending(db, *args, **kwargs)

    monkeypatch.setattr(inbox, "pending", failing_once)
    sandbox.emulator.send_text(VERA, "/help")
    sandbox.injected += 1
    await sandbox.wait_idle()
    assert failures and not sandbox.poller.task.done()
    assert "/bezoek" in sandbox.messages("vera")[-1].raw_text


async def test_a_page_read_again_after_a_database_error_is_not_handled_twice(tmp_path, monkeypatch):
    """A full page (100 updates) is handed over, then reading the next page fails: the loop
    starts again with the page it already handed over, and hands none of it over twice."""
    import asyncio
    import sqlite3

    from bot.config import Settings
    from sandbox.emulator.flood import FloodPolicy
    from sandbox.session import Sandbox

    real_pending = inbox.pending
    failures = []

    reads_after_the_failure = []

    def failing_after_a_page(db, after=None, limit=inbox.PAGE):
        if after is not None and not failures:
            failures.append(after)
            raise sqlite3.OperationalError("disk I/O error")
        if failures:
            reads_after_the_failure.append(after)
        return real_pending(db, after, limit)

    monkeypatch.setattr(inbox, "pending", failing_after_a_page)
    sb = Sandbox(Settings(), tmp_path / "s.db", flood=FloodPolicy(enabled=False))
    strangers = range(7001, 7001 + inbox.PAGE)
    for user_id in strangers:
        sb.emulator.add_user(user_id, f"Mens{user_id}", language_code="nl")
        sb.emulator.send_text(user_id, "hallo")
    sb.injected += len(strangers)
    await sb.start()
    try:
        await sb.wait_idle()
        assert failures, "the read after the first page failed once"
        deadline = asyncio.get_running_loop().time() + 10
        while not reads_after_the_failure:  # the loop waits 1 s, then starts again
            assert asyncio.get_running_loop().time() < deadline, "the loop did not go on"
            await asyncio.sleep(0.05)
        await sb.wait_idle()
        answers = {user_id: len(sb.emulator.messages(user_id)) for user_id in strangers}
        assert set(answers.values()) == {1}, {u: n for u, n in answers.items() if n != 1}
    finally:
        await sb.stop()
