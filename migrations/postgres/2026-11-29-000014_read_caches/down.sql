DROP INDEX decisions_created;
DROP INDEX decisions_lead_unit;
DROP INDEX decisions_report_unfilled;
DROP INDEX catalogs_organ_updated_at;
DROP INDEX decisions_organ_updated_at;
DROP INDEX decisions_updated_at;
DROP TABLE decision_links;
DROP TABLE revocations;
