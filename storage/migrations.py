"""Schema versions, one function each, applied in order at start.

The first version shapes the schema for the whole product (users, invites, links,
residents, dialogue state, journal, steps, signals, outbox, due tasks). Never edit an
applied version: add a new function below it.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("omzien")

_V1 = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,                 -- the Telegram user id
    role TEXT NOT NULL CHECK (role IN ('volunteer', 'professional', 'coordinator')),
    display_name TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'nl',
    consent_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'left')),
    reachable INTEGER NOT NULL DEFAULT 1,
    share_energy INTEGER NOT NULL DEFAULT 0,  -- volunteer lets the professional see an energy trend
    share_digest INTEGER NOT NULL DEFAULT 0,  -- volunteer allows level-1 points in a weekly digest
    wants_digest INTEGER NOT NULL DEFAULT 0,  -- professional wants that weekly digest
    rhythm_day INTEGER,                     -- 0 = Monday … 6 = Sunday; NULL = wisselend
    rhythm_part TEXT,                       -- ochtend / middag / avond
    reminders INTEGER NOT NULL DEFAULT 1,
    paused_at TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,         -- sha256 of the code; the code itself is never stored
    role TEXT NOT NULL CHECK (role IN ('volunteer', 'professional', 'coordinator')),
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    used_at TEXT
);
CREATE TABLE links (
    volunteer_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    professional_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    linked_at TEXT NOT NULL
);
CREATE INDEX links_professional ON links(professional_id);
CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    created_at TEXT NOT NULL,
    ended_at TEXT,
    UNIQUE (volunteer_id, alias)
);
CREATE TABLE dialogue_state (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    flow TEXT NOT NULL,
    state TEXT NOT NULL,
    instance TEXT NOT NULL,                 -- ties buttons to this run of the flow
    seq INTEGER NOT NULL,                   -- ties buttons to this question
    answers TEXT NOT NULL,                  -- JSON
    data TEXT NOT NULL,                     -- JSON: what the flow prepared at start
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX dialogue_state_updated ON dialogue_state(updated_at);
CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    resident_id INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,                     -- reflectie, afgezegd, terugblik, afscheid, zorg
    complete INTEGER NOT NULL DEFAULT 1,
    energy INTEGER,
    created_at TEXT NOT NULL,
    owner TEXT NOT NULL,                    -- 'u<user id>': lets FTS5 filter by owner inside MATCH
    body TEXT NOT NULL DEFAULT ''           -- the volunteer's own words, searchable
);
CREATE INDEX journal_user_created ON journal_entries(user_id, created_at);
CREATE TABLE journal_answers (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES journal_entries(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    value TEXT
);
CREATE INDEX journal_answers_entry ON journal_answers(entry_id);
CREATE TABLE asked_questions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    asked_at TEXT NOT NULL
);
CREATE INDEX asked_questions_user ON asked_questions(user_id, id);
CREATE TABLE steps (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    resident_id INTEGER REFERENCES residents(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',    -- open, gelukt, deels, nog_niet, niet_nodig
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX steps_user_status ON steps(user_id, status);
CREATE TABLE signals (
    id INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    resident_id INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    professional_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind TEXT NOT NULL DEFAULT 'signal' CHECK (kind IN ('signal', 'support')),
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    categories TEXT NOT NULL,               -- JSON list of category ids
    note TEXT,
    share_note INTEGER NOT NULL DEFAULT 0,
    consent INTEGER NOT NULL DEFAULT 0,
    resident_knows TEXT,
    status TEXT NOT NULL DEFAULT 'open',    -- journal, open, picked_up, closed
    word_back TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX signals_professional_status ON signals(professional_id, status);
CREATE INDEX signals_volunteer ON signals(volunteer_id);
CREATE TABLE signal_events (
    id INTEGER PRIMARY KEY,
    signal_id INTEGER NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    at TEXT NOT NULL
);
CREATE INDEX signal_events_signal ON signal_events(signal_id);
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    template TEXT NOT NULL,
    total INTEGER NOT NULL,
    progress_chat_id INTEGER,
    progress_message_id INTEGER,
    reported INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    recipient_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    about_id INTEGER REFERENCES users(id) ON DELETE CASCADE,   -- whose data the text is about
    signal_id INTEGER REFERENCES signals(id) ON DELETE CASCADE,
    broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,                  -- JSON: text, buttons, parse mode
    status TEXT NOT NULL DEFAULT 'pending', -- pending, sent, unreachable, failed
    not_before TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    message_id INTEGER
);
CREATE INDEX outbox_pending ON outbox(status, not_before, id);
CREATE INDEX outbox_broadcast ON outbox(broadcast_id, status);
CREATE TABLE due_tasks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    due_at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    signal_id INTEGER REFERENCES signals(id) ON DELETE CASCADE,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending', -- pending, done, cancelled
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX due_tasks_pending ON due_tasks(status, due_at);
CREATE INDEX due_tasks_user ON due_tasks(user_id, kind, status);
"""


@migrations()
def m001_initial_schema(db: Database) -> None:
    for statement in _statements(_V1):
        db.execute(statement)


@migrations()
def m002_journal_search(db: Database) -> None:
    # The owner column is part of the index so a search filters by owner inside MATCH:
    # FTS5 then never ranks other volunteers' entries (see docs/performance.md).
    db.table("journal_entries").enable_fts(
        ["owner", "body"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


@migrations()
def m003_inbox(db: Database) -> None:
    # Every update is stored here before its offset is confirmed to Telegram
    # (bot/transport/inbox.py).
    # `body` (the update's JSON, which holds message text) is set to NULL when the update is
    # handled; the id-only row stays a day so a re-fetched update is recognised.
    db.execute("""
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            body TEXT,
            received_at TEXT NOT NULL,
            handled_at TEXT
        )""")
    db.execute("CREATE INDEX inbox_pending ON inbox(handled_at, update_id)")


@migrations()
def m004_outbox_flags(db: Database) -> None:
    # maybe_sent: how many send attempts of this row may have reached Telegram without us
    # hearing the outcome (counted before each request; a known outcome takes it back).
    # bot/delivery/outbox.py sends a row again only while this is below 2: at most twice, ever.
    db.execute("ALTER TABLE outbox ADD COLUMN maybe_sent INTEGER NOT NULL DEFAULT 0")


@migrations()
def m005_task_retries(db: Database) -> None:
    # A task whose handler raised stays pending and is tried again later (bot/delivery/ticker.py).
    db.execute("ALTER TABLE due_tasks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE due_tasks ADD COLUMN last_error TEXT")


@migrations()
def m007_signal_flow_run(db: Database) -> None:
    # The run of the conversation that wrote a signal: an urgent worry is written the moment
    # it is known, and what the volunteer adds afterwards finds the same signal by its run.
    db.execute("ALTER TABLE signals ADD COLUMN flow_run TEXT")
    db.execute("CREATE INDEX signals_volunteer_run ON signals(volunteer_id, flow_run)")


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
