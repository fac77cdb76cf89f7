"""Scope creep in the volunteer's own words: which boundary topics a typed answer touches.

The words live in content/<locale>/catalogues/boundaries.yaml (`onderwerpen`), copied into
the conversation's data at start (prepare_reflection), so conditions need no content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def normalise(text: str) -> str:
    return " ".join(text.translate(APOSTROPHES).casefold().split())


def typed_answers(answers: Mapping[str, Any], data: Mapping[str, Any]) -> list[str]:
    return [answers[k] for k in data.get("typed", ()) if isinstance(answers.get(k), str)]


def topics_in(answers: Mapping[str, Any], data: Mapping[str, Any]) -> list[str]:
    """Topic ids whose words occur in any typed answer, in catalogue order."""
    texts = [normalise(t) for t in typed_answers(answers, data)]
    found = []
    for topic_id, patterns in (data.get("grens_woorden") or {}).items():
        if any(re.search(p, t) for p in patterns for t in texts):
            found.append(topic_id)
    return found
