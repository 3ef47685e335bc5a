-- What each user last saw of each record: the version shown to them, and the newest event
-- sequence of the register at that moment. The queue marks the records others changed since
-- (version), and the Since view lists the changes made after the user's last look (seq).
CREATE TABLE record_seen (
    user_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, record_id)
);
CREATE INDEX record_seen_latest ON record_seen(user_id, seq);
