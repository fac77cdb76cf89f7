"""`omzien sandbox --web` and `omzien run` without a token, as real processes: they print
where the page is, serve it there, warn when bound beyond this computer, and stop on Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import process_env

ROOT = Path(__file__).resolve().parents[2]
OMZIEN = ROOT / ".venv" / "bin" / "omzien"
WAIT = 30.0  # seconds; only ever reached when something is broken
ADDRESS = re.compile(r"open (http://[0-9.]+:\d+/)")


class Omzien:
    """One `omzien ...` process with its output in a file; killed at the end whatever happens."""

    def __init__(self, workdir: Path, *args: str) -> None:
        env = process_env()
        env.update(OMZIEN_CONFIG=str(workdir / "no-such-omzien.toml"), PYTHONUNBUFFERED="1")
        self.log = workdir / "omzien.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(OMZIEN), *args],
                env=env,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def address(self) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            found = ADDRESS.search(self.output())
            if found:
                return found[1]
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"no address printed; output was:\n{self.output()}")

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=WAIT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)


@pytest.fixture
def start(tmp_path):
    started: list[Omzien] = []

    def run(*args: str) -> Omzien:
        started.append(Omzien(tmp_path, *args))
        return started[-1]

    yield run
    for process in started:
        process.kill()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        return json.loads(response.read())


def test_sandbox_web_prints_its_address_serves_the_three_panes_and_stops_on_ctrl_c(start):
    omzien = start("sandbox", "--web", "--port", "0")
    url = omzien.address()
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=WAIT) as page:
        assert b"Omzien" in page.read()
    panes = [p["name"] for p in get_json(url + "api/state")["result"]["panes"]]
    assert panes == ["cora", "pim", "vera"]
    assert "WARNING" not in omzien.output()
    assert omzien.interrupt() == 0


def test_binding_beyond_this_computer_warns_clearly(start):
    omzien = start("sandbox", "--web", "--host", "0.0.0.0", "--port", "0")
    url = omzien.address()
    assert "WARNING: the web sandbox will listen on 0.0.0.0" in omzien.output()
    assert get_json(url + "api/state")["ok"] is True
    assert omzien.interrupt() == 0


def test_run_without_a_token_starts_the_page_and_says_where_to_open_it(start):
    omzien = start("run")
    url = omzien.address()
    assert "No TELEGRAM_BOT_TOKEN set" in omzien.output()
    assert get_json(url + "api/state")["ok"] is True
    assert omzien.interrupt() == 0
