"""Replay a sandbox script one step at a time, with the script runner's own line handling."""

from __future__ import annotations

import re
from pathlib import Path

from sandbox.script import Inbox, ScriptError, read_script, run_line, script_steps

NAME = re.compile(r"^[A-Za-z0-9_-]+\.txt$")
STEP_ERRORS = (ScriptError, LookupError, ValueError, TimeoutError)


def scenario_dirs() -> list[Path]:
    """tests/scenarios of this checkout (the package is installed editable) or of the cwd."""
    here = Path(__file__).resolve().parents[3] / "tests" / "scenarios"
    return [d for d in dict.fromkeys((here, Path.cwd() / "tests" / "scenarios")) if d.is_dir()]


def list_scripts(dirs: list[Path]) -> list[dict]:
    found: dict[str, Path] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.txt")):
            found.setdefault(path.name, path)
    return [{"name": name, "about": _about(path)} for name, path in sorted(found.items())]


def _about(path: Path) -> str:
    """The script's first comment says what it shows."""
    for line in read_script(path):
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def find_script(dirs: list[Path], name: str) -> Path:
    if not NAME.match(name):
        raise ValueError(f"not a script name: {name!r}")
    for folder in dirs:
        if (folder / name).is_file():
            return folder / name
    raise LookupError(f"no script {name!r}")


class Replay:
    """Where a replay is: the steps, the next one, and what each persona has seen."""

    def __init__(self, name: str, lines: list[str]) -> None:
        self.name = name
        self.steps = script_steps(lines)
        self.position = 0
        self.inbox = Inbox()
        self.failed = False

    @property
    def done(self) -> bool:
        return self.failed or self.position >= len(self.steps)

    async def step(self, sandbox) -> dict:
        """Run the next step; a failing check stops the replay, as in `--script`."""
        if self.done:
            raise LookupError("this replay has ended; start it again")
        number, line = self.steps[self.position]
        self.position += 1
        output: list[str] = []
        try:
            await run_line(sandbox, self.inbox, line, output.append)
            ok = True
        except STEP_ERRORS as error:
            ok, self.failed = False, True
            output.append(str(error))
        return {
            "number": number,
            "line": line,
            "ok": ok,
            "output": "\n".join(output),
            **self.state(),
        }

    def state(self) -> dict:
        upcoming = self.steps[self.position] if not self.done else None
        return {
            "script": self.name,
            "position": self.position,
            "total": len(self.steps),
            "done": self.done,
            "failed": self.failed,
            "next": {"number": upcoming[0], "line": upcoming[1]} if upcoming else None,
        }
