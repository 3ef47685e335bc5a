-- R-PERSON-1: every person a record names (a client, a child, a parent, a subject of an
-- allegation, a reporter), as matching reads them, and the blocking keys that find them.
-- Both are rebuilt from the record whenever it is written.
CREATE TABLE person_mentions (
    record_id TEXT NOT NULL,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (record_id, role, position)
);
CREATE TABLE mention_keys (
    key TEXT NOT NULL,
    record_id TEXT NOT NULL,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (key, record_id, role, position)
);
CREATE INDEX mention_keys_record ON mention_keys(record_id);
