//! Seals (issue 13, defect 5): every few minutes the events appended since the previous seal are
//! listed, chained to the previous seal's digest and signed with an Ed25519 key kept outside the
//! database. Whoever can write the database but does not hold the key cannot rewrite events and
//! seals to match; a third party keeping a published digest sees a rewrite; and verification
//! names the first event of a chain that no longer matches what was sealed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use super::{finding, Report};
use crate::chain::{digest_of, GENESIS};
use crate::db::rows::EventRow;
use crate::db::seals::{self, Seal};
use crate::db::DbConn;

/// How often `serve` seals (seconds).
pub const EVERY_SECONDS: u64 = 300;

/// How long before the last seal an event may have been recorded and still be unsealed (its
/// transaction open when the last seal was made), in hours.
const LATE_MARGIN_HOURS: i64 = 1;

/// Events sealed at most in one seal (the rest go in the next).
const MOST_PER_SEAL: i64 = 50_000;

/// The signing key in `path`: 64 hex digits (the Ed25519 seed). Created (mode 0600) when
/// `create` and the file does not exist; of several processes creating it at once, one writes it
/// and the others read it.
pub fn load_key(path: &Path, create: bool) -> Result<SigningKey, String> {
    let named = |e: String| format!("seal key {}: {e}", path.display());
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key(text.trim()).map_err(named),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let mut seed = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
            match write_private(path, &hex::encode(seed)) {
                Ok(()) => Ok(SigningKey::from_bytes(&seed)),
                // Another process linked its key first: use that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_key(path, false),
                Err(e) => Err(named(e.to_string())),
            }
        }
        Err(e) => Err(named(e.to_string())),
    }
}

fn parse_key(hex_seed: &str) -> Result<SigningKey, String> {
    let bytes = hex::decode(hex_seed).map_err(|_| "not hexadecimal".to_string())?;
    let seed: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "not 32 bytes (64 hex digits)".to_string())?;
    Ok(SigningKey::from_bytes(&seed))
}

/// A public key given as 64 hex digits.
pub fn parse_public_key(hex_key: &str) -> Result<VerifyingKey, String> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| "not hexadecimal".to_string())?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "not 32 bytes (64 hex digits)".to_string())?;
    VerifyingKey::from_bytes(&key).map_err(|e| e.to_string())
}

/// Write a new key file whole under a name of this process's, then link it into place: the file
/// at `path` is never seen half written, and linking fails if another process was first.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut nonce = [0u8; 8];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    let tmp = path.with_extension(format!("tmp-{}-{}", std::process::id(), hex::encode(nonce)));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    })();
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// Seal the events appended since the last seal. Returns how many events were sealed (0: none
/// new, or another process sealed at the same moment — they are in its seal or the next).
pub fn seal(conn: &mut DbConn, key: &SigningKey, now: NaiveDateTime) -> QueryResult<usize> {
    let sealed = conn.transaction(|conn| {
        let last = seals::last(conn)?;
        // After a seal that took every unsealed event, only those recorded since (less a margin
        // for transactions still open then) can be unsealed: read those through the index on
        // `at`. After a full seal (more were waiting), or before the first, read them all.
        let since = last
            .as_ref()
            .filter(|s| s.event_count < MOST_PER_SEAL)
            .map(|s| s.sealed_at - chrono::Duration::hours(LATE_MARGIN_HOURS));
        let fresh = seals::unsealed(conn, since, MOST_PER_SEAL)?;
        if fresh.is_empty() {
            return Ok(0);
        }
        let (n, prev) = last.map_or((1, GENESIS.to_string()), |s| (s.n + 1, s.digest));
        let events = serde_json::to_string(&fresh).unwrap_or_default();
        let digest = digest_of(&prev, &events);
        let mut heads: BTreeMap<&str, i64> = BTreeMap::new();
        for (chain, seq, _) in &fresh {
            heads.insert(chain.as_str(), *seq);
        }
        let heads: Vec<(&str, i64)> = heads.into_iter().collect();
        seals::insert(
            conn,
            &Seal {
                n,
                sealed_at: now,
                events,
                event_count: i64::try_from(fresh.len()).unwrap_or(i64::MAX),
                prev_digest: prev,
                signature: hex::encode(key.sign(digest.as_bytes()).to_bytes()),
                digest,
                public_key: hex::encode(key.verifying_key().to_bytes()),
            },
            &heads,
        )?;
        Ok(fresh.len())
    });
    match sealed {
        // Another process took the same number first: its seal holds these events or the next will.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(0),
        other => other,
    }
}

/// Check every seal: its place in the chain of seals, its digest, its signature (against
/// `known`, the operator's or a third party's public key, when given), and every event it lists
/// against the events stored now. Returns how many seals were checked.
pub fn verify(
    conn: &mut DbConn,
    rows: &[EventRow],
    known: Option<&VerifyingKey>,
    report: &mut Report,
) -> QueryResult<usize> {
    let all = seals::all(conn)?;
    let stored: HashMap<(&str, i64), &str> = rows
        .iter()
        .map(|e| ((e.decision_id.as_str(), e.seq), e.hash.as_str()))
        .collect();
    let mut prev = GENESIS.to_string();
    // Per chain: the first event found changed or gone, and how many more.
    let mut first_bad: BTreeMap<String, (i64, &'static str, String, usize)> = BTreeMap::new();
    for (i, s) in all.iter().enumerate() {
        let expected_n = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        let at = s.sealed_at.format("%Y-%m-%d %H:%M:%S UTC");
        if s.n != expected_n
            || s.prev_digest != prev
            || digest_of(&s.prev_digest, &s.events) != s.digest
        {
            report.findings.push(finding(
                "",
                0,
                "seal_altered",
                format!(
                    "seal {} of {at} does not follow seal {} or does not match its events",
                    s.n,
                    expected_n - 1
                ),
            ));
        }
        prev = s.digest.clone();
        if let Some(key) = known {
            if s.public_key != hex::encode(key.to_bytes()) {
                report.findings.push(finding(
                    "",
                    0,
                    "seal_key_unknown",
                    format!(
                        "seal {} of {at} was signed with another key ({})",
                        s.n, s.public_key
                    ),
                ));
            }
        }
        let signer = known
            .copied()
            .or_else(|| parse_public_key(&s.public_key).ok());
        let signed = signer.is_some_and(|k| {
            hex::decode(&s.signature)
                .ok()
                .and_then(|b| Signature::from_slice(&b).ok())
                .is_some_and(|sig| k.verify(s.digest.as_bytes(), &sig).is_ok())
        });
        if !signed {
            report.findings.push(finding(
                "",
                0,
                "seal_signature_invalid",
                format!(
                    "seal {} of {at}: the signature does not match its digest",
                    s.n
                ),
            ));
        }
        let listed: Vec<(String, i64, String)> =
            serde_json::from_str(&s.events).unwrap_or_default();
        for (chain, seq, hash) in listed {
            let now = stored.get(&(chain.as_str(), seq)).copied();
            if now == Some(hash.as_str()) {
                continue;
            }
            let kind = if now.is_none() { "deleted" } else { "edited" };
            let detail = format!(
                "{} since seal {} of {at}",
                if now.is_none() { "gone" } else { "changed" },
                s.n
            );
            first_bad
                .entry(chain)
                .and_modify(|b| {
                    if seq < b.0 {
                        *b = (seq, kind, detail.clone(), b.3 + 1);
                    } else {
                        b.3 += 1;
                    }
                })
                .or_insert((seq, kind, detail, 0));
        }
    }
    for (chain, (seq, kind, detail, more)) in first_bad {
        let named = report
            .findings
            .iter()
            .any(|f| f.decision_id == chain && f.seq == seq && f.kind == kind);
        if !named {
            let tail = if more > 0 {
                format!(
                    "; {more} later sealed event(s) of the chain differ too (rewritten after it)"
                )
            } else {
                String::new()
            };
            report.findings.push(finding(
                &chain,
                seq,
                kind,
                format!("the event is {detail}{tail}"),
            ));
        }
    }
    Ok(all.len())
}
