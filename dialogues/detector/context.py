"""Context around a match: is it distanced (fiction, news, the long past), and who is at risk.

The marker phrases live in the pattern files under ``context`` (reported, fiction, long_past,
present) and ``subjects``; this module only knows how to weigh them:

- a match inside a sentence about a book, a film or the news does not count, unless the same
  sentence also says it is happening now ("nu", "weer", "now", "again");
- a match in a sentence about the long past ("twintig jaar terug", "years ago") does not count
  either, with the same exception: a death long ago is no new worry;
- a worry in a sentence that says it is over or fine ("de fysio helpt goed", "all sorted") is no
  concern; a crisis always counts;
- reported speech ("zijn dochter vertelde dat hij wil stoppen met leven") still counts, and makes
  an "ik" in it the resident's, not the volunteer's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .model import Rule

_SENTENCE_END = re.compile(r"[.!?;]+(?:\s|$)")
_WORD_RE = re.compile(r"[\w']+")
# Words that may stand between the subject and the match: "ik wil echt gewoon dood".
LOOK_BACK_WORDS = 8

# Only subject forms: in "hij vroeg me welke brug" or "ik kreeg haar niet wakker" the volunteer
# is not the one at risk.
FIRST_PERSON = frozenset(
    ["ik", "i", "i'm", "im", "i've", "i'd", "i'll", "mezelf", "mijzelf", "myself", "'k"]
)
FIRST_OBJECT = frozenset(["me", "mij"])
THIRD_PERSON = frozenset(
    [
        "ze",
        "zij",
        "hij",
        "ie",
        "mevrouw",
        "meneer",
        "she",
        "he",
        "her",
        "him",
        "mrs",
        "mr",
        "zichzelf",
        "herself",
        "himself",
    ]
)
VICTIM_THIRD = frozenset(["haar", "hem", "d'r", "mevrouw", "meneer", "her", "him"])
POSSESSIVE = frozenset(["haar", "zijn", "z'n", "zn", "d'r", "der", "her", "his"])
# Someone else in the home, after a possessive: "haar man wil dood" is about him.
OTHERS = frozenset(
    [
        "man",
        "vrouw",
        "partner",
        "zoon",
        "dochter",
        "kleinzoon",
        "kleindochter",
        "broer",
        "zus",
        "kind",
        "kinderen",
        "echtgenoot",
        "husband",
        "wife",
        "partner",
        "son",
        "daughter",
        "grandson",
        "granddaughter",
        "brother",
        "sister",
        "child",
        "kids",
    ]
)
# People outside the resident's household who may be threatened by the resident.
OUTSIDERS = frozenset(
    [
        "buurman",
        "buurvrouw",
        "buren",
        "schoonzoon",
        "schoondochter",
        "neef",
        "nicht",
        "neighbour",
        "neighbor",
        "neighbours",
        "neighbors",
        "lad",
    ]
)


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around a match: from the last sentence end before it to the next one."""
    head = text[:start]
    ends = list(_SENTENCE_END.finditer(head))
    begin = ends[-1].end() if ends else 0
    tail = _SENTENCE_END.search(text, end)
    return text[begin : tail.start() if tail else len(text)]


class Context:
    def __init__(self, markers: Iterable[Mapping[str, tuple[str, ...]]]) -> None:
        merged: dict[str, list[str]] = {}
        for per_file in markers:
            for kind, patterns in per_file.items():
                merged.setdefault(kind, []).extend(patterns)
        self._re = {
            kind: re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")
            for kind, patterns in merged.items()
            if patterns
        }

    def _has(self, kind: str, text: str, memo: dict | None = None) -> bool:
        """Whether a marker of this kind occurs; ``memo`` (one per message) saves searching the
        same sentence again for the next rule."""
        if memo is not None:
            key = (kind, text)
            if key not in memo:
                memo[key] = self._has(kind, text)
            return memo[key]
        regex = self._re.get(kind)
        return bool(regex and regex.search(text))

    def distanced(self, text: str, start: int, end: int, memo: dict | None = None) -> bool:
        """The match is about fiction, the news or the long past, and not about now."""
        sentence = _sentence(text, start, end)
        if not (self._has("fiction", sentence, memo) or self._has("long_past", sentence, memo)):
            return False
        return not self._has("present", sentence, memo)

    def harmless(self, text: str) -> bool:
        """The whole note frames it as a joke, a yearly habit or a worry that is over ("haha",
        "doet ze ieder jaar", "nu niet meer zegt ze"): nothing in it counts, crisis neither."""
        return self._has("harmless", text)

    def resolved(self, text: str, start: int, end: int, memo: dict | None = None) -> bool:
        """The sentence says the worry is over or harmless ("gaat alweer beter", "fine")."""
        return self._has("resolved", _sentence(text, start, end), memo)

    def reported(self, text: str) -> bool:
        """Someone else's words are passed on ("ze zei", "zegt hij", "she told me")."""
        return self._has("reported", text) or '"' in text

    def at_risk(self, rule: Rule, text: str, start: int, end: int) -> str:
        if rule.who_from in ("other", "resident"):
            return rule.who_from
        if rule.who_from == "volunteer":
            return "resident" if self.reported(text) else "volunteer"
        person = self._person(rule, text, start, end)
        if person == "first":
            return "resident" if self.reported(text) else "volunteer"
        return "other" if person == "other" else "resident"

    def _person(self, rule: Rule, text: str, start: int, end: int) -> str | None:
        """Who the match is about: "first", "third", "other" or None (not said)."""
        inside = _WORD_RE.findall(text[start:end])
        before = _WORD_RE.findall(text[max(0, start - 80) : start])[-LOOK_BACK_WORDS:]
        victim = _victim(inside)
        if victim and (rule.who_from == "object" or victim == "third"):
            return victim
        words = before + inside[:2]
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            if word in OTHERS and i > 0 and words[i - 1] in POSSESSIVE:
                return "other" if rule.who_from == "subject" else "third"
            if word in FIRST_PERSON:
                return "first"
            if word in THIRD_PERSON:
                return "third"
        after = _WORD_RE.findall(text[end : end + 40])[:4]
        return "first" if any(w in FIRST_PERSON for w in after) else None


def _victim(words: list[str]) -> str | None:
    """Who a match names as the one it happens to, pronouns first: in "haar man haar slaat" it
    is "haar" (the resident), in "sloeg zijn vrouw" his wife (other), in "slaat me" the writer."""
    possessive = {i for i, w in enumerate(words[:-1]) if w in POSSESSIVE and words[i + 1] in OTHERS}
    for i, word in enumerate(words):
        if i > 0 and (word in FIRST_PERSON or word in FIRST_OBJECT):
            return "first"
    for i, word in enumerate(words):
        if i > 0 and word in VICTIM_THIRD and i not in possessive:
            return "third"
    if possessive or any(w in OUTSIDERS for w in words):
        return "other"
    return None
