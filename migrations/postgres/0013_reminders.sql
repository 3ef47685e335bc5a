-- A personal follow-up a user sets on a record ("call the unit back", at 09:00 tomorrow).
-- Kept by the server so it follows the user to another machine; done once, by its owner.
CREATE TABLE reminders (
    id BIGSERIAL PRIMARY KEY,
    owner TEXT NOT NULL,
    record_id TEXT NOT NULL,
    due_at TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT
);
-- The owner's open reminders, soonest first; and those on a page of records.
CREATE INDEX reminders_open ON reminders(owner, done_at, due_at);
CREATE INDEX reminders_record ON reminders(owner, record_id);
