//! The tamper-evident record: each decision's and each catalog's events form a hash chain (each
//! event's hash covers its content and the previous hash), and a daily digest chains every chain's
//! head at the end of each day, so a deleted decision is noticed too. [`verify`] walks it all,
//! and checks each catalog's snapshot and items against the fold of its events.

mod hearings;
mod record;
pub mod seal;

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::chain::{batch_digest, comment_hash, digest_of, event_hash, GENESIS};
use crate::db::comments::{self, CommentRow};
use crate::db::rows::{CatalogItem, CatalogRow, DailyDigest, DecisionRow, EventRow};
use crate::db::schema::{catalog_items, catalogs, daily_digests, decisions, events};
use crate::db::DbConn;

/// One thing wrong with the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The decision concerned.
    pub decision_id: String,
    /// The sequence number concerned (0 when the decision as a whole).
    pub seq: i64,
    /// `edited`, `deleted`, `reordered`, `decision_deleted`, `decision_altered`, `digest_altered`,
    /// `comment_edited`, `comments_altered`, `comments_added`, `snapshot_altered` (the stored state
    /// or status differs from the fold of the events), `draft_altered` (a draft's text differs from
    /// its hash or from the draft the record names), `handling_altered` (a comment's disposition or
    /// hidden reason differs from the facts), `catalog_altered`, `catalog_item_altered`,
    /// `storage_corrupt`, `seal_altered`, `seal_signature_invalid`, `seal_key_unknown`, `hearing_altered` (a hearing
    /// application or draw differs from what the draw's event recorded).
    pub kind: &'static str,
    /// What was found.
    pub detail: String,
}

/// The result of a verification.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Decisions checked.
    pub decisions: usize,
    /// Catalogs checked (their chains, snapshots and items).
    pub catalogs: usize,
    /// Events checked.
    pub events: usize,
    /// Daily digests checked.
    pub digests: usize,
    /// Seals checked (`seal`: the events of every few minutes, chained and signed).
    pub seals: usize,
    /// Public comments checked.
    pub comments: usize,
    /// Everything wrong.
    pub findings: Vec<Finding>,
}

fn finding(decision_id: &str, seq: i64, kind: &'static str, detail: String) -> Finding {
    Finding {
        decision_id: decision_id.to_string(),
        seq,
        kind,
        detail,
    }
}

/// Walk every chain, digest and seal (seal signatures checked against the key each names).
pub fn verify(conn: &mut DbConn) -> QueryResult<Report> {
    verify_with(conn, None)
}

/// Walk every chain, digest and seal; seal signatures checked against `known` when given (the
/// operator's key, or the public key a third party was given), else against the key each names.
pub fn verify_with(
    conn: &mut DbConn,
    known: Option<&ed25519_dalek::VerifyingKey>,
) -> QueryResult<Report> {
    let mut report = Report::default();
    let rows: Vec<EventRow> = events::table
        .order((events::decision_id.asc(), events::seq.asc()))
        .select(EventRow::as_select())
        .load(conn)?;
    report.events = rows.len();
    let mut chains: BTreeMap<&str, Vec<&EventRow>> = BTreeMap::new();
    for r in &rows {
        chains.entry(r.decision_id.as_str()).or_default().push(r);
    }
    let decision_rows: Vec<DecisionRow> = decisions::table
        .select(DecisionRow::as_select())
        .load(conn)?;
    let catalog_rows: Vec<CatalogRow> =
        catalogs::table.select(CatalogRow::as_select()).load(conn)?;
    // Every chain's owner: a decision or a catalog, with the version and head it claims.
    let mut by_id: BTreeMap<&str, (i64, &str)> = decision_rows
        .iter()
        .map(|d| (d.id.as_str(), (d.version, d.head_hash.as_str())))
        .collect();
    by_id.extend(
        catalog_rows
            .iter()
            .map(|c| (c.id.as_str(), (c.version, c.head_hash.as_str()))),
    );
    report.decisions = decision_rows.len();
    report.catalogs = catalog_rows.len();

    for (id, chain) in &chains {
        let mut prev = GENESIS.to_string();
        let mut expected = 1i64;
        for e in chain {
            if e.seq > expected {
                report.findings.push(finding(
                    id,
                    expected,
                    "deleted",
                    format!("events {expected}..{} are missing", e.seq - 1),
                ));
            }
            let content_ok = event_hash(e) == e.hash;
            if !content_ok {
                report.findings.push(finding(
                    id,
                    e.seq,
                    "edited",
                    "the event's content does not match its hash".into(),
                ));
            } else if e.prev_hash != prev && e.seq == expected {
                report.findings.push(finding(
                    id,
                    e.seq,
                    "reordered",
                    "the event does not follow the one before it in the chain".into(),
                ));
            }
            prev = e.hash.clone();
            expected = e.seq + 1;
        }
        match by_id.get(id) {
            None => report.findings.push(finding(
                id,
                0,
                "decision_deleted",
                "the decision's row is gone but its events remain".into(),
            )),
            Some((version, head)) => {
                let last = chain.last().map(|e| (e.seq, e.hash.as_str()));
                if last != Some((*version, *head)) {
                    let (seq, _) = last.unwrap_or((0, ""));
                    report.findings.push(finding(
                        id,
                        seq + 1,
                        if *version > seq {
                            "deleted"
                        } else {
                            "decision_altered"
                        },
                        format!("the record is at version {version} but its chain ends at {seq}"),
                    ));
                }
            }
        }
    }
    verify_catalogs(conn, &chains, &catalog_rows, &mut report)?;
    for id in by_id.keys() {
        if !chains.contains_key(id) {
            report.findings.push(finding(
                id,
                1,
                "deleted",
                "the decision (or catalog) has no events left".into(),
            ));
        }
    }

    let all_comments = comments::all(conn)?;
    verify_comments(&all_comments, &rows, &mut report);
    record::verify(conn, &chains, &decision_rows, &all_comments, &mut report)?;
    hearings::verify(conn, &chains, &mut report)?;

    // The daily digests: each day's heads of every chain, chained day to day.
    let digests: Vec<DailyDigest> = daily_digests::table
        .order(daily_digests::day.asc())
        .select(DailyDigest::as_select())
        .load(conn)?;
    report.digests = digests.len();
    let mut prev = GENESIS.to_string();
    // One pass over the events in time order, the heads advancing day by day.
    let mut by_time: Vec<&EventRow> = rows.iter().collect();
    by_time.sort_by_key(|e| e.at);
    let mut next = 0;
    let mut now: BTreeMap<&str, (i64, String)> = BTreeMap::new();
    for dg in &digests {
        if dg.prev_digest != prev || digest_of(&dg.prev_digest, &dg.heads) != dg.digest {
            report.findings.push(finding(
                "",
                0,
                "digest_altered",
                format!("the digest of {} does not match", dg.day),
            ));
        }
        prev = dg.digest.clone();
        let Ok(day) = NaiveDate::parse_from_str(&dg.day, "%Y-%m-%d") else {
            continue;
        };
        let stored: BTreeMap<String, (i64, String)> =
            serde_json::from_str(&dg.heads).unwrap_or_default();
        let end = day_end_utc(day);
        while let Some(e) = by_time.get(next).filter(|e| e.at < end) {
            let head = now
                .entry(e.decision_id.as_str())
                .or_insert((0, String::new()));
            if e.seq > head.0 {
                *head = (e.seq, e.hash.clone());
            }
            next += 1;
        }
        for (id, (seq, hash)) in &stored {
            match now.get(id.as_str()) {
                None => report.findings.push(finding(
                    id,
                    *seq,
                    "decision_deleted",
                    format!(
                        "the decision was in the digest of {} (at event {seq}) and is gone",
                        dg.day
                    ),
                )),
                Some((s, h)) if s != seq || h != hash => {
                    let already = report.findings.iter().any(|f| &f.decision_id == id);
                    if !already {
                        report.findings.push(finding(
                            id,
                            *seq,
                            "edited",
                            format!(
                                "the chain's head at the end of {} no longer matches its digest",
                                dg.day
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    report.seals = seal::verify(conn, &rows, known, &mut report)?;
    // ---- storage integrity (issue 13, defect 6): SQLite's own page check, db/integrity.rs ----
    for problem in crate::db::integrity::integrity_check(conn)? {
        report
            .findings
            .push(finding("", 0, "storage_corrupt", problem));
    }
    Ok(report)
}

/// Public comments: each row must match its hash, and each batch the digest its event recorded.
fn verify_comments(all: &[CommentRow], events: &[EventRow], report: &mut Report) {
    report.comments = all.len();
    let mut batches: BTreeMap<(&str, i64), Vec<CommentRow>> = BTreeMap::new();
    for c in all {
        if comment_hash(c) != c.hash {
            report.findings.push(finding(
                &c.decision_id,
                c.batch_seq,
                "comment_edited",
                format!("comment {} does not match its hash", c.id),
            ));
        }
        batches
            .entry((c.decision_id.as_str(), c.batch_seq))
            .or_default()
            .push(c.clone());
    }
    for e in events
        .iter()
        .filter(|e| e.command == crate::procedure::state::INTAKE_COMMAND)
    {
        let recorded = serde_json::from_str::<serde_json::Value>(&e.payload)
            .ok()
            .and_then(|p| p["command"]["fact"]["digest"].as_str().map(str::to_string));
        let batch = batches
            .remove(&(e.decision_id.as_str(), e.seq))
            .unwrap_or_default();
        if recorded.as_deref() != Some(batch_digest(&batch).as_str()) {
            report.findings.push(finding(
                &e.decision_id,
                e.seq,
                "comments_altered",
                format!(
                    "the comments received at event {} no longer match its digest ({} found)",
                    e.seq,
                    batch.len()
                ),
            ));
        }
    }
    for ((decision, seq), batch) in batches {
        report.findings.push(finding(
            decision,
            seq,
            "comments_added",
            format!(
                "{} comment(s) claim event {seq}, which received none",
                batch.len()
            ),
        ));
    }
}

/// The end of a day in China time, as UTC.
fn day_end_utc(day: NaiveDate) -> NaiveDateTime {
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    next.and_time(NaiveTime::MIN) - chrono::Duration::hours(8)
}

/// Write the digest of every whole day before `today` (China time) that has none yet.
/// Returns how many were written.
///
/// Run each minute by the server: when the last digest is yesterday's, one indexed read of its
/// day and nothing else. A day's heads are the day before's, from its digest, advanced by the
/// events of that day (read by the index on `at`, three columns): not every event of the record
/// each minute, which at 100,000 decisions (4.9 million events) was gigabytes.
pub fn seal_days(conn: &mut DbConn, today: NaiveDate, now: NaiveDateTime) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let last_day: Option<String> = daily_digests::table
            .order(daily_digests::day.desc())
            .select(daily_digests::day)
            .first(conn)
            .optional()?;
        let (mut day, mut prev, mut heads) = match last_day {
            // An unreadable last digest (edited behind the record) is an error the server logs
            // each minute and `audit verify` names; no digest is chained onto it.
            Some(last_day) => {
                let last = NaiveDate::parse_from_str(&last_day, "%Y-%m-%d")
                    .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
                let day = last.succ_opt().unwrap_or(last);
                if day >= today {
                    return Ok(0);
                }
                let (heads, digest): (String, String) = daily_digests::table
                    .find(&last_day)
                    .select((daily_digests::heads, daily_digests::digest))
                    .first(conn)?;
                let heads = serde_json::from_str::<Heads>(&heads)
                    .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
                (day, digest, heads)
            }
            None => {
                let first_event: Option<NaiveDateTime> = events::table
                    .select(diesel::dsl::min(events::at))
                    .first(conn)?;
                let Some(first_event) = first_event else {
                    return Ok(0);
                };
                let day = crate::procedure::state::china_date(first_event.and_utc());
                (day, GENESIS.to_string(), Heads::new())
            }
        };
        let mut written = 0;
        while day < today {
            let end = day_end_utc(day);
            // From an hour before the day began: an event committed late, after the day
            // before's digest, is taken into this one (taking one twice changes nothing).
            let from = day_end_utc(day.pred_opt().unwrap_or(day)) - chrono::Duration::hours(1);
            let rows: Vec<(String, i64, String)> = events::table
                .filter(events::at.ge(from))
                .filter(events::at.lt(end))
                .select((events::decision_id, events::seq, events::hash))
                .load(conn)?;
            for (chain, seq, hash) in rows {
                let head = heads.entry(chain).or_insert((0, String::new()));
                if seq > head.0 {
                    *head = (seq, hash);
                }
            }
            let heads_json = serde_json::to_string(&heads).unwrap_or_default();
            let digest = digest_of(&prev, &heads_json);
            diesel::insert_into(daily_digests::table)
                .values(DailyDigest {
                    day: day.format("%Y-%m-%d").to_string(),
                    heads: heads_json,
                    prev_digest: prev.clone(),
                    digest: digest.clone(),
                    created_at: now,
                })
                .execute(conn)?;
            prev = digest;
            written += 1;
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        Ok(written)
    })
}

/// Each chain's head at the end of a day: (seq, hash) by chain, as a digest holds them.
type Heads = BTreeMap<String, (i64, String)>;

/// Each catalog's stored snapshot and item rows against the fold of its chain: an edit of the
/// `catalogs` or `catalog_items` tables (a status set to published, a title changed) is named.
fn verify_catalogs(
    conn: &mut DbConn,
    chains: &BTreeMap<&str, Vec<&EventRow>>,
    rows: &[CatalogRow],
    report: &mut Report,
) -> QueryResult<()> {
    use crate::procedure::catalog::{events_in_payload, Catalog, ItemStatus};
    let items: Vec<CatalogItem> = catalog_items::table
        .filter(catalog_items::catalog_id.is_not_null())
        .select(CatalogItem::as_select())
        .load(conn)?;
    for row in rows {
        let mut folded = Catalog::default();
        for e in chains.get(row.id.as_str()).into_iter().flatten() {
            match events_in_payload(&e.payload) {
                Ok(events) => events.iter().for_each(|ev| folded.apply(ev)),
                Err(err) => report.findings.push(finding(&row.id, e.seq, "edited", err)),
            }
        }
        let stored: Option<serde_json::Value> = serde_json::from_str(&row.state).ok();
        if stored != serde_json::to_value(&folded).ok() {
            report.findings.push(finding(
                &row.id,
                0,
                "catalog_altered",
                "the catalog's stored state differs from the fold of its events".into(),
            ));
        }
        for it in items
            .iter()
            .filter(|i| i.catalog_id.as_deref() == Some(&row.id))
        {
            let expected = folded.items.get(&it.id).map(|i| {
                let content = i.published.as_ref().unwrap_or(&i.current);
                let status = match i.status {
                    ItemStatus::Draft => "draft",
                    ItemStatus::Published => "published",
                    ItemStatus::Withdrawn => "withdrawn",
                };
                (status, content.spec.title.as_str())
            });
            if expected != Some((it.status.as_str(), it.title.as_str())) {
                report.findings.push(finding(
                    &row.id,
                    0,
                    "catalog_item_altered",
                    format!(
                        "item {} ({}, {}) is not what the catalog's events say",
                        it.id, it.status, it.title
                    ),
                ));
            }
        }
    }
    Ok(())
}
