-- The comment counts of each decision, kept by the comment intake and by the handling of
-- comments in the same transaction as the comments themselves (issue 13, defect 8): a public
-- consultation page reads one row instead of counting every comment on every view. Decisions
-- whose comments were received before are counted by `juece migrate` and `juece serve`
-- (db::counters::backfill), and by the intake the first time it touches them.
CREATE TABLE comment_counts (
    decision_id TEXT PRIMARY KEY NOT NULL REFERENCES decisions(id),
    received BIGINT NOT NULL,
    hidden BIGINT NOT NULL,
    adopted BIGINT NOT NULL,
    partly_adopted BIGINT NOT NULL,
    not_adopted BIGINT NOT NULL,
    open BIGINT NOT NULL
);
