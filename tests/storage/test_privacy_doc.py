"""docs/privacy.md, the FG's document, against the code it describes: the processing
register (§3, between `<!-- register:begin -->` and `<!-- register:end -->`) has one row
per table of the migrated database, and the retention periods (§4, the `retention` table,
and every "365 days (`retention_days`)" anywhere in the text) are the code's defaults.

    .venv/bin/python -m pytest tests/storage/test_privacy_doc.py -q
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

from bot.config import Settings
from bot.delivery.ticker import OUTBOX_KEEP_DAYS
from storage.inbox import KEEP_HANDLED

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
REGISTER_COLUMNS = 7
UNITS = {"day": "days", "days": "days", "hour": "hours", "hours": "hours"}
NAMED_PERIOD = re.compile(r"(\d+) (days?|hours?) \(`(\w+)`\)")


def code_periods() -> dict[str, timedelta]:
    """Every retention-like default: each setting in days or hours, and the fixed ones."""
    defaults = Settings()
    found = {
        f.name: timedelta(**{f.name.rsplit("_", 1)[1]: getattr(defaults, f.name)})
        for f in fields(Settings)
        if f.name.endswith(("_days", "_hours"))
    }
    found.update(OUTBOX_KEEP_DAYS=timedelta(days=OUTBOX_KEEP_DAYS), KEEP_HANDLED=KEEP_HANDLED)
    return found


def marked_rows(text: str, name: str) -> list[list[str]]:
    """The cells of the markdown table between the markers, header and rule left out."""
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match, f"no <!-- {name}:begin/end --> markers in {DOC.name}"
    lines = [line for line in match.group(1).splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines[2:]]


def first_cell_name(row: list[str]) -> str:
    match = re.fullmatch(r"`(\w+)`", row[0])
    assert match, f"the first cell should be a `name`: {row[0]!r}"
    return match.group(1)


def schema_tables(db) -> set[str]:
    """The tables of the database; an FTS index's own tables (`<index>_data`, …) belong to
    the index's row."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return {name for name, _ in rows if not any(name.startswith(f"{index}_") for index in virtual)}


def register_problems(text: str, db) -> list[str]:
    documented = [first_cell_name(row) for row in marked_rows(text, "register")]
    tables = schema_tables(db)
    problems = [f"table {t} has no row in the register" for t in sorted(tables - set(documented))]
    problems += [
        f"the register names {t}, which the database does not have"
        for t in sorted(set(documented) - tables)
    ]
    problems += [f"{t} has two rows" for t in sorted(set(documented)) if documented.count(t) > 1]
    return problems


def as_period(amount: str, unit: str) -> timedelta:
    return timedelta(**{UNITS[unit]: int(amount)})


def shown(period: timedelta | None) -> str:
    if period is None:
        return "no such setting"
    hours = period // timedelta(hours=1)
    return f"{hours // 24} days" if hours % 24 == 0 else f"{hours} hours"


def period_problems(text: str, periods: dict[str, timedelta]) -> list[str]:
    problems = []
    table = {}
    for row in marked_rows(text, "retention"):
        match = re.fullmatch(r"(\d+) (days?|hours?)", row[1])
        assert match, f"the default of {row[0]} should read like '365 days': {row[1]!r}"
        table[first_cell_name(row)] = as_period(*match.groups())
    for name in sorted(periods.keys() - table.keys()):
        problems.append(f"{name} (default {shown(periods[name])}) is not in the retention table")
    for name, written in sorted(table.items()):
        if name not in periods:
            problems.append(f"the retention table names {name}, which the code does not have")
        elif written != periods[name]:
            problems.append(
                f"the retention table says {name} is {shown(written)}; "
                f"the code: {shown(periods[name])}"
            )
    for amount, unit, name in NAMED_PERIOD.findall(text):
        if periods.get(name) != as_period(amount, unit):
            problems.append(
                f"the text says '{amount} {unit} ({name})'; the code: {shown(periods.get(name))}"
            )
    return problems


def test_the_register_has_one_row_for_every_table_of_the_database(db):
    assert register_problems(DOC.read_text(encoding="utf-8"), db) == []


def test_every_row_of_the_register_says_each_thing_an_fg_asks(db):
    rows = marked_rows(DOC.read_text(encoding="utf-8"), "register")
    assert len(rows) >= len(schema_tables(db))
    for row in rows:
        assert len(row) == REGISTER_COLUMNS and all(row), f"an empty or missing cell: {row}"


def test_a_table_added_to_the_schema_without_a_row_fails_the_check(db):
    db.execute("CREATE TABLE visit_notes (id INTEGER PRIMARY KEY, body TEXT)")
    db["steps"].enable_fts(["text"])  # a new search index counts too
    problems = register_problems(DOC.read_text(encoding="utf-8"), db)
    assert problems == [
        "table steps_fts has no row in the register",
        "table visit_notes has no row in the register",
    ]


def test_the_retention_periods_in_the_text_are_the_codes_defaults():
    text = DOC.read_text(encoding="utf-8")
    assert period_problems(text, code_periods()) == []
    assert len(NAMED_PERIOD.findall(text)) >= 3, "the register names its periods with the setting"


def test_a_changed_default_or_a_new_setting_fails_the_check():
    text = DOC.read_text(encoding="utf-8")
    shorter = {**code_periods(), "retention_days": timedelta(days=90)}
    problems = period_problems(text, shorter)
    assert "the retention table says retention_days is 365 days; the code: 90 days" in problems
    assert "the text says '365 days (retention_days)'; the code: 90 days" in problems
    more = {**code_periods(), "steps_keep_days": timedelta(days=30)}
    assert period_problems(text, more) == [
        "steps_keep_days (default 30 days) is not in the retention table"
    ]
    assert "retention_days" in code_periods() and "flow_idle_hours" in code_periods()
