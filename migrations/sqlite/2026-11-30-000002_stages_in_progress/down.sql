DROP INDEX stage_records_in_progress;
