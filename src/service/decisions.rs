//! Decisions through the one door: reading one the caller may see, starting one, and the unit of
//! work of every command ([`commit`]): load the decision, check its version, load what the
//! command refers to, judge it with the engine, append the event to the chain and update the
//! projections — in one transaction.

use chrono::{DateTime, Utc};
use diesel::Connection;

use super::context::load_context;
use super::{Engine, ServiceError};
use crate::access::{self, Actor, Parties, Principal};
use crate::chain;
use crate::db::rows::{DecisionRow, DraftVersion, EventRow, StageRow};
use crate::db::{accounts, comments, decisions, stored_time, DbConn};
use crate::procedure::admission::{
    self, CatalogStanding, Context, InitiationContext, UnitStanding,
};
use crate::procedure::deadlines::{done_on, report_procedures, stage_due_dates};
use crate::procedure::state::{
    china_date, Command, Decision, DecisionStatus, EventKind, Fact, Initiation, OrganKind, StageId,
    INTAKE_COMMAND,
};
use crate::procedure::{judge, Event, Pack};

/// An organ's jurisdiction: its own pack, or its nearest parent's (a department or a township
/// government follows its government's rules — 第四十二条, 浙江337号第二条), else national.
pub(crate) fn jurisdiction(
    conn: &mut DbConn,
    organ: &crate::db::rows::Organ,
) -> Result<String, ServiceError> {
    if let Some(p) = &organ.pack_id {
        return Ok(p.clone());
    }
    for id in accounts::organ_and_parents(conn, &organ.id)?.iter().skip(1) {
        if let Some(p) = accounts::organ(conn, id)?.and_then(|o| o.pack_id) {
            return Ok(p);
        }
    }
    Ok("national".into())
}

/// A decision the caller may read, with its legality review unit.
#[derive(Debug, Clone)]
pub struct Readable {
    /// The row.
    pub row: DecisionRow,
    /// The decision organ's legality review unit.
    pub legality_unit: Option<String>,
}

impl Readable {
    /// The organs the decision involves.
    pub fn parties(&self) -> Parties<'_> {
        Parties {
            organ: &self.row.organ_id,
            lead_unit: &self.row.lead_unit_id,
            legality_unit: self.legality_unit.as_deref(),
        }
    }
}

/// A decision the user may read. Outsiders get "not found", not "forbidden": whether a decision
/// exists is itself not for them.
pub fn readable(conn: &mut DbConn, who: &Principal, id: &str) -> Result<Readable, ServiceError> {
    let row = decisions::decision(conn, id)?
        .ok_or_else(|| ServiceError::NotFound(format!("decision {id}")))?;
    let legality_unit =
        super::listing::check_read(conn, who, id, &row.organ_id, &row.lead_unit_id)?;
    Ok(Readable { row, legality_unit })
}

/// The pack version a decision is pinned to.
pub fn pack_of<'a>(engine: &Engine<'a>, row: &DecisionRow) -> Result<&'a Pack, ServiceError> {
    engine
        .packs
        .get(&row.pack_id, &row.pack_version)
        .ok_or_else(|| {
            ServiceError::Unavailable(format!(
                "pack {}@{} is not loaded on this server / 本决策的程序规则未加载",
                row.pack_id, row.pack_version
            ))
        })
}

/// A decision's state from its stored snapshot.
pub fn parse_state(row: &DecisionRow) -> Result<Decision, ServiceError> {
    serde_json::from_str(&row.state).map_err(|e| {
        ServiceError::Unavailable(format!(
            "stored state of decision {} is unreadable: {e} / 决策状态无法读取",
            row.id
        ))
    })
}

/// The result of an accepted command.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The decision's row after it.
    pub row: DecisionRow,
    /// The state after it.
    pub state: Decision,
    /// The events appended.
    pub events: Vec<Event>,
    /// Whether nothing was written: the same command had been written at that version, by the
    /// same user, and this is its answer again (a retry).
    pub replayed: bool,
}

/// What starting a decision names.
#[derive(Debug, Clone)]
pub struct NewDecision {
    /// The decision organ.
    pub organ_id: String,
    /// The lead undertaking unit (an organ).
    pub lead_unit_id: String,
    /// Where the lead unit is not the organ's own department: the organ's designation of it.
    pub lead_unit_designation: Option<String>,
    /// The catalog item, if any.
    pub catalog_item_id: Option<String>,
    /// The pack the client expects (`id` or `id@version`); it must be the organ's own.
    pub pack: Option<String>,
    /// The initiation.
    pub initiation: Initiation,
}

/// Start a decision: the pack is the organ's jurisdiction's, in force today; the lead unit and
/// catalog item are judged by the engine against the organ register and the catalog.
pub fn create(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    new: NewDecision,
    now: DateTime<Utc>,
) -> Result<Applied, ServiceError> {
    let organ = accounts::organ(conn, &new.organ_id)?.ok_or_else(|| {
        ServiceError::Invalid(format!("organ_id: no organ {} / 没有该机关", new.organ_id))
    })?;
    let lead = accounts::organ(conn, &new.lead_unit_id)?.ok_or_else(|| {
        ServiceError::Invalid(format!(
            "lead_unit_id: no organ {} / 没有该承办单位",
            new.lead_unit_id
        ))
    })?;
    let own = jurisdiction(conn, &organ)?;
    let today = china_date(now);
    let pack = engine.packs.in_force(&own, today).ok_or_else(|| {
        ServiceError::Unavailable(format!(
            "pack \"{own}\" is not in force on {today} / 本地区的程序规则在 {today} 尚未生效"
        ))
    })?;
    if let Some(asked) = &new.pack {
        if asked != &pack.id && asked != &pack.key() {
            return Err(ServiceError::Invalid(format!(
                "pack: a decision of {} follows its jurisdiction's pack {} (not \"{asked}\") / 决策适用本机关所在地区的程序规则",
                organ.name,
                pack.key()
            )));
        }
    }
    let command = Command::Initiate(new.initiation);
    let parties = Parties {
        organ: &organ.id,
        lead_unit: &lead.id,
        legality_unit: organ.legality_unit_id.as_deref(),
    };
    let actor = access::actor(who, &parties, &command)?;
    let catalog_item = match &new.catalog_item_id {
        None => None,
        Some(item_id) => Some(match decisions::catalog_item(conn, item_id)? {
            None => None,
            Some(item) => Some(CatalogStanding {
                same_organ: item.organ_id == organ.id,
                published: item.status == "published",
                taken: decisions::decision_of_catalog_item(conn, &item.id)?.is_some(),
                id: item.id,
            }),
        }),
    };
    let context = Context {
        initiation: Some(InitiationContext {
            lead_unit: UnitStanding {
                name: lead.name.clone(),
                subordinate: lead.parent_id.as_deref() == Some(organ.id.as_str()),
                is_decision_organ: lead.id == organ.id,
                party_committee: lead.kind == "party_committee",
            },
            designation: new.lead_unit_designation.clone(),
            catalog_item,
            organ_kind: OrganKind::of_stored(&organ.kind),
            organ_name: organ.name.clone(),
        }),
        ..Context::default()
    };
    let at = stored_time(now);
    let row = DecisionRow {
        id: crate::db::new_id(),
        organ_id: organ.id.clone(),
        lead_unit_id: lead.id.clone(),
        catalog_item_id: None,
        title: String::new(),
        pack_id: pack.id.clone(),
        pack_version: pack.version.clone(),
        status: "new".into(),
        attributes: "{}".into(),
        state: serde_json::to_string(&Decision::default()).unwrap_or_default(),
        version: 0,
        head_hash: chain::GENESIS.into(),
        created_at: at,
        updated_at: at,
        adopted_on: None,
        procedures_required: None,
        procedures_completed: None,
    };
    conn.transaction(|conn| {
        decisions::insert(conn, &row)?;
        let submission = Submission {
            decision_id: &row.id,
            expected_version: 0,
            command,
            actor: &actor,
            draft_content: None,
        };
        let applied = commit_in(conn, engine, submission, now, Some(context))?;
        // The row's title and catalog link come from the initiation as the engine admitted it.
        let Some(init) = applied.state.initiation.clone() else {
            return Ok(applied);
        };
        decisions::set_title_and_item(conn, &row.id, &init.title, init.catalog_item.as_deref())?;
        Ok(Applied {
            row: DecisionRow {
                title: init.title,
                catalog_item_id: init.catalog_item,
                ..applied.row
            },
            ..applied
        })
    })
}

/// A command for one decision at the version the client read.
pub struct Submission<'a> {
    /// The decision.
    pub decision_id: &'a str,
    /// The version the client read.
    pub expected_version: i64,
    /// The command.
    pub command: Command,
    /// Who gives it.
    pub actor: &'a Actor,
    /// A new draft's text (with `record: draft`).
    pub draft_content: Option<&'a str>,
}

/// The unit of work of every command, in one transaction.
pub fn commit(
    conn: &mut DbConn,
    engine: &Engine,
    submission: Submission,
    now: DateTime<Utc>,
) -> Result<Applied, ServiceError> {
    conn.transaction(|conn| commit_in(conn, engine, submission, now, None))
}

/// [`commit`] inside a transaction the caller holds. `prepared` is the context of a command the
/// service itself composed (the hearing draw being made, an initiation); otherwise the context
/// is loaded for what the command names.
pub(crate) fn commit_in(
    conn: &mut DbConn,
    engine: &Engine,
    submission: Submission,
    now: DateTime<Utc>,
    prepared: Option<Context>,
) -> Result<Applied, ServiceError> {
    commit_attested(conn, engine, submission, now, prepared, None)
}

/// [`commit_in`], with what the server attests of the store beside the command written into the
/// event (`attested` in its payload, covered by its hash): e.g. the digest of the hearing
/// applications a draw was made from, so that an application edited afterwards is found.
pub(crate) fn commit_attested(
    conn: &mut DbConn,
    engine: &Engine,
    submission: Submission,
    now: DateTime<Utc>,
    prepared: Option<Context>,
    attested: Option<serde_json::Value>,
) -> Result<Applied, ServiceError> {
    let row = decisions::decision(conn, submission.decision_id)?
        .ok_or_else(|| ServiceError::NotFound(format!("decision {}", submission.decision_id)))?;
    commit_row(conn, engine, submission, &row, now, prepared, attested)
}

/// [`commit_attested`] with the decision's row as read in this same transaction (a command's
/// check of who may give it reads it first: not read twice).
pub(crate) fn commit_row(
    conn: &mut DbConn,
    engine: &Engine,
    submission: Submission,
    row: &DecisionRow,
    now: DateTime<Utc>,
    prepared: Option<Context>,
    attested: Option<serde_json::Value>,
) -> Result<Applied, ServiceError> {
    let Submission {
        expected_version,
        command,
        actor,
        draft_content,
        ..
    } = submission;
    if row.version != expected_version {
        match since(conn, row, expected_version, &command, actor)? {
            Since::OnlyIntake => {}
            Since::Replay(events) => {
                return Ok(Applied {
                    row: row.clone(),
                    state: parse_state(row)?,
                    events,
                    replayed: true,
                })
            }
            Since::Stale => {
                return Err(ServiceError::Stale {
                    expected: expected_version,
                    actual: row.version,
                })
            }
        }
    }
    let pack = pack_of(engine, row)?;
    let mut state = parse_state(row)?;
    let mut context = match prepared {
        Some(c) => c,
        None => load_context(conn, row, &state, &admission::needs(&command))?,
    };
    context.chain_head = row.head_hash.clone();
    let at = stored_time(now);
    let now = at.and_utc();
    let was_adopted = state.status == DecisionStatus::Adopted;
    let (command, events) = judge(pack, engine.calendar, &state, &context, command, now)
        .map_err(ServiceError::Refused)?;
    for e in &events {
        state.apply(e);
    }
    let applied = persist(
        conn,
        pack,
        row,
        &command,
        &events,
        state,
        actor,
        at,
        draft_content,
        attested,
    )?;
    let adopted_now = !was_adopted && applied.state.status == DecisionStatus::Adopted;
    // Issue 12: what the organ's webhooks report, in this same transaction.
    super::outbox::record_decision_events(conn, &applied.row, &applied.events, adopted_now, at)?;
    if adopted_now {
        supersede_originals(conn, engine, &applied.row.id, now)?;
    }
    Ok(applied)
}

/// What came after the version a command was given at.
enum Since {
    /// Only batches of public comments. They commute with staff commands: a member of staff who
    /// read the decision before comments came in is not told it is stale for that.
    OnlyIntake,
    /// This same command, by this same user in this same role, first: the command given again
    /// — its answer lost on the way back and the request retried, a form sent twice. Its events,
    /// to answer as the first time; nothing is written again. (The same command at the same
    /// version cannot be meant as a second one: it would be stale all the same.)
    Replay(Vec<Event>),
    /// Anything else: the command is stale.
    Stale,
}

/// What came after `expected`, read from the first event after it that is not a comment batch.
fn since(
    conn: &mut DbConn,
    row: &DecisionRow,
    expected: i64,
    command: &Command,
    actor: &Actor,
) -> Result<Since, ServiceError> {
    if expected > row.version || expected < 0 {
        return Ok(Since::Stale);
    }
    let Some(first) =
        decisions::first_event_after_other_than(conn, &row.id, expected, INTAKE_COMMAND)?
    else {
        return Ok(Since::OnlyIntake);
    };
    let same_actor = first.actor_user_id == actor.user_id
        && first.actor_role == actor.role
        && first.actor_organ_id == actor.organ_id;
    let Ok(given) = serde_json::to_value(command) else {
        return Ok(Since::Stale);
    };
    let Ok(mut payload) = serde_json::from_str::<serde_json::Value>(&first.payload) else {
        return Ok(Since::Stale);
    };
    if !same_actor || payload.get("command") != Some(&given) {
        return Ok(Since::Stale);
    }
    Ok(serde_json::from_value(payload["events"].take()).map_or(Since::Stale, Since::Replay))
}

/// Append the event and update the projections.
#[allow(clippy::too_many_arguments)]
fn persist(
    conn: &mut DbConn,
    pack: &Pack,
    row: &DecisionRow,
    command: &Command,
    events: &[Event],
    state: Decision,
    actor: &Actor,
    at: chrono::NaiveDateTime,
    draft_content: Option<&str>,
    attested: Option<serde_json::Value>,
) -> Result<Applied, ServiceError> {
    let seq = row.version + 1;
    let draft_hash = match command {
        Command::Record {
            fact: Fact::Draft { hash, .. },
        } => Some(hash.clone()),
        _ => state.current_draft().cloned(),
    };
    let payload = match attested {
        Some(a) => serde_json::json!({ "command": command, "events": events, "attested": a }),
        None => serde_json::json!({ "command": command, "events": events }),
    }
    .to_string();
    let mut event = EventRow {
        decision_id: row.id.clone(),
        seq,
        actor_user_id: actor.user_id.clone(),
        actor_role: actor.role.clone(),
        actor_organ_id: actor.organ_id.clone(),
        command: command.name(),
        payload,
        draft_hash: draft_hash.as_ref().map(|h| h.0.clone()),
        at,
        prev_hash: row.head_hash.clone(),
        hash: String::new(),
    };
    event.hash = chain::event_hash(&event);
    let stale = || ServiceError::Stale {
        expected: row.version,
        actual: row.version + 1,
    };
    // A concurrent command that took this sequence number first makes ours stale.
    decisions::insert_event(conn, &event).map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => stale(),
        other => ServiceError::Db(other),
    })?;
    if let Command::Record {
        fact: Fact::Changed { new_decision, .. },
    } = command
    {
        decisions::link_adjustment(conn, &row.id, new_decision)?;
    }
    let (required, completed) = report_procedures(pack, &state);
    let updated = DecisionRow {
        status: <&str>::from(state.status).to_string(),
        attributes: state
            .attributes
            .as_ref()
            .and_then(|a| serde_json::to_string(a).ok())
            .unwrap_or_else(|| "{}".into()),
        state: serde_json::to_string(&state)
            .map_err(|e| ServiceError::Invalid(format!("state: {e} / 决策状态无法保存")))?,
        version: seq,
        head_hash: event.hash,
        updated_at: at,
        procedures_required: Some(required),
        procedures_completed: Some(completed),
        adopted_on: row.adopted_on.clone().or_else(|| {
            (state.status == DecisionStatus::Adopted).then(|| china_date(at.and_utc()).to_string())
        }),
        ..row.clone()
    };
    if !decisions::update_snapshot(conn, row, &updated)? {
        return Err(stale());
    }
    // Read tables: the stages this command touched.
    let mut touched: Vec<StageId> = Vec::new();
    for e in events {
        match &e.kind {
            EventKind::StageStarted { stage }
            | EventKind::StageCompleted { stage }
            | EventKind::StageWaived { stage, .. } => touched.push(stage.clone()),
            EventKind::StageReturned { from, to } => {
                touched.push(from.clone());
                touched.push(to.clone());
            }
            _ => {}
        }
    }
    // A command that sets a due date (the legality submission, the adoption) rewrites the row
    // of the stage it is due for, even when that stage did not move.
    let dues = stage_due_dates(pack, &state);
    if let Command::Record {
        fact: Fact::LegalitySubmission { .. } | Fact::HeadDecision { .. },
    } = command
    {
        for (stage, _) in &dues {
            if !touched.iter().any(|t| t.as_str() == *stage) {
                touched.push(StageId::new(stage));
            }
        }
    }
    for s in touched {
        let rec = state.stage(s.as_str());
        decisions::put_stage(
            conn,
            &StageRow {
                decision_id: row.id.clone(),
                stage: s.0.clone(),
                status: <&str>::from(rec.status).to_string(),
                rounds: i32::try_from(rec.rounds).unwrap_or(i32::MAX),
                started_at: rec.started_at.map(|t| t.naive_utc()),
                completed_at: rec.completed_at.map(|t| t.naive_utc()),
                due_on: dues
                    .iter()
                    .find(|(d, _)| *d == s.as_str())
                    .map(|(_, date)| date.to_string()),
                done_on: done_on(&state, s.as_str()).map(|d| d.to_string()),
                organ_id: Some(row.organ_id.clone()),
            },
        )?;
    }
    if let Command::Record { fact } = command {
        match (fact, draft_content, &draft_hash) {
            (Fact::Draft { .. }, Some(content), Some(hash)) => decisions::insert_draft(
                conn,
                &DraftVersion {
                    decision_id: row.id.clone(),
                    number: i32::try_from(state.drafts.len()).unwrap_or(i32::MAX),
                    hash: hash.0.clone(),
                    content: content.into(),
                    created_by: actor.user_id.clone(),
                    created_at: at,
                },
            )?,
            _ => comments::apply_handling(conn, &row.id, fact, at, &actor.user_id)?,
        }
    }
    Ok(Applied {
        row: updated,
        state,
        events: events.to_vec(),
        replayed: false,
    })
}

/// 第三十七条: a major adjustment takes effect when its new decision is adopted. Every original
/// waiting on `new_decision` is superseded now, by the server, in the same transaction.
fn supersede_originals(
    conn: &mut DbConn,
    engine: &Engine,
    new_decision: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    for original in decisions::adjusted_by(conn, new_decision)? {
        let Some(row) = decisions::decision(conn, &original)? else {
            continue;
        };
        if parse_state(&row)?.adjustment_pending.as_deref() != Some(new_decision) {
            continue;
        }
        commit_in(
            conn,
            engine,
            Submission {
                decision_id: &row.id,
                expected_version: row.version,
                command: Command::Supersede {
                    by: new_decision.to_string(),
                },
                actor: &Actor::system(),
                draft_content: None,
            },
            now,
            None,
        )?;
    }
    Ok(())
}

/// The decisions whose major adjustment names `id` as the new decision (第三十七条), for both
/// views to show the link.
pub fn adjusted_by(conn: &mut DbConn, id: &str) -> Result<Vec<String>, ServiceError> {
    Ok(decisions::adjusted_by(conn, id)?)
}

/// Fill what the annual report reads for decisions recorded before it was kept (the day of
/// adoption, the four procedures required and completed, each stage row's due and done days),
/// from each decision's own state, and the organ beside stage rows and comments stored without
/// it. Returns how many decisions were filled; none once done.
pub fn backfill(conn: &mut DbConn, engine: &Engine) -> Result<usize, ServiceError> {
    decisions::fill_organ_ids(conn)?;
    let rows = decisions::without_report_columns(conn)?;
    for row in &rows {
        let pack = pack_of(engine, row)?;
        let state = parse_state(row)?;
        let (required, completed) = report_procedures(pack, &state);
        let adopted_on = row.adopted_on.clone().or_else(|| {
            state.facts.iter().find_map(|d| match &d.fact {
                Fact::HeadDecision {
                    outcome: crate::procedure::state::MeetingOutcome::Adopted,
                    ..
                } => Some(china_date(d.at).to_string()),
                _ => None,
            })
        });
        decisions::set_report_columns(conn, &row.id, adopted_on, &required, &completed)?;
        let dues = stage_due_dates(pack, &state);
        for (stage, rec) in &state.stages {
            decisions::put_stage(
                conn,
                &StageRow {
                    decision_id: row.id.clone(),
                    stage: stage.0.clone(),
                    status: <&str>::from(rec.status).to_string(),
                    rounds: i32::try_from(rec.rounds).unwrap_or(i32::MAX),
                    started_at: rec.started_at.map(|t| t.naive_utc()),
                    completed_at: rec.completed_at.map(|t| t.naive_utc()),
                    due_on: dues
                        .iter()
                        .find(|(d, _)| *d == stage.as_str())
                        .map(|(_, date)| date.to_string()),
                    done_on: done_on(&state, stage.as_str()).map(|d| d.to_string()),
                    organ_id: Some(row.organ_id.clone()),
                },
            )?;
        }
    }
    Ok(rows.len())
}
