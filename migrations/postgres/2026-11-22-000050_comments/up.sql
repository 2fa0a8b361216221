-- Public comments on a consultation. Each is anchored in the decision's event chain by the
-- batch (event seq) that received it; moderation hides, never deletes.
CREATE TABLE comments (
    id TEXT PRIMARY KEY NOT NULL,
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    batch_seq BIGINT NOT NULL,
    author_name TEXT,
    contact TEXT,
    body TEXT NOT NULL,
    address_hash TEXT NOT NULL,
    idempotency_key TEXT,
    received_at TIMESTAMP NOT NULL,
    hash TEXT NOT NULL,
    hidden_reason TEXT,
    disposition TEXT,
    disposition_reason TEXT,
    handled_by TEXT,
    handled_at TIMESTAMP
);
CREATE UNIQUE INDEX comments_idempotency ON comments (decision_id, idempotency_key);
CREATE INDEX comments_keyset ON comments (decision_id, received_at, id);
CREATE INDEX comments_batch ON comments (decision_id, batch_seq);
