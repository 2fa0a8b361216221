//! What the events' hashes alone do not cover, checked against the events: each decision's stored
//! snapshot (and status column) against the fold of its chain; each draft text against its hash
//! and against the draft the record names; each comment's handling (disposition, hidden reason)
//! against the facts that handled it. An edit in any of those tables is named, where the chain
//! itself stays intact.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::{finding, Report};
use crate::db::comments::CommentRow;
use crate::db::rows::{DecisionRow, DraftVersion, EventRow};
use crate::db::schema::draft_versions;
use crate::db::DbConn;
use crate::procedure::state::{DraftHash, EventKind, Fact};
use crate::procedure::{Decision, Event};

/// Each comment's (hidden reason, disposition) as the facts set them, by (decision, comment).
type Handling<'a> = BTreeMap<(&'a str, String), (Option<String>, Option<String>)>;

/// The decision events an event row holds.
fn events_of(e: &EventRow) -> Result<Vec<Event>, String> {
    #[derive(serde::Deserialize)]
    struct Payload {
        events: Vec<Event>,
    }
    serde_json::from_str::<Payload>(&e.payload)
        .map(|p| p.events)
        .map_err(|err| format!("the payload holds no readable events: {err}"))
}

/// Replay each decision; compare snapshot, status, drafts and comments' handling.
pub(super) fn verify(
    conn: &mut DbConn,
    chains: &BTreeMap<&str, Vec<&EventRow>>,
    decisions: &[DecisionRow],
    comments: &[CommentRow],
    report: &mut Report,
) -> QueryResult<()> {
    let drafts: Vec<DraftVersion> = draft_versions::table
        .select(DraftVersion::as_select())
        .load(conn)?;
    let mut replayed: BTreeMap<&str, Decision> = BTreeMap::new();
    // What the facts say of each comment's handling (the state keeps only counts): the last fact
    // wins, as in the store.
    let mut expected: Handling = BTreeMap::new();
    for d in decisions {
        let mut state = Decision::default();
        let mut readable = true;
        for e in chains.get(d.id.as_str()).into_iter().flatten() {
            match events_of(e) {
                Ok(events) => {
                    for ev in &events {
                        if let EventKind::Recorded { fact } = &ev.kind {
                            handling(&mut expected, &d.id, fact);
                        }
                        state.apply(ev);
                    }
                }
                Err(err) => {
                    readable = false;
                    report.findings.push(finding(&d.id, e.seq, "edited", err));
                }
            }
        }
        if !readable {
            continue;
        }
        let stored: Option<serde_json::Value> = serde_json::from_str(&d.state).ok();
        if stored != serde_json::to_value(&state).ok() || d.status != <&str>::from(state.status) {
            report.findings.push(finding(
                &d.id,
                0,
                "snapshot_altered",
                format!(
                    "the stored state (status {}) differs from the fold of the decision's events (status {})",
                    d.status,
                    <&str>::from(state.status)
                ),
            ));
        }
        replayed.insert(d.id.as_str(), state);
    }

    for v in &drafts {
        if DraftHash::of(&v.content).0 != v.hash {
            report.findings.push(finding(
                &v.decision_id,
                0,
                "draft_altered",
                format!("draft {}'s text does not match its hash", v.number),
            ));
        }
        let named = replayed.get(v.decision_id.as_str()).map(|s| {
            usize::try_from(v.number - 1)
                .ok()
                .and_then(|i| s.drafts.get(i))
                .is_some_and(|h| h.0 == v.hash)
        });
        if named == Some(false) {
            report.findings.push(finding(
                &v.decision_id,
                0,
                "draft_altered",
                format!("draft {} is not the draft the record names", v.number),
            ));
        }
    }

    for c in comments {
        if !replayed.contains_key(c.decision_id.as_str()) {
            continue;
        }
        let want = expected
            .get(&(c.decision_id.as_str(), c.id.clone()))
            .cloned()
            .unwrap_or_default();
        if (c.hidden_reason.clone(), c.disposition.clone()) != want {
            report.findings.push(finding(
                &c.decision_id,
                c.batch_seq,
                "handling_altered",
                format!(
                    "comment {}: hidden {:?}, disposition {:?} in the table; the record says {:?}, {:?}",
                    c.id, c.hidden_reason, c.disposition, want.0, want.1
                ),
            ));
        }
    }
    Ok(())
}

/// Note what a comment-handling fact sets.
fn handling<'a>(expected: &mut Handling<'a>, decision: &'a str, fact: &Fact) {
    match fact {
        Fact::CommentHidden { comment_id, reason } => {
            expected
                .entry((decision, comment_id.clone()))
                .or_default()
                .0 = Some(reason.clone());
        }
        Fact::CommentDisposed {
            comment_id,
            disposition,
            ..
        } => {
            expected
                .entry((decision, comment_id.clone()))
                .or_default()
                .1 = Some(<&str>::from(*disposition).to_string());
        }
        Fact::CommentsDisposed {
            comment_ids,
            disposition,
            ..
        } => {
            for c in comment_ids {
                expected.entry((decision, c.clone())).or_default().1 =
                    Some(<&str>::from(*disposition).to_string());
            }
        }
        _ => {}
    }
}
