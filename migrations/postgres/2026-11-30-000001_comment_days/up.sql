-- Issue 10, the report's comment figures. Each organ's comments received on each day (China's
-- calendar day of received_at, UTC+8) and how many of them are adopted in whole or part, kept by
-- the intake and the handling of comments in their own transactions (db::counters): the annual
-- report sums at most 366 rows instead of counting every comment of the organ's year.
CREATE TABLE comment_days (
    organ_id TEXT NOT NULL,
    day TEXT NOT NULL,
    received BIGINT NOT NULL,
    adopted BIGINT NOT NULL,
    PRIMARY KEY (organ_id, day)
);
-- The comments received before (db::counters::recount_days counts them the same way).
INSERT INTO comment_days (organ_id, day, received, adopted)
SELECT organ_id, to_char(received_at + interval '8 hours', 'YYYY-MM-DD'), COUNT(*),
       SUM(CASE WHEN disposition IN ('adopted', 'partly_adopted') THEN 1 ELSE 0 END)
FROM comments WHERE organ_id IS NOT NULL
GROUP BY organ_id, to_char(received_at + interval '8 hours', 'YYYY-MM-DD');
