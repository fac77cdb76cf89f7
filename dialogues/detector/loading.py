"""Reading and checking the pattern files in dialogues/patterns/*.yaml.

Every mistake (unknown category, bad regular expression, unknown shorthand) raises
PatternError with the file and rule id at import, so a broken rule never ships silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .model import (
    CATEGORIES,
    CRISIS_FAMILIES,
    LEVELS,
    WHO_FROM,
    Pattern,
    PatternError,
    PatternFile,
    Rule,
)
from .text import strip_accents

_SHORTHAND_RE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
RULE_KEYS = frozenset(
    {"id", "level", "category", "patterns", "negatable", "family", "who", "words"}
)
COMBO_KEYS = frozenset(
    {
        "id",
        "level",
        "category",
        "family",
        "who",
        "negatable",
        "all",
        "within",
        "unless",
        "unless_note",
        "in_order",
        "scope",
        "at_least",
    }
)
_CONCEPT_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*$")
_CONCEPT_ENTRY_RE = re.compile(r"(?:@[a-z_][a-z0-9_]*|[a-z0-9'*]+(?: [a-z0-9'*]+)*(?: \$)?)$")
CONTEXT_KINDS = ("reported", "fiction", "long_past", "present", "resolved", "harmless")


def _word_list(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PatternError(f"{where}: '{key}' must be a list of words")
    return [strip_accents(v.lower()) for v in value]


def _gap_regex(negators: Iterable[str], endings: Iterable[str], most: int) -> str:
    """Up to `most` words, none of them a negator: "wil {gap} dood" must not span "niet"."""
    words = "|".join(sorted((re.escape(w) for w in negators), key=len, reverse=True))
    ends = "".join(rf"(?!\S*{re.escape(e)}\b)" for e in endings)
    not_negator = rf"(?!(?:{words})\b){ends}" if words else ends
    return rf"(?:{not_negator}\S+ ){{0,{most}}}?"


def expand(pattern: str, shorthands: Mapping[str, str], where: str) -> str:
    """Replace {name} shorthands; a gap shorthand also swallows the space written after it."""
    pattern = strip_accents(pattern)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in shorthands:
            raise PatternError(f"{where}: unknown shorthand {{{name}}}")
        return shorthands[name]

    for name, body in shorthands.items():
        if name.startswith("gap"):
            pattern = pattern.replace("{" + name + "} ", body)
    return _SHORTHAND_RE.sub(replace, pattern)


def compile_pattern(pattern: str, where: str) -> Pattern:
    # Text is lowercased before matching, so an uppercase letter in a rule could never match.
    if re.search(r"(?<!\\)[A-Z]", pattern):
        raise PatternError(f"{where}: write patterns in lowercase: {pattern!r}")
    try:
        re.compile(pattern)
        # Every pattern starts at a word edge; saying so once up front lets the engine skip
        # mid-word positions in one step instead of trying each alternative there.
        regex = re.compile(r"\b(?:" + pattern + ")")
    except re.error as exc:
        raise PatternError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc
    return Pattern(regex)


def _categories(raw: Any, where: str) -> tuple[str, ...]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise PatternError(f"{where}: 'category' must be an id or a list of ids")
    unknown = [v for v in values if v not in CATEGORIES]
    if unknown:
        raise PatternError(f"{where}: unknown category {unknown}")
    return tuple(values)


def _family(raw: Mapping[str, Any], level: str, categories: tuple[str, ...], where: str) -> str:
    family = raw.get("family", categories[0] if level == "concern" else None)
    allowed = CRISIS_FAMILIES if level == "crisis" else tuple(CATEGORIES)
    if family not in allowed:
        raise PatternError(f"{where}: family must be one of {allowed}")
    return str(family)


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _parse_rule(raw: Any, shorthands: Mapping[str, str], where: str) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise PatternError(f"{where}: every rule needs an 'id'")
    where = f"{where} rule {raw['id']}"
    if set(raw) - RULE_KEYS:
        raise PatternError(f"{where}: unknown keys {sorted(set(raw) - RULE_KEYS)}")
    level = raw.get("level")
    if level not in LEVELS:
        raise PatternError(f"{where}: level must be one of {LEVELS}")
    patterns = raw.get("patterns")
    if not isinstance(patterns, list) or not patterns or not all(map(_non_empty_str, patterns)):
        raise PatternError(f"{where}: 'patterns' must be a non-empty list of strings")
    expanded = [expand(p, shorthands, where) for p in patterns]
    compiled = tuple(compile_pattern(p, where) for p in expanded)
    negatable = raw.get("negatable", True)
    if not isinstance(negatable, bool):
        raise PatternError(f"{where}: 'negatable' must be true or false")
    who = raw.get("who", "subject")
    if who not in WHO_FROM:
        raise PatternError(f"{where}: 'who' must be one of {WHO_FROM}")
    categories = _categories(raw.get("category"), where)
    family = _family(raw, level, categories, where)
    words = _signal_words(raw, where)
    return Rule(raw["id"], level, categories, compiled, negatable, family, who, words)


def _signal_words(raw: Mapping[str, Any], where: str) -> frozenset[str] | None:
    if "words" not in raw:
        return None
    words = _word_list(raw, "words", where)
    if not words:
        raise PatternError(f"{where}: 'words' must not be empty (leave it out instead)")
    return frozenset(words)


def _parse_idiom(raw: Any, shorthands: Mapping[str, str], where: str) -> tuple[str, Pattern]:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise PatternError(f"{where}: every idiom needs an 'id'")
    where = f"{where} idiom {raw['id']}"
    if not isinstance(raw.get("pattern"), str):
        raise PatternError(f"{where}: idiom needs a 'pattern'")
    regex = compile_pattern(expand(raw["pattern"], shorthands, where), where).regex
    return raw["id"], Pattern(regex, _signal_words(raw, where))


def _variants(data: Mapping[str, Any], where: str) -> dict[str, str]:
    raw = data.get("variants") or {}
    if not isinstance(raw, dict) or not all(map(_non_empty_str, [*raw, *raw.values()])):
        raise PatternError(f"{where}: 'variants' must map a word to its standard form")
    return {strip_accents(k.lower()): strip_accents(v.lower()) for k, v in raw.items()}


def _context(data: Mapping[str, Any], shorthands: Mapping[str, str], where: str) -> dict:
    raw = data.get("context") or {}
    if not isinstance(raw, dict) or set(raw) - set(CONTEXT_KINDS):
        raise PatternError(f"{where}: 'context' may only hold {CONTEXT_KINDS}")
    context = {}
    for kind, patterns in raw.items():
        expanded = tuple(expand(p, shorthands, f"{where} context") for p in patterns)
        for pattern in expanded:
            compile_pattern(pattern, f"{where} context {kind}")
        context[kind] = expanded
    return context


def _shorthands(data: Mapping[str, Any], negators: list[str], endings: list[str], where: str):
    shorthands = {
        "gap": _gap_regex(negators, endings, 3),
        "gap1": _gap_regex(negators, endings, 1),
    }
    for name, body in (data.get("shorthands") or {}).items():
        if not isinstance(body, str):
            raise PatternError(f"{where}: shorthand {name} must be a string")
        shorthands[name] = "(?:" + expand(body, shorthands, f"{where} shorthand {name}") + ")"
    return shorthands


def _concepts(data: Mapping[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    raw = data.get("concepts") or {}
    if not isinstance(raw, dict):
        raise PatternError(f"{where}: 'concepts' must map a name to a list of words")
    concepts = {}
    for name, _entries in raw.items():
        if not isinstance(name, str) or not _CONCEPT_NAME_RE.match(name):
            raise PatternError(f"{where}: concept name {name!r} must be lowercase_with_underscores")
        words = _word_list(raw, name, f"{where} concept {name}")
        if not words:
            raise PatternError(f"{where}: concept {name} is empty")
        for word in words:
            if not _CONCEPT_ENTRY_RE.match(word) or word.startswith("*") or "**" in word:
                raise PatternError(f"{where}: concept {name}: bad entry {word!r}")
        concepts[name] = tuple(words)
    return concepts


def _names(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PatternError(f"{where}: '{key}' must be a list of concept names")
    return tuple(value)


def _parse_combo(raw: Any, where: str) -> Rule:
    from .concepts import Combo

    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise PatternError(f"{where}: every combo needs an 'id'")
    where = f"{where} combo {raw['id']}"
    if set(raw) - COMBO_KEYS:
        raise PatternError(f"{where}: unknown keys {sorted(set(raw) - COMBO_KEYS)}")
    level = raw.get("level")
    if level not in LEVELS:
        raise PatternError(f"{where}: level must be one of {LEVELS}")
    concepts = _names(raw, "all", where)
    if not concepts:
        raise PatternError(f"{where}: 'all' must name at least one concept")
    within = raw.get("within", 6)
    if not isinstance(within, int) or within < 0:
        raise PatternError(f"{where}: 'within' must be a number of words")
    negatable = raw.get("negatable", True)
    who = raw.get("who", "subject")
    if who not in WHO_FROM:
        raise PatternError(f"{where}: 'who' must be one of {WHO_FROM}")
    categories = _categories(raw.get("category"), where)
    family = _family(raw, level, categories, where)
    combo = Combo(
        concepts,
        within,
        _names(raw, "unless", where),
        _names(raw, "unless_note", where),
        bool(raw.get("in_order", False)),
        _scope(raw, where) == "note",
        _at_least(raw, concepts, where),
    )
    return Rule(raw["id"], level, categories, (), bool(negatable), family, who, None, combo)


def _at_least(raw: Mapping[str, Any], concepts: tuple[str, ...], where: str) -> int:
    value = raw.get("at_least", 1)
    if not isinstance(value, int) or value < 1:
        raise PatternError(f"{where}: 'at_least' must be a whole number of at least 1")
    if value > 1 and len(concepts) != 1:
        raise PatternError(f"{where}: 'at_least' goes with exactly one concept in 'all'")
    return value


def _scope(raw: Mapping[str, Any], where: str) -> str:
    scope = raw.get("scope", "sentence")
    if scope not in ("sentence", "note"):
        raise PatternError(f"{where}: 'scope' must be sentence or note")
    return str(scope)


def check_combo_concepts(files: Iterable[PatternFile]) -> None:
    """Every concept a combo names exists in some file (languages share concepts by name)."""
    files = list(files)
    names = {name for f in files for name in (f.concepts or {})}
    for f in files:
        for rule in f.combos:
            combo = rule.combo
            missing = set(combo.concepts + combo.unless + combo.unless_note) - names  # type: ignore[attr-defined]
            if missing:
                raise PatternError(
                    f"{f.language} combo {rule.id}: unknown concepts {sorted(missing)}"
                )


def load_pattern_file(path: Path) -> PatternFile:
    """Parse and validate one YAML file; raises PatternError with the rule id on any mistake."""
    where = path.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise PatternError(f"{where}: expected a mapping at the top")
    negation = data.get("negation") or {}
    negators = _word_list(negation, "before", where)
    endings = _word_list(negation, "endings", where)
    shorthands = _shorthands(data, negators, endings, where)
    hedges = [expand(h, shorthands, f"{where} hedge") for h in negation.get("not_really", [])]
    for hedge in hedges:
        compile_pattern(hedge, f"{where} hedge")  # validates; hedges are joined into one regex
    return PatternFile(
        language=str(data.get("language", path.stem)),
        rules=tuple(_parse_rule(r, shorthands, where) for r in data.get("rules") or []),
        idioms=tuple(_parse_idiom(i, shorthands, where) for i in data.get("idioms") or []),
        negators=frozenset(negators),
        negator_endings=tuple(endings),
        trailing_negators=frozenset(_word_list(negation, "after", where)),
        answers=frozenset(_word_list(negation, "answers", where)),
        hedges=tuple(hedges),
        clause_breaks=frozenset(_word_list(data, "clause_breaks", where)),
        subjects=frozenset(_word_list(data, "subjects", where)),
        linkers=frozenset(_word_list(data, "linkers", where)),
        subordinators=frozenset(_word_list(data, "subordinators", where)),
        variants=_variants(data, where),
        crisis_words=tuple(_word_list(data, "typo_words", where)),
        context=_context(data, shorthands, where),
        concepts=_concepts(data, where),
        combos=tuple(_parse_combo(c, where) for c in data.get("combos") or []),
    )
