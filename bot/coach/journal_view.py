"""A journal entry as something worth rereading: each question with its answer (buttons
too), the step in full, what was noticed. Typed answers are shown at their question, so
nothing stands twice."""

from __future__ import annotations

from content.render import Content

# (answer key, label key, question id in content/<locale>/dagboek.yaml), in reading order.
LINES = (
    ("afgezegd_hoe", "afgezegd_hoe_label", "dagboek.v_afgezegd_hoe"),
    ("afgezegd_reden", None, "dagboek.v_afgezegd_reden"),
    ("afgezegd_gevoel", "afgezegd_gevoel_label", "dagboek.v_gevoel"),
    ("antwoord_1", "antwoord_1_label", None),  # the appreciative question
    ("regie", "regie_label", "dagboek.v_regie"),
    ("vorige_stap", "vorige_stap_label", "dagboek.v_vorige_stap"),
    ("nieuwe_stap", "nieuwe_stap_tekst", "dagboek.v_nieuwe_stap"),
    ("buiten_afspraak", "buiten_afspraak_label", "dagboek.v_afspraken"),
    ("grens", "grens_label", "dagboek.v_grens"),
)


def question_lines(
    content: Content, locale: str, answers: dict, alias: str
) -> list[tuple[str, str]]:
    found = []
    for key, label_key, question_id in LINES:
        answer = answers.get(label_key) if label_key else None
        answer = answer or answers.get(key)
        if not isinstance(answer, str) or not answer:
            continue
        question = _question(content, locale, answers, key, question_id, alias)
        if question:
            found.append((question, answer))
    worries = _worries(content, locale, _noticed(answers))
    if worries:
        found.append((content.render("dagboek.v_zorgen", locale), worries))
    return found


def _question(content: Content, locale, answers, key, question_id, alias) -> str:
    if key == "antwoord_1":
        wanted = answers.get("vraag_1_id")
        bank = content.catalogue("questions", locale).get("questions", ())
        asked = next((q for q in bank if q["id"] == wanted), None)
        return content.render_text(asked["text"], alias=alias) if asked else ""
    return content.render(
        question_id, locale, alias=alias, stap=answers.get("vorige_stap_tekst") or ""
    )


def _noticed(answers: dict):
    """The boxes ticked; "Nee" at "Viel je iets op?" reads as nothing special."""
    if answers.get("zorgen"):
        return answers["zorgen"]
    return ["niets"] if answers.get("opgevallen") == "nee" else None


def _worries(content: Content, locale: str, chosen) -> str:
    """The categories noticed, by their labels; "Niets bijzonders" says so too."""
    if not chosen:
        return ""
    labels = {e["id"]: e["label"] for e in content.catalogue("signals", locale).get("signals", ())}
    labels["niets"] = content.render("knoppen.niets_bijzonders", locale)
    return ", ".join(labels.get(c, c) for c in chosen)


def leftover(body: str, shown: list[tuple[str, str]]) -> str:
    """Typed text that no question above shows (older entries, other flows)."""
    answered = {answer for _, answer in shown}
    return "\n".join(line for line in body.splitlines() if line not in answered)
