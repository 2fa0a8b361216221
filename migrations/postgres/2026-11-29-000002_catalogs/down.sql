DROP INDEX decisions_organ_adopted;
ALTER TABLE decisions DROP COLUMN adopted_on;
ALTER TABLE stage_records DROP COLUMN due_on;
DROP INDEX decisions_catalog_item;
DROP INDEX catalog_items_catalog;
ALTER TABLE catalog_items DROP COLUMN number;
ALTER TABLE catalog_items DROP COLUMN catalog_id;
DROP TABLE catalogs;
