"""The dialogue engine: one step of a conversation as a pure function.

    step(conversation, input, context) -> StepResult(new conversation, replies, effects)

No Telegram and no SQL here: the caller loads the conversation and context, and applies
the effects and the new state in one transaction. Every flow has one `transitions`
Machine shared by all users (see docs/architecture.md).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import replace
from typing import Any

from markupsafe import escape

from content.render import Content
from dialogues import inputs, prepare, providers
from dialogues.conditions import View
from dialogues.flow import Flow, FlowError, State, load_flows
from dialogues.model import Button, Context, Conversation, Effect, Input, Reply, StepResult

MAX_CHAIN = 50  # states without input in a row; a loop beyond this is a flow error


class Engine:
    def __init__(self, content: Content, flows: dict[str, Flow] | None = None) -> None:
        self.content = content
        self.flows = flows if flows is not None else load_flows()
        self._locks = {flow_id: threading.Lock() for flow_id in self.flows}

    # ---- entry points -------------------------------------------------------------

    def start(
        self, flow_id: str, ctx: Context, data: dict | None = None, instance: str | None = None
    ) -> StepResult:
        flow = self.flows[flow_id]
        data = dict(data or {})
        if flow.prepare:
            data.update(prepare.PREPARERS[flow.prepare](ctx, self.content, data))
        conv = Conversation(
            flow_id, flow.start, instance or secrets.token_hex(2), 1, {}, data, ctx.now, ctx.now
        )
        return self._enter(flow, conv, ctx, [], [])

    def step(self, conv: Conversation, inp: Input, ctx: Context) -> StepResult:
        flow = self.flows.get(conv.flow)
        if flow is None or conv.state not in flow.states:
            return self._vanished(conv, ctx)
        conv = replace(conv, answers=dict(conv.answers), data=dict(conv.data), updated_at=ctx.now)
        if inp.kind == "button" and not self._is_current(conv, inp.data):
            return StepResult(
                conv, notice=self.content.render("engine.verlopen", ctx.locale), changed=False
            )
        if inp.kind == "command":
            return self._command(flow, conv, inp, ctx)
        if "_leave_for" in conv.data:
            return self._leave_answer(flow, conv, inp, ctx)
        state = flow.state(conv.state)
        outcome = inputs.interpret(state.input, inp, ctx, conv, self.content)
        if outcome.kind == "reprompt":
            return StepResult(
                conv, [self._again(outcome.reason, self.prompt(conv, ctx), ctx)], changed=False
            )
        if outcome.kind == "update":
            conv.data.update(outcome.data)
            return StepResult(conv, [replace(self.prompt(conv, ctx), edit=True)])
        return self._answer(flow, conv, state, inp, outcome, ctx)

    def leave(self, conv: Conversation, ctx: Context, reason: str) -> StepResult:
        """End the flow early (/stop, idle expiry): what was answered is kept as incomplete."""
        flow = self.flows.get(conv.flow)
        on_leave = flow.on_leave if flow is not None else ()
        effects = [self._effect(e, conv, {"complete": False, "reason": reason}) for e in on_leave]
        replies = (
            [Reply(self.content.render("engine.gestopt", ctx.locale))] if reason == "stop" else []
        )
        return StepResult(None, replies, effects)

    def prompt(self, conv: Conversation, ctx: Context) -> Reply:
        """The current question again, with its buttons."""
        if "_leave_for" in conv.data:
            return self._leave_question(conv, ctx)
        state = self.flows[conv.flow].state(conv.state)
        text = self._say(state, conv, ctx)
        conv.data["_shown"] = (
            text  # so the answered question can be shown without rendering it again
        )
        return Reply(text, inputs.keyboard(state.input, ctx, conv, self.content))

    def _vanished(self, conv: Conversation, ctx: Context) -> StepResult:
        """The saved state is gone from a newer version of the flow: keep what was answered
        and say so, instead of failing on every message until the idle expiry."""
        result = self.leave(conv, ctx, "vanished")
        result.replies = [Reply(self.content.render("engine.gesprek_vervallen", ctx.locale))]
        return result

    # ---- moving through states ----------------------------------------------------

    def _answer(
        self,
        flow: Flow,
        conv: Conversation,
        state: State,
        inp: Input,
        outcome: inputs.Outcome,
        ctx: Context,
    ) -> StepResult:
        spec = state.input
        if spec.store:
            conv.answers[spec.store] = outcome.value
        if spec.store_label:
            # A skipped question has no label to keep ("Sla over" is not an answer).
            conv.answers[spec.store_label] = outcome.label if outcome.value is not None else None
        if spec.store and outcome.data.get("typed"):
            conv.data["typed"] = [*conv.data.get("typed", []), spec.store]
        replies: list[Reply] = []
        if inp.kind == "button":
            asked = conv.data.get("_shown") or self._say(state, conv, ctx)
            shown = f"{asked}\n\n» <i>{escape(outcome.label)}</i>"
            replies.append(Reply(shown, edit=True))
        for working in ("_sel", "_day"):
            conv.data.pop(working, None)
        conv.state = self._advance(flow, conv, ctx)
        conv.seq += 1
        return self._enter(flow, conv, ctx, replies, [])

    def _enter(
        self,
        flow: Flow,
        conv: Conversation,
        ctx: Context,
        replies: list[Reply],
        effects: list[Effect],
    ) -> StepResult:
        for _ in range(MAX_CHAIN):
            state = flow.state(conv.state)
            effects.extend(self._effect(e, conv) for e in state.effects)
            if state.end or state.input.kind == "none":
                text = self._say(state, conv, ctx)
                if text:
                    replies.append(Reply(text))
                if state.end:
                    return StepResult(None, replies, effects)
                conv.state = self._advance(flow, conv, ctx)
                continue
            replies.append(self.prompt(conv, ctx))
            return StepResult(conv, replies, effects)
        raise FlowError(f"{flow.id}: more than {MAX_CHAIN} states without a question in a row")

    def _advance(self, flow: Flow, conv: Conversation, ctx: Context) -> str:
        view = View(conv.answers, conv.data, ctx.facts, self.content)
        machine = flow.machine
        assert machine is not None  # flow.load builds it
        with self._locks[flow.id]:
            machine.set_state(conv.state, model=flow.cursor)
            if not flow.cursor.advance(view=view):
                raise FlowError(f"{flow.id}: no transition out of {conv.state!r}")
            return flow.cursor.state

    # ---- leaving the flow for a command -------------------------------------------

    def _command(self, flow: Flow, conv: Conversation, inp: Input, ctx: Context) -> StepResult:
        if inp.command == "/stop":
            return self.leave(conv, ctx, "stop")
        conv.data["_leave_for"] = inp.text
        conv.seq += 1
        return StepResult(conv, [self._leave_question(conv, ctx)])

    def _leave_question(self, conv: Conversation, ctx: Context) -> Reply:
        render = lambda tid: self.content.render(tid, ctx.locale)  # noqa: E731
        buttons = (
            (
                Button(render("knoppen.stoppen"), inputs.button_data(conv, "_leave")),
                Button(render("knoppen.ga_verder"), inputs.button_data(conv, "_stay")),
            ),
        )
        return Reply(render("engine.verlaten_vraag"), buttons)

    def _leave_answer(self, flow: Flow, conv: Conversation, inp: Input, ctx: Context) -> StepResult:
        value = inp.data.split(".", 3)[3] if inp.kind == "button" else ""
        if inp.kind == "media":
            again = self._again("engine.alleen_tekst", self._leave_question(conv, ctx), ctx)
            return StepResult(conv, [again], changed=False)
        if value == "_leave":
            result = self.leave(conv, ctx, "command")
            result.command = conv.data["_leave_for"]
            result.replies = [Reply(self._leave_question(conv, ctx).text, edit=True)]
            return result
        if value == "_stay":
            del conv.data["_leave_for"]
            conv.seq += 1
            return StepResult(conv, [self.prompt(conv, ctx)])
        again = self._again("engine.gebruik_knoppen", self._leave_question(conv, ctx), ctx)
        return StepResult(conv, [again], changed=False)

    # ---- helpers --------------------------------------------------------------------

    def _again(self, reason_id: str, question: Reply, ctx: Context) -> Reply:
        """Why the answer did not fit, and the question once more, in one message."""
        reason = self.content.render(reason_id, ctx.locale)
        return replace(question, text=f"{reason}\n\n{question.text}")

    def _is_current(self, conv: Conversation, data: str) -> bool:
        parts = data.split(".", 3)
        return (
            len(parts) == 4
            and parts[0] == "f"
            and parts[1] == conv.instance
            and parts[2] == str(conv.seq)
        )

    def _say(self, state: State, conv: Conversation, ctx: Context) -> str:
        variables = self._variables(conv, ctx)
        parts: list[str] = []
        for item in state.say:
            if isinstance(item, str):
                parts.append(self.content.render(item, ctx.locale, **variables))
            else:
                params = dict(item)
                provider = providers.TEXTS[params.pop("provider")]
                parts.append(provider(params, ctx, conv, self.content, variables))
        return "\n\n".join(p for p in parts if p)

    @staticmethod
    def _variables(conv: Conversation, ctx: Context) -> dict[str, Any]:
        data = {k: v for k, v in conv.data.items() if not k.startswith("_")}
        return {**ctx.vars, **data, **conv.answers, "answers": conv.answers}

    def _effect(self, declared: dict, conv: Conversation, extra: dict | None = None) -> Effect:
        params = {k: v for k, v in declared.items() if k != "kind"}
        params.update(extra or {})
        public_data = {k: v for k, v in conv.data.items() if not k.startswith("_")}
        # `run` names this run of the flow, so a later step can add to what an earlier one
        # wrote (an urgent worry goes out at once; the note follows as an addition).
        params.update(
            flow=conv.flow, answers=dict(conv.answers), data=public_data, run=conv.instance
        )
        return Effect(declared["kind"], params)
