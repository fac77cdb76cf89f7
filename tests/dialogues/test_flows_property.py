"""Hostile input against every shipped flow, in both locales (hypothesis).

A simulated user presses buttons of the current question, old and forged buttons, types
anything (empty, emoji, markup, more than 600 characters), sends media and commands
(/stop, /help, anything after a slash) in random order. Whatever happens, the engine:

  - never raises;
  - returns a conversation that sits in a declared question of that flow (never in an end
    state or a state without input: a finished flow returns conversation None);
  - ends the flow on /stop;
  - says only valid Telegram HTML, 1-4096 characters, with callback_data of 1-64 bytes.

    .venv/bin/python -m pytest tests/dialogues/test_flows_property.py -q
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.render import CONTENT_ROOT, LOCALES, Content
from content.telegram_html import check_html, visible_length
from dialogues.engine import Engine
from dialogues.flow import Flow, load_flows
from dialogues.model import Context, Conversation, Input, StepResult

NOW = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
SAMPLE = yaml.safe_load((CONTENT_ROOT / "sample.yaml").read_text(encoding="utf-8"))
FLOWS = load_flows()
ENGINE = Engine(Content(), FLOWS)
STEPS = 30
COMMANDS = ["/stop", "/STOP", "/stop@omzien_bot", "/help", "/bezoek", "/zoek koffie", "/start x"]
ACTIONS = ["press"] * 6 + ["old", "forged", "text", "media", "command"]

markup = st.text(alphabet="<>&;/#bi \"'", min_size=1, max_size=12)  # what breaks HTML
residents = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(1, 10**6), "alias": st.one_of(markup, st.text(min_size=1, max_size=40))}
    ),
    max_size=3,
    unique_by=lambda r: r["id"],
)
# The sample's facts (content/sample.yaml), with the ones flows branch on drawn at random.
facts = st.fixed_dictionaries(
    {
        "residents": residents,
        "reflection_count": st.integers(0, 50),
        "has_professional": st.booleans(),
    },
    optional={"open_step": st.just(SAMPLE["facts"]["open_step"])},
).map(lambda drawn: {**{k: v for k, v in SAMPLE["facts"].items() if k != "open_step"}, **drawn})
long_text = st.builds(
    lambda piece, n: ((piece + "x") * n)[:n],  # 601-700 characters,
    st.text(max_size=5),
    st.integers(601, 700),
)  # cheaper than st.text
typed_text = st.one_of(st.just(""), markup, st.text(max_size=60), long_text)


def check_result(flow: Flow, result: StepResult) -> None:
    conv = result.conversation
    if conv is not None:
        assert conv.flow == flow.id
        assert conv.state in flow.states, conv.state
        state = flow.state(conv.state)
        assert not state.end, f"a finished flow must return None, not {conv.state!r}"
        assert state.input.kind != "none", f"resting in {conv.state!r}, which asks nothing"
    for reply in result.replies:
        assert reply.text.strip(), f"empty message in {flow.id}"
        assert check_html(reply.text) is None, (check_html(reply.text), reply.text)
        assert visible_length(reply.text, "HTML") <= 4096
        for row in reply.buttons:
            for button in row:
                assert 1 <= len(button.data.encode()) <= 64, button.data
    if result.notice is not None:
        assert result.notice.strip()


def start_data(flow: Flow):
    """What a handler hands a flow at its start: the sample's `data` (the values `omzien
    content check` shows every question with); a flow with a preparer may get nothing."""
    given_data = st.just(dict(SAMPLE["data"]))
    return st.one_of(st.just({}), given_data) if flow.prepare else given_data


class User:
    """One simulated user: the conversation, the newest keyboard and every button seen."""

    def __init__(self, flow: Flow, ctx: Context, data: dict) -> None:
        self.flow, self.ctx, self.data, self.runs = flow, ctx, data, 0
        self.seen: list[str] = []
        self.conv: Conversation | None = None
        self.keyboard: list[str] = []
        self.start()

    def start(self) -> None:
        self.runs += 1
        self.accept(
            ENGINE.start(self.flow.id, self.ctx, dict(self.data), instance=f"r{self.runs:03d}")
        )

    def accept(self, result: StepResult) -> None:
        check_result(self.flow, result)
        for reply in result.replies:
            if reply.buttons:
                self.keyboard = [b.data for row in reply.buttons for b in row]
                self.seen += self.keyboard
        self.conv = result.conversation

    def send(self, inp: Input) -> StepResult:
        result = ENGINE.step(self.conv, inp, self.ctx)
        self.accept(result)
        if self.conv is None:  # finished: the next run, where every old button is stale
            self.keyboard = []
            self.start()
        return result


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), facts=facts)
def test_engine_survives_any_input(flow_id, locale, data, facts):
    flow = FLOWS[flow_id]
    user = User(
        flow,
        Context(locale, NOW, SAMPLE["vars"], facts),
        data.draw(start_data(flow), label="start data"),
    )
    for _ in range(STEPS):
        if user.conv is None:  # this flow can end without asking anything
            break
        action = data.draw(st.sampled_from(ACTIONS), label="action")
        if action == "press" and user.keyboard:
            user.send(Input("button", data=data.draw(st.sampled_from(user.keyboard))))
        elif action == "press":  # a question without buttons: answer it
            user.send(Input("text", text=data.draw(st.text(min_size=1, max_size=20))))
        elif action == "old" and user.seen:
            user.send(Input("button", data=data.draw(st.sampled_from(user.seen))))
        elif action in ("old", "forged"):
            forged = data.draw(
                st.one_of(
                    st.text(max_size=70),
                    st.builds(
                        "f.{}.{}.{}".format,
                        st.sampled_from(["r001", "r002", "zzzz"]),
                        st.integers(-1, 60),
                        st.text(max_size=30),
                    ),
                )
            )
            user.send(Input("button", data=forged))
        elif action == "text":
            user.send(Input("text", text=data.draw(typed_text)))
        elif action == "media":
            user.send(Input("media"))
        else:
            command = data.draw(
                st.one_of(st.sampled_from(COMMANDS), st.text(max_size=20).map("/".__add__))
            )
            runs = user.runs
            result = user.send(Input("command", text=command))
            if Input("command", text=command).command == "/stop":
                assert result.conversation is None and user.runs == runs + 1
