-- R-LINK-1: an intake report and the incidents it was registered for as new allegations,
-- kept beside the intake's events so an incident finds its intakes through an index.
CREATE TABLE record_links (
    intake_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    PRIMARY KEY (intake_id, incident_id)
);
CREATE INDEX record_links_incident ON record_links(incident_id);
