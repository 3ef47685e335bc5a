-- A handover from a worker ending a shift: to a person or to a whole organisation (team),
-- with a line per record; acknowledged once by one of those it is addressed to. Both the
-- writing and the acknowledgement are kept here, with their time and who.
CREATE TABLE handovers (
    id BIGSERIAL PRIMARY KEY,
    author TEXT NOT NULL,
    to_user TEXT,
    to_org TEXT,
    written_at TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    CHECK ((to_user IS NULL) <> (to_org IS NULL))
);
CREATE INDEX handovers_to_user ON handovers(to_user, id);
CREATE INDEX handovers_to_org ON handovers(to_org, id);
CREATE INDEX handovers_author ON handovers(author, id);
CREATE TABLE handover_items (
    handover_id BIGINT NOT NULL REFERENCES handovers(id),
    position BIGINT NOT NULL,
    record_id TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (handover_id, position)
);
