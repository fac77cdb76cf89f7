"""Who may do what: the one table from command or button kind to the roles allowed.

Button data grants nothing by itself: the handler behind each button kind checks again
that the presser owns what the button points at (their own conversation, their signal).
"""

from __future__ import annotations

VOLUNTEER = "volunteer"
PROFESSIONAL = "professional"
COORDINATOR = "coordinator"
EVERYONE = frozenset({VOLUNTEER, PROFESSIONAL, COORDINATOR})
UNREGISTERED = "unregistered"

COMMANDS: dict[str, frozenset[str]] = {
    "/start": EVERYONE | {UNREGISTERED},
    "/help": EVERYONE,
    "/privacy": EVERYONE,
    "/stop": EVERYONE,
    "/taal": EVERYONE,
    "/export": EVERYONE,
    "/vergeet": EVERYONE,
    "/bezoek": frozenset({VOLUNTEER}),
    "/dagboek": frozenset({VOLUNTEER}),
    "/zoek": frozenset({VOLUNTEER}),
    "/stap": frozenset({VOLUNTEER}),
    "/zorg": frozenset({VOLUNTEER}),
    "/bewoners": frozenset({VOLUNTEER}),
    "/ritme": frozenset({VOLUNTEER}),
    "/pauze": frozenset({VOLUNTEER}),
    "/verder": frozenset({VOLUNTEER}),
    "/overzicht": frozenset({VOLUNTEER}),
    "/signalen": frozenset({PROFESSIONAL}),
    "/vrijwilligers": frozenset({PROFESSIONAL}),
    "/uitnodigen": frozenset({COORDINATOR}),
    "/koppel": frozenset({COORDINATOR}),
    "/waardering": frozenset({COORDINATOR}),
    "/team": frozenset({COORDINATOR}),
}

# Button kinds: the part of callback_data before the first dot.
BUTTONS: dict[str, frozenset[str]] = {
    "f": EVERYONE,  # a step in the presser's own conversation
    "c": frozenset({UNREGISTERED}),  # consent during onboarding
    "t": EVERYONE,  # language choice
    "i": frozenset({COORDINATOR}),  # invite: pick a role
    "j": frozenset({VOLUNTEER}),  # journal paging
    "p": frozenset({VOLUNTEER}),  # steps
    "v": EVERYONE,  # forgetting: the two confirmations
    "pv": frozenset({VOLUNTEER}),  # what a volunteer shares with their contact person
    "b": frozenset({VOLUNTEER}),  # /bewoners: the people I visit
    "ko": frozenset({COORDINATOR}),  # /koppel: volunteer → professional
    "wa": frozenset({COORDINATOR}),  # /waardering: recipients and template
    "ri": frozenset({VOLUNTEER}),  # buttons on a reminder or check-in
    "s": frozenset({PROFESSIONAL, COORDINATOR}),  # s.<id>.<action>; handler checks assignment
    "z": frozenset({VOLUNTEER}),  # offer to pass on a worry the detector noticed
    "k": frozenset({VOLUNTEER}),  # k.<task>.<j|n>: pass crisis words on now?
    "h": frozenset({VOLUNTEER}),  # h.<j|n>: the volunteer herself, contact wanted?
    "d": frozenset({PROFESSIONAL}),  # weekly digest of aandachtspunten on/off
}

# What each role sees in Telegram's command menu, in this order.
MENUS: dict[str, tuple[str, ...]] = {
    VOLUNTEER: (
        "bezoek",
        "dagboek",
        "zoek",
        "stap",
        "zorg",
        "bewoners",
        "overzicht",
        "ritme",
        "pauze",
        "verder",
        "privacy",
        "export",
        "vergeet",
        "taal",
        "help",
        "stop",
    ),
    PROFESSIONAL: ("signalen", "vrijwilligers", "privacy", "export", "vergeet", "taal", "help"),
    COORDINATOR: (
        "uitnodigen",
        "koppel",
        "waardering",
        "team",
        "privacy",
        "export",
        "vergeet",
        "taal",
        "help",
    ),
}


def role_of(user) -> str:
    return user.role if user is not None else UNREGISTERED


def may_command(role: str, command: str) -> bool:
    return role in COMMANDS.get(command, frozenset())


def may_press(role: str, data: str) -> bool:
    return role in BUTTONS.get(data.split(".", 1)[0], frozenset())


def is_known_command(command: str) -> bool:
    return command in COMMANDS


def allows(role: str, inp) -> bool:
    """The input passes the table: what bot/routing/dispatch.py checks before a turn."""
    if inp.kind == "command":
        return is_known_command(inp.command) and may_command(role, inp.command)
    if inp.kind == "button":
        return may_press(role, inp.data)
    return True
