//! Execution tracking through the one door (第三十四条至第三十七条): the timeline staff read
//! (computed by the engine, `procedure::execution`, on the server's day), what the public sees
//! of it (no personal data), and the public's views on an adopted decision (第三十五条第二款),
//! recorded in the decision's chain as `public_feedback` by the public, judged by the engine like
//! the same fact recorded by staff.

use chrono::{DateTime, Utc};
use diesel::Connection;
use schemars::JsonSchema;
use serde::Serialize;

use super::decisions::{self, commit_in, pack_of, parse_state, Submission};
use super::{Engine, ServiceError};
use crate::access::{Actor, Principal};
use crate::db::{comments, decisions as db, DbConn};
use crate::procedure::execution::{
    timeline as compute, ExecutionDeadline, ExecutionStatus, ExecutionTimeline, MilestoneView,
};
use crate::procedure::state::{china_date, stage, Command, Decision, Fact, StageStatus};

/// A decision's execution timeline with the adjustment link both ways.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExecutionView {
    /// The decision.
    pub decision_id: String,
    /// Its title.
    pub title: String,
    /// The timeline.
    #[serde(flatten)]
    pub timeline: ExecutionTimeline,
    /// The decisions this one adjusts (it is their new decision, 第三十七条).
    pub adjusts: Vec<String>,
}

/// The timeline of a decision the caller may read, on the server's day.
pub fn timeline(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    id: &str,
    now: DateTime<Utc>,
) -> Result<ExecutionView, ServiceError> {
    let row = decisions::readable(conn, who, id)?.row;
    let pack = pack_of(engine, &row)?;
    let state = parse_state(&row)?;
    let adjusts = decisions::adjusted_by(conn, &row.id)?;
    Ok(ExecutionView {
        timeline: compute(pack, engine.calendar, &state, china_date(now)),
        decision_id: row.id,
        title: row.title,
        adjusts,
    })
}

/// What the public sees of a decision's execution: where it stands, who executes it by when,
/// the milestones, the adjustment link. No entries: the reports are internal and the public's
/// views may name people.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicExecution {
    /// Where it stands.
    pub status: ExecutionStatus,
    /// The execution units.
    pub units: Vec<String>,
    /// The deadline.
    pub deadline: Option<ExecutionDeadline>,
    /// The milestones and their state.
    pub milestones: Vec<MilestoneView>,
    /// The new decision of a major adjustment (pending, or the one that superseded this one).
    pub new_decision: Option<String>,
    /// The decisions this one adjusts.
    pub adjusts: Vec<String>,
    /// Views of the public recorded so far.
    pub feedback_count: u32,
    /// Whether the public may send views now (execution in progress).
    pub feedback_open: bool,
}

/// Whether the public may see the decision at all: not lawfully secret.
fn public(state: &Decision) -> bool {
    !state.not_public()
}

/// The public's view of a decision's execution: `None` before adoption or for a decision not
/// public.
pub fn public_execution(
    conn: &mut DbConn,
    engine: &Engine,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<PublicExecution>, ServiceError> {
    let Some(row) = db::decision(conn, id)? else {
        return Ok(None);
    };
    let state = parse_state(&row)?;
    if !public(&state) || !state.adopted() {
        return Ok(None);
    }
    let pack = pack_of(engine, &row)?;
    let t = compute(pack, engine.calendar, &state, china_date(now));
    let feedback_count = state
        .all_facts()
        .filter(|f| matches!(f, Fact::PublicFeedback { .. }))
        .count() as u32;
    Ok(Some(PublicExecution {
        status: t.status,
        units: t.units,
        deadline: t.deadline,
        milestones: t.milestones,
        new_decision: t.new_decision,
        adjusts: decisions::adjusted_by(conn, &row.id)?,
        feedback_count,
        feedback_open: feedback_open(&state),
    }))
}

/// The public's views are taken while the decision is executed (第三十五条第二款: 决策及其实施).
fn feedback_open(state: &Decision) -> bool {
    state.status(stage::EXECUTION) == StageStatus::InProgress && !state_closed(state)
}

fn state_closed(state: &Decision) -> bool {
    use crate::procedure::state::DecisionStatus::*;
    matches!(state.status, Stopped | Superseded | NotAdopted)
}

/// A view of the public as stored.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FeedbackReceipt {
    /// The decision.
    pub decision_id: String,
    /// Its place in the decision's record (the event's sequence number).
    pub seq: i64,
    /// When it was received (server time).
    pub received_at: DateTime<Utc>,
}

/// Record a view of the public (第三十五条第二款) in the decision's chain, as the public. The
/// text is judged by the engine (`execution.feedback_empty`, the execution stage in progress);
/// a decision that does not exist or is not public is not found. The decision's row is locked
/// first, as for a batch of comments, so another process appending waits.
pub fn public_feedback(
    conn: &mut DbConn,
    engine: &Engine,
    id: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<FeedbackReceipt, ServiceError> {
    let not_found = || ServiceError::NotFound(format!("decision {id}"));
    conn.transaction(|conn| {
        comments::lock_decision(conn, id)?;
        let row = db::decision(conn, id)?.ok_or_else(not_found)?;
        let state = parse_state(&row)?;
        if !public(&state) || !state.adopted() {
            return Err(not_found());
        }
        let applied = commit_in(
            conn,
            engine,
            Submission {
                decision_id: &row.id,
                expected_version: row.version,
                command: Command::Record {
                    fact: Fact::PublicFeedback {
                        summary: text.to_string(),
                    },
                },
                actor: &Actor::public(),
                draft_content: None,
            },
            now,
            None,
        )?;
        Ok(FeedbackReceipt {
            decision_id: row.id,
            seq: applied.row.version,
            received_at: applied.row.updated_at.and_utc(),
        })
    })
}
