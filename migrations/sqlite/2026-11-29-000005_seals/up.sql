-- Seals (issue 13, defect 5): every few minutes the server lists each event appended since the
-- previous seal (chain, sequence, hash), chains the list to the previous seal's digest and signs
-- the digest with an Ed25519 key kept outside the database. Someone who can write the database
-- but does not hold the key cannot rewrite the record and the seals to match; a third party who
-- keeps a published digest (GET /api/v1/public/digests) sees a rewrite as a changed chain of
-- digests; and `juece audit verify` names the first event of a chain that no longer matches.
CREATE TABLE seals (
    n BIGINT PRIMARY KEY NOT NULL,
    sealed_at TIMESTAMP NOT NULL,
    events TEXT NOT NULL,
    event_count BIGINT NOT NULL,
    prev_digest TEXT NOT NULL,
    digest TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
-- How far each chain is sealed (a cursor for the next seal; verify does not trust it).
CREATE TABLE sealed_heads (
    decision_id TEXT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL
);
