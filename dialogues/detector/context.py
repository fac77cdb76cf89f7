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

FIRST_PERSON = frozenset("ik i i'm im i've i'd i'll me mij mezelf mijzelf myself 'k".split())
THIRD_PERSON = frozenset(
    "ze zij hij ie mevrouw meneer she he her him mrs mr mevr dhr zichzelf herself himself".split()
)
POSSESSIVE = frozenset("haar zijn z'n zn d'r der her his".split())
# Someone else in the home, after a possessive: "haar man wil dood" is about him.
OTHERS = frozenset(
    "man vrouw partner zoon dochter kleinzoon kleindochter broer zus kind kinderen echtgenoot "
    "husband wife partner son daughter grandson granddaughter brother sister child kids".split()
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

    def _has(self, kind: str, text: str) -> bool:
        regex = self._re.get(kind)
        return bool(regex and regex.search(text))

    def distanced(self, text: str, start: int, end: int) -> bool:
        """The match is about fiction, the news or the long past, and not about now."""
        sentence = _sentence(text, start, end)
        if not (self._has("fiction", sentence) or self._has("long_past", sentence)):
            return False
        return not self._has("present", sentence)

    def resolved(self, text: str, start: int, end: int) -> bool:
        """The sentence says the worry is over or harmless ("gaat alweer beter", "fine")."""
        return self._has("resolved", _sentence(text, start, end))

    def reported(self, text: str) -> bool:
        """Someone else's words are passed on ("ze zei", "zegt hij", "she told me")."""
        return self._has("reported", text) or '"' in text

    def at_risk(self, rule: Rule, text: str, start: int, end: int) -> str:
        if rule.who_from == "other":
            return "other"
        if rule.who_from == "volunteer":
            return "resident" if self.reported(text) else "volunteer"
        person = self._person(rule, text, start, end)
        if person == "first":
            return "resident" if self.reported(text) else "volunteer"
        return "other" if person == "other" else "resident"

    def _person(self, rule: Rule, text: str, start: int, end: int) -> str | None:
        """Who the match is about: "first", "third", "other" or None (not said)."""
        inside = _WORD_RE.findall(text[start:end])
        if rule.who_from == "object":
            # "hij kwam met een mes op me af": the one it is done to stands in the match.
            for i, word in enumerate(inside):
                if word in FIRST_PERSON:
                    return "first"
                if word in OTHERS and i > 0 and inside[i - 1] in POSSESSIVE:
                    return "third"  # "sloeg zijn vrouw": the resident or her partner
        before = _WORD_RE.findall(text[max(0, start - 80) : start])[-LOOK_BACK_WORDS:]
        words = before + inside[:2]
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            if word in OTHERS and i > 0 and words[i - 1] in POSSESSIVE:
                return "other" if rule.who_from == "subject" else "third"
            if word in FIRST_PERSON:
                return "first"
            if word in THIRD_PERSON:
                return "third"
        return None
