//! A decision's state, the commands that change it and the events they produce.
//!
//! State is a fold over events: [`Decision::apply`] is the only way it changes, so the store can
//! rebuild any decision from its event chain and the record is the truth.
//!
//! The terms (stage ids, categories, attributes…) are in `terms.rs`, the evidence in
//! `facts.rs`, commands and events in `commands.rs`; this module holds the fold.

mod commands;
mod facts;
mod initiation;
mod terms;

pub use commands::*;
pub use facts::*;
pub use initiation::*;
pub use terms::*;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where the decision as a whole stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DecisionStatus {
    /// Not initiated.
    #[default]
    New,
    /// In the pre-decision procedure.
    InProcedure,
    /// Adopted at the meeting.
    Adopted,
    /// Not adopted: closed.
    NotAdopted,
    /// Execution suspended by the head (第三十七条).
    Suspended,
    /// Stopped by the organ.
    Stopped,
    /// Superseded by a new decision (major adjustment).
    Superseded,
}

/// A dated fact, as kept in the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated<T> {
    /// Server time of recording.
    pub at: DateTime<Utc>,
    /// The fact.
    pub fact: T,
}

/// The public comments as the engine sees them: counts, not the comments (which may run to tens
/// of thousands and live in the store). The store checks each hidden or disposed comment exists
/// and was not handled before; the engine checks that every comment is handled before the
/// participation closes (第十八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CommentTally {
    /// Received.
    pub received: u64,
    /// Hidden by moderation (abusive, unlawful content), with a reason.
    pub hidden: u64,
    /// Given a disposition (采纳 / 部分采纳 / 不予采纳).
    pub disposed: u64,
}

impl CommentTally {
    /// Comments neither hidden nor disposed.
    pub fn open(&self) -> u64 {
        self.received.saturating_sub(self.hidden + self.disposed)
    }
}

/// A meeting and its statements in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The meeting as convened.
    pub convened: Fact,
    /// The statements, in the order made.
    pub statements: Vec<(String, Position)>,
    /// The head's decision, once made.
    pub outcome: Option<(MeetingOutcome, Option<String>)>,
}

/// A decision's whole state, a fold over its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Decision {
    /// Where it stands.
    pub status: DecisionStatus,
    /// The initiation record.
    pub initiation: Option<Initiation>,
    /// Current attributes (None before initiation).
    pub attributes: Option<Attributes>,
    /// Each stage's record.
    pub stages: BTreeMap<StageId, StageRecord>,
    /// Every fact, in order, with its time.
    pub facts: Vec<Dated<Fact>>,
    /// Draft versions in order (hashes).
    pub drafts: Vec<DraftHash>,
    /// The public comments, counted.
    pub comments: CommentTally,
    /// Meetings in order.
    pub meetings: Vec<Meeting>,
    /// Facts recorded since each stage was last entered begin at this index of `facts`.
    pub round_start: BTreeMap<StageId, usize>,
    /// A major adjustment recorded (`changed`) whose new decision is not yet adopted: its id.
    #[serde(default)]
    pub adjustment_pending: Option<String>,
}

impl Decision {
    /// Whether the matter is lawfully not public (依法不予公开, 第十四条第一款、第三十二条): the
    /// public sees nothing of it — no consultation, hearing, publication or execution page.
    pub fn not_public(&self) -> bool {
        self.attributes
            .as_ref()
            .is_some_and(|a| a.get("not_public"))
    }

    /// The record of a stage (default: not started).
    pub fn stage(&self, id: &str) -> StageRecord {
        self.stages
            .get(&StageId::new(id))
            .cloned()
            .unwrap_or_default()
    }

    /// The status of a stage.
    pub fn status(&self, id: &str) -> StageStatus {
        self.stages
            .get(&StageId::new(id))
            .map(|r| r.status)
            .unwrap_or_default()
    }

    /// The latest draft version.
    pub fn current_draft(&self) -> Option<&DraftHash> {
        self.drafts.last()
    }

    /// Facts recorded in the current round of `stage` (since it was last entered).
    pub fn round_facts<'a>(&'a self, stage: &str) -> impl Iterator<Item = &'a Dated<Fact>> + 'a {
        let start = self
            .round_start
            .get(&StageId::new(stage))
            .copied()
            .unwrap_or(0);
        self.facts.iter().skip(start)
    }

    /// Every fact ever recorded, in order.
    pub fn all_facts(&self) -> impl DoubleEndedIterator<Item = &Fact> {
        self.facts.iter().map(|d| &d.fact)
    }

    /// The latest meeting.
    pub fn meeting(&self) -> Option<&Meeting> {
        self.meetings.last()
    }

    /// Whether the decision has been adopted (whatever happened after).
    pub fn adopted(&self) -> bool {
        matches!(
            self.status,
            DecisionStatus::Adopted
                | DecisionStatus::Suspended
                | DecisionStatus::Stopped
                | DecisionStatus::Superseded
        )
    }

    /// Apply one event. Events come from [`crate::procedure::evaluate`] or from the store.
    pub fn apply(&mut self, event: &Event) {
        let at = event.at;
        match &event.kind {
            EventKind::Initiated(init) => {
                self.status = DecisionStatus::InProcedure;
                self.attributes = Some(init.attributes.clone());
                self.initiation = Some(init.clone());
            }
            EventKind::AttributesChanged { attributes, .. } => {
                self.attributes = Some(attributes.clone());
            }
            EventKind::StageStarted { stage } => {
                self.round_start.insert(stage.clone(), self.facts.len());
                let rec = self.stages.entry(stage.clone()).or_default();
                rec.status = StageStatus::InProgress;
                rec.rounds += 1;
                rec.started_at = Some(at);
                rec.completed_at = None;
            }
            EventKind::StageCompleted { stage } => {
                let rec = self.stages.entry(stage.clone()).or_default();
                rec.status = StageStatus::Completed;
                rec.completed_at = Some(at);
            }
            EventKind::StageWaived { stage, .. } => {
                let rec = self.stages.entry(stage.clone()).or_default();
                rec.status = StageStatus::Waived;
                rec.completed_at = Some(at);
            }
            EventKind::StageReturned { from, to } => {
                if let Some(rec) = self.stages.get_mut(from) {
                    rec.status = StageStatus::NotStarted;
                    rec.completed_at = None;
                }
                let rec = self.stages.entry(to.clone()).or_default();
                rec.status = StageStatus::InProgress;
                rec.completed_at = None;
            }
            EventKind::Superseded { .. } => {
                self.status = DecisionStatus::Superseded;
                self.adjustment_pending = None;
            }
            EventKind::Recorded { fact } => self.record(at, fact),
        }
    }

    fn record(&mut self, at: DateTime<Utc>, fact: &Fact) {
        match fact {
            Fact::Draft { hash, .. } => self.drafts.push(hash.clone()),
            // Comments are counted, not kept: a consultation can bring tens of thousands, and the
            // state is rewritten on every command. Each one stays in the event chain.
            Fact::CommentsReceived { count, .. } => {
                self.comments.received += u64::from(*count);
                return;
            }
            Fact::CommentHidden { .. } => {
                self.comments.hidden += 1;
                return;
            }
            Fact::CommentDisposed { .. } => {
                self.comments.disposed += 1;
                return;
            }
            Fact::CommentsDisposed { comment_ids, .. } => {
                let distinct: std::collections::BTreeSet<&String> = comment_ids.iter().collect();
                self.comments.disposed += distinct.len() as u64;
                return;
            }
            Fact::MeetingConvened { .. } => self.meetings.push(Meeting {
                convened: fact.clone(),
                statements: Vec::new(),
                outcome: None,
            }),
            Fact::MeetingStatement {
                member, position, ..
            } => {
                if let Some(m) = self.meetings.last_mut() {
                    m.statements.push((member.clone(), *position));
                }
            }
            Fact::HeadDecision {
                outcome,
                deviation_reason,
            } => {
                if let Some(m) = self.meetings.last_mut() {
                    m.outcome = Some((*outcome, deviation_reason.clone()));
                }
                match outcome {
                    MeetingOutcome::Adopted => self.status = DecisionStatus::Adopted,
                    MeetingOutcome::NotAdopted => self.status = DecisionStatus::NotAdopted,
                    MeetingOutcome::Deferred | MeetingOutcome::ReturnedForRevision => {}
                }
            }
            Fact::Suspended { .. } => self.status = DecisionStatus::Suspended,
            Fact::Resumed { .. } => self.status = DecisionStatus::Adopted,
            Fact::Stopped { .. } => self.status = DecisionStatus::Stopped,
            // 第三十七条: the original stays in force until the new decision is adopted.
            Fact::Changed { new_decision, .. } => {
                self.adjustment_pending = Some(new_decision.clone())
            }
            _ => {}
        }
        self.facts.push(Dated {
            at,
            fact: fact.clone(),
        });
    }

    /// Rebuild a decision from its events.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Decision {
        let mut d = Decision::default();
        for e in events {
            d.apply(e);
        }
        d
    }
}

/// China Standard Time (UTC+8, no daylight saving since 1991): the date of procedural facts.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}
