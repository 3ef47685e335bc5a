-- R-PERSON-2: a practitioner decides either that two mentions are one person ('same') or
-- that they are not ('distinct'). A decision that they are not is never followed as an
-- identity: it keeps matching from proposing the one as the other, and a merge of the two
-- from being made, until it is undone. Every decision made before this was 'same'.
ALTER TABLE person_links ADD COLUMN kind TEXT NOT NULL DEFAULT 'same';
