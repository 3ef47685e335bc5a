-- A filter by stage that matches few of the records a caller may see: those records are
-- found through these indexes and sorted, instead of walking every record in deadline
-- order to find them. The counts in record_counts say which way is cheaper.
CREATE INDEX records_org_stage_due_identifying
    ON records(org_id, status, stage, next_due_identifying, id);
CREATE INDEX records_stage_due ON records(status, stage, next_due, id);
