-- A deadline is at risk from where its band begins (policy data) until it falls due.
-- at_risk_from is the earliest such start among a record's open deadlines, counted, as
-- next_due is, over the deadlines each visibility class may see (R-PRIV-9): a record is
-- coming up (due:at_risk) when at_risk_from has passed and next_due has not. Rows written
-- before are recomputed from their state when the server starts (projection_version); until
-- then they are never at risk.
ALTER TABLE records ADD COLUMN at_risk_from TEXT NOT NULL DEFAULT '9999-12-31T23:59:59Z';
ALTER TABLE records ADD COLUMN at_risk_from_identifying TEXT NOT NULL DEFAULT '9999-12-31T23:59:59Z';
ALTER TABLE records ADD COLUMN at_risk_from_open TEXT NOT NULL DEFAULT '9999-12-31T23:59:59Z';
