-- juece: hearing applications and draws (第十六条); the expert registry (专家库, 第二十一条).

-- An application from the public to take part in a hearing; stored once per idempotency key.
CREATE TABLE hearing_applications (
    id TEXT PRIMARY KEY NOT NULL,
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    round INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    interest_group TEXT NOT NULL,
    statement TEXT NOT NULL,
    civil_servant BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (decision_id, idempotency_key)
);
CREATE INDEX hearing_applications_round ON hearing_applications (decision_id, round, created_at);

-- The draw of a hearing round: seed, seats per group, chosen applications, the event it made.
CREATE TABLE hearing_selections (
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    round INTEGER NOT NULL,
    seed TEXT NOT NULL,
    seats TEXT NOT NULL,
    chosen TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (decision_id, round)
);

-- An expert of the registry an organ (usually a provincial government) keeps.
CREATE TABLE experts (
    id TEXT PRIMARY KEY NOT NULL,
    organ_id TEXT NOT NULL REFERENCES organs(id),
    name TEXT NOT NULL,
    organisation TEXT,
    fields TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    idempotency_key TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    deactivated_at TIMESTAMP,
    deactivation_reason TEXT,
    UNIQUE (organ_id, idempotency_key)
);
CREATE INDEX experts_organ ON experts (organ_id, created_at, id);

-- One field of expertise of an expert, for search.
CREATE TABLE expert_fields (
    expert_id TEXT NOT NULL REFERENCES experts(id),
    field TEXT NOT NULL,
    PRIMARY KEY (expert_id, field)
);
CREATE INDEX expert_fields_field ON expert_fields (field);
