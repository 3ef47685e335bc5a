-- Search by visibility class (R-PRIV-8): search_open, search_identifying and search_protected
-- now hold the record as masked for each class, and search_words every word the record holds
-- anywhere, folded, in order. When a reporter's name, phone, email or address becomes protected, the
-- records that hold it as a phrase are found through this full-text index and re-projected
-- in the same transaction. The index is kept in step with the table by the triggers below;
-- it refers to rows by rowid, which only VACUUM would renumber (cims never runs it).
ALTER TABLE records ADD COLUMN search_words TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE records_words USING fts5(
    search_words, content = 'records', content_rowid = 'rowid'
);
CREATE TRIGGER records_words_insert AFTER INSERT ON records BEGIN
    INSERT INTO records_words (rowid, search_words) VALUES (new.rowid, new.search_words);
END;
CREATE TRIGGER records_words_delete AFTER DELETE ON records BEGIN
    INSERT INTO records_words (records_words, rowid, search_words)
    VALUES ('delete', old.rowid, old.search_words);
END;
CREATE TRIGGER records_words_update AFTER UPDATE OF search_words ON records
WHEN old.search_words IS NOT new.search_words BEGIN
    INSERT INTO records_words (records_words, rowid, search_words)
    VALUES ('delete', old.rowid, old.search_words);
    INSERT INTO records_words (rowid, search_words) VALUES (new.rowid, new.search_words);
END;
-- Every server replica loads the terms added since it last looked, in sequence order.
CREATE INDEX protected_terms_seq ON protected_terms(added_seq);
