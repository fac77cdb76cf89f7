"""Choices and texts that come from the user's situation or a catalogue, not from the
flow file itself: the residents a volunteer visits, the question picked for today, the
signal categories. Flow files name them with `options_from: {provider: ...}` and
`say: {provider: ...}`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from content.appreciation import render_appreciation
from content.render import Content
from dialogues.model import Context, Conversation
from dialogues.registry import Registry
from dialogues.scope import topics_in
from dialogues.signal_levels import proposed_level

Option = tuple[str, str]  # (value, label as shown)
OptionProvider = Callable[[dict, Context, Conversation, Content], list[Option]]
TextProvider = Callable[[dict, Context, Conversation, Content, dict], str]

OPTIONS: Registry[OptionProvider] = Registry()
TEXTS: Registry[TextProvider] = Registry()


options = OPTIONS.register
text = TEXTS.register


def catalogue_entries(content: Content, locale: str, name: str, key: str) -> list[dict]:
    return list(content.catalogue(name, locale).get(key, ()))


def _entry(content: Content, locale: str, name: str, key: str, entry_id: str) -> dict:
    for entry in catalogue_entries(content, locale, name, key):
        if entry["id"] == entry_id:
            return entry
    raise KeyError(f"{name}.{key}: no entry {entry_id!r}")


@options("residents")
def _residents(params: dict, ctx: Context, conv: Conversation, content: Content) -> list[Option]:
    found = [(str(r["id"]), r["alias"]) for r in ctx.facts.get("residents", ())]
    if params.get("add_new", True):
        found.append(("nieuw", content.render("knoppen.nieuwe_bewoner", ctx.locale)))
    return found


@options("catalogue")
def _catalogue(params: dict, ctx: Context, conv: Conversation, content: Content) -> list[Option]:
    entries = catalogue_entries(content, ctx.locale, params["catalogue"], params["key"])
    return [(e["id"], e["label"]) for e in entries]


@options("picked")
def _picked(params: dict, ctx: Context, conv: Conversation, content: Content) -> list[Option]:
    """Catalogue entries the flow picked at start (e.g. three step suggestions)."""
    wanted = list(conv.data.get(params["slot"]) or ())
    entries = {
        e["id"]: e
        for e in catalogue_entries(content, ctx.locale, params["catalogue"], params["key"])
    }
    return [(i, entries[i]["label"]) for i in wanted if i in entries]


@options("signal_categories")
def _signal_categories(
    params: dict, ctx: Context, conv: Conversation, content: Content
) -> list[Option]:
    """*Niets bijzonders* first, then the worries a volunteer may notice."""
    entries = catalogue_entries(content, ctx.locale, "signals", "signals")
    nothing = ("niets", content.render("knoppen.niets_bijzonders", ctx.locale))
    return [nothing] + [(e["id"], e["label"]) for e in entries]


@options("quick")
def _quick_answers(
    params: dict, ctx: Context, conv: Conversation, content: Content
) -> list[Option]:
    question = _entry(content, ctx.locale, "questions", "questions", conv.data[params["slot"]])
    return [(q["id"], q["label"]) for q in question.get("quick", ())]


@options("open_steps")
def _open_steps(params: dict, ctx: Context, conv: Conversation, content: Content) -> list[Option]:
    return [(str(s["id"]), s["text"][:40]) for s in ctx.facts.get("open_steps", ())]


@text("question")
def _question(
    params: dict, ctx: Context, conv: Conversation, content: Content, variables: dict
) -> str:
    question = _entry(content, ctx.locale, "questions", "questions", conv.data[params["slot"]])
    return content.render_text(question["text"], **variables)


@text("catalogue_field")
def _catalogue_field(
    params: dict, ctx: Context, conv: Conversation, content: Content, variables: dict
) -> str:
    """A field of the catalogue entry the user chose, e.g. a boundary's example sentences."""
    chosen = conv.answers.get(params["answer"])
    if not chosen or chosen == "anders":
        return ""
    entry = _entry(content, ctx.locale, params["catalogue"], params["key"], chosen)
    value: Any = entry.get(params["field"], "")
    items = value if isinstance(value, list) else [value]
    rendered = [content.render_text(str(v), **variables) for v in items]
    return content.render(params["template"], ctx.locale, **{**variables, "items": rendered})


@text("alias_tip")
def _alias_tip(
    params: dict, ctx: Context, conv: Conversation, content: Content, variables: dict
) -> str:
    """The nickname tip once per reflection: at the first question one may type at."""
    if any(
        key in conv.data.get("typed", ()) or key in conv.answers for key in params.get("after", ())
    ):
        return ""
    return content.render("algemeen.geen_namen", ctx.locale)


@text("grens_uit_woorden")
def _boundary_from_words(
    params: dict, ctx: Context, conv: Conversation, content: Content, variables: dict
) -> str:
    """The boundary sentences that fit what the volunteer wrote (groceries, evening calls…)."""
    found = topics_in(conv.answers, conv.data)
    topics = {
        t["id"]: t for t in catalogue_entries(content, ctx.locale, "boundaries", "onderwerpen")
    }
    items = [
        content.render_text(v, **variables)
        for topic_id in found[:2]
        for v in topics[topic_id]["voorbeelden"][:2]
    ]
    labels = [topics[t]["label"] for t in found[:2]]
    return content.render(
        params["template"], ctx.locale, **{**variables, "items": items, "onderwerpen": labels}
    )


def relationship_question(
    params: dict, ctx: Context, conv: Conversation, content: Content
) -> dict | None:
    """A question from catalogues/relationship.yaml: `key` is drie_maanden, elf_maanden or
    afscheid, or `due` for the review due for this conversation's resident (facts.terugblik);
    `index` picks the question by position, `id` by its id."""
    key = params["key"]
    if key == "due":
        resident = str(conv.answers.get("resident") or conv.data.get("resident") or "")
        key = ctx.facts.get("terugblik", {}).get(resident)
        if key is None:
            return None
    entries = catalogue_entries(content, ctx.locale, "relationship", key)
    if "id" in params:
        return next((e for e in entries if e["id"] == params["id"]), None)
    index = int(params.get("index", 0))
    return entries[index] if index < len(entries) else None


@options("relationship_quick")
def _relationship_quick(
    params: dict, ctx: Context, conv: Conversation, content: Content
) -> list[Option]:
    question = relationship_question(params, ctx, conv, content)
    return [(q["id"], q["label"]) for q in (question or {}).get("quick", ())]


@text("relationship")
def _relationship(
    params: dict, ctx: Context, conv: Conversation, content: Content, variables: dict
) -> str:
    question = relationship_question(params, ctx, conv, content)
    return content.render_text(question["text"], **variables) if question else ""


# ---- the signal flow (dialogues/flows/zorg.yaml) ------------------------------------


@options("zorg_over")
def _signal_about(params: dict, ctx: Context, conv: Conversation, content: Content) -> list[Option]:
    """About the resident (named by alias when there is one) or about yourself."""
    alias = conv.data.get("alias") or ctx.vars.get("alias") or ""
    return [
        ("bewoner", content.render("zorg.knop_over_bewoner", ctx.locale, alias=str(alias)[:20])),
        ("zelf", content.render("zorg.knop_over_mezelf", ctx.locale)),
    ]


@options("zorg_categorieen")
def _signal_category_options(
    params: dict, ctx: Context, conv: Conversation, content: Content
) -> list[Option]:
    """The worries, then *Toch niets* as the way out."""
    entries = catalogue_entries(content, ctx.locale, "signals", "signals")
    nothing = ("niets", content.render("zorg.knop_toch_niets", ctx.locale))
    return [(e["id"], e["label"]) for e in entries] + [nothing]


@text("zorg_niveau")
def _signal_level_text(
    params: dict, ctx: Context, conv: Conversation, content: Content, variables: dict
) -> str:
    level = proposed_level(
        conv.answers.get("zorgen"), int(conv.data.get("niveau_min") or 0), content
    )
    return content.render(params["template"], ctx.locale, **{**variables, "niveau": max(level, 1)})


@text("appreciation_preview")
def _appreciation_preview(
    params: dict, ctx: Context, conv: Conversation, content: Content, variables: dict
) -> str:
    """/waardering: exactly what the first recipient will see, in their language."""
    data = conv.data
    since = data.get("ontvanger_sinds")
    shown = render_appreciation(
        content,
        data["template"],
        data.get("ontvanger_taal", ctx.locale),
        voornaam=data["ontvanger"],
        afzender=data["afzender"],
        tekst=conv.answers.get("tekst"),
        # flow data is JSON: a moment in it is ISO 8601 text
        joined=datetime.fromisoformat(since) if since else None,
        now=ctx.now,
        persoonlijk=conv.answers.get("persoonlijk"),
    )
    return f"<blockquote>{shown}</blockquote>"
