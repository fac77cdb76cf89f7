"""Rendering one appreciation message for one recipient, in the recipient's language.

Used for the preview the coordinator sees and for every outbox row of a broadcast, so
both are the same text. A ready-made template comes from content/<locale>/appreciation/;
a text the coordinator typed is escaped first, and `{voornaam}` in it becomes the
recipient's first name. The coordinator's first name is added as a signature. Never any
journal content: the only facts used are the first name and time since joining.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

from content.render import Content

OWN_TEXT = "eigen"  # the template id for "Zelf schrijven"
MAX_OWN_TEXT = 700


def time_together(joined: datetime | None, now: datetime) -> str:
    """A key for how long someone has been with us: time, never a count of visits."""
    days = (now - joined).days if joined else 0
    for limit, key in ((60, "maand"), (150, "paar_maanden"), (300, "half_jaar"), (540, "jaar")):
        if days < limit:
            return key
    return "jaren"


def render_appreciation(
    content: Content,
    template: str,
    locale: str,
    *,
    voornaam: str,
    afzender: str,
    tekst: str | None = None,
    joined: datetime | None = None,
    now: datetime | None = None,
    persoonlijk: str | None = None,
) -> str:
    if template == OWN_TEXT:
        body = Markup(str(escape(tekst or "")).replace("{voornaam}", str(escape(voornaam))))
    else:
        entries = content.appreciations(locale)
        entry = entries.get(template) or content.appreciations("nl")[template]
        mijlpaal = (
            content.render(f"coordinator.tijd_{time_together(joined, now or joined)}", locale)
            if joined and now
            else content.render("coordinator.tijd_maand", locale)
        )
        body = content.render_text(entry["text"], voornaam=voornaam, mijlpaal=mijlpaal)
    if persoonlijk:  # the coordinator's own line under any template, first name filled in
        own = str(escape(persoonlijk)).replace("{voornaam}", str(escape(voornaam)))
        body = Markup(f"{body}\n\n{own}")
    return content.render("coordinator.waardering_bericht", locale, bericht=body, afzender=afzender)
