"""Applying the rules: idioms masked, every rule searched, negation and context weighed.

1. The text is normalised and its spelling brought to the rules' form (text.py).
2. Idioms (harmless look-alikes such as "ik lach me dood" or "killing time") are masked first,
   so no rule can match inside them.
3. Every rule's patterns are searched. A match of a *negatable* rule is cancelled when a negator
   ("niet", "geen", "not", "n't", ...) stands a few words before it in the same clause, or
   (Dutch word order: "hij slaat haar niet") right after it. Rules whose own wording contains a
   negation ("wil niet meer leven") are marked ``negatable: false`` and are never cancelled.
4. A match about fiction, the news or the long past does not count (context.py), and the most
   urgent match says who is at risk.

To stay fast, every rule and idiom declares its signal words in the YAML: it is only tried
when one of them occurs in the text (found with a three-letter index, see WordIndex).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from .concepts import ConceptIndex, combo_matches, drop_negated, tokenise
from .context import Context
from .loading import check_combo_concepts
from .model import FAMILIES, LEVELS, NOTHING, Detection, PatternError, PatternFile, Rule
from .text import Spelling, normalise
from .words import WordIndex

# How many words before a match are searched for a negator ("geen tekenen van huiselijk geweld").
NEGATION_WINDOW = 5
# How many words after a match are searched for a Dutch trailing negator ("hij slaat haar niet").
TRAILING_NEGATION_WINDOW = 2
# Only this much text around a match is looked at for negation: keeps the check O(1).
_CONTEXT_CHARS = 160

_WORD_RE = re.compile(r"\w+(?:'\w+)*")
# Punctuation that ends a clause. "-" only survives normalisation as a free-standing dash.
_BREAK_CHARS = r"[.!?;:,()\[\]\"/|\-]"
# English contractions glued to a pronoun ("she's", "he'd"): stripped before the pronoun check.
_CONTRACTION_RE = re.compile(r"'(?:s|d|ll|re|m|ve)$")
# A question answered straight away: "suicidal? no".
_ANSWER_RE = re.compile(r"\s*\?+\s*(\w+)")


class Reading(NamedTuple):
    """What the rules made of a text, for the learned scorer (learned.py) to build on."""

    detection: Detection
    text: str  # normalised, spelling applied, idioms masked ("" when there is nothing to read)
    concepts: frozenset[str]  # names of the concepts that occur in it
    # The rules saw a signal and cancelled it (negated, fiction, the long past, a worry said to
    # be over), or the whole note is framed as harmless: the scorer must not raise it again.
    vetoed: bool


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*sets)


class Engine:
    """All languages merged, because a message is often mixed or its language unknown."""

    def __init__(self, files: Iterable[PatternFile]) -> None:
        files = list(files)
        check_combo_concepts(files)
        self.pattern_rules = tuple(rule for f in files for rule in f.rules)
        self.combos = tuple(rule for f in files for rule in f.combos)
        self.rules = self.pattern_rules + self.combos
        self._combo_needs = tuple(
            (rule, frozenset(rule.combo.concepts))  # type: ignore[attr-defined]
            for rule in self.combos
        )
        merged: dict[str, list[str]] = {}
        for f in files:
            for name, entries in (f.concepts or {}).items():
                merged.setdefault(name, []).extend(entries)
        self.concepts = ConceptIndex(merged)
        self._blockers = frozenset(
            name
            for rule in self.combos
            for name in rule.combo.unless + rule.combo.unless_note  # type: ignore[attr-defined]
        )
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise PatternError(f"duplicate rule ids: {duplicates}")
        self.idioms = tuple(pattern for f in files for _, pattern in f.idioms)
        self._idiom_index = WordIndex(p.words for p in self.idioms)
        self._rule_index = WordIndex(r.words for r in self.pattern_rules)
        self.negators = _union(f.negators for f in files)
        self.negator_endings = tuple(e for f in files for e in f.negator_endings)
        self.trailing_negators = _union(f.trailing_negators for f in files)
        self.answers = _union(f.answers for f in files)
        hedges = [h for f in files for h in f.hedges]
        self.hedges = re.compile("|".join(f"(?:{h})" for h in hedges)) if hedges else None
        breaks = sorted(_union(f.clause_breaks for f in files), key=len, reverse=True)
        break_words = "|".join(re.escape(w) for w in breaks)
        self.clause_break = re.compile(
            _BREAK_CHARS + (rf"|\b(?:{break_words})\b" if break_words else "")
        )
        self.subjects = _union(f.subjects for f in files)
        self.linkers = _union(f.linkers for f in files)
        self.subordinators = _union(f.subordinators for f in files)
        variants = {k: v for f in files for k, v in f.variants.items()}
        self.spelling = Spelling(variants, (w for f in files for w in f.crisis_words))
        self.context = Context(f.context for f in files)

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
        breaks = list(self.clause_break.finditer(head))
        clause = head[breaks[-1].end() :] if breaks else head
        opener = breaks[-1].group(0) if breaks else ""
        words = self._clause_words(clause)[-NEGATION_WINDOW:] + [first_word]
        # Walk backwards. A subject pronoun starts a new clause ("ze eet niet hij slaat haar"),
        # unless a linker joins it to the previous one ("ik denk niet dat hij haar slaat").
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            if i < len(words) - 1 and self._is_negator(word):
                return not self._in_clause_in_front(words, i, opener, text[start:])
            if _CONTRACTION_RE.sub("", word) in self.subjects and (
                i == 0 or words[i - 1] not in self.linkers
            ):
                return False
        return False

    def _in_clause_in_front(self, words: list[str], negator: int, opener: str, rest: str) -> bool:
        """Dutch puts a clause in front and then inverts the main one: "als ze niet luistert
        slaat hij haar". The negator belongs to the clause in front when a subordinator opens
        it, a word (its verb) follows the negator, and the match starts with verb + subject."""
        if negator >= len(words) - 2:
            return False  # "nooit slaat hij haar": the negator is what stands in front
        opened = opener in self.subordinators or any(
            w in self.subordinators for w in words[:negator]
        )
        verb_then_subject = _WORD_RE.findall(rest[:40])[1:2]
        return opened and bool(verb_then_subject) and verb_then_subject[0] in self.subjects

    def _negated_after(self, text: str, end: int) -> bool:
        tail = text[end : end + _CONTEXT_CHARS]
        answer = _ANSWER_RE.match(tail)
        if answer and answer.group(1) in self.answers:
            return True  # "zelfmoordgedachten? nee"
        clause = self.clause_break.split(tail, maxsplit=1)[0]
        words = self._clause_words(clause)[:TRAILING_NEGATION_WINDOW]
        return any(word in self.trailing_negators for word in words)

    def _counts(self, rule: Rule, text: str, match: re.Match[str]) -> bool:
        if self.context.distanced(text, match.start(), match.end()):
            return False
        if rule.level == "concern" and self.context.resolved(text, match.start(), match.end()):
            return False
        if not rule.negatable:
            return True
        first = _WORD_RE.search(match.group(0))
        first_word = first.group(0) if first else ""
        if self._negated_before(text, match.start(), first_word):
            return False
        return not self._negated_after(text, match.end())

    # -- matching ---------------------------------------------------------------------------

    def _mask_idioms(self, text: str, precheck: bool) -> str:
        wanted = self._idiom_index.candidates(text) if precheck else None
        for i, idiom in enumerate(self.idioms):
            if wanted is None or i in wanted:
                text = idiom.regex.sub(" _ ", text)
        return text

    def _first_match(self, rule: Rule, text: str, cancelled: list[str]) -> re.Match[str] | None:
        """The first match of the rule that is not negated or distanced; a match that does not
        count puts the rule's id in ``cancelled``."""
        for pattern in rule.patterns:
            for match in pattern.regex.finditer(text):
                if self._counts(rule, text, match):
                    return match
                cancelled.append(rule.id)
        return None

    def _hits(
        self, text: str, wanted: set[int] | None, cancelled: list[str]
    ) -> tuple[list[tuple[Rule, tuple[int, int]]], frozenset[str]]:
        """The rules that match and count, and the names of the concepts in the text."""
        hits: list[tuple[Rule, tuple[int, int]]] = []
        numbers = range(len(self.pattern_rules)) if wanted is None else sorted(wanted)
        for i in numbers:
            rule = self.pattern_rules[i]
            match = self._first_match(rule, text, cancelled)
            if match is not None:
                hits.append((rule, match.span()))
        if not self.combos:
            return hits, frozenset()
        tokens = tokenise(text)
        places = self.concepts.places(tokens)
        drop_negated(places, tokens, self._blockers, self._is_negator)
        if places:
            memo: dict = {}
            present = places.keys()
            for rule, needs in self._combo_needs:
                if not needs <= present:
                    continue
                span = self._first_combo(rule, text, tokens, places, memo, cancelled)
                if span is not None:
                    hits.append((rule, span))
        return hits, frozenset(places)

    def _first_combo(
        self, rule: Rule, text: str, tokens, places, memo: dict, cancelled: list[str]
    ) -> tuple[int, int] | None:
        """The first place where all the combo's concepts stand close and it counts."""
        for first, last, chosen in combo_matches(rule.combo, places):  # type: ignore[arg-type]
            start, end = tokens[first].start, tokens[last].end
            if not self._combo_counts(rule, text, start, end, memo, (tokens, first, last, chosen)):
                cancelled.append(rule.id)
                continue
            return start, end
        return None

    def _combo_counts(self, rule: Rule, text: str, start: int, end: int, memo: dict, where) -> bool:
        tokens, first, last, chosen = where
        if self.context.distanced(text, start, end, memo):
            return False
        if rule.level == "concern" and self.context.resolved(text, start, end, memo):
            return False
        if rule.negatable:
            used = {i for p in chosen for i in range(p.first, p.last + 1)}
            between = self._clause_words(text[start:end])
            inside = [
                t.word for i, t in enumerate(tokens[first : last + 1], first) if i not in used
            ]
            if any(self._is_negator(w) for w in inside if w in between):
                return False
            if self._negated_before(text, start, tokens[first].word):
                return False
            if self._negated_after(text, end):
                return False
        return True

    def prepare(self, text: str) -> str:
        return self.spelling.apply(normalise(text))

    def detect(self, text: str, *, precheck: bool = True) -> Detection:
        """``precheck=False`` runs every pattern; tests use it to prove the pre-check is exact."""
        return self.read(text, precheck=precheck).detection

    def read(self, text: str, *, precheck: bool = True) -> Reading:
        """The rules' detection plus what a learned scorer needs (see Reading)."""
        text = self.prepare(text)
        if not text:
            return Reading(NOTHING, "", frozenset(), vetoed=False)
        # Signal words are looked up before masking: masking only removes text (a superset).
        wanted = self._rule_index.candidates(text) if precheck else None
        text = self._mask_idioms(text, precheck)
        if self.context.harmless(text):
            return Reading(NOTHING, text, frozenset(), vetoed=True)
        cancelled: list[str] = []
        hits, concepts = self._hits(text, wanted, cancelled)
        return Reading(self._detection(text, hits), text, concepts, vetoed=bool(cancelled))

    def _detection(self, text: str, hits: list[tuple[Rule, tuple[int, int]]]) -> Detection:
        if not hits:
            return NOTHING
        # Crisis first, then the most urgent family, so the right route and numbers lead.
        hits.sort(key=lambda hit: (LEVELS.index(hit[0].level), FAMILIES.index(hit[0].family)))
        rule, (start, end) = hits[0]
        at_risk = self.context.at_risk(rule, text, start, end)
        families = [r.family for r, _ in hits]
        if rule.level == "crisis" and at_risk == "volunteer":
            families.insert(0, "vrijwilliger_zelf")  # the help is for her: 113, huisarts
        return Detection(
            level=rule.level,
            categories=tuple(dict.fromkeys(c for r, _ in hits for c in r.categories)),
            rules=tuple(r.id for r, _ in hits),
            at_risk=at_risk,
            families=tuple(dict.fromkeys(families)),
        )
