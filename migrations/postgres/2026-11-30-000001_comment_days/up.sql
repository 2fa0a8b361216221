-- Issue 10, the report's comment figures. Each organ's comments received on each day (China's
-- calendar day of received_at, UTC+8) on each decision, and how many of them are adopted in whole
-- or part, kept by the intake and the handling of comments in their own transactions
-- (db::counters): the annual report sums a few rows per consultation instead of counting every
-- comment of the organ's year. A row per decision, not per organ: only transactions that hold
-- the decision's row lock write it, so comment batches and handlings of different decisions
-- never wait on each other for it (on PostgreSQL, a shared row would be a new deadlock between
-- a command batch and an intake).
CREATE TABLE comment_days (
    organ_id TEXT NOT NULL,
    day TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    received BIGINT NOT NULL,
    adopted BIGINT NOT NULL,
    PRIMARY KEY (organ_id, day, decision_id)
);
-- The comments received before (db::counters::recount_days counts them the same way).
INSERT INTO comment_days (organ_id, day, decision_id, received, adopted)
SELECT organ_id, to_char(received_at + interval '8 hours', 'YYYY-MM-DD'), decision_id, COUNT(*),
       SUM(CASE WHEN disposition IN ('adopted', 'partly_adopted') THEN 1 ELSE 0 END)
FROM comments WHERE organ_id IS NOT NULL
GROUP BY organ_id, to_char(received_at + interval '8 hours', 'YYYY-MM-DD'), decision_id;
