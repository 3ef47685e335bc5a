-- R-PERSON-1, R-PERSON-2: a practitioner's decision that two mentions are one person. Each
-- mention (`<record>.<role><position>`) is a person of its own; a person is every mention
-- joined to it by decisions not undone. A caller follows only the decisions between
-- mentions they may see (R-PERSON-3, R-PRIV-8). Undone in place, never deleted, so both
-- sides' histories keep it.
CREATE TABLE person_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    undone_by TEXT,
    undone_at TEXT,
    undo_reason TEXT
);
CREATE INDEX person_links_a ON person_links(a);
CREATE INDEX person_links_b ON person_links(b);
