-- juece: organs, users, decisions, drafts, stage records, catalog items, the event chain.
CREATE TABLE organs (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES organs(id),
    legality_unit_id TEXT REFERENCES organs(id),
    pack_id TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    organ_id TEXT NOT NULL REFERENCES organs(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, organ_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE catalog_items (
    id TEXT PRIMARY KEY NOT NULL,
    organ_id TEXT NOT NULL REFERENCES organs(id),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    undertaking_unit TEXT NOT NULL,
    category TEXT NOT NULL,
    procedures TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX catalog_items_organ_year ON catalog_items (organ_id, year);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY NOT NULL,
    organ_id TEXT NOT NULL REFERENCES organs(id),
    lead_unit_id TEXT NOT NULL REFERENCES organs(id),
    catalog_item_id TEXT REFERENCES catalog_items(id),
    title TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    status TEXT NOT NULL,
    attributes TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX decisions_organ ON decisions (organ_id, created_at, id);

CREATE TABLE draft_versions (
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    number INTEGER NOT NULL,
    hash TEXT NOT NULL,
    content TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (decision_id, number)
);

CREATE TABLE stage_records (
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    rounds INTEGER NOT NULL,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    PRIMARY KEY (decision_id, stage)
);

CREATE TABLE events (
    decision_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    actor_user_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_organ_id TEXT NOT NULL,
    command TEXT NOT NULL,
    payload TEXT NOT NULL,
    draft_hash TEXT,
    at TIMESTAMP NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (decision_id, seq)
);
CREATE INDEX events_at ON events (at);

CREATE TABLE daily_digests (
    day TEXT PRIMARY KEY NOT NULL,
    heads TEXT NOT NULL,
    prev_digest TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
