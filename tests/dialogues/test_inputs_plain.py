"""A typed answer is compared with the button labels in a plain form (dialogues/inputs.py
`_plain`): lower case, letters and digits only, one space between words. The fast form
must give what the letter-by-letter definition gives, for any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialogues.inputs import _plain


def by_definition(text: str) -> str:
    kept = "".join(ch if ch.isalnum() else " " for ch in text.casefold())
    return " ".join(kept.split())


@given(st.text())
def test_the_plain_form_is_letters_and_digits_one_space_apart(text):
    assert _plain(text) == by_definition(text)


def test_examples_people_type():
    assert _plain("  Ja 🙂 ") == "ja"
    assert _plain("Nee, ga_verder!") == "nee ga verder"
    assert _plain("ÉÉN\tkeer") == "één keer"
    assert _plain("½ uur") == "½ uur"
