-- Every read of the public's personal data (commenters' and hearing applicants' contacts) is
-- recorded: who read what of which decision, when, and how many records it held.
CREATE TABLE personal_data_reads (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    what TEXT NOT NULL,
    records BIGINT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX personal_data_reads_decision ON personal_data_reads (decision_id, at);
