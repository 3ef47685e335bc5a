-- Analysis counts without reading the records (R-PRIV-9 for outcomes): how many records
-- share each creation date, kind, organisation, status, cross-organisation assignee,
-- critical notifiable flag, and value of one dimension. Each record counts once under each
-- dimension: its type, service, impact and stage, and its deadline outcome as each
-- visibility class sees it: 'missed' when a deadline that class sees was met late,
-- otherwise the UTC date of its next due time. Triggers keep the counts in the
-- transaction that changes a record.
CREATE TABLE count_dimensions (dimension TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO count_dimensions (dimension) VALUES
    ('type'), ('service'), ('impact'), ('stage'), ('due'), ('due_identifying'), ('due_open');

CREATE TABLE record_counts (
    dimension TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_on TEXT NOT NULL,
    org_id TEXT NOT NULL,
    status TEXT NOT NULL,
    cross_assignee TEXT NOT NULL,
    ssr_critical INTEGER NOT NULL,
    grp TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp)
) WITHOUT ROWID;
-- Whether any record of a part holds a value, without reading the records: the queue skips
-- a part its filter matches nothing in.
CREATE INDEX record_counts_by_value ON record_counts(dimension, grp, org_id, status, kind);
-- Counts that fell to nothing, found at once and removed.
CREATE INDEX record_counts_empty ON record_counts(dimension) WHERE n = 0;

-- Where each record is counted, one row per dimension.
CREATE VIEW record_count_keys AS
SELECT r.rowid AS record_rowid, g.dimension, r.kind, r.created_on, r.org_id, r.status,
    COALESCE(r.cross_assignee, '') AS cross_assignee, r.ssr_critical,
    CASE g.dimension
        WHEN 'type' THEN COALESCE(r.primary_type, '')
        WHEN 'service' THEN COALESCE(r.service_type, '')
        WHEN 'impact' THEN COALESCE(r.impact, '')
        WHEN 'stage' THEN r.stage
        WHEN 'due' THEN CASE WHEN r.deadlines_missed > 0 THEN 'missed'
            ELSE substr(r.next_due, 1, 10) END
        WHEN 'due_identifying' THEN CASE WHEN r.deadlines_missed_identifying > 0 THEN 'missed'
            ELSE substr(r.next_due_identifying, 1, 10) END
        ELSE CASE WHEN r.deadlines_missed_open > 0 THEN 'missed'
            ELSE substr(r.next_due_open, 1, 10) END
    END AS grp
FROM records r CROSS JOIN count_dimensions g;

INSERT INTO record_counts
    (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, n)
SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, COUNT(*)
FROM record_count_keys
GROUP BY dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp;

CREATE TRIGGER record_counts_insert AFTER INSERT ON records BEGIN
    INSERT INTO record_counts
        (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, n)
    SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, 1
    FROM record_count_keys WHERE record_rowid = new.rowid
    ON CONFLICT (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp)
    DO UPDATE SET n = n + 1;
END;

-- A record's counts come off before a change to anything counted, and go back on after.
CREATE TRIGGER record_counts_before_update BEFORE UPDATE OF kind, created_on, org_id, status,
    cross_assignee, ssr_critical, primary_type, service_type, impact, stage, next_due,
    deadlines_missed, next_due_identifying, deadlines_missed_identifying, next_due_open,
    deadlines_missed_open ON records
WHEN old.kind IS NOT new.kind OR old.created_on IS NOT new.created_on
    OR old.org_id IS NOT new.org_id OR old.status IS NOT new.status
    OR old.cross_assignee IS NOT new.cross_assignee OR old.ssr_critical IS NOT new.ssr_critical
    OR old.primary_type IS NOT new.primary_type OR old.service_type IS NOT new.service_type
    OR old.impact IS NOT new.impact OR old.stage IS NOT new.stage
    OR old.next_due IS NOT new.next_due OR old.deadlines_missed IS NOT new.deadlines_missed
    OR old.next_due_identifying IS NOT new.next_due_identifying OR old.deadlines_missed_identifying IS NOT new.deadlines_missed_identifying
    OR old.next_due_open IS NOT new.next_due_open OR old.deadlines_missed_open IS NOT new.deadlines_missed_open
BEGIN
    UPDATE record_counts SET n = n - 1
    WHERE (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp) IN (
        SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp
        FROM record_count_keys WHERE record_rowid = old.rowid
    );
END;
CREATE TRIGGER record_counts_after_update AFTER UPDATE OF kind, created_on, org_id, status,
    cross_assignee, ssr_critical, primary_type, service_type, impact, stage, next_due,
    deadlines_missed, next_due_identifying, deadlines_missed_identifying, next_due_open,
    deadlines_missed_open ON records
WHEN old.kind IS NOT new.kind OR old.created_on IS NOT new.created_on
    OR old.org_id IS NOT new.org_id OR old.status IS NOT new.status
    OR old.cross_assignee IS NOT new.cross_assignee OR old.ssr_critical IS NOT new.ssr_critical
    OR old.primary_type IS NOT new.primary_type OR old.service_type IS NOT new.service_type
    OR old.impact IS NOT new.impact OR old.stage IS NOT new.stage
    OR old.next_due IS NOT new.next_due OR old.deadlines_missed IS NOT new.deadlines_missed
    OR old.next_due_identifying IS NOT new.next_due_identifying OR old.deadlines_missed_identifying IS NOT new.deadlines_missed_identifying
    OR old.next_due_open IS NOT new.next_due_open OR old.deadlines_missed_open IS NOT new.deadlines_missed_open
BEGIN
    INSERT INTO record_counts
        (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, n)
    SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp, 1
    FROM record_count_keys WHERE record_rowid = new.rowid
    ON CONFLICT (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp)
    DO UPDATE SET n = n + 1;
    DELETE FROM record_counts WHERE n = 0;
END;

CREATE TRIGGER record_counts_delete BEFORE DELETE ON records BEGIN
    UPDATE record_counts SET n = n - 1
    WHERE (dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp) IN (
        SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, grp
        FROM record_count_keys WHERE record_rowid = old.rowid
    );
END;
CREATE TRIGGER record_counts_after_delete AFTER DELETE ON records BEGIN
    DELETE FROM record_counts WHERE n = 0;
END;
