-- R-SUBMIT-1: the outbox. A submission is written in the transaction of the event that
-- queues it, so none is lost and none exists without its event; a worker delivers it with
-- its idempotency key, leasing it so that two servers never send it at once, and records
-- the recipient's answer on the record. Times are RFC 3339 text in UTC, which sorts as time.
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    record_id TEXT,
    org_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- queued, sending, awaiting (handed over, its receipt still to come), accepted,
    -- rejected, failing (to be tried again at next_try_at), withdrawn (made outside cims
    -- before it went).
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL,
    lease_until TEXT,
    leased_by TEXT,
    sent_at TEXT,
    answered_at TEXT,
    reference TEXT,
    reasons TEXT,
    last_error TEXT,
    queued_by TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    -- A resubmission after a rejection names the one it replaces.
    replaces BIGINT
);
CREATE INDEX submissions_due ON submissions(status, next_try_at);
CREATE INDEX submissions_record ON submissions(record_id, id);
