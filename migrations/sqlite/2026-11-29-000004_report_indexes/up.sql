-- The annual report counts an organ's records of a year (stages due and done, comments received
-- and adopted, decisions started and adopted). It reads them from indexes that hold every column
-- it needs, by organ, so that its cost grows with the organ's records of that year, not with
-- every decision of the organ looked up one by one (10,000 decisions: ~25 ms a query before).
-- A decision's organ never changes, so its id is written beside its stage rows and comments.
ALTER TABLE stage_records ADD COLUMN organ_id TEXT;
UPDATE stage_records SET organ_id = (SELECT organ_id FROM decisions WHERE decisions.id = stage_records.decision_id);
ALTER TABLE comments ADD COLUMN organ_id TEXT;
UPDATE comments SET organ_id = (SELECT organ_id FROM decisions WHERE decisions.id = comments.decision_id);
DROP INDEX stage_records_due;
DROP INDEX stage_records_done;
CREATE INDEX stage_records_organ_due ON stage_records (organ_id, due_on, done_on, stage, decision_id);
CREATE INDEX stage_records_organ_done ON stage_records (organ_id, stage, status, done_on);
CREATE INDEX comments_organ_received ON comments (organ_id, received_at, disposition);
DROP INDEX decisions_organ_adopted;
CREATE INDEX decisions_organ_adopted ON decisions (organ_id, adopted_on, id, title, procedures_required, procedures_completed);
DROP INDEX decisions_organ;
CREATE INDEX decisions_organ ON decisions (organ_id, created_at, id, status, catalog_item_id);
