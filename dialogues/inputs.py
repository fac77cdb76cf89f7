"""The input kinds a question can expect, and what a user's message or button means
for each: choice, multi (toggles with ✓ and *Klaar*), scale 1–5, free text, day and
dagdeel, confirm, or none.

Button data is `f.<run>.<question>.<value>`; the engine has already checked run and
question number before these functions see a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from content.render import Content
from dialogues import providers
from dialogues.flow import InputSpec
from dialogues.model import Button, Context, Conversation, Input

SKIP = "_skip"
DONE = "_klaar"
CHECK = "✓ "
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
DAYPARTS = ("ochtend", "middag", "avond")
SCALE = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Outcome:
    """What one input means: an answer, an updated selection, or a reason to ask again."""

    kind: str  # answer | update | reprompt
    value: Any = None
    label: str = ""  # what the user chose, as shown (for the chat history)
    reason: str = ""  # template id explaining a re-prompt
    data: dict = field(default_factory=dict)  # working values to keep (selections)


def button_data(conv: Conversation, value: str) -> str:
    return f"f.{conv.instance}.{conv.seq}.{value}"


def selection(spec: InputSpec, conv: Conversation) -> list[str]:
    """The ticked options of a multi: the working selection, or else what the flow
    preselected for this question (`data._preselect[store]`, e.g. worries already named)."""
    if "_sel" in conv.data:
        return list(conv.data["_sel"])
    return list((conv.data.get("_preselect") or {}).get(spec.store or "", ()))


def options_of(
    spec: InputSpec, ctx: Context, conv: Conversation, content: Content
) -> list[tuple[str, str]]:
    if spec.options_from:
        params = dict(spec.options_from)
        provider = providers.OPTIONS[params.pop("provider")]
        return provider(params, ctx, conv, content)
    return [(o["id"], content.render(o["label"], ctx.locale)) for o in spec.options]


def keyboard(
    spec: InputSpec, ctx: Context, conv: Conversation, content: Content
) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        tuple(Button(label, button_data(conv, value)) for value, label in row)
        for row in choices(spec, ctx, conv, content)
    )


Row = list[tuple[str, str]]  # (value, label) of each button


def choices(spec: InputSpec, ctx: Context, conv: Conversation, content: Content) -> list[Row]:
    """The question's buttons as rows of (value, label), without their button data: what
    a typed answer is compared with, and what `keyboard` turns into buttons."""
    label = lambda template: content.render(template, ctx.locale)  # noqa: E731
    rows: list[Row]
    if spec.kind in ("choice", "multi"):
        selected = set(selection(spec, conv))
        options = [
            (v, (CHECK if v in selected else "") + text)
            for v, text in options_of(spec, ctx, conv, content)
        ]
        rows = [options[i : i + spec.columns] for i in range(0, len(options), spec.columns)]
        if spec.kind == "multi":
            rows.append([(DONE, label("knoppen.klaar"))])
    elif spec.kind == "scale":
        # 😄 first: a quick first tap must not mean "bad" (the values stay 1 = low … 5 = good)
        rows = [[(n, label(f"knoppen.schaal_{n}")) for n in reversed(SCALE)]]
    elif spec.kind == "confirm":
        rows = [[("ja", label("knoppen.ja")), ("nee", label("knoppen.nee"))]]
    elif spec.kind == "daypart":
        rows = _daypart_rows(ctx, conv, content)
    else:
        rows = []
    if spec.skip:
        rows.append([(SKIP, label("knoppen.sla_over"))])
    return [row for row in rows if row]


def _daypart_rows(ctx: Context, conv: Conversation, content: Content) -> list[Row]:
    label = lambda template: content.render(template, ctx.locale)  # noqa: E731
    if "_day" in conv.data:
        return [[(p, label(f"knoppen.dagdeel_{p}")) for p in DAYPARTS]]
    days: Row = [(d, label(f"knoppen.dag_{d}")) for d in WEEKDAYS]
    return [days[:4], days[4:], [("wisselend", label("knoppen.wisselend"))]]


def interpret(
    spec: InputSpec, inp: Input, ctx: Context, conv: Conversation, content: Content
) -> Outcome:
    if inp.kind == "media":
        return Outcome("reprompt", reason="engine.alleen_tekst")
    value = inp.data.split(".", 3)[3] if inp.kind == "button" else None
    if inp.kind == "text":
        value = typed_button(spec, inp.text, ctx, conv, content)
        if value is None:
            return _typed(spec, inp.text)
    if value == SKIP and spec.skip:
        return Outcome("answer", None, content.render("knoppen.sla_over", ctx.locale))
    handler = _BUTTON_HANDLERS.get(spec.kind)
    if handler is None:
        return Outcome("reprompt", reason="engine.gebruik_tekst")
    return handler(spec, value, ctx, conv, content)


def typed_button(
    spec: InputSpec, text: str, ctx: Context, conv: Conversation, content: Content
) -> str | None:
    """The button a typed answer names ("ja" for [Ja 🙂] [Nee]), so a person who types
    instead of tapping is understood. Only a whole label, or one word that starts exactly
    one label; otherwise None and the text is taken as text (or asked again)."""
    if spec.kind not in _TYPABLE:
        return None
    said = _plain(text)
    if not said:
        return None
    labels = [pair for row in choices(spec, ctx, conv, content) for pair in row]
    whole = [
        value for value, label in labels if _plain(label) == said or label.strip() == text.strip()
    ]
    if len(whole) == 1:
        return whole[0]
    if " " in said:
        return None
    first = [value for value, label in labels if _plain(label).split(" ")[:1] == [said]]
    return first[0] if len(first) == 1 else None


# Runs of what str.isalnum() refuses: in a str pattern \w is exactly isalnum() or "_".
_NOT_ALNUM = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """Lower case, letters and digits only, one space between words."""
    return _NOT_ALNUM.sub(" ", text.casefold()).strip(" ")


def _typed(spec: InputSpec, text: str) -> Outcome:
    accepts_text = spec.kind == "text" or (spec.kind == "choice" and spec.text)
    if not accepts_text:
        return Outcome("reprompt", reason="engine.gebruik_knoppen")
    text = text.strip()
    if not text:
        return Outcome("reprompt", reason="engine.leeg")
    if len(text) > spec.max_length:
        return Outcome("reprompt", reason="engine.te_lang")
    return Outcome("answer", text, text, data={"typed": True})


def _choice(spec, value, ctx, conv: Conversation, content: Content) -> Outcome:
    labels = dict(options_of(spec, ctx, conv, content))
    if value not in labels:
        return Outcome("reprompt", reason="engine.gebruik_knoppen")
    return Outcome("answer", value, labels[value])


def _multi(spec, value, ctx, conv: Conversation, content: Content) -> Outcome:
    options = options_of(spec, ctx, conv, content)
    labels = dict(options)
    selected = list(selection(spec, conv))
    if value == DONE:
        chosen = [v for v, _ in options if v in selected]
        return Outcome("answer", chosen, ", ".join(labels[v] for v in chosen) or "–")
    if value not in labels:
        return Outcome("reprompt", reason="engine.gebruik_knoppen")
    if value in set(spec.options_from.get("alone", ()) if spec.options_from else ()) or any(
        o.get("alone") and o["id"] == value for o in spec.options
    ):
        return Outcome("answer", [value], labels[value])
    selected = [v for v in selected if v != value] if value in selected else selected + [value]
    return Outcome("update", data={"_sel": selected})


def _scale(spec, value, ctx, conv: Conversation, content: Content) -> Outcome:
    if value not in SCALE:
        return Outcome("reprompt", reason="engine.gebruik_knoppen")
    return Outcome("answer", int(value), content.render(f"knoppen.schaal_{value}", ctx.locale))


def _confirm(spec, value, ctx, conv: Conversation, content: Content) -> Outcome:
    if value not in ("ja", "nee"):
        return Outcome("reprompt", reason="engine.gebruik_knoppen")
    return Outcome("answer", value == "ja", content.render(f"knoppen.{value}", ctx.locale))


def _daypart(spec, value, ctx, conv: Conversation, content: Content) -> Outcome:
    label = lambda template: content.render(template, ctx.locale)  # noqa: E731
    if value == "wisselend":
        return Outcome("answer", {"day": None, "part": None}, label("knoppen.wisselend"))
    if value in WEEKDAYS and "_day" not in conv.data:
        return Outcome("update", data={"_day": WEEKDAYS.index(value)})
    if value in DAYPARTS and "_day" in conv.data:
        day = conv.data["_day"]
        shown = content.render(
            "moment.dag_en_dagdeel",
            ctx.locale,
            dag=label(f"moment.dag_{WEEKDAYS[day]}"),
            dagdeel=label(f"moment.dagdeel_{value}"),
        )
        return Outcome("answer", {"day": day, "part": value}, shown)
    return Outcome("reprompt", reason="engine.gebruik_knoppen")


_TYPABLE = ("choice", "scale", "confirm")
_BUTTON_HANDLERS = {
    "choice": _choice,
    "multi": _multi,
    "scale": _scale,
    "confirm": _confirm,
    "daypart": _daypart,
}
