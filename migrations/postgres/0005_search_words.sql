-- Search by visibility class (R-PRIV-8): search_open, search_identifying and search_protected
-- now hold the record as masked for each class, and search_words every word the record holds
-- anywhere, folded, in order. When a reporter's name, phone, email or address becomes protected, the
-- records that hold it as a phrase are found through this index and re-projected in the
-- same transaction. The words are letters and digits separated by spaces, so the 'simple'
-- parser cuts them exactly as cims does.
ALTER TABLE records ADD COLUMN search_words TEXT NOT NULL DEFAULT '';
CREATE INDEX records_words ON records USING gin (to_tsvector('simple', search_words));
-- Every server replica loads the terms added since it last looked, in sequence order.
CREATE INDEX protected_terms_seq ON protected_terms(added_seq);
