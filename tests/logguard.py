"""Logs hold ids and event types only. This guard proves it for whole sessions: while a
test runs, every log record of every logger is captured at DEBUG, and every word a person
typed (journal text, notes, aliases, search words) and every display name the emulator
knows is remembered; at the end none of them may appear in any record (message, arguments
or traceback). `tests/conftest.py` puts it under the `sandbox` fixture; tests/e2e has it on
every test.
"""

from __future__ import annotations

import logging

from sandbox.emulator.server import Emulator

SHORTEST = 5  # shorter typed words ("ja", "Pim") are button answers or too common to test


class LogGuard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.secrets: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)

    def remember(self, text: str | None) -> None:
        if not text:
            return
        words = text.split(maxsplit=1)[1] if text.startswith("/") and " " in text else text
        if not words.startswith("/") and len(words.strip()) >= SHORTEST:
            self.secrets.add(words.strip())

    def leaks(self) -> list[str]:
        return sorted(
            {
                f"{secret!r} in {line[:120]!r}"
                for line in self.lines
                for secret in self.secrets
                if secret in line
            }
        )


def guarded(monkeypatch):
    """Install the guard: capture every record, remember what people type and are called."""
    guard = LogGuard()
    send_text, add_user = Emulator.send_text, Emulator.add_user

    def typed(self, user_id, text):
        guard.remember(text)
        return send_text(self, user_id, text)

    def named(self, user_id, first_name, *args, **kwargs):
        guard.remember(first_name if len(first_name) >= SHORTEST else None)
        return add_user(self, user_id, first_name, *args, **kwargs)

    monkeypatch.setattr(Emulator, "send_text", typed)
    monkeypatch.setattr(Emulator, "add_user", named)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(guard)
    root.setLevel(logging.DEBUG)
    return guard, lambda: (root.removeHandler(guard), root.setLevel(old_level))
