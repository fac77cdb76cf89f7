"""The interactive sandbox chat: talk to Omzien as cora, pim, vera, wim or anyone new.

vera> /bezoek          type as the current persona
vera> 2                press button 2 on your newest message with buttons
vera> @pim             switch persona (any new name is an unregistered user)
vera> clock +2d        move the clock and run what became due (or: clock to mon 19:30)
vera> :help            this help;  :quit  leaves
"""

from __future__ import annotations

import asyncio
import re

from sandbox.demo import PERSONAS
from sandbox.script import Inbox, plain, shown_text
from sandbox.session import Sandbox

BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def render_message(message) -> str:
    text = plain(shown_text(message)) or "(leeg)"
    lines = [f"  {line}" for line in text.splitlines()]
    keyboard = (message.reply_markup or {}).get("inline_keyboard", [])
    number = 0
    for row in keyboard:
        labels = []
        for button in row:
            number += 1
            labels.append(f"[{number}] {button['text']}")
        lines.append("    " + "   ".join(labels))
    return "\n".join(lines)


def banner() -> str:
    names = ", ".join(f"{name} ({role})" for name, (_i, _n, role) in PERSONAS.items())
    return (
        f"{BOLD}Omzien sandbox{RESET} — a local Telegram with the real bot attached.\n"
        f"Personas: {names}; any other name is a new, unregistered user.\n"
        "Type a message, a number to press a button, @name to switch, "
        "'clock +2d' to move time, :help, :quit.\n"
    )


async def chat(sandbox: Sandbox, persona: str = "vera") -> None:
    loop = asyncio.get_running_loop()
    seen = Inbox()
    print(banner())
    while True:
        try:
            line = (await loop.run_in_executor(None, input, f"{persona}> ")).strip()
        except (EOFError, KeyboardInterrupt):
            return
        if line in (":quit", ":q"):
            return
        try:
            persona = await _handle(sandbox, persona, line)
        except (LookupError, ValueError, TimeoutError) as exc:
            print(f"{DIM}{exc}{RESET}")
        _show_news(sandbox, seen, persona)


async def _handle(sandbox: Sandbox, persona: str, line: str) -> str:
    if not line:
        return persona
    if line == ":help":
        print(__doc__)
    elif line.startswith("@") and re.fullmatch(r"@[a-z][a-z0-9_]*", line):
        persona = line[1:]
        sandbox.ensure_persona(persona)
        print(f"{DIM}you are now {persona}{RESET}")
    elif line.startswith("clock "):
        await sandbox.move_clock(line.split(None, 1)[1])
    elif line.isdigit():
        await sandbox.press(persona, f"#{line}")
    else:
        await sandbox.say(persona, line)
    return persona


def _show_news(sandbox: Sandbox, seen: Inbox, persona: str) -> None:
    messages = sandbox.messages(persona)
    before = seen.seen.get(persona, {})
    for message in messages:
        if before.get(message.message_id) != (shown_text(message), message.edit_count):
            print(f"{BOLD}Omzien → {persona}{RESET}\n{render_message(message)}")
    seen.mark(persona, messages)
    for other in list(PERSONAS) + [n for n in seen.seen if n not in PERSONAS]:
        if other != persona:
            news = len(seen.news(other, sandbox.messages(other)))
            if news:
                print(f"{DIM}({other} has {news} new message(s); @{other} to read){RESET}")
