-- The portal's home lists every open consultation and every hearing announced (issue 11): the
-- decisions with those stages in progress, however long ago each decision began. Only the rows
-- in progress are in this index, so a stage's other changes do not write to it. Queries name the
-- status as a literal (a bound value cannot show SQLite that the index applies).
CREATE INDEX stage_records_in_progress ON stage_records (stage, decision_id) WHERE status = 'in_progress';
