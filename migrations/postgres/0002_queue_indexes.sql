-- Sort keys compare byte by byte, as on SQLite, whatever the database's locale: keyset
-- paging and merging pages in the server rely on one order.
ALTER TABLE records
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN stage TYPE TEXT COLLATE "C",
    ALTER COLUMN next_due TYPE TEXT COLLATE "C",
    ALTER COLUMN created_at TYPE TEXT COLLATE "C",
    ALTER COLUMN updated_at TYPE TEXT COLLATE "C";

-- Indexes for the queue's common views, each ending in the default sort (next deadline,
-- then id) so a page is read in order from the index instead of sorted.
DROP INDEX records_assignee;
CREATE INDEX records_assignee_due ON records(assignee, next_due, id);
CREATE INDEX records_kind_due ON records(kind, next_due, id);
CREATE INDEX records_impact_due ON records(impact, next_due, id);
