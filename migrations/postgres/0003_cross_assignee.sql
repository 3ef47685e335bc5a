-- The assignee when they belong to another organisation than the record's owner: the one
-- case where a user sees a record outside their organisation, kept apart so that part of
-- the queue is read from its own small index.
ALTER TABLE records ADD COLUMN cross_assignee TEXT;
UPDATE records SET cross_assignee = assignee
WHERE assignee IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = records.assignee AND u.org_id = records.org_id);
CREATE INDEX records_cross_assignee_due ON records(cross_assignee, next_due, id);
