//! The record's seals as anyone may read them: numbers, times, digests, signatures and the public
//! key — never which decisions they cover (that would tell the public how busy an organ's
//! internal procedures are).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::ServiceError;
use crate::db::{seals, DbConn};

/// The most seals in one page.
pub const MOST_PER_PAGE: i64 = 500;

/// One published seal.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublishedSeal {
    /// Its number: 1, 2, 3… with no gap.
    pub n: i64,
    /// When it was made.
    pub sealed_at: DateTime<Utc>,
    /// How many events it seals.
    pub event_count: i64,
    /// The previous seal's digest (64 zeros before the first).
    pub prev_digest: String,
    /// SHA-256 (hex) over the previous digest, a newline and the list of sealed events.
    pub digest: String,
    /// The Ed25519 public key (hex) that signed it.
    pub public_key: String,
    /// The Ed25519 signature (hex) of the digest's hex text.
    pub signature: String,
}

/// A page of seals.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SealPage {
    /// How to check: what a third party keeps and compares.
    pub how_to_check: &'static str,
    /// The seals after `after`, oldest first.
    pub items: Vec<PublishedSeal>,
    /// The `after` of the next page (none: this is the last).
    pub next_after: Option<i64>,
}

/// Seals after number `after`, at most `limit` (1..=500).
pub fn page(conn: &mut DbConn, after: i64, limit: i64) -> Result<SealPage, ServiceError> {
    if !(1..=MOST_PER_PAGE).contains(&limit) {
        return Err(ServiceError::Invalid(format!(
            "limit: from 1 to {MOST_PER_PAGE} / 每页 1 至 {MOST_PER_PAGE} 条"
        )));
    }
    if after < 0 {
        return Err(ServiceError::Invalid(
            "after: a seal number, 0 or more / 应为 0 或正整数".into(),
        ));
    }
    let rows = seals::page(conn, after, limit + 1)?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let items: Vec<PublishedSeal> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|s| PublishedSeal {
            n: s.n,
            sealed_at: s.sealed_at.and_utc(),
            event_count: s.event_count,
            prev_digest: s.prev_digest,
            digest: s.digest,
            public_key: s.public_key,
            signature: s.signature,
        })
        .collect();
    Ok(SealPage {
        how_to_check: "Keep the digest of the latest seal you read. Later, each seal's prev_digest must lead back to it unchanged, and each signature must verify with the public key over the digest's hex text; otherwise the record was rewritten. 保存所读最新封存的摘要；此后各封存的 prev_digest 应能回溯到该摘要且不变，签名应能以公钥验证，否则记录已被改写。",
        next_after: if more { items.last().map(|s| s.n) } else { None },
        items,
    })
}
