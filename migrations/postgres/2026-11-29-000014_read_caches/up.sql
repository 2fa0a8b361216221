-- Issue 14, reads. Each process keeps signed-in users in memory; what ends or changes a session
-- (a sign-out, a role granted) is written here in the same transaction, and every process reads
-- what is new at most a second later and forgets those sessions (service::sessions).
CREATE TABLE revocations (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT,
    user_id TEXT,
    at TIMESTAMP NOT NULL
);

-- The major adjustments' links (第三十七条) as rows: the original decision and the new decision
-- its `changed` fact names. A decision's view shows the decisions it adjusts; this was a scan of
-- every `record:changed` event's payload on every read.
CREATE TABLE decision_links (
    original_id TEXT NOT NULL REFERENCES decisions(id),
    new_id TEXT NOT NULL,
    PRIMARY KEY (original_id, new_id)
);
CREATE INDEX decision_links_new ON decision_links (new_id);
-- The link is the first "new_decision" in the event's payload (the command's fact).
INSERT INTO decision_links (original_id, new_id)
SELECT DISTINCT decision_id, substring(payload from '"new_decision":"([^"]*)"')
FROM events
WHERE command = 'record:changed' AND payload LIKE '%"new_decision":"%'
ON CONFLICT DO NOTHING;

-- The portal's home page is kept until a decision or a catalog changes, and an organ's annual
-- report until one of its own does: the last change of each is read through these.
CREATE INDEX decisions_updated_at ON decisions (updated_at);
CREATE INDEX decisions_organ_updated_at ON decisions (organ_id, updated_at);
CREATE INDEX catalogs_organ_updated_at ON catalogs (organ_id, updated_at);

-- What start-up looks for (decisions recorded before the report's columns were kept) is found
-- through this index, not by reading every decision's row.
CREATE INDEX decisions_report_unfilled ON decisions (id) WHERE procedures_required IS NULL;

-- Lists read each organ's decisions along an index, as decision organ and as lead unit, and the
-- portal's home the newest of all.
CREATE INDEX decisions_lead_unit ON decisions (lead_unit_id, created_at, id);
CREATE INDEX decisions_created ON decisions (created_at, id);
