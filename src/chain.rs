//! Pure hashing of the record: each event's hash over its content and the previous hash, a
//! comment's hash and a batch's digest, the daily digest. Writers (the service) and the verifier
//! (`audit`) use the same functions, so what is written is what is checked.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::db::comments::CommentRow;
use crate::db::rows::{EventRow, HearingApplication};

/// The `prev_hash` of a chain's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an event row's content, chained to `prev_hash`.
pub fn event_hash(e: &EventRow) -> String {
    let canonical = serde_json::json!([
        e.prev_hash,
        e.decision_id,
        e.seq,
        timestamp(e.at),
        e.actor_user_id,
        e.actor_role,
        e.actor_organ_id,
        e.command,
        e.payload,
        e.draft_hash,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// A timestamp as hashed: RFC 3339, UTC, to the microsecond.
pub fn timestamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The hash of a comment's content as received.
pub fn comment_hash(c: &CommentRow) -> String {
    let canonical = serde_json::json!([
        c.id,
        c.decision_id,
        c.author_name,
        c.contact,
        c.body,
        c.address_hash,
        c.idempotency_key,
        c.received_at.and_utc().timestamp_micros(),
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The digest of a batch: SHA-256 over its comments' hashes, ordered by comment id.
pub fn batch_digest(batch: &[CommentRow]) -> String {
    let mut rows: Vec<&CommentRow> = batch.iter().collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let mut h = Sha256::new();
    for r in rows {
        h.update(r.hash.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// The digest of the applications a hearing draw was made from: SHA-256 over each application's
/// content (everything the public sent, its group, round and time), ordered by id.
pub fn applications_digest(applications: &[HearingApplication]) -> String {
    let mut rows: Vec<&HearingApplication> = applications.iter().collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let mut h = Sha256::new();
    for a in rows {
        let canonical = serde_json::json!([
            a.id,
            a.decision_id,
            a.round,
            a.name,
            a.contact,
            a.interest_group,
            a.statement,
            a.civil_servant,
            timestamp(a.created_at),
        ]);
        h.update(canonical.to_string().as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// A daily digest: the previous day's digest and the heads of every chain.
pub fn digest_of(prev: &str, heads: &str) -> String {
    hex::encode(Sha256::digest(format!("{prev}\n{heads}").as_bytes()))
}
