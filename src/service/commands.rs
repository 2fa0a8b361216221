//! Giving a command: one on its own ([`submit`]), or many written together — issue 14's group
//! commit. The command writer (`src/writer.rs`) takes every command waiting and gives them to
//! [`write()`], which runs them in ONE transaction: each is judged against the state its
//! batch-mates left (it reads its decision inside the same transaction) and does its work in a
//! savepoint ([`submit_in`]), so a command that is refused, stale, not allowed or rejected by the
//! database rolls back only its own work (a refusal is still recorded in the outbox) and never
//! fails its batch-mates. The transaction commits once: one commit (one fsync on PostgreSQL) for
//! the batch, not one per command. If it cannot commit, every command of the batch gets that
//! error: none was acknowledged, so none is lost.
//!
//! The commands of a batch are written in the order of their decision's id (each decision's own
//! commands in the order they came): on PostgreSQL a batch holds its decisions' rows until it
//! commits, and two writers — two processes on one database — that take rows in one order cannot
//! deadlock on them.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::Connection;

use super::decisions::{commit_row, pack_of, readable, Applied, Submission};
use super::{Engine, ServiceError};
use crate::access::{self, Principal};
use crate::db::rows::DecisionRow;
use crate::db::DbConn;
use crate::procedure::state::Command;
use crate::procedure::{Calendar, PackSet};

/// The most commands written in one transaction.
pub const MAX_BATCH: usize = 256;

/// A command waiting to be written: who gives it, to which decision at which version, with a new
/// draft's text, under the packs and calendar of the request that brought it.
pub struct Order {
    /// Who gives it (authenticated before it was queued).
    pub who: Principal,
    /// The decision.
    pub decision_id: String,
    /// The version the client read.
    pub expected_version: i64,
    /// The command.
    pub command: Command,
    /// A new draft's text (with `record: draft`).
    pub draft_content: Option<String>,
    /// The jurisdiction packs.
    pub packs: Arc<PackSet>,
    /// The working-day calendar.
    pub calendar: Arc<Calendar>,
}

/// Write `orders` in one transaction; one result per order, in the orders' order. `now` is asked
/// for each command as it is judged.
pub fn write(
    conn: &mut DbConn,
    orders: Vec<Order>,
    now: impl Fn() -> DateTime<Utc>,
) -> Vec<Result<Applied, ServiceError>> {
    let count = orders.len();
    let mut turn: Vec<(usize, Order)> = orders.into_iter().enumerate().collect();
    // Stable: a decision's own commands keep the order they came in.
    turn.sort_by(|a, b| a.1.decision_id.cmp(&b.1.decision_id));
    let mut results: Vec<Option<Result<Applied, ServiceError>>> =
        std::iter::repeat_with(|| None).take(count).collect();
    let written = conn.transaction(|conn| {
        for (i, order) in turn {
            let engine = Engine {
                packs: &order.packs,
                calendar: &order.calendar,
            };
            let result = submit_in(
                conn,
                &engine,
                &order.who,
                &order.decision_id,
                order.expected_version,
                order.command,
                order.draft_content.as_deref(),
                now(),
            );
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(result);
            }
        }
        Ok::<_, ServiceError>(())
    });
    match written {
        Ok(()) => results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(not_written())))
            .collect(),
        Err(e) => (0..count).map(|_| Err(e.again())).collect(),
    }
}

fn not_written() -> ServiceError {
    ServiceError::Unavailable("the command was not written / 指令未能写入，请稍后再试".into())
}

/// Give a command as `who`: authorize it for the decision, then commit it
/// ([`super::decisions::commit`]), in a transaction of its own; [`submit_in`] says how.
#[allow(clippy::too_many_arguments)]
pub fn submit(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    decision_id: &str,
    expected_version: i64,
    command: Command,
    draft_content: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, ServiceError> {
    conn.transaction(|conn| {
        Ok::<_, ServiceError>(submit_in(
            conn,
            engine,
            who,
            decision_id,
            expected_version,
            command,
            draft_content,
            now,
        ))
    })?
}

/// [`submit`] inside a transaction the caller holds (the command writer's batch, [`write()`]): the command's own work is a savepoint, so a command that fails — refused,
/// stale, not allowed, or a statement the database rejects — leaves the caller's transaction as
/// it was. A refusal is then written to the outbox beside it (in a savepoint of its own), to be
/// committed with the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub fn submit_in(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    decision_id: &str,
    expected_version: i64,
    command: Command,
    draft_content: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, ServiceError> {
    let mut refused_on: Option<(DecisionRow, String)> = None;
    let result = conn.transaction(|conn| {
        let r = readable(conn, who, decision_id)?;
        let pack = pack_of(engine, &r.row)?;
        if let Command::StartStage { stage }
        | Command::CompleteStage { stage }
        | Command::WaiveStage { stage, .. } = &command
        {
            if !pack.has(stage.as_str()) {
                return Err(ServiceError::Invalid(format!(
                    "command.stage: the decision's pack {} has no stage \"{stage}\" / 本决策的程序规则中没有该环节",
                    pack.key()
                )));
            }
        }
        let actor = access::actor(who, &r.parties(), &command)?;
        let name = command.name();
        let submission = Submission {
            decision_id,
            expected_version,
            command,
            actor: &actor,
            draft_content,
        };
        let result = commit_row(conn, engine, submission, &r.row, now, None, None);
        if let Err(ServiceError::Refused(_)) = &result {
            refused_on = Some((r.row, name));
        }
        result
    });
    if let (Err(ServiceError::Refused(violations)), Some((row, name))) = (&result, &refused_on) {
        // The command's savepoint was rolled back; its refusal is recorded on its own. A refusal
        // that cannot be reported is logged; the caller still gets the refusal itself.
        let recorded = conn
            .transaction(|conn| super::outbox::record_refusal(conn, row, name, violations, now));
        if let Err(e) = recorded {
            tracing::error!("writing a refusal to the outbox failed: {e}");
        }
    }
    result
}
