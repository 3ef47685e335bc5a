-- R-PERSON-1, R-PERSON-2: every key row carries its mention's digest, the given names, the
-- family name and the date of birth as a JSON array (src/domain/people/digest.rs), so that
-- a search for candidates bounds each mention's score from the key rows alone and reads
-- whole only the mentions that may reach a band. A mention known by other names (aliases,
-- former family names) has none and is always read whole. The table is kept in key order
-- (WITHOUT ROWID): a key's newest rows, digests and all, are one narrow range, and so are
-- they in the indexes by organisation and assignee, which hold each row's whole key and
-- digest: a caller's assignments are a few rows scattered through a common key's block.
--
-- The old indexes go first, so that their pages are reused before the file grows; the
-- rows are copied in key order, so that each page of the new table is written once.
DROP INDEX mention_keys_org;
DROP INDEX mention_keys_assignee;
DROP INDEX mention_keys_record;
CREATE TABLE mention_keys_digested (
    key TEXT NOT NULL,
    record_id TEXT NOT NULL,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    org_id TEXT NOT NULL,
    assignee TEXT,
    digest TEXT,
    PRIMARY KEY (key, record_id, role, position)
) WITHOUT ROWID;
INSERT INTO mention_keys_digested (key, record_id, role, position, org_id, assignee, digest)
SELECT k.key, k.record_id, k.role, k.position, k.org_id, k.assignee,
       CASE
           WHEN m.data IS NULL
                OR json_array_length(m.data, '$.aliases')
                   + json_array_length(m.data, '$.former_family_names') > 0
           THEN NULL
           ELSE json_array(
               json_extract(m.data, '$.given_names'),
               json_extract(m.data, '$.family_name'),
               COALESCE(
                   json_extract(m.data, '$.dob.Exact'),
                   json_extract(m.data, '$.dob.YearMonth[0]') || '-'
                       || printf('%02d', json_extract(m.data, '$.dob.YearMonth[1]')),
                   CAST(json_extract(m.data, '$.dob.Year') AS TEXT),
                   'unknown'))
       END
FROM mention_keys AS k NOT INDEXED
LEFT JOIN person_mentions AS m
    ON m.record_id = k.record_id AND m.role = k.role AND m.position = k.position
ORDER BY k.key, k.record_id, k.role, k.position;
DROP TABLE mention_keys;
ALTER TABLE mention_keys_digested RENAME TO mention_keys;
CREATE INDEX mention_keys_record ON mention_keys(record_id);
CREATE INDEX mention_keys_org ON mention_keys(key, org_id, record_id, role, position, digest);
CREATE INDEX mention_keys_assignee
    ON mention_keys(key, assignee, record_id, role, position, digest);
