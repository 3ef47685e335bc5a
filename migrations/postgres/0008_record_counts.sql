-- Analysis counts without reading the records (R-PRIV-9 for outcomes): how many records
-- share each creation date, kind, organisation, status, cross-organisation assignee,
-- critical notifiable flag, and value of one dimension. Each record counts once under each
-- dimension: its type, service, impact and stage, and its deadline outcome as each
-- visibility class sees it: 'missed' when a deadline that class sees was met late,
-- otherwise the UTC date of its next due time. Triggers keep the counts in the
-- transaction that changes records, once per statement.
CREATE TABLE count_dimensions (dimension TEXT PRIMARY KEY);
INSERT INTO count_dimensions (dimension) VALUES
    ('type'), ('service'), ('impact'), ('stage'), ('due'), ('due_identifying'), ('due_open');

CREATE TABLE record_counts (
    dimension TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_on TEXT NOT NULL,
    org_id TEXT NOT NULL,
    status TEXT NOT NULL,
    cross_assignee TEXT NOT NULL,
    ssr_critical BIGINT NOT NULL,
    grp TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp)
);

-- Where a record is counted, one row per dimension.
CREATE FUNCTION record_count_keys(r records) RETURNS TABLE (
    dimension TEXT, kind TEXT, created_on TEXT, org_id TEXT, status TEXT, cross_assignee TEXT,
    ssr_critical BIGINT, grp TEXT
) LANGUAGE sql STABLE AS $$
    SELECT g.dimension, r.kind, r.created_on, r.org_id, r.status,
        COALESCE(r.cross_assignee, ''), r.ssr_critical,
        CASE g.dimension
            WHEN 'type' THEN COALESCE(r.primary_type, '')
            WHEN 'service' THEN COALESCE(r.service_type, '')
            WHEN 'impact' THEN COALESCE(r.impact, '')
            WHEN 'stage' THEN r.stage
            WHEN 'due' THEN CASE WHEN r.deadlines_missed > 0 THEN 'missed'
                ELSE substr(r.next_due, 1, 10) END
            WHEN 'due_identifying' THEN CASE WHEN r.deadlines_missed_identifying > 0
                THEN 'missed' ELSE substr(r.next_due_identifying, 1, 10) END
            ELSE CASE WHEN r.deadlines_missed_open > 0 THEN 'missed'
                ELSE substr(r.next_due_open, 1, 10) END
        END
    FROM count_dimensions g
$$;

INSERT INTO record_counts
    (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, n)
SELECT k.dimension, k.kind, k.created_on, k.org_id, k.status, k.cross_assignee,
    k.ssr_critical, k.grp, COUNT(*)
FROM records r CROSS JOIN LATERAL record_count_keys(r) k
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

-- Whether any record of a part holds a value, without reading the records: the queue skips
-- a part its filter matches nothing in.
CREATE INDEX record_counts_by_value ON record_counts(dimension, grp, org_id, status, kind);
-- Counts that fell to nothing, found at once and removed.
CREATE INDEX record_counts_empty ON record_counts(dimension) WHERE n = 0;

-- Each statement's change in counts is added in key order, so concurrent writers take
-- the rows' locks in the same order. A record's old counts come off, its new ones go on.
CREATE FUNCTION record_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT k.*, 1 AS d FROM new_rows r CROSS JOIN LATERAL record_count_keys(r::records) k
    )
    INSERT INTO record_counts AS c
        (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, n)
    SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp,
        SUM(d)
    FROM delta
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING SUM(d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp)
    DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE FUNCTION record_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT k.*, -1 AS d FROM old_rows r CROSS JOIN LATERAL record_count_keys(r::records) k
        UNION ALL
        SELECT k.*, 1 AS d FROM new_rows r CROSS JOIN LATERAL record_count_keys(r::records) k
    )
    INSERT INTO record_counts AS c
        (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, n)
    SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp,
        SUM(d)
    FROM delta
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING SUM(d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp)
    DO UPDATE SET n = c.n + excluded.n;
    DELETE FROM record_counts WHERE n = 0;
    RETURN NULL;
END
$$;
CREATE FUNCTION record_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT k.*, -1 AS d FROM old_rows r CROSS JOIN LATERAL record_count_keys(r::records) k
    )
    INSERT INTO record_counts AS c
        (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, n)
    SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp,
        SUM(d)
    FROM delta
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING SUM(d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp)
    DO UPDATE SET n = c.n + excluded.n;
    DELETE FROM record_counts WHERE n = 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER record_counts_insert AFTER INSERT ON records
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION record_counts_inserted();
CREATE TRIGGER record_counts_update AFTER UPDATE ON records
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION record_counts_updated();
CREATE TRIGGER record_counts_delete AFTER DELETE ON records
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION record_counts_deleted();
