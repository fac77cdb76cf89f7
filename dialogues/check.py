"""`omzien content check`: everything a flow or text could get wrong, found before a
volunteer does. Returns precise messages; an empty list means all is well."""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import yaml

from content.render import CONTENT_ROOT, LOCALES, Content, ContentError
from content.telegram_html import check_html, visible_length
from dialogues.engine import Engine
from dialogues.flow import FLOWS_DIR, Flow, FlowError, load_flow
from dialogues.model import Context, Conversation

MAX_TEXT = 4096
MAX_LABEL = 32
MAX_CALLBACK_BYTES = 64
BRON = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt:\d+-\d+$")
SAMPLE_PATH = CONTENT_ROOT / "sample.yaml"


def check_all(flows_dir: Path = FLOWS_DIR, content_root: Path = CONTENT_ROOT) -> list[str]:
    problems: list[str] = []
    try:
        content = Content(content_root)
    except ContentError as exc:
        return [str(exc)]
    flows: dict[str, Flow] = {}
    for path in sorted(flows_dir.glob("*.yaml")):
        try:
            flow = load_flow(path)
            flows[flow.id] = flow
        except (FlowError, yaml.YAMLError, KeyError, TypeError) as exc:
            problems.append(f"{path.name}: {exc}")
    for flow in flows.values():
        problems += check_graph(flow)
    problems += check_locales(content)
    problems += check_templates(content)
    problems += check_catalogues(content)
    if not problems:
        problems += check_prompts(content, flows)
    return problems


def check_graph(flow: Flow) -> list[str]:
    edges = {name: [t.to for t in s.next] for name, s in flow.states.items()}
    reachable = _walk(flow.start, edges)
    problems = [
        f"{flow.id}: state {name!r} cannot be reached from {flow.start!r}"
        for name in flow.states
        if name not in reachable
    ]
    reverse: dict[str, list[str]] = {name: [] for name in flow.states}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].append(source)
    ends = [name for name, s in flow.states.items() if s.end]
    can_end: set[str] = set()
    for end in ends:
        can_end |= _walk(end, reverse)
    problems += [
        f"{flow.id}: state {name!r} can never reach an end"
        for name in flow.states
        if name not in can_end
    ]
    return problems


def _walk(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def check_locales(content: Content) -> list[str]:
    problems = []
    ids = {loc: set(content.messages[loc]) for loc in LOCALES}
    for loc in LOCALES:
        for other in LOCALES:
            for missing in sorted(ids[other] - ids[loc]):
                problems.append(
                    f"content/{loc}: template {missing!r} is missing (it exists in {other})"
                )
    return problems


def sample_variables() -> dict:
    return yaml.safe_load(SAMPLE_PATH.read_text(encoding="utf-8"))


def check_templates(content: Content) -> list[str]:
    problems = []
    sample = sample_variables()
    variables = {
        **sample["vars"],
        **sample["data"],
        **sample["answers"],
        "answers": sample["answers"],
    }
    for loc in LOCALES:
        for template_id, entry in content.messages[loc].items():
            try:
                text = content.render(template_id, loc, **variables)
            except Exception as exc:  # noqa: BLE001 - any render failure is a finding
                problems.append(f"content/{loc}: {template_id}: does not render: {exc}")
                continue
            problems += check_text(f"content/{loc}: {template_id}", text)
            problems += [
                f"content/{loc}: {template_id}: line {n} ends in a block tag after text, "
                "so its line break disappears; end the tag with '+%}'"
                for n in swallowed_line_breaks(entry["text"])
            ]
            if template_id.startswith(("knoppen.",)) and len(text) > MAX_LABEL:
                problems.append(
                    f"content/{loc}: {template_id}: button label longer than {MAX_LABEL}"
                )
    return problems


BLOCK_TAG = re.compile(r"\{%.*?%\}")


def swallowed_line_breaks(source: str) -> list[int]:
    """Lines whose break Jinja's trim_blocks removes: text, then a block tag at the end,
    then another line of text. (`+%}` keeps the break.)"""
    lines = source.rstrip().split("\n")
    found = []
    for number, line in enumerate(lines[:-1], start=1):
        stripped = line.rstrip()
        if (
            stripped.endswith("%}")
            and not stripped.endswith("+%}")
            and BLOCK_TAG.sub("", stripped).strip()
            and lines[number].strip()
        ):
            found.append(number)
    return found


def check_text(where: str, text: str) -> list[str]:
    problems = []
    if not text.strip():
        problems.append(f"{where}: renders empty")
    error = check_html(text)
    if error:
        problems.append(f"{where}: not valid Telegram HTML: {error}")
    elif visible_length(text, "HTML") > MAX_TEXT:
        problems.append(f"{where}: longer than {MAX_TEXT} characters")
    return problems


def check_catalogues(content: Content) -> list[str]:
    problems = []
    for loc in LOCALES:
        folder = content.root / loc
        for path in sorted(folder.glob("catalogues/*.yaml")) + sorted(
            folder.glob("appreciation/*.yaml")
        ):
            problems += _check_entries(path, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return problems


def _check_entries(path: Path, node, trail: str = "") -> list[str]:
    """Every catalogue entry (a mapping with an id) needs a bron; labels must be short."""
    problems = []
    if isinstance(node, dict):
        if "id" in node:
            problems += _check_bron(path, node, trail)
            label = node.get("label")
            if isinstance(label, str) and len(label) > MAX_LABEL:
                problems.append(f"{path}: {node['id']}: label longer than {MAX_LABEL}")
        for key, value in node.items():
            problems += _check_entries(path, value, f"{trail}.{key}")
    elif isinstance(node, list):
        for item in node:
            problems += _check_entries(path, item, trail)
    return problems


def _check_bron(path: Path, node: dict, trail: str) -> list[str]:
    if "bron" not in node:
        if "text" in node or "examples" in node or "voorbeelden" in node:
            return [f"{path}: {node['id']}: has no bron"]
        return []  # a quick-answer button inherits its question's bron
    bronnen = node["bron"] if isinstance(node["bron"], list) else [node["bron"]]
    bad = [b for b in bronnen if b != "eigen ontwerp" and not BRON.match(str(b))]
    return [
        f"{path}: {node['id']}: bron {b!r} is not 'eigen ontwerp' or 'file.txt:start-end'"
        for b in bad
    ]


def check_prompts(content: Content, flows: dict[str, Flow]) -> list[str]:
    """Render every question of every flow, in every locale, as a user would see it."""
    engine = Engine(content, flows)
    sample = sample_variables()
    now = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    problems = []
    for loc in LOCALES:
        ctx = Context(loc, now, sample["vars"], sample["facts"])
        for flow in flows.values():
            for name, state in flow.states.items():
                where = f"{flow.id}.{name} [{loc}]"
                conv = Conversation(
                    flow.id,
                    name,
                    "abcd",
                    999,
                    dict(sample["answers"]),
                    dict(sample["data"]),
                    now,
                    now,
                )
                try:
                    reply = engine.prompt(conv, ctx)
                except Exception as exc:  # noqa: BLE001
                    problems.append(f"{where}: cannot be shown: {type(exc).__name__}: {exc}")
                    continue
                if state.input.kind != "none" or state.say:
                    problems += check_text(where, reply.text)
                problems += _check_buttons(where, reply.buttons)
    return problems


def _check_buttons(where: str, rows) -> list[str]:
    problems = []
    for row in rows:
        for button in row:
            if len(button.label) > MAX_LABEL:
                problems.append(f"{where}: button {button.label!r} is longer than {MAX_LABEL}")
            if not 1 <= len(button.data.encode()) <= MAX_CALLBACK_BYTES:
                problems.append(
                    f"{where}: callback_data {button.data!r} is not 1-{MAX_CALLBACK_BYTES} bytes"
                )
    return problems
