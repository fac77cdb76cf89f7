"""Which rules can match a text at all, judged by their signal words (declared in the YAML).

Checking a few hundred words with ``in`` is much cheaper than running a few hundred regexes,
and a three-letter index narrows even that down to the words that share a piece with the text.
A rule without signal words is always tried, so the index can only save time, never change a
result (the tests compare both paths).
"""

from __future__ import annotations

from collections.abc import Iterable


class WordIndex:
    def __init__(self, word_sets: Iterable[frozenset[str] | None]) -> None:
        self._always: set[int] = set()
        self._owners: dict[str, list[int]] = {}
        for i, words in enumerate(word_sets):
            if not words:
                self._always.add(i)
                continue
            for word in words:
                self._owners.setdefault(word, []).append(i)
        self._by_start: dict[str, list[str]] = {}
        self._short: list[
            str
        ] = []  # words under three letters ("tia" is three): checked one by one
        for word in self._owners:
            if len(word) < 3:
                self._short.append(word)
            else:
                self._by_start.setdefault(word[:3], []).append(word)
        self._keys = frozenset(self._by_start)

    def candidates(self, text: str) -> set[int]:
        """Numbers of the entries whose signal words occur in the text."""
        found = set(self._always)
        trigrams = {text[i : i + 3] for i in range(len(text) - 2)}
        for key in self._keys.intersection(trigrams):
            for word in self._by_start[key]:
                if word in text:
                    found.update(self._owners[word])
        for word in self._short:
            if word in text:
                found.update(self._owners[word])
        return found
