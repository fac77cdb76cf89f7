"""Flows as data: load a YAML flow, check its shape, and build its state machine.

A flow file (dialogues/flows/<id>.yaml) lists states. Each state says something
(template ids or texts from a provider), may expect one input, may cause effects when
entered, and moves on through `next`: the first transition whose condition holds wins.
The flows in dialogues/flows/ are the examples; docs/flows/ draws each one
(`omzien diagram`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from transitions import Machine

from dialogues import conditions
from dialogues.effects import EFFECT_KINDS

FLOWS_DIR = Path(__file__).resolve().parent / "flows"
INPUT_KINDS = ("choice", "multi", "scale", "text", "daypart", "confirm", "none")


class FlowError(Exception):
    """A flow file is malformed; the message says which file and which state."""


@dataclass(frozen=True)
class Transition:
    to: str
    condition: Any = None  # None = always; see dialogues.conditions


@dataclass(frozen=True)
class InputSpec:
    kind: str
    store: str | None = None
    options: tuple[dict, ...] = ()
    options_from: dict | None = None
    skip: bool = False  # offer *Sla over*
    text: bool = False  # a choice that also accepts typed text
    max_length: int = 500
    store_label: str | None = None  # also keep the chosen option's label under this key
    columns: int = 1  # buttons per row


@dataclass(frozen=True)
class State:
    name: str
    say: tuple[Any, ...]
    input: InputSpec
    next: tuple[Transition, ...]
    effects: tuple[dict, ...] = ()
    end: bool = False


@dataclass
class Flow:
    id: str
    start: str
    states: dict[str, State]
    prepare: str | None = None
    on_leave: tuple[dict, ...] = ()
    path: Path | None = None
    machine: Machine | None = field(default=None, repr=False)
    cursor: Any = field(default=None, repr=False)

    def state(self, name: str) -> State:
        return self.states[name]


def load_flow(path: Path) -> Flow:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(raw, dict) or "states" not in raw:
        raise FlowError(f"{where}: needs 'id', 'start' and 'states'")
    states = {name: _parse_state(where, name, spec or {}) for name, spec in raw["states"].items()}
    flow = Flow(
        id=raw.get("id", path.stem),
        start=raw["start"],
        states=states,
        prepare=raw.get("prepare"),
        on_leave=tuple(raw.get("on_leave", ())),
        path=path,
    )
    _check_targets(where, flow)
    _check_effects(where, flow)
    flow.machine, flow.cursor = build_machine(flow)
    return flow


def load_flows(directory: Path = FLOWS_DIR) -> dict[str, Flow]:
    flows = [load_flow(p) for p in sorted(directory.glob("*.yaml"))]
    return {f.id: f for f in flows}


def _parse_state(where: str, name: str, spec: dict) -> State:
    say = spec.get("say", ())
    say = tuple(say) if isinstance(say, list) else ((say,) if say else ())
    input_spec = _parse_input(where, name, spec.get("input") or {"kind": "none"})
    transitions = tuple(_parse_transition(where, name, t) for t in spec.get("next", ()))
    end = bool(spec.get("end", False))
    if not end and not transitions:
        raise FlowError(f"{where}: state {name!r} has no 'next' and is not an end")
    if not end and transitions[-1].condition is not None:
        raise FlowError(
            f"{where}: state {name!r}: the last transition needs no condition, "
            "so the conversation can always move on"
        )
    return State(name, say, input_spec, transitions, tuple(spec.get("effects", ())), end)


def _parse_input(where: str, name: str, spec: dict) -> InputSpec:
    kind = spec.get("kind")
    if kind not in INPUT_KINDS:
        raise FlowError(f"{where}: state {name!r}: input kind {kind!r} is not one of {INPUT_KINDS}")
    known = set(InputSpec.__dataclass_fields__)
    unknown = set(spec) - known
    if unknown:
        raise FlowError(f"{where}: state {name!r}: unknown input field(s) {sorted(unknown)}")
    if kind in ("choice", "multi") and not (spec.get("options") or spec.get("options_from")):
        raise FlowError(f"{where}: state {name!r}: a {kind} needs options or options_from")
    values = dict(spec)
    values["options"] = tuple(spec.get("options", ()))
    return InputSpec(**values)


def _parse_transition(where: str, name: str, spec: dict) -> Transition:
    if "to" not in spec:
        raise FlowError(f"{where}: state {name!r}: a transition needs 'to'")
    condition = spec.get("if")
    if condition is not None:
        try:
            conditions.compile_condition(condition)
        except ValueError as exc:
            raise FlowError(f"{where}: state {name!r}: {exc}") from exc
    return Transition(spec["to"], condition)


def _check_targets(where: str, flow: Flow) -> None:
    if flow.start not in flow.states:
        raise FlowError(f"{where}: start state {flow.start!r} does not exist")
    for state in flow.states.values():
        for t in state.next:
            if t.to not in flow.states:
                raise FlowError(
                    f"{where}: state {state.name!r} goes to {t.to!r}, which does not exist"
                )


def _check_effects(where: str, flow: Flow) -> None:
    declared = [(s.name, e) for s in flow.states.values() for e in s.effects]
    declared += [("on_leave", e) for e in flow.on_leave]
    for state_name, effect in declared:
        if effect.get("kind") not in EFFECT_KINDS:
            raise FlowError(f"{where}: {state_name}: unknown effect kind {effect.get('kind')!r}")
        reserved = {"flow", "answers", "data", "run"} & set(effect)
        if reserved:
            raise FlowError(
                f"{where}: {state_name}: effect parameter(s) {sorted(reserved)} are "
                "reserved for the engine's snapshot"
            )
        if effect["kind"] == "start_flow" and "target" not in effect:
            raise FlowError(f"{where}: {state_name}: start_flow needs a target flow")


class _Cursor:
    """The one reusable model of a flow's machine (see docs/architecture.md)."""

    state: str


def build_machine(flow: Flow) -> tuple[Machine, _Cursor]:
    cursor = _Cursor()
    machine = Machine(
        model=cursor,
        states=list(flow.states),
        initial=flow.start,
        auto_transitions=False,
        send_event=True,
    )
    for state in flow.states.values():
        for t in state.next:
            check = conditions.compile_condition(t.condition)
            machine.add_transition(
                "advance", source=state.name, dest=t.to, conditions=[_as_machine_condition(check)]
            )
    return machine, cursor


def _as_machine_condition(check):
    def condition(event) -> bool:
        return check(event.kwargs["view"])

    return condition
