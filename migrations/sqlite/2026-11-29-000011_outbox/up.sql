-- Webhooks (issue 12): endpoints an organ's staff register, the outbox written in the same
-- transaction as the event it reports, and one delivery row per (outbox entry, endpoint) that a
-- worker claims with a lease (leased_until, leased_by) before sending.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    organ_id TEXT NOT NULL REFERENCES organs(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- The event kinds, as ",kind,kind," (matched with LIKE '%,kind,%').
    kinds TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX webhooks_organ ON webhooks (organ_id);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    -- Once each: a deadline's entry is keyed by decision, deadline and kind; others by their id.
    event_key TEXT NOT NULL UNIQUE,
    organ_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    decision_id TEXT,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_organ ON outbox (organ_id, created_at);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    outbox_id TEXT NOT NULL REFERENCES outbox(id),
    webhook_id TEXT NOT NULL REFERENCES webhooks(id),
    -- pending, delivered, failed (attempts exhausted)
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    leased_until TIMESTAMP,
    leased_by TEXT,
    last_error TEXT,
    last_status INTEGER,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (outbox_id, webhook_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at);
