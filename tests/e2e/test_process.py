"""The real bot as a separate process (`omzien run`), long polling the in-process emulator.

What only a real process can show: it starts from the environment alone, and after a
SIGKILL in the middle of a conversation a new process continues at the same question,
with the buttons of the message the volunteer already had.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.emulator.server import Emulator
from storage import dialogue_state, journal, links, residents, users
from storage.db import open_db
from tests.conftest import process_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OMZIEN = ROOT / ".venv" / "bin" / "omzien"
VERA, PIM = 1003, 1002
WAIT = 20.0  # seconds; generous, only ever reached when something is broken


def seed(db_path: Path) -> None:
    """vera (volunteer, visits mevrouw L) linked to pim, before any bot process runs."""
    now = datetime.now(UTC)
    db = open_db(db_path)
    try:
        with db.atomic():
            users.create(db, PIM, "professional", "Pim", "nl", now)
            users.create(db, VERA, "volunteer", "Vera", "nl", now)
            links.link(db, VERA, PIM, now)
            residents.add(db, VERA, "mevrouw L", now)
    finally:
        db.close()


def read_db(db_path: Path, fn, *args):
    db = open_db(db_path)
    try:
        return fn(db, *args)
    finally:
        db.close()


class BotProcesses:
    """Starts `omzien run` processes; kills every one of them at the end, whatever happens."""

    def __init__(self, emu: Emulator, db_path: Path, workdir: Path) -> None:
        self.emu = emu
        self.db_path = db_path
        self.workdir = workdir
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(
        self,
        verbose: bool = True,
        base_url: str | None = None,
        settings: dict[str, str] | None = None,
    ) -> subprocess.Popen:
        """`base_url`: talk to the Bot API through something else (a fault proxy);
        `settings`: extra OMZIEN_* environment for this process."""
        env = process_env(
            TELEGRAM_BOT_TOKEN=self.emu.token,
            OMZIEN_BASE_URL=base_url or self.emu.base_url,
            OMZIEN_BASE_FILE_URL=self.emu.base_file_url,
            OMZIEN_DB=str(self.db_path),
            **(settings or {}),
            OMZIEN_CONFIG=str(self.workdir / "no-such-omzien.toml"),
            OMZIEN_TICK_SECONDS="1",
            PYTHONUNBUFFERED="1",
        )
        log = self.workdir / f"bot-{len(self.procs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(OMZIEN), *(["-v"] if verbose else []), "run"],
                env=env,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def kill_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)

    def tail(self) -> str:
        parts = []
        for log in self.logs:
            text = log.read_text(errors="replace") if log.exists() else ""
            parts.append(f"--- {log.name} ---\n" + "\n".join(text.splitlines()[-30:]))
        return "\n".join(parts)

    async def until(self, predicate, what: str, timeout: float = WAIT):
        """Wait for the emulator to show `predicate`; fail early if a bot process died."""
        loop_deadline = timeout
        while True:
            try:
                return await self.emu.wait_for(predicate, timeout=min(1.0, loop_deadline))
            except TimeoutError:
                loop_deadline -= 1.0
                dead = [p.returncode for p in self.procs[-1:] if p.poll() is not None]
                if dead or loop_deadline <= 0:
                    why = f"bot exited with {dead[0]}" if dead else f"not within {timeout} s"
                    pytest.fail(f"waiting for {what}: {why}\n{self.tail()}")


@pytest.fixture
async def bots(emulator, tmp_path):
    assert OMZIEN.exists(), f"{OMZIEN} missing: run `make test` (it installs the package)"
    db_path = tmp_path / "omzien.db"
    seed(db_path)
    emulator.add_user(VERA, "Vera", language_code="nl")
    emulator.add_user(PIM, "Pim", language_code="nl")
    procs = BotProcesses(emulator, db_path, tmp_path)
    try:
        yield procs
    finally:
        procs.kill_all()


def question(emu: Emulator, pattern: str, after: int = 0):
    """The newest message to vera after message `after` that matches and has buttons."""
    regex = re.compile(pattern)
    for message in reversed(emu.messages(VERA)):
        if message.message_id > after and message.buttons() and regex.search(message.text or ""):
            return message
    return None


def newest_question(emu: Emulator, after: int):
    found = [m for m in emu.messages(VERA) if m.message_id > after and m.buttons()]
    return found[-1] if found else None


async def test_a_separate_bot_process_answers_help(bots):
    emu = bots.emu
    proc = bots.start()
    assert proc.pid != os.getpid()
    emu.send_text(VERA, "/help")
    reply = await bots.until(
        lambda: [m for m in emu.messages(VERA) if "Dit kun je bij mij doen" in (m.text or "")],
        "the volunteer help",
    )
    assert "/bezoek" in reply[0].text and "/uitnodigen" not in reply[0].text
    assert proc.poll() is None
    assert any(c.method == "getUpdates" for c in emu.calls)


async def test_verbose_logs_never_hold_the_bot_token(bots):
    emu = bots.emu
    bots.start(verbose=True)
    emu.send_text(VERA, "/help")
    await bots.until(
        lambda: [m for m in emu.messages(VERA) if "/bezoek" in (m.text or "")], "the volunteer help"
    )
    bots.kill_all()
    logged = bots.logs[-1].read_text(errors="replace")
    assert "turn user=1003" in logged  # -v did log: the check below means something
    assert emu.token not in logged
    assert emu.token.split(":", 1)[1] not in logged


async def test_a_flow_survives_sigkill_and_the_old_buttons_still_work(bots):
    emu = bots.emu
    first = bots.start()

    emu.send_text(VERA, "/bezoek")
    visit = await bots.until(
        lambda: question(emu, r"Zagen jij en mevrouw L elkaar"), "the first question"
    )
    assert [b["text"] for b in visit.buttons()] == ["Ja 🙂", "Even kort", "Ging niet door"]
    emu.press(VERA, visit.message_id, button="Ja 🙂")
    energy = await bots.until(
        lambda: question(emu, r"Hoe is het nu met jou", visit.message_id), "the energy question"
    )
    assert [b["text"] for b in energy.buttons()] == ["😄", "🙂", "😐", "😕", "😞"]
    emu.press(VERA, energy.message_id, button="🙂")
    appreciative = await bots.until(
        lambda: newest_question(emu, energy.message_id), "the appreciative question"
    )
    # Wait until the process has confirmed the press (getUpdates with a higher offset), so
    # the kill below lands between turns, not inside one.
    await bots.until(lambda: not emu.pending_updates(), "the press to be confirmed")

    bots.kill(first)
    assert first.returncode == -signal.SIGKILL

    saved = read_db(bots.db_path, dialogue_state.load, VERA)
    assert saved is not None and saved.flow == "reflectie"
    assert saved.state == "vraag_1"
    assert saved.answers["bezoek"] == "ja" and saved.answers["energie"] == 4

    second = bots.start()
    quick = [b for b in appreciative.buttons() if b["text"] != "Sla over"]
    assert quick, appreciative.buttons()
    pressed = emu.press(VERA, appreciative.message_id, data=quick[0]["callback_data"])

    following = await bots.until(
        lambda: newest_question(emu, appreciative.message_id),
        "the question after the appreciative one",
    )
    assert "klein stapje" in following.text, following.text
    answered = [
        a for a in emu.callback_answers if a["callback_query_id"] == pressed.callback_query_id
    ]
    assert answered and answered[0]["text"] in (None, ""), answered  # not "verlopen"
    shown = next(m for m in emu.messages(VERA) if m.message_id == appreciative.message_id)
    assert shown.buttons() == [] and quick[0]["text"] in shown.text

    # Finish the reflection: skip what can be skipped, nothing worrying, nothing outside
    # the agreement.
    last = following
    for _ in range(10):
        labels = [b["text"] for b in last.buttons()]
        choice = next(
            (c for c in ("Sla over", "Niets bijzonders", "Klaar ✔️", "Nee") if c in labels), None
        )
        assert choice, f"no way forward from {last.text!r}: {labels}"
        emu.press(VERA, last.message_id, button=choice)
        previous = last.message_id
        done = await bots.until(
            lambda previous=previous: (
                newest_question(emu, previous)
                or [
                    m
                    for m in emu.messages(VERA)
                    if m.message_id > previous and "Alles staat in je dagboek" in (m.text or "")
                ]
            ),
            f"what follows {labels}",
        )
        if isinstance(done, list):
            break
        last = done
    else:
        pytest.fail("the reflection did not end within 10 more questions")

    assert second.poll() is None
    assert read_db(bots.db_path, dialogue_state.load, VERA) is None
    entries = read_db(bots.db_path, journal.page, VERA)
    assert len(entries) == 1, entries
    entry = entries[0]
    assert (entry.kind, entry.complete, entry.energy, entry.alias) == (
        "reflectie",
        True,
        4,
        "mevrouw L",
    )
    answers = read_db(bots.db_path, journal.answers, entry.id)
    assert answers["energie"] == 4
    assert answers["bezoek"] == "ja"
    assert answers["antwoord_1"] == quick[0]["callback_data"].rsplit(".", 1)[1]
