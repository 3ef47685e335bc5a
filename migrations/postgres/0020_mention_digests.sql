-- R-PERSON-1, R-PERSON-2: every key row carries its mention's digest, the given names, the
-- family name and the date of birth as a JSON array (src/domain/people/digest.rs), so that
-- a search for candidates bounds each mention's score from the key rows alone and reads
-- whole only the mentions that may reach a band. A mention known by other names (aliases,
-- former family names) has none and is always read whole.
--
-- The rows are copied in key order, so that a key's rows lie together in the table too.
-- The indexes are built by the next migration, once this one has committed and the old
-- table's files are gone: a large register never holds both tables and all their indexes.
SET LOCAL work_mem = '256MB';
CREATE TABLE mention_keys_digested (
    key TEXT NOT NULL,
    record_id TEXT NOT NULL,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    org_id TEXT NOT NULL,
    assignee TEXT,
    digest TEXT
);
-- Each mention's data is read as JSON once (OFFSET 0 keeps the cast from being repeated
-- in every expression that uses it).
WITH digests AS MATERIALIZED (
    SELECT record_id, role, position,
           CASE
               WHEN jsonb_array_length(d -> 'aliases')
                    + jsonb_array_length(d -> 'former_family_names') > 0
               THEN NULL
               ELSE jsonb_build_array(
                   d ->> 'given_names',
                   d ->> 'family_name',
                   COALESCE(
                       d -> 'dob' ->> 'Exact',
                       (d -> 'dob' -> 'YearMonth' ->> 0) || '-'
                           || lpad(d -> 'dob' -> 'YearMonth' ->> 1, 2, '0'),
                       d -> 'dob' ->> 'Year',
                       'unknown'))::text
           END AS digest
    FROM (SELECT record_id, role, position, data::jsonb AS d FROM person_mentions OFFSET 0) AS p
)
INSERT INTO mention_keys_digested (key, record_id, role, position, org_id, assignee, digest)
SELECT k.key, k.record_id, k.role, k.position, k.org_id, k.assignee, g.digest
FROM mention_keys AS k
LEFT JOIN digests AS g
    ON g.record_id = k.record_id AND g.role = k.role AND g.position = k.position
ORDER BY k.key, k.record_id, k.role, k.position;
DROP TABLE mention_keys;
ALTER TABLE mention_keys_digested RENAME TO mention_keys;
