-- R-PRIV-9: what the queue sorts and filters a caller on is counted over the deadlines the
-- caller may see. next_due and deadlines_missed count every deadline (protective
-- interveners); the _identifying columns those of readers of identifying but not protected
-- fields; the _open columns those every reader may see. Rows written before are recomputed
-- from their state when the server starts (projection_version).
ALTER TABLE records ADD COLUMN next_due_identifying TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN deadlines_missed_identifying INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN next_due_open TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN deadlines_missed_open INTEGER NOT NULL DEFAULT 0;
-- A user of an organisation reads its records, and those assigned to them, in their order.
CREATE INDEX records_org_due_identifying ON records(org_id, next_due_identifying, id);
CREATE INDEX records_cross_assignee_due_identifying
    ON records(cross_assignee, next_due_identifying, id);
-- A department user who is not a protective intervener reads other organisations' records
-- in the order every reader may see.
CREATE INDEX records_due_open ON records(next_due_open, id);
-- Trends stay answered from one index.
DROP INDEX records_analysis;
CREATE INDEX records_analysis ON records(
    created_on, kind, status, org_id, cross_assignee, ssr_critical, primary_type,
    service_type, impact, stage, deadlines_missed, next_due, deadlines_missed_identifying,
    next_due_identifying, deadlines_missed_open, next_due_open
);
