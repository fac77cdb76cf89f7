"""Everything the bot says, rendered from the YAML templates in content/<locale>/.

A message template lives in `content/<locale>/<area>.yaml` under a key; its id is
`<area>.<key>`. Catalogues (question banks, signal categories, ...) live in
`content/<locale>/catalogues/`, appreciation templates in `content/<locale>/appreciation/`.
Output is Telegram HTML: Jinja2 autoescapes every variable, so a volunteer's own words
can never break the markup. Renderings are `Markup`, so a rendered text passed into another
template, or joined to a volunteer's words with `+`, is escaped exactly once. A text missing
in a locale falls back to Dutch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

CONTENT_ROOT = Path(__file__).resolve().parent
FALLBACK = "nl"
LOCALES = ("nl", "en")


class ContentError(Exception):
    """A template or catalogue is missing or malformed."""


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc


def _message_sources(locale_dir: Path) -> dict[str, dict]:
    """{template id: {"text": ..., "bron": ...}} for one locale."""
    sources: dict[str, dict] = {}
    for path in sorted(locale_dir.glob("*.yaml")):
        for key, value in _read_yaml(path).items():
            entry = value if isinstance(value, dict) else {"text": value}
            if not isinstance(entry.get("text"), str):
                raise ContentError(f"{path}: {key}: needs a text")
            sources[f"{path.stem}.{key}"] = {**entry, "file": str(path)}
    return sources


class Content:
    """Loads every locale once; renders by template id."""

    def __init__(self, root: Path = CONTENT_ROOT) -> None:
        self.root = root
        self.env = Environment(
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.messages = {loc: _message_sources(root / loc) for loc in LOCALES}
        self._catalogues: dict[tuple[str, str], Any] = {}
        self._compiled: dict[tuple[str, str], Template | Markup] = {}
        self._compiled_sources: dict[str, Template | Markup] = {}

    def locale(self, language: str | None) -> str:
        return language if language in LOCALES else FALLBACK

    def has(self, template_id: str, locale: str) -> bool:
        return template_id in self.messages.get(locale, {})

    def source(self, template_id: str, locale: str) -> dict:
        for loc in (self.locale(locale), FALLBACK):
            entry = self.messages[loc].get(template_id)
            if entry is not None:
                return entry
        raise ContentError(f"no template {template_id!r} in content/{locale} or content/nl")

    def render(self, template_id: str, locale: str, **variables: Any) -> Markup:
        key = (self.locale(locale), template_id)
        template = self._compiled.get(key)
        if template is None:
            template = self._compile(self.source(template_id, locale)["text"])
            self._compiled[key] = template
        return _rendered(template, variables)

    def render_text(self, source: str, **variables: Any) -> Markup:
        """Render a catalogue entry's own text (compiled once per distinct source)."""
        template = self._compiled_sources.get(source)
        if template is None:
            template = self._compiled_sources[source] = self._compile(source)
        return _rendered(template, variables)

    def _compile(self, source: str) -> Template | Markup:
        """A text without Jinja syntax is its own rendering: most button labels are."""
        if "{" not in source and "}" not in source:
            return Markup(source.strip())
        return self.env.from_string(source)

    def catalogue(self, name: str, locale: str) -> Any:
        key = (self.locale(locale), name)
        if key not in self._catalogues:
            path = self.root / key[0] / "catalogues" / f"{name}.yaml"
            if not path.is_file():
                path = self.root / FALLBACK / "catalogues" / f"{name}.yaml"
            if not path.is_file():
                raise ContentError(f"no catalogue {name!r}")
            self._catalogues[key] = _read_yaml(path)
        return self._catalogues[key]

    def appreciations(self, locale: str) -> dict[str, dict]:
        key = (self.locale(locale), "@appreciation")
        if key not in self._catalogues:
            folder = self.root / key[0] / "appreciation"
            entries = {p.stem: _read_yaml(p) for p in sorted(folder.glob("*.yaml"))}
            self._catalogues[key] = {e.get("id", stem): e for stem, e in entries.items()}
        return self._catalogues[key]


def _rendered(template: Template | Markup, variables: dict[str, Any]) -> Markup:
    # Our own template source is trusted HTML; every variable in it was escaped by Jinja2.
    if isinstance(template, Markup):
        return template
    return Markup(template.render(**variables).strip())


_default: Content | None = None


def default_content() -> Content:
    """The shipped content, loaded once per process."""
    global _default
    if _default is None:
        _default = Content()
    return _default
