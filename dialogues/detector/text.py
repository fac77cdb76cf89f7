"""Text as people write it, brought to the form the rules are written in.

1. ``normalise``: lowercase, strip accents, unify apostrophes, line breaks become clause
   breaks, one space between words.
2. ``Spelling``: informal, Flemish and text-speak words become the standard form ("ni" ->
   "niet", "kms" -> "kill myself"), and a slip in a long crisis word is corrected
   ("zelfmorod" -> "zelfmoord") when it is at most one edit away (two for long words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

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
_LONG_WORD_RE = re.compile(r"\b[a-z]{7,}\b")


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lowercase, accent-free, one space between words; punctuation is kept for clauses."""
    text = text.lower()
    if not text.isascii():
        text = _INVISIBLE_RE.sub("", strip_accents(text).translate(_APOSTROPHES))
    if _SPECIAL_RE.search(text):  # skipped for most messages: this is the slow part
        text = _LINEBREAK_RE.sub(" ; ", text.replace("`", "'"))
        text = _CONTROL_RE.sub(" ", text)
        # "self-harm", "zelf-moord": a hyphen inside a word is just a space for the patterns.
        text = _INWORD_HYPHEN_RE.sub(" ", text)
    return " ".join(text.split())


def edit_distance(a: str, b: str, most: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b; most + 1 if more."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)  # "zelfmorod": two letters swapped
            current.append(cost)
        if min(current) > most:
            return most + 1
        before, previous = previous, current
    return previous[-1]


# Text-speak that is a plain word in Dutch: "u" is "you" in an English note, but in a Dutch one
# it is the polite "u" ("we weten waar u woont") or a resident's alias ("meneer U"), and the
# Dutch rules are written with it. So in a note that reads as Dutch it is left alone.
DUTCH_WORDS_NOT_TEXT_SPEAK = frozenset({"u"})
_DUTCH_FUNCTION_WORD_RE = re.compile(
    r"(?<![\w'])(?:de|het|een|niet|ni|geen|en|ik|ze|zij|hij|dat|van|met|heeft|zijn|haar|"
    r"mevrouw|meneer|mevr|mw|dhr|bij|ook|nog|maar|wel|waar|wat|naar|voor|weten|weet|zei)(?![\w'])"
)


def looks_dutch(text: str) -> bool:
    """Two different Dutch function words: enough to tell a Dutch note from an English one
    that borrows a Dutch word or two ("the wijkteam", "de huisarts")."""
    return len(set(_DUTCH_FUNCTION_WORD_RE.findall(text))) >= 2


class Spelling:
    """Word variants and typo correction towards a short list of long crisis words."""

    def __init__(self, variants: Mapping[str, str], crisis_words: Iterable[str]) -> None:
        self.variants = dict(variants)
        words = "|".join(sorted(map(re.escape, self.variants), key=len, reverse=True))
        self._variant_re = re.compile(rf"(?<![\w'])(?:{words})(?![\w'])") if words else None
        self.words = frozenset(crisis_words)
        self._by_start: dict[str, list[str]] = {}
        self._letters = {word: frozenset(word) for word in self.words}
        # Longest first, then alphabetical: "suicideaal" must meet "suicidaal" before "suicide"
        # stops it, and the order must not follow the set's (it changes with PYTHONHASHSEED, and
        # the same note was then corrected in one process and not in the next).
        for word in sorted(self.words, key=lambda w: (-len(w), w)):
            self._by_start.setdefault(word[:2], []).append(word)

    def apply(self, text: str) -> str:
        if self._variant_re is not None:
            dutch = looks_dutch(text)
            text = self._variant_re.sub(lambda m: self._variant(m.group(0), dutch), text)
        if self._by_start:
            text = _LONG_WORD_RE.sub(self._correct, text)
        return text

    def _variant(self, word: str, dutch: bool) -> str:
        if dutch and word in DUTCH_WORDS_NOT_TEXT_SPEAK:
            return word
        return self.variants[word]

    def _correct(self, match: re.Match[str]) -> str:
        token = match.group(0)
        for word in self._by_start.get(token[:2], ()):
            if token.startswith(word):
                return token
            if len(token) > len(word) and token.startswith(word[:-1]):
                return token  # an inflection that drops a final letter: "overdosing"
            most = 1 if len(word) < 10 else 2
            # The word itself, or the start of a compound ("zelfmordgedachten").
            for length in (len(token), len(word) - 1, len(word), len(word) + 1):
                if length > len(token) or length < len(word) - most:
                    continue
                piece = token[:length]
                # Each edit brings in at most one letter the piece lacks: a cheap lower bound.
                if len(self._letters[word] - set(piece)) > most:
                    continue
                if edit_distance(piece, word, most) <= most:
                    return word + token[length:]
        return token
