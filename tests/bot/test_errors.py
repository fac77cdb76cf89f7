"""When a handler fails, the person hears that something went wrong on our side, and the
log holds the error type but none of what they typed."""

import logging

from bot.routing.registry import COMMAND_HANDLERS


async def test_a_failing_handler_apologises_without_logging_the_text(sandbox, monkeypatch, caplog):
    async def broken(turn):
        raise RuntimeError("boom")

    monkeypatch.setitem(COMMAND_HANDLERS, "/stap", broken)
    caplog.set_level(logging.INFO)
    await sandbox.say("vera", "/stap geheimwoordje")
    # PTB runs the error handler as its own task, after the turn counted as handled: under
    # load wait_idle can return before the apology is out, so wait for it.
    await sandbox.emulator.wait_for(lambda: sandbox.messages("vera"), timeout=10)
    texts = [m.raw_text for m in sandbox.messages("vera")]
    assert texts[-1] == sandbox.rt.content.render("algemeen.even_mis", "nl")
    assert "RuntimeError" in caplog.text
    assert "geheimwoordje" not in caplog.text


async def test_the_bot_keeps_working_after_a_failure(sandbox, monkeypatch):
    async def broken(turn):
        raise RuntimeError("boom")

    monkeypatch.setitem(COMMAND_HANDLERS, "/stap", broken)
    await sandbox.say("vera", "/stap")
    await sandbox.say("vera", "/help")
    assert "/bezoek" in sandbox.messages("vera")[-1].raw_text
