-- R-PRIV-8: a protected term is stored with the write that brings it, pending until the
-- records that held it before are re-projected; no search runs while one is pending.
-- The terms stored before were re-projected with the write that brought them.
ALTER TABLE protected_terms ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX protected_terms_pending ON protected_terms(added_seq) WHERE pending = 1;
