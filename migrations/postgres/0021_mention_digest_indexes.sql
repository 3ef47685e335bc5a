-- R-PERSON-1: the indexes of the key rows migration 20 rebuilt. Each holds the whole key
-- of a row and its digest, so a search reads a key's newest rows, through the key alone
-- or within the caller's organisation or assignments, from the index alone.
SET LOCAL maintenance_work_mem = '512MB';
ALTER TABLE mention_keys ADD PRIMARY KEY (key, record_id, role, position) INCLUDE (digest);
CREATE INDEX mention_keys_record ON mention_keys(record_id);
CREATE INDEX mention_keys_org ON mention_keys(key, org_id, record_id, role, position)
    INCLUDE (digest);
CREATE INDEX mention_keys_assignee ON mention_keys(key, assignee, record_id, role, position)
    INCLUDE (digest);
-- A read from the index alone needs the table's pages marked all-visible, which a vacuum
-- does: vacuum after each hundredth of the table is new, not each fifth, so the newest
-- rows, the ones a search reads, are read from the index alone too.
ALTER TABLE mention_keys SET (autovacuum_vacuum_insert_scale_factor = 0.01);
