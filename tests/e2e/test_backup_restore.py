"""`omzien backup` and `omzien restore` on the database of a running `omzien run` process,
in the middle of an appreciation to 300 volunteers with Telegram's flood limits on:
the backup is taken while the bot sends, restore refuses while the bot runs, and after
stop → restore → start the bot resumes from the backup's state and everyone gets the
message (those sent after the backup may get it twice: the backup did not know yet).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path
from subprocess import PIPE

import pytest

from sandbox.emulator.flood import FloodPolicy
from storage.db import open_db
from tests.conftest import process_env, start_emulator
from tests.e2e.test_broadcast import CORA, OMZIEN, _seed_broadcast, _start

pytestmark = pytest.mark.e2e


async def omzien(db_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI as an operator runs it, without blocking the loop the emulator answers on."""
    env = process_env()
    env.update(OMZIEN_DB=str(db_path), OMZIEN_CONFIG=str(db_path.parent / "no-such.toml"))
    proc = await asyncio.create_subprocess_exec(
        str(OMZIEN), *args, env=env, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())


def sent_rows(path: Path) -> int:
    db = open_db(path, migrate=False)
    try:
        return db.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'appreciation' AND status = 'sent'"
        ).fetchone()[0]
    finally:
        db.close()


async def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, as systemd stops the service; the loop keeps answering while it shuts down."""
    proc.send_signal(signal.SIGTERM)
    for _ in range(200):
        if proc.poll() is not None:
            return
        await asyncio.sleep(0.1)
    proc.kill()
    proc.wait(timeout=10)


async def test_backup_mid_broadcast_restore_and_the_bot_resumes(tmp_path):
    assert OMZIEN.exists(), f"{OMZIEN} missing: run `make test`"
    emu = await start_emulator(flood=FloodPolicy())
    procs: list[subprocess.Popen] = []
    try:
        db_path = tmp_path / "omzien.db"
        ids = _seed_broadcast(db_path, 300)
        emu.add_user(CORA, "Cora", started=True)
        for user_id in ids:
            emu.add_user(user_id, f"V{user_id}", started=True)
        delivered = lambda: sum(1 for i in ids if emu.messages(i))  # noqa: E731

        procs.append(_start(emu, db_path, tmp_path, 1))
        await emu.wait_for(lambda: delivered() >= 60, timeout=40)
        made = await omzien(db_path, "backup", str(tmp_path / "nightly.db"))
        assert made.returncode == 0, made.stderr
        assert "integrity ok" in made.stdout and "nightly.db" in made.stdout
        at_backup = sent_rows(tmp_path / "nightly.db")
        assert 0 < at_backup < 300, "the backup must be taken mid-broadcast"

        refused = await omzien(db_path, "restore", str(tmp_path / "nightly.db"))
        assert refused.returncode == 1 and "a bot is running" in refused.stderr
        await stop(procs[0])
        at_stop = delivered()
        assert at_stop < 300, "the broadcast ended before the restore could prove anything"

        restored = await omzien(db_path, "restore", str(tmp_path / "nightly.db"))
        assert restored.returncode == 0, restored.stderr
        assert sent_rows(db_path) == at_backup
        assert list(tmp_path.glob("omzien.db.before-restore-*")), "the old file is kept aside"

        procs.append(_start(emu, db_path, tmp_path, 2))
        await emu.wait_for(lambda: delivered() == 300, timeout=60)
        await emu.wait_for(lambda: sent_rows(db_path) == 300, timeout=20)
        twice = [i for i in ids if len(emu.messages(i)) > 1]
        assert len(twice) <= at_stop - at_backup + 1, (len(twice), at_stop, at_backup)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
        await emu.stop()
