"""The values that flow in and out of the engine. Plain data: no Telegram, no SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

InputKind = Literal["text", "button", "command", "media"]


@dataclass
class Conversation:
    """One user's place in one run of a flow."""

    flow: str
    state: str
    instance: str  # short id of this run; old runs' buttons carry another one
    seq: int  # number of the current question within the run
    answers: dict[str, Any]
    data: dict[str, Any]  # what the flow prepared at start, plus working values
    started_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Input:
    kind: InputKind
    text: str = ""  # the typed text or the full command ("/zoek koffie")
    data: str = ""  # callback_data of a pressed button

    @property
    def command(self) -> str:
        return self.text.split()[0].split("@")[0].lower() if self.kind == "command" else ""


@dataclass(frozen=True)
class Context:
    """What the engine may know about the user, loaded by the caller before a step."""

    locale: str
    now: datetime
    vars: Mapping[str, Any] = field(default_factory=dict)  # for templates: voornaam, contact
    facts: Mapping[str, Any] = field(default_factory=dict)  # for choices: residents, history


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False  # replace the message whose button was pressed, instead of sending


@dataclass(frozen=True)
class Effect:
    kind: str
    params: Mapping[str, Any]


@dataclass
class StepResult:
    conversation: Conversation | None  # None: the flow is over
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    notice: str | None = None  # a short toast for the pressed button
    command: str | None = None  # run this command after leaving the flow
    changed: bool = True  # False: nothing to save (stale button, re-prompt)
