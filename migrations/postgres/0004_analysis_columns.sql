-- Columns for analysis and learning: the Melbourne date of creation (what trends count
-- by), the service type, how many deadlines were met late, and the learning actions still
-- open with their owners (each wrapped in newlines so a LIKE finds one owner exactly).
-- projection_version marks rows written before a column existed; the server recomputes
-- those from their state when it starts.
ALTER TABLE records ADD COLUMN created_on TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN service_type TEXT;
ALTER TABLE records ADD COLUMN deadlines_missed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN open_actions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN action_owners TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN projection_version BIGINT NOT NULL DEFAULT 0;
-- Trends read only these columns, so they are answered from this index alone: the table's
-- rows, each holding the record's whole state, are never read for a count.
CREATE INDEX records_analysis ON records(
    created_on, kind, status, org_id, cross_assignee, ssr_critical, primary_type,
    service_type, impact, stage, deadlines_missed, next_due
);
CREATE INDEX records_stale ON records(projection_version);
-- The records with open learning actions, in the queue's default order, for their list.
CREATE INDEX records_open_actions_due ON records(next_due, id) WHERE open_actions > 0;
