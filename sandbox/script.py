"""Sandbox scripts: replay a conversation and check what each persona received.

    # comment                 blank lines and comments are ignored
    vera: /bezoek             vera sends this text
    vera: [Goed]              vera presses the button whose label contains "Goed"
    vera: [#2]                vera presses the 2nd button (row by row)
    vera? mevrouw L           a message to vera since her previous check matches (regex)
    vera! mevrouw L           no message to vera since her previous check matches
    clock +2d                 move the clock forward and run what became due
    clock to mon 19:30        move forward to the next Monday 19:30 (Europe/Amsterdam;
                              weekdays mon..sun or ma..zo) and run what became due
    pim blocks / pim unblocks
    anna: /start {invite}     {invite} is the code of the newest invite link anyone received

Exit status 0 only if every check held (README.md, "Scripts").
With `transcript=True` every message the bot sent or edited is printed after the line
that caused it (`Omzien → vera`, then its text and buttons): how readers follow a journey.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sandbox import demo
from sandbox.session import Sandbox

LINE = re.compile(r"^(?P<who>[a-z][a-z0-9_]*)(?P<op>[:?!])\s?(?P<rest>.*)$")
BLOCK = re.compile(r"^(?P<who>[a-z][a-z0-9_]*) (?P<what>blocks|unblocks)$")
CLOCK = re.compile(r"^clock\s+(?P<words>\+?\S+|to\s+\S+\s+\S+)$")


class ScriptError(Exception):
    """A check failed or a step could not be done; says the line and what was received."""


@dataclass
class Inbox:
    """What each persona has seen up to their previous check: message id → (text, edits)."""

    seen: dict[str, dict[int, tuple]] = field(default_factory=dict)

    def news(self, name: str, messages: list) -> list[str]:
        before = self.seen.get(name, {})
        return [shown_text(m) for m in messages if before.get(m.message_id) != _fingerprint(m)]

    def mark(self, name: str, messages: list) -> None:
        self.seen[name] = {m.message_id: _fingerprint(m) for m in messages}


def _fingerprint(message) -> tuple:
    return (shown_text(message), message.edit_count)


def shown_text(message) -> str:
    """Text, or for a photo or document its caption and file name."""
    parts = [message.raw_text or "", message.raw_caption or "", message.document_file_name or ""]
    return "\n".join(p for p in parts if p)


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass
class Transcript:
    """Which bot messages were already printed, per chat: message id → fingerprint."""

    printed: dict[int, dict[int, tuple]] = field(default_factory=dict)

    def news(self, sandbox: Sandbox) -> list[str]:
        """Blocks for every bot message sent or edited since the previous call."""
        blocks = []
        for chat_id in sorted(sandbox.known):
            before = self.printed.setdefault(chat_id, {})
            for message in sandbox.emulator.messages(chat_id):
                if not message.from_bot or before.get(message.message_id) == _fingerprint(message):
                    continue
                edited = message.message_id in before
                before[message.message_id] = _fingerprint(message)
                blocks.append(transcript_block(persona_name(chat_id), message, edited))
        return blocks


def persona_name(user_id: int) -> str:
    for name, (known_id, _first, _role) in demo.PERSONAS.items():
        if known_id == user_id:
            return name
    return str(user_id)


def transcript_block(name: str, message, edited: bool) -> str:
    """`Omzien → vera` (or `(edited)`), the text as the user reads it, then the buttons."""
    head = f"Omzien → {name}" + (" (edited)" if edited else "")
    lines = [head] + ["  " + line for line in plain(shown_text(message)).splitlines()]
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    lines += ["  " + "  ".join(f"[{b['text']}]" for b in row) for row in rows]
    return "\n".join(lines)


async def run_script(
    sandbox: Sandbox,
    lines: list[str],
    echo: Callable[[str], None] = print,
    transcript: bool = False,
) -> int:
    inbox = Inbox()
    printed = Transcript()
    failures = 0
    for number, line in script_steps(lines):
        echo(f"{number:>4}  {line}")
        try:
            await run_line(sandbox, inbox, line, echo)
            if transcript:
                for block in printed.news(sandbox):
                    echo(block)
        except (ScriptError, LookupError, ValueError, TimeoutError) as exc:
            echo(f"FAIL line {number}: {line}\n{exc}")
            failures += 1
            break
    echo("script passed" if not failures else "script FAILED")
    return 0 if not failures else 1


def script_steps(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, line) of every step: blank lines and comments left out."""
    steps = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            steps.append((number, line))
    return steps


async def run_line(sandbox: Sandbox, inbox: Inbox, line: str, echo) -> None:
    """One step; raises ScriptError (or LookupError, ValueError, TimeoutError) if it fails."""
    if match := CLOCK.match(line):
        await sandbox.move_clock(match["words"])
        return
    if match := BLOCK.match(line):
        await sandbox.set_blocked(match["who"], match["what"] == "blocks")
        return
    match = LINE.match(line)
    if not match:
        raise ScriptError(f"cannot read this line: {line!r}")
    who, op, rest = match["who"], match["op"], match["rest"].strip()
    if op == ":":
        await _act(sandbox, who, _fill_invite(sandbox, rest), echo)
    else:
        _check(sandbox, inbox, who, op, rest)


async def _act(sandbox: Sandbox, who: str, rest: str, echo) -> None:
    button = re.fullmatch(r"\[(.+)\]", rest)
    if button:
        label = await sandbox.press(who, button[1])
        echo(f"      ({who} pressed “{label}”)")
    else:
        await sandbox.say(who, rest)


INVITE = re.compile(r"\?start=([A-Za-z0-9_-]+)")


def _fill_invite(sandbox: Sandbox, text: str) -> str:
    if "{invite}" not in text:
        return text
    newest: tuple[tuple[int, int], str] | None = None
    for chat_id in sandbox.known:
        for message in sandbox.emulator.messages(chat_id):
            for code in INVITE.findall(message.raw_text or ""):
                stamp = (message.date, message.message_id)
                if newest is None or stamp > newest[0]:
                    newest = (stamp, code)
    if newest is None:
        raise ScriptError("{invite} used, but nobody has received an invite link yet")
    return text.replace("{invite}", newest[1])


def _check(sandbox: Sandbox, inbox: Inbox, who: str, op: str, pattern: str) -> None:
    messages = sandbox.messages(who)
    news = inbox.news(who, messages)
    inbox.mark(who, messages)
    regex = re.compile(pattern, re.IGNORECASE | re.DOTALL)
    hits = [text for text in news if regex.search(text) or regex.search(plain(text))]
    if op == "?" and not hits:
        raise ScriptError(
            f"expected a message to {who} matching /{pattern}/; {who} received:\n{_show(news)}"
        )
    if op == "!" and hits:
        raise ScriptError(
            f"expected no message to {who} matching /{pattern}/; but {who} received:\n{_show(hits)}"
        )


def _show(texts: list[str]) -> str:
    if not texts:
        return "      (nothing new)"
    return "\n".join("      | " + plain(t).replace("\n", "\n      | ") for t in texts)


def read_script(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()
