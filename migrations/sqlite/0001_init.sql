-- cims schema, SQLite. Types kept to TEXT/INTEGER so one SQL path serves SQLite and
-- PostgreSQL through sqlx Any: times are RFC 3339 UTC text, JSON is text, flags 0/1.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    protective_intervener INTEGER NOT NULL,
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX tokens_user ON tokens(user_id);

-- The one counter every append takes in order: commit order equals sequence order, so a
-- reader resuming after sequence N never misses an event committed later below N.
CREATE TABLE event_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO event_seq (id, last) VALUES (1, 0);

CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    record_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (record_id, version)
);

-- Events are the legal record: never changed, never removed.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- The current state of each record, updated in the same transaction as its events.
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    org_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    next_due TEXT NOT NULL,
    impact TEXT,
    primary_type TEXT,
    ssr_critical INTEGER NOT NULL,
    search_open TEXT NOT NULL,
    search_identifying TEXT NOT NULL,
    search_protected TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX records_due ON records(next_due, id);
CREATE INDEX records_org_due ON records(org_id, next_due, id);
CREATE INDEX records_assignee ON records(assignee);

CREATE TABLE id_counters (prefix TEXT PRIMARY KEY, last BIGINT NOT NULL);

CREATE TABLE idempotency (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Strings that identify a reporter, for redaction and search everywhere else (R-PRIV-2).
CREATE TABLE protected_terms (
    term TEXT PRIMARY KEY,
    added_seq BIGINT NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_id TEXT,
    detail TEXT NOT NULL
);
