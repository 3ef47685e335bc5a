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
-- A key's mentions are read newest record first, at most a few hundred a key: through
-- the key alone for those who may see every record's identifying details, through the key
-- and the organisation or the assignee for the others, so that neither the register's size
-- nor what a caller may not see changes what a search reads.
CREATE TABLE mention_keys (
    key TEXT NOT NULL,
    record_id TEXT NOT NULL,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    org_id TEXT NOT NULL,
    assignee TEXT,
    PRIMARY KEY (key, record_id, role, position)
);
CREATE INDEX mention_keys_record ON mention_keys(record_id);
CREATE INDEX mention_keys_org ON mention_keys(key, org_id, record_id);
CREATE INDEX mention_keys_assignee ON mention_keys(key, assignee, record_id);
