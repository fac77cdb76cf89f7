"""Families of meaning built from word lists that combine (issue 15 item 1).

A phrase list learns sentences; a *combination* learns the meaning. The pattern files declare

- ``concepts``: named word lists ("dood": dood, doodgaan, sterven, ...). An entry is a word, a
  word start ending in ``*`` ("sterf*" covers sterft, sterven not: write both), or a few words
  ("er niet meer zijn"), ending in `` $`` when it must close the sentence ("wil niet meer $");
  ``@name`` takes in another concept's entries;
- ``combos``: rules that fire when a word of *every* listed concept stands in one sentence,
  at most ``within`` words apart ("wil" ... "dood" -> active death wish; ``scope: note`` lets
  them stand in different sentences of the note), unless a word of an
  ``unless`` concept stands in that sentence too ("haha", "grapje", "in de film").

Looking a word up in a dict is cheap: the text is split into words once, every concept's
places are found in one pass, and each combo only compares positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .model import PatternError

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*|'[a-z]+|[.!?;]")
_SENTENCE_MARKS = frozenset(".!?;")


class Token(NamedTuple):
    word: str
    start: int
    end: int
    sentence: int


class Place(NamedTuple):
    """Where a concept occurs: token positions first..last (inclusive) and the characters."""

    first: int
    last: int
    start: int
    end: int
    sentence: int


@dataclass(frozen=True)
class Combo:
    concepts: tuple[str, ...]
    within: int
    unless: tuple[str, ...]  # a word of these in the same sentence: the combo does not count
    unless_note: tuple[str, ...]  # ... anywhere in the note
    in_order: bool
    note_wide: bool = False  # the concepts may stand in different sentences of the note
    at_least: int = 1  # with one concept: this many different words of it in the note


def tokenise(text: str) -> list[Token]:
    tokens: list[Token] = []
    sentence = 0
    for match in _TOKEN_RE.finditer(text):
        word = match.group(0)
        if word in _SENTENCE_MARKS:
            sentence += 1
            continue
        start = match.start()
        if word[0] == "'" and len(word) > 2:
            # An opening quote, not a clitic ("'s nachts", "'t"): 'thank you for everything'
            # and 'voor later' are the words themselves, passed on in quotes.
            word = word[1:]
            start += 1
        tokens.append(Token(word, start, match.end(), sentence))
    return tokens


def _entry_parts(entry: str) -> tuple[str, ...]:
    return tuple(entry.split())


class ConceptIndex:
    """All concepts of all files, merged by name: finds every concept's places in a text."""

    def __init__(self, concepts: Mapping[str, Iterable[str]]) -> None:
        resolved = _resolve(concepts)
        self.names = frozenset(resolved)
        # One word: word -> concepts. Several words: (first, second) -> [(the rest, at the end of
        # the sentence, concept)], so the common first words ("she", "not") cost one lookup.
        # Entries whose first or second word is a word start (*) are kept apart (few).
        self._single: dict[str, list[str]] = {}
        self._pairs: dict[tuple[str, str], list[tuple[tuple[str, ...], bool, str]]] = {}
        self._loose: dict[str, list[tuple[str, tuple[str, ...], bool, str]]] = {}
        for name, entries in resolved.items():
            for entry in entries:
                parts = _entry_parts(entry)
                at_end = parts[-1] == "$"
                if at_end:
                    parts = parts[:-1]
                head = parts[0]
                if any(p.endswith("*") and len(p) < 4 for p in parts):
                    raise PatternError(f"concept {name}: {entry!r} has too short a word start")
                if len(parts) == 1 and not at_end and not head.endswith("*"):
                    self._single.setdefault(head, []).append(name)
                elif len(parts) > 1 and not head.endswith("*") and not parts[1].endswith("*"):
                    self._pairs.setdefault((head, parts[1]), []).append((parts[2:], at_end, name))
                else:
                    key = head[:3]
                    self._loose.setdefault(key, []).append((head, parts[1:], at_end, name))

    def places(self, tokens: list[Token]) -> dict[str, list[Place]]:
        found: dict[str, list[Place]] = {}
        count = len(tokens)
        for i, token in enumerate(tokens):
            word = token.word
            for name in self._single.get(word, ()):
                found.setdefault(name, []).append(
                    Place(i, i, token.start, token.end, token.sentence)
                )
            if i + 1 < count and tokens[i + 1].sentence == token.sentence:
                for rest, at_end, name in self._pairs.get((word, tokens[i + 1].word), ()):
                    self._add(found, tokens, i, i + 1, rest, at_end, name)
            for head, rest, at_end, name in self._loose.get(word[:3], ()):
                if _word_matches(word, head):
                    self._add(found, tokens, i, i, rest, at_end, name)
        return found

    @staticmethod
    def _add(found, tokens, first, done, rest, at_end, name) -> None:
        """The entry's words up to ``done`` matched; check the rest and the sentence end."""
        last = done + len(rest)
        sentence = tokens[first].sentence
        if last >= len(tokens) or tokens[last].sentence != sentence:
            return
        for k, part in enumerate(rest, done + 1):
            if not _word_matches(tokens[k].word, part):
                return
        if at_end and last + 1 < len(tokens) and tokens[last + 1].sentence == sentence:
            return  # "ze wil niet meer $": only at the end of the sentence
        found.setdefault(name, []).append(
            Place(first, last, tokens[first].start, tokens[last].end, sentence)
        )


def _word_matches(word: str, part: str) -> bool:
    return word.startswith(part[:-1]) if part.endswith("*") else word == part


def _resolve(concepts: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    raw = {name: list(entries) for name, entries in concepts.items()}
    done: dict[str, tuple[str, ...]] = {}

    def expand(name: str, seen: tuple[str, ...]) -> tuple[str, ...]:
        if name in done:
            return done[name]
        if name not in raw:
            raise PatternError(f"unknown concept @{name}")
        if name in seen:
            raise PatternError(f"concept @{name} takes in itself")
        out: list[str] = []
        for entry in raw[name]:
            if entry.startswith("@"):
                out.extend(expand(entry[1:], (*seen, name)))
            else:
                out.append(entry)
        done[name] = tuple(dict.fromkeys(out))
        return done[name]

    for name in raw:
        expand(name, ())
    return done


def combo_matches(
    combo: Combo, places: Mapping[str, list[Place]]
) -> Iterable[tuple[int, int, tuple[Place, ...]]]:
    """Every (first token, last token, places used) where all concepts stand close."""
    lists = [places.get(name) or [] for name in combo.concepts]
    if not all(lists):
        return
    note_blockers = [p for name in combo.unless_note for p in places.get(name, ())]
    if combo.at_least > 1:
        for found in _enough_cues(combo, places):
            if not _blocked(note_blockers, found[2]):
                yield found
        return
    blockers = [p for name in combo.unless for p in places.get(name, ())]
    for anchor in lists[0]:
        chosen = [anchor]
        for others in lists[1:]:
            best = None
            for place in others:
                if place.sentence != anchor.sentence and not combo.note_wide:
                    continue
                if combo.in_order and place.first <= chosen[-1].last:
                    continue
                if _overlaps(place, chosen):
                    continue
                distance = _gap(anchor, place)
                if distance > combo.within:
                    continue
                if best is None or distance < best[0]:
                    best = (distance, place)
            if best is None:
                break
            chosen.append(best[1])
        else:
            first = min(p.first for p in chosen)
            last = max(p.last for p in chosen)
            if any(b.sentence == anchor.sentence for b in blockers):
                continue
            if _blocked(note_blockers, chosen):
                continue
            yield first, last, tuple(chosen)


def _enough_cues(combo: Combo, places: Mapping[str, list[Place]]):
    """A bag of cues: at least ``at_least`` places of the concept that do not overlap."""
    cues = sorted(places.get(combo.concepts[0], ()), key=lambda p: (p.first, -p.last))
    chosen: list[Place] = []
    for place in cues:
        if not chosen or place.first > chosen[-1].last:
            chosen.append(place)
    if len(chosen) < combo.at_least:
        return
    blocked = {b.sentence for name in combo.unless for b in places.get(name, ())}
    chosen = [p for p in chosen if p.sentence not in blocked]
    if len(chosen) >= combo.at_least:
        yield chosen[0].first, chosen[-1].last, tuple(chosen)


def _blocked(blockers: list[Place], chosen) -> bool:
    """A note-wide blocker counts unless it is part of the match itself: "nothing makes him
    happy" is a low mood, not a good visit, although "happy" is a good-visit word."""
    return any(not _overlaps(b, list(chosen)) for b in blockers)


def drop_negated(
    places: dict[str, list[Place]], tokens: list[Token], names: frozenset[str], negated
) -> None:
    """Places of the blocking concepts (``names``) right after a negator do not count:
    "isn't great" or "niet gezellig" says no good visit, so it cannot clear a worry."""
    for name in names & places.keys():
        kept = [p for p in places[name] if p.first == 0 or not negated(tokens[p.first - 1].word)]
        if kept:
            places[name] = kept
        else:
            del places[name]


def _gap(a: Place, b: Place) -> int:
    """Words standing between two places (0 when they touch or overlap)."""
    if b.first > a.last:
        return b.first - a.last - 1
    if a.first > b.last:
        return a.first - b.last - 1
    return 0


def _overlaps(place: Place, chosen: list[Place]) -> bool:
    return any(not (place.last < c.first or place.first > c.last) for c in chosen)
