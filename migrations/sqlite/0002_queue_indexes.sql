-- Indexes for the queue's common views, each ending in the default sort (next deadline,
-- then id) so a page is read in order from the index instead of sorted.
DROP INDEX records_assignee;
CREATE INDEX records_assignee_due ON records(assignee, next_due, id);
CREATE INDEX records_kind_due ON records(kind, next_due, id);
CREATE INDEX records_impact_due ON records(impact, next_due, id);
