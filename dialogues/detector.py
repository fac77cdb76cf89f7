"""Recognise crisis and concern language in a volunteer's free text (Dutch and English).

The rules live as data in ``dialogues/patterns/*.yaml`` so that a social professional can read
and extend them; this module only knows *how* to apply them:

1. ``normalise``: lowercase, strip accents, unify apostrophes, turn line breaks into clause
   breaks, collapse whitespace.
2. Idioms (harmless look-alikes such as "ik lach me dood" or "killing time") are masked first,
   so no rule can match inside them.
3. Every rule's patterns are searched. A match of a *negatable* rule is cancelled when a negator
   ("niet", "geen", "not", "n't", ...) stands a few words before it in the same clause, or
   (Dutch word order: "hij slaat haar niet") right after it. Rules whose own wording contains a
   negation ("wil niet meer leven") are marked ``negatable: false`` and are never cancelled.

To stay fast with a few hundred patterns, each pattern carries *anchors*: literal text it cannot
match without ("gevallen", "slaat|sloeg"). Only patterns whose anchors occur in the text are run.

``detect`` is pure: it never logs, stores or returns the text, and compiles nothing at call time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

import yaml

LEVELS = ("crisis", "concern")

# Signal category ids, from seed-notes-004 §4.7 (see docs in PRODUCT.md, section Signals).
CATEGORIES = frozenset(
    {
        "terugtrekking",
        "woning",
        "geld_post",
        "gezondheid_lichaam",
        "gezondheid_psychisch",
        "middelen",
        "zorgmijding",
        "verlies_netwerk",
        "mantelzorg",
        "regelzaken_taal",
        "veiligheid",
        "schade_anderen",
        "acuut",
        "hulpvraag_buiten_rol",
        "onderbuik",
        "anders",
    }
)

PATTERN_DIR = Path(__file__).with_name("patterns")

# How many words before a match are searched for a negator ("geen tekenen van huiselijk geweld").
NEGATION_WINDOW = 5
# How many words after a match are searched for a Dutch trailing negator ("hij slaat haar niet").
TRAILING_NEGATION_WINDOW = 2
# Only this much text around a match is looked at for negation: keeps the check O(1).
_CONTEXT_CHARS = 160

_SHORTHAND_RE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_WORD_RE = re.compile(r"\w+(?:'\w+)*")
# Punctuation that ends a clause. "-" only survives normalisation as a free-standing dash.
_BREAK_CHARS = r"[.!?;:,()\[\]\"/|\-]"
# English contractions glued to a pronoun ("she's", "he'd"): stripped before the pronoun check.
_CONTRACTION_RE = re.compile(r"'(?:s|d|ll|re|m|ve)$")
# A question answered straight away: "suicidal? no".
_ANSWER_RE = re.compile(r"\s*\?+\s*(\w+)")


class PatternError(ValueError):
    """A pattern file is malformed; raised at import so a broken rule never ships silently."""


@dataclass(frozen=True)
class Detection:
    """What the detector found. Never contains the text itself."""

    level: str | None = None  # "crisis", "concern" or None
    categories: tuple[str, ...] = ()  # signal category ids, crisis ones first
    rules: tuple[str, ...] = ()  # ids of the rules that matched
    # Who is at risk: "resident" (the person visited), "volunteer" (the writer herself) or
    # "other" (someone else in the home). The worry route depends on it.
    at_risk: str = "resident"
    families: tuple[str, ...] = ()  # families of meaning that matched, most urgent first

    @property
    def is_crisis(self) -> bool:
        return self.level == "crisis"

    @property
    def about_volunteer(self) -> bool:
        return self.at_risk == "volunteer"


NOTHING = Detection()


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern plus the literal words it cannot match without (see _anchors)."""

    regex: re.Pattern[str]
    anchors: frozenset[str] | None  # None: no usable anchor, always try the regex


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    categories: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    negatable: bool


@dataclass(frozen=True)
class PatternFile:
    """One language file, parsed and validated but not yet merged with the others."""

    language: str
    rules: tuple[Rule, ...]
    idioms: tuple[tuple[str, Pattern], ...]  # (id, pattern)
    negators: frozenset[str]
    negator_endings: tuple[str, ...]
    trailing_negators: frozenset[str]
    answers: frozenset[str]
    hedges: tuple[str, ...]
    clause_breaks: frozenset[str]
    subjects: frozenset[str]
    linkers: frozenset[str]


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans(
    {c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc\u02bb\u00b4\u0060\uff07"}
    | {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
    | {c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb"}
)
# Zero-width and BOM characters are removed outright so "zelf\u200bmoord" stays one word.
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
# A line break is a clause break in a phone message ("ze eet niet\nhij slaat haar").
_LINEBREAK_RE = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+\s*")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INWORD_HYPHEN_RE = re.compile(r"(?<=\w)-(?=\w)")
# Line breaks, control characters, backticks and hyphens need the extra steps above.
_SPECIAL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029`-]")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lowercase, accent-free, one space between words; punctuation is kept for clauses."""
    text = text.lower()
    if not text.isascii():
        text = _INVISIBLE_RE.sub("", _strip_accents(text).translate(_APOSTROPHES))
    if _SPECIAL_RE.search(text):  # skipped for most messages: this is the slow part
        text = _LINEBREAK_RE.sub(" ; ", text.replace("`", "'"))
        text = _CONTROL_RE.sub(" ", text)
        # "self-harm", "zelf-moord": a hyphen inside a word is just a space for the patterns.
        text = _INWORD_HYPHEN_RE.sub(" ", text)
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# Loading the pattern files
# --------------------------------------------------------------------------------------------


def _word_list(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PatternError(f"{where}: '{key}' must be a list of words")
    return [_strip_accents(v.lower()) for v in value]


def _gap_regex(negators: Iterable[str], endings: Iterable[str], most: int) -> str:
    """Up to `most` words, none of them a negator: "wil {gap} dood" must not span "niet"."""
    words = "|".join(sorted((re.escape(w) for w in negators), key=len, reverse=True))
    ends = "".join(rf"(?!\S*{re.escape(e)}\b)" for e in endings)
    not_negator = rf"(?!(?:{words})\b){ends}" if words else ends
    return rf"(?:{not_negator}\S+ ){{0,{most}}}?"


def _expand(pattern: str, shorthands: Mapping[str, str], where: str) -> str:
    """Replace {name} shorthands; a gap shorthand also swallows the space written after it."""
    pattern = _strip_accents(pattern)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in shorthands:
            raise PatternError(f"{where}: unknown shorthand {{{name}}}")
        return shorthands[name]

    for name, body in shorthands.items():
        if name.startswith("gap"):
            pattern = pattern.replace("{" + name + "} ", body)
    return _SHORTHAND_RE.sub(replace, pattern)


# --------------------------------------------------------------------------------------------
# Anchors: a cheap pre-check so that only patterns that *can* match are run
# --------------------------------------------------------------------------------------------
#
# Most patterns contain a piece of literal text they cannot match without: "gevallen" in
# "{wie} is {gap} gevallen", one of "slaat/sloeg/…" in the hitting patterns. Checking those with
# `in` is much cheaper than running a few hundred regexes, so a pattern whose anchors are all
# absent from the text is skipped. A pattern without a usable anchor is always run, so the
# pre-check can only save time, never change a result (tests compare both paths).

_MIN_ANCHOR = 3  # shorter literals ("ze", "me") occur in nearly every message
# Words so common in any visit report that an anchor made of them filters nothing.
_COMMON_WORDS = frozenset(
    "over wat iets niet meer haar hem zijn het een van met voor naar bij ook nog wel dan als dat "
    "die deze heel erg veel steeds altijd weer toen maar the and her him his with for from that "
    "this was have has had not all out off down into onto you she they very really some any just "
    "bit".split()
)
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _usable(anchor: str) -> bool:
    return len(anchor) >= _MIN_ANCHOR and anchor.strip() not in _COMMON_WORDS


def _pick(candidates: list[frozenset[str] | None]) -> frozenset[str] | None:
    """The most selective candidate: longest shortest string, then fewest strings."""
    usable = [c for c in candidates if c and all(map(_usable, c))]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)))


def _leading_literal(items: Any) -> str:
    lead = []
    for op, arg in items:
        if op is not sre_constants.LITERAL:
            break
        lead.append(chr(arg))
    return "".join(lead)


def _run_continued(run: str, op: Any, arg: Any) -> frozenset[str] | None:
    """A literal run followed by an alternation: "sl" + (aat|oeg) gives {"slaat", "sloeg"}.

    The regex parser factors common prefixes out of alternations, so without this "slaat|sloeg"
    would only leave the useless anchor "sl".
    """
    if op is sre_constants.BRANCH:
        return frozenset(run + _leading_literal(b) for b in arg[1])
    if op is sre_constants.IN and all(o is sre_constants.LITERAL for o, _ in arg):
        return frozenset(run + chr(c) for _, c in arg)
    if op is sre_constants.SUBPATTERN:
        inner = list(arg[-1])
        if len(inner) == 1:
            return _run_continued(run, *inner[0])
    return None


def _sequence_anchors(items: Any) -> frozenset[str] | None:
    """Anchors of a regex sequence: any mandatory literal run, group or alternation in it."""
    candidates: list[frozenset[str] | None] = []
    run: list[str] = []
    for op, arg in items:
        if op is sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            candidates.append(_run_continued("".join(run), op, arg))
            run = []
        if op is sre_constants.SUBPATTERN:
            candidates.append(_sequence_anchors(arg[-1]))
        elif op is sre_constants.BRANCH:
            branches = [_sequence_anchors(b) for b in arg[1]]
            if all(b is not None for b in branches):
                candidates.append(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in _REPEATS and arg[0] >= 1:
            candidates.append(_sequence_anchors(arg[2]))
        # Anything else (optional parts, look-arounds, classes) is not mandatory literal text.
    if run:
        candidates.append(frozenset({"".join(run)}))
    return _pick(candidates)


def _anchors(pattern: str) -> frozenset[str] | None:
    try:
        return _sequence_anchors(sre_parser.parse(pattern))
    except Exception:  # private parser API changed: fall back to always running the pattern
        return None


def _compile(pattern: str, where: str) -> Pattern:
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
    return Pattern(regex, _anchors(pattern))


def _categories(raw: Any, where: str) -> tuple[str, ...]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise PatternError(f"{where}: 'category' must be an id or a list of ids")
    unknown = [v for v in values if v not in CATEGORIES]
    if unknown:
        raise PatternError(f"{where}: unknown category {unknown}")
    return tuple(values)


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _parse_rule(raw: Any, shorthands: Mapping[str, str], where: str) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise PatternError(f"{where}: every rule needs an 'id'")
    where = f"{where} rule {raw['id']}"
    level = raw.get("level")
    if level not in LEVELS:
        raise PatternError(f"{where}: level must be one of {LEVELS}")
    patterns = raw.get("patterns")
    if not isinstance(patterns, list) or not patterns or not all(map(_non_empty_str, patterns)):
        raise PatternError(f"{where}: 'patterns' must be a non-empty list of strings")
    compiled = tuple(_compile(_expand(p, shorthands, where), where) for p in patterns)
    negatable = raw.get("negatable", True)
    if not isinstance(negatable, bool):
        raise PatternError(f"{where}: 'negatable' must be true or false")
    return Rule(raw["id"], level, _categories(raw.get("category"), where), compiled, negatable)


def _parse_idiom(raw: Any, shorthands: Mapping[str, str], where: str) -> tuple[str, Pattern]:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise PatternError(f"{where}: every idiom needs an 'id'")
    where = f"{where} idiom {raw['id']}"
    if not isinstance(raw.get("pattern"), str):
        raise PatternError(f"{where}: idiom needs a 'pattern'")
    return raw["id"], _compile(_expand(raw["pattern"], shorthands, where), where)


def load_pattern_file(path: Path) -> PatternFile:
    """Parse and validate one YAML file; raises PatternError with the rule id on any mistake."""
    where = path.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise PatternError(f"{where}: expected a mapping at the top")
    negation = data.get("negation") or {}
    negators = _word_list(negation, "before", where)
    endings = _word_list(negation, "endings", where)
    shorthands = {
        "gap": _gap_regex(negators, endings, 3),
        "gap1": _gap_regex(negators, endings, 1),
    }
    for name, body in (data.get("shorthands") or {}).items():
        if not isinstance(body, str):
            raise PatternError(f"{where}: shorthand {name} must be a string")
        shorthands[name] = "(?:" + _expand(body, shorthands, f"{where} shorthand {name}") + ")"
    hedges = [_expand(h, shorthands, f"{where} hedge") for h in negation.get("not_really", [])]
    for hedge in hedges:
        _compile(hedge, f"{where} hedge")  # validates; hedges are joined into one regex later
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
    )


# --------------------------------------------------------------------------------------------
# The engine: all languages merged, because a message is often mixed or the language unknown
# --------------------------------------------------------------------------------------------


class _Engine:
    def __init__(self, files: Iterable[PatternFile]) -> None:
        files = list(files)
        self.rules = tuple(rule for f in files for rule in f.rules)
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise PatternError(f"duplicate rule ids: {duplicates}")
        self.idioms = tuple(pattern for f in files for _, pattern in f.idioms)
        self._index_anchors()
        self.negators = frozenset().union(*(f.negators for f in files))
        self.negator_endings = tuple(e for f in files for e in f.negator_endings)
        self.trailing_negators = frozenset().union(*(f.trailing_negators for f in files))
        self.answers = frozenset().union(*(f.answers for f in files))
        hedges = [h for f in files for h in f.hedges]
        self.hedges = re.compile("|".join(f"(?:{h})" for h in hedges)) if hedges else None
        breaks = sorted(frozenset().union(*(f.clause_breaks for f in files)), key=len, reverse=True)
        break_words = "|".join(re.escape(w) for w in breaks)
        self.clause_break = re.compile(
            _BREAK_CHARS + (rf"|\b(?:{break_words})\b" if break_words else "")
        )
        self.subjects = frozenset().union(*(f.subjects for f in files))
        self.linkers = frozenset().union(*(f.linkers for f in files))

    # -- negation ---------------------------------------------------------------------------

    def _is_negator(self, word: str) -> bool:
        return word in self.negators or word.endswith(self.negator_endings)

    def _clause_words(self, fragment: str) -> list[str]:
        """Words of a fragment with hedges ("weet niet of", "not sure if") blanked out."""
        if self.hedges is not None:
            fragment = self.hedges.sub(" _ ", fragment)
        return _WORD_RE.findall(fragment)

    def _negated_before(self, text: str, start: int, first_word: str) -> bool:
        head = text[max(0, start - _CONTEXT_CHARS) : start]
        clause = self.clause_break.split(head)[-1]
        words = self._clause_words(clause)[-NEGATION_WINDOW:] + [first_word]
        # Walk backwards. A subject pronoun starts a new clause ("ze eet niet hij slaat haar"),
        # unless a linker joins it to the previous one ("ik denk niet dat hij haar slaat").
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            if i < len(words) - 1 and self._is_negator(word):
                return True
            if _CONTRACTION_RE.sub("", word) in self.subjects:
                if i == 0 or words[i - 1] not in self.linkers:
                    return False
        return False

    def _negated_after(self, text: str, end: int) -> bool:
        tail = text[end : end + _CONTEXT_CHARS]
        answer = _ANSWER_RE.match(tail)
        if answer and answer.group(1) in self.answers:
            return True  # "zelfmoordgedachten? nee"
        clause = self.clause_break.split(tail, maxsplit=1)[0]
        words = self._clause_words(clause)[:TRAILING_NEGATION_WINDOW]
        return any(word in self.trailing_negators for word in words)

    def _counts(self, text: str, match: re.Match[str]) -> bool:
        first = _WORD_RE.search(match.group(0))
        first_word = first.group(0) if first else ""
        if self._negated_before(text, match.start(), first_word):
            return False
        return not self._negated_after(text, match.end())

    # -- anchors ----------------------------------------------------------------------------

    def _index_anchors(self) -> None:
        """Number every pattern (idioms first) and index anchors by their first three letters."""
        patterns = list(self.idioms)
        # Pattern number n (n >= len(idioms)) belongs to rule self._slots[n - len(idioms)][0].
        self._slots: list[tuple[int, Pattern]] = []
        for r, rule in enumerate(self.rules):
            for pattern in rule.patterns:
                self._slots.append((r, pattern))
                patterns.append(pattern)
        self._always = frozenset(i for i, p in enumerate(patterns) if p.anchors is None)
        self._owners: dict[str, list[int]] = {}
        for i, pattern in enumerate(patterns):
            for anchor in pattern.anchors or ():
                self._owners.setdefault(anchor, []).append(i)
        self._by_trigram: dict[str, list[str]] = {}
        for anchor in self._owners:
            self._by_trigram.setdefault(anchor[:3], []).append(anchor)
        self._trigram_keys = frozenset(self._by_trigram)

    def _candidates(self, text: str) -> set[int]:
        """Numbers of the patterns that can match this text."""
        found = set(self._always)
        trigrams = {text[i : i + 3] for i in range(len(text) - 2)}
        for trigram in self._trigram_keys.intersection(trigrams):
            for anchor in self._by_trigram[trigram]:
                if anchor in text:
                    found.update(self._owners[anchor])
        return found

    # -- matching ---------------------------------------------------------------------------

    def _mask_idioms(self, text: str, candidates: set[int] | None) -> str:
        for i, idiom in enumerate(self.idioms):
            if candidates is None or i in candidates:
                text = idiom.regex.sub(" _ ", text)
        return text

    def _matches(self, rule: Rule, pattern: Pattern, text: str) -> bool:
        for match in pattern.regex.finditer(text):
            if not rule.negatable or self._counts(text, match):
                return True
        return False

    def _matched_rules(self, text: str, candidates: set[int] | None) -> list[Rule]:
        first = len(self.idioms)
        if candidates is None:
            numbers: Iterable[int] = range(first, first + len(self._slots))
        else:
            numbers = sorted(n for n in candidates if n >= first)
        matched: set[int] = set()
        for n in numbers:
            r, pattern = self._slots[n - first]
            if r not in matched and self._matches(self.rules[r], pattern, text):
                matched.add(r)
        return [self.rules[r] for r in sorted(matched)]

    def detect(self, text: str, *, precheck: bool = True) -> Detection:
        """``precheck=False`` runs every pattern; tests use it to prove anchors change nothing."""
        text = normalise(text)
        if not text:
            return NOTHING
        # Anchors are looked up before masking: masking only removes text, so this is a superset.
        candidates = self._candidates(text) if precheck else None
        text = self._mask_idioms(text, candidates)
        hits = self._matched_rules(text, candidates)
        if not hits:
            return NOTHING
        # Crisis rules first, so the most urgent categories lead.
        hits.sort(key=lambda rule: LEVELS.index(rule.level))
        categories = tuple(dict.fromkeys(c for rule in hits for c in rule.categories))
        return Detection(hits[0].level, categories, tuple(rule.id for rule in hits))


def load_engine(directory: Path = PATTERN_DIR) -> _Engine:
    return _Engine(load_pattern_file(p) for p in sorted(directory.glob("*.yaml")))


_ENGINE = load_engine()


def detect(text: str | None) -> Detection:
    """Classify one free-text message. Pure and fast; never raises on a str."""
    if not text:
        return NOTHING
    if not isinstance(text, str):
        raise TypeError("detect() expects a str")
    return _ENGINE.detect(text)
