-- The annual decision catalog (第三条第三款): one per organ and year. Its events are in `events`
-- (a hash chain per catalog id, like a decision's); `state` is the fold of those events, and
-- `catalog_items` projects the items for links and queries.
CREATE TABLE catalogs (
    id TEXT PRIMARY KEY NOT NULL,
    organ_id TEXT NOT NULL REFERENCES organs(id),
    year INTEGER NOT NULL,
    pack_id TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    first_published_on TEXT,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (organ_id, year)
);
-- No REFERENCES here: SQLite cannot drop a column a foreign key names (down.sql).
ALTER TABLE catalog_items ADD COLUMN catalog_id TEXT;
ALTER TABLE catalog_items ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
CREATE INDEX catalog_items_catalog ON catalog_items (catalog_id, number);
CREATE INDEX decisions_catalog_item ON decisions (catalog_item_id);
-- The date a stage is due by, where the record sets one (the legality review's due date,
-- 第二十六条、第二十八条; the archive's, where a pack counts days, 第三十三条): the report counts
-- stages done on time and late from it without reading every decision's record.
ALTER TABLE stage_records ADD COLUMN due_on TEXT;
-- The day the decision was adopted (China time), for the annual report.
ALTER TABLE decisions ADD COLUMN adopted_on TEXT;
CREATE INDEX decisions_organ_adopted ON decisions (organ_id, adopted_on);
-- What the report counts of each decision, written with every command so that the report reads
-- aggregates, not every stage row: the four procedures (public participation, expert review,
-- risk assessment, legality review) its pack requires for its attributes and those completed, as
-- ",id,id," lists (NULL: not yet computed; `juece migrate` and `serve` fill them); and the day (China
-- time) each stage was done, to compare with its due date.
ALTER TABLE decisions ADD COLUMN procedures_required TEXT;
ALTER TABLE decisions ADD COLUMN procedures_completed TEXT;
ALTER TABLE stage_records ADD COLUMN done_on TEXT;
CREATE INDEX stage_records_due ON stage_records (due_on);
CREATE INDEX stage_records_done ON stage_records (stage, done_on);
