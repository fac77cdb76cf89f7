"""Processes for the benches: a standalone emulator, CPU and memory read from /proc, and the
emulator's control API (sandbox/emulator/control.py) over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (fields 14 and 15 of /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, resident peak) in MB, from /proc/PID/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


class EmulatorProcess:
    """`python -m sandbox.emulator.server` on a free port, flood control off, and its own
    garbage collector kept from pausing it (see the server's --freeze-every)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox.emulator.server",
                "--port",
                str(self.port),
                "--token",
                self.token,
                "--no-flood",
                "--freeze-every",
                "1",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the emulator did not start")

    def stop(self) -> None:
        stop_process(self.proc)


def kill_process(proc: subprocess.Popen | None) -> None:
    """A bot under measurement is killed: a graceful stop waits out its long poll (10 s),
    and its scratch database is thrown away anyway."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def stop_process(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Control:
    """The emulator's /control/ API from the bench's own event loop."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def post(self, name: str, **body) -> object:
        async with self.session.post(f"{self.url}/control/{name}", json=body) as response:
            answer = await response.json()
        if not answer["ok"]:
            raise RuntimeError(f"control/{name}: {answer['error']}")
        return answer["result"]

    async def get(self, name: str, **query) -> object:
        params = {k: str(v) for k, v in query.items()}
        async with self.session.get(f"{self.url}/control/{name}", params=params) as response:
            return (await response.json())["result"]
