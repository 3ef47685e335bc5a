-- R-SUBMIT-4: a non-major incident report held for its month's batch waits with status
-- 'held'; once built into a batch it is 'batched' and names the batch, whose answer is
-- recorded on each member's record.
ALTER TABLE submissions ADD COLUMN batch_id BIGINT;
CREATE INDEX submissions_batch ON submissions(batch_id);
CREATE INDEX submissions_held ON submissions(org_id, status, queued_at);
