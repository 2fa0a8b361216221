//! Queries. Model code returns [`StoreError`]; the API turns it into problem+json.
//!
//! [`append`] is the unit of work of every command: load the decision, check its version, run the
//! engine, append the event to the chain, update the read tables — in one transaction.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use super::rows::*;
use super::schema::*;
use super::DbConn;
use crate::audit;
use crate::procedure::state::{Command, Decision, Fact, StageId};
use crate::procedure::{evaluate, Calendar, Event, Pack, Violation};

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such thing.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The decision moved on since the client read it.
    #[error("the decision is at version {actual}, not {expected}")]
    Stale {
        /// What the client expected.
        expected: i64,
        /// Where it is.
        actual: i64,
    },
    /// The engine refused.
    #[error("the procedure refuses the command")]
    Refused(Vec<Violation>),
    /// Bad input the engine does not judge.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
}

/// Who acts: the user, in which role, for which organ. Recorded on every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// User id.
    pub user_id: String,
    /// Role.
    pub role: String,
    /// Organ id.
    pub organ_id: String,
}

/// The time as stored: UTC, to the microsecond.
pub fn stored_time(t: DateTime<Utc>) -> NaiveDateTime {
    audit::truncate(t.naive_utc())
}

/// A new id.
pub fn new_id() -> String {
    Uuid::new_v4().to_string()
}

// ---- organs, users, roles, sessions

/// Insert an organ.
pub fn insert_organ(conn: &mut DbConn, organ: &Organ) -> QueryResult<()> {
    diesel::insert_into(organs::table)
        .values(organ)
        .execute(conn)
        .map(|_| ())
}

/// Set an organ's parent and legality review unit.
pub fn link_organ(
    conn: &mut DbConn,
    id: &str,
    parent: Option<&str>,
    legality_unit: Option<&str>,
) -> QueryResult<()> {
    diesel::update(organs::table.find(id))
        .set((
            organs::parent_id.eq(parent),
            organs::legality_unit_id.eq(legality_unit),
        ))
        .execute(conn)
        .map(|_| ())
}

/// An organ by id.
pub fn organ(conn: &mut DbConn, id: &str) -> QueryResult<Option<Organ>> {
    organs::table
        .find(id)
        .select(Organ::as_select())
        .first(conn)
        .optional()
}

/// Every organ.
pub fn all_organs(conn: &mut DbConn) -> QueryResult<Vec<Organ>> {
    organs::table
        .order(organs::name.asc())
        .select(Organ::as_select())
        .load(conn)
}

/// Insert a user.
pub fn insert_user(conn: &mut DbConn, user: &User) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(|_| ())
}

/// Grant a role in an organ.
pub fn grant(conn: &mut DbConn, user_id: &str, organ_id: &str, role: &str) -> QueryResult<()> {
    diesel::insert_into(user_roles::table)
        .values(UserRole {
            user_id: user_id.into(),
            organ_id: organ_id.into(),
            role: role.into(),
        })
        .execute(conn)
        .map(|_| ())
}

/// A user by username.
pub fn user_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// A user's roles.
pub fn roles_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<UserRole>> {
    user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(UserRole::as_select())
        .load(conn)
}

/// Store a session.
pub fn insert_session(conn: &mut DbConn, session: &Session) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .map(|_| ())
}

/// The user of a live session with their roles, in one query.
pub fn session_with_roles(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(User, Vec<UserRole>)>> {
    let rows: Vec<(User, Option<UserRole>)> = sessions::table
        .inner_join(users::table.left_join(user_roles::table))
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .select((User::as_select(), Option::<UserRole>::as_select()))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((user, first)) = rows.next() else {
        return Ok(None);
    };
    let roles = first
        .into_iter()
        .chain(rows.filter_map(|(_, r)| r))
        .collect();
    Ok(Some((user, roles)))
}

/// Forget sessions that have expired.
pub fn delete_expired_sessions(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

/// End a session.
pub fn delete_session(conn: &mut DbConn, token_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(token_hash))
        .execute(conn)
        .map(|_| ())
}

// ---- decisions

/// A catalog item by id.
pub fn catalog_item(conn: &mut DbConn, id: &str) -> QueryResult<Option<CatalogItem>> {
    catalog_items::table
        .find(id)
        .select(CatalogItem::as_select())
        .first(conn)
        .optional()
}

/// A decision's row.
pub fn decision(conn: &mut DbConn, id: &str) -> QueryResult<Option<DecisionRow>> {
    decisions::table
        .find(id)
        .select(DecisionRow::as_select())
        .first(conn)
        .optional()
}

/// Decisions of these organs (as owner or lead unit), newest first, keyset-paged by
/// (created_at, id).
pub fn list_decisions(
    conn: &mut DbConn,
    organ_ids: &[String],
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<DecisionRow>> {
    let mut q = decisions::table
        .filter(
            decisions::organ_id
                .eq_any(organ_ids)
                .or(decisions::lead_unit_id.eq_any(organ_ids)),
        )
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            decisions::created_at
                .lt(at)
                .or(decisions::created_at.eq(at).and(decisions::id.lt(id))),
        );
    }
    q.order((decisions::created_at.desc(), decisions::id.desc()))
        .limit(limit)
        .select(DecisionRow::as_select())
        .load(conn)
}

/// A decision's events in order.
pub fn events_of(conn: &mut DbConn, id: &str) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::decision_id.eq(id))
        .order(events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// A decision's draft versions, without their content.
pub fn drafts_of(conn: &mut DbConn, id: &str) -> QueryResult<Vec<DraftMeta>> {
    draft_versions::table
        .filter(draft_versions::decision_id.eq(id))
        .order(draft_versions::number.asc())
        .select(DraftMeta::as_select())
        .load(conn)
}

/// One draft version with its content.
pub fn draft(conn: &mut DbConn, id: &str, number: i32) -> QueryResult<Option<DraftVersion>> {
    draft_versions::table
        .find((id, number))
        .select(DraftVersion::as_select())
        .first(conn)
        .optional()
}

/// Where a new decision belongs.
pub struct NewDecision<'a> {
    /// The decision organ.
    pub organ_id: &'a str,
    /// The lead undertaking unit (an organ).
    pub lead_unit_id: &'a str,
    /// The catalog item, if any.
    pub catalog_item_id: Option<&'a str>,
    /// The pack in force.
    pub pack: &'a Pack,
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
}

/// Create a decision: evaluate the initiation and store the decision with its first event.
pub fn create_decision(
    conn: &mut DbConn,
    new: NewDecision,
    cal: &Calendar,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Applied, StoreError> {
    let Command::Initiate(init) = command else {
        return Err(StoreError::Invalid(
            "a decision starts with its initiation".into(),
        ));
    };
    let at = stored_time(now);
    let id = new_id();
    conn.transaction(|conn| {
        let row = DecisionRow {
            id: id.clone(),
            organ_id: new.organ_id.into(),
            lead_unit_id: new.lead_unit_id.into(),
            catalog_item_id: new.catalog_item_id.map(str::to_string),
            title: init.title.clone(),
            pack_id: new.pack.id.clone(),
            pack_version: new.pack.version.clone(),
            status: "new".into(),
            attributes: "{}".into(),
            state: serde_json::to_string(&Decision::default()).unwrap_or_default(),
            version: 0,
            head_hash: audit::GENESIS.into(),
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(decisions::table)
            .values(&row)
            .execute(conn)?;
        append_in(conn, new.pack, cal, &id, 0, command, actor, now, None)
    })
}

/// Apply a command to a decision at `expected_version`, in one transaction.
#[allow(clippy::too_many_arguments)]
pub fn append(
    conn: &mut DbConn,
    pack: &Pack,
    cal: &Calendar,
    decision_id: &str,
    expected_version: i64,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_content: Option<&str>,
) -> Result<Applied, StoreError> {
    conn.transaction(|conn| {
        append_in(
            conn,
            pack,
            cal,
            decision_id,
            expected_version,
            command,
            actor,
            now,
            draft_content,
        )
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn append_in(
    conn: &mut DbConn,
    pack: &Pack,
    cal: &Calendar,
    decision_id: &str,
    expected_version: i64,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_content: Option<&str>,
) -> Result<Applied, StoreError> {
    let row = decision(conn, decision_id)?.ok_or(StoreError::NotFound("decision"))?;
    if row.version != expected_version
        && !only_intake_since(conn, decision_id, expected_version, row.version)?
    {
        return Err(StoreError::Stale {
            expected: expected_version,
            actual: row.version,
        });
    }
    // The version the update below is guarded by: the one just read.
    let expected_version = row.version;
    // 第三十三条: the dossier is sealed with the record's chain hash at sealing time, which only
    // the store knows; whatever the client sent is replaced.
    let sealed;
    let command = match command {
        Command::Record {
            fact: Fact::ArchiveSealed { .. },
        } => {
            sealed = Command::Record {
                fact: Fact::ArchiveSealed {
                    seal: row.head_hash.clone(),
                },
            };
            &sealed
        }
        other => other,
    };
    if let Command::Record { fact } = command {
        super::comments::check_handling(conn, decision_id, fact)?;
    }
    let mut state: Decision = serde_json::from_str(&row.state).map_err(|e| {
        StoreError::Invalid(format!(
            "stored state of decision {decision_id} is unreadable: {e}"
        ))
    })?;
    let at = stored_time(now);
    let now = at.and_utc();
    let events = evaluate(pack, cal, &state, command, now).map_err(StoreError::Refused)?;
    for e in &events {
        state.apply(e);
    }
    let seq = row.version + 1;
    let draft_hash = match command {
        Command::Record {
            fact: Fact::Draft { hash, .. },
        } => Some(hash.clone()),
        _ => state.current_draft().cloned(),
    };
    let payload = serde_json::json!({ "command": command, "events": events }).to_string();
    let mut event = EventRow {
        decision_id: decision_id.into(),
        seq,
        actor_user_id: actor.user_id.clone(),
        actor_role: actor.role.clone(),
        actor_organ_id: actor.organ_id.clone(),
        command: command_name(command),
        payload,
        draft_hash: draft_hash.as_ref().map(|h| h.0.clone()),
        at,
        prev_hash: row.head_hash.clone(),
        hash: String::new(),
    };
    event.hash = audit::event_hash(&event);
    // A concurrent command that took this sequence number first makes ours stale.
    diesel::insert_into(events::table)
        .values(&event)
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => StoreError::Stale {
                expected: expected_version,
                actual: expected_version + 1,
            },
            other => StoreError::Db(other),
        })?;

    let status = serde_json::to_value(state.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let attributes = state
        .attributes
        .as_ref()
        .and_then(|a| serde_json::to_string(a).ok())
        .unwrap_or_else(|| "{}".into());
    let state_json =
        serde_json::to_string(&state).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let updated = diesel::update(
        decisions::table
            .filter(decisions::id.eq(decision_id))
            .filter(decisions::version.eq(expected_version)),
    )
    .set((
        decisions::state.eq(&state_json),
        decisions::status.eq(&status),
        decisions::attributes.eq(&attributes),
        decisions::version.eq(seq),
        decisions::head_hash.eq(&event.hash),
        decisions::updated_at.eq(at),
    ))
    .execute(conn)?;
    if updated != 1 {
        return Err(StoreError::Stale {
            expected: expected_version,
            actual: expected_version + 1,
        });
    }

    // Read tables: the stages this command touched.
    let mut touched: Vec<StageId> = Vec::new();
    for e in &events {
        use crate::procedure::EventKind::*;
        match &e.kind {
            StageStarted { stage } | StageCompleted { stage } | StageWaived { stage, .. } => {
                touched.push(stage.clone())
            }
            StageReturned { from, to } => {
                touched.push(from.clone());
                touched.push(to.clone());
            }
            _ => {}
        }
    }
    for s in touched {
        let rec = state.stage(s.as_str());
        diesel::delete(
            stage_records::table
                .filter(stage_records::decision_id.eq(decision_id))
                .filter(stage_records::stage.eq(s.as_str())),
        )
        .execute(conn)?;
        diesel::insert_into(stage_records::table)
            .values(StageRow {
                decision_id: decision_id.into(),
                stage: s.0.clone(),
                status: serde_json::to_value(rec.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                rounds: i32::try_from(rec.rounds).unwrap_or(i32::MAX),
                started_at: rec.started_at.map(|t| t.naive_utc()),
                completed_at: rec.completed_at.map(|t| t.naive_utc()),
            })
            .execute(conn)?;
    }
    if let (Some(content), Some(hash)) = (draft_content, &draft_hash) {
        if let Command::Record {
            fact: Fact::Draft { .. },
        } = command
        {
            diesel::insert_into(draft_versions::table)
                .values(DraftVersion {
                    decision_id: decision_id.into(),
                    number: i32::try_from(state.drafts.len()).unwrap_or(i32::MAX),
                    hash: hash.0.clone(),
                    content: content.into(),
                    created_by: actor.user_id.clone(),
                    created_at: at,
                })
                .execute(conn)?;
        }
    }
    if let Command::Record { fact } = command {
        super::comments::apply_handling(conn, decision_id, fact, at, actor)?;
    }
    let row = DecisionRow {
        status,
        attributes,
        state: state_json,
        version: seq,
        head_hash: event.hash,
        updated_at: at,
        ..row
    };
    Ok(Applied { row, state, events })
}

/// Whether every event after `expected` up to `actual` is a batch of public comments. Such
/// batches commute with staff commands: a member of staff who read the decision before comments
/// came in is not told it is stale for that.
fn only_intake_since(
    conn: &mut DbConn,
    decision_id: &str,
    expected: i64,
    actual: i64,
) -> QueryResult<bool> {
    if expected > actual || expected < 0 {
        return Ok(false);
    }
    let others: i64 = events::table
        .filter(events::decision_id.eq(decision_id))
        .filter(events::seq.gt(expected))
        .filter(events::command.ne(INTAKE_COMMAND))
        .count()
        .get_result(conn)?;
    Ok(others == 0)
}

/// The command name of a batch of public comments.
pub const INTAKE_COMMAND: &str = "record:comments_received";

/// A short name of a command for the record, e.g. `start_stage:hearing`, `record:legality_opinion`.
pub fn command_name(c: &Command) -> String {
    match c {
        Command::Initiate(_) => "initiate".into(),
        Command::ChangeAttributes { .. } => "change_attributes".into(),
        Command::StartStage { stage } => format!("start_stage:{stage}"),
        Command::CompleteStage { stage } => format!("complete_stage:{stage}"),
        Command::WaiveStage { stage, .. } => format!("waive_stage:{stage}"),
        Command::Record { fact } => {
            let kind = serde_json::to_value(fact)
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
                .unwrap_or_default();
            format!("record:{kind}")
        }
    }
}

// ---- hearings (第十六条) and the expert registry (第二十一条)

/// A hearing application by its idempotency key.
pub fn hearing_application_by_key(
    conn: &mut DbConn,
    decision_id: &str,
    key: &str,
) -> QueryResult<Option<HearingApplication>> {
    hearing_applications::table
        .filter(hearing_applications::decision_id.eq(decision_id))
        .filter(hearing_applications::idempotency_key.eq(key))
        .select(HearingApplication::as_select())
        .first(conn)
        .optional()
}

/// Store an application once per (decision, idempotency key). Returns the stored row and
/// whether it is new; a concurrent twin that stored first is returned as stored.
pub fn insert_hearing_application(
    conn: &mut DbConn,
    application: &HearingApplication,
) -> QueryResult<(HearingApplication, bool)> {
    let key = &application.idempotency_key;
    if let Some(existing) = hearing_application_by_key(conn, &application.decision_id, key)? {
        return Ok((existing, false));
    }
    match diesel::insert_into(hearing_applications::table)
        .values(application)
        .execute(conn)
    {
        Ok(_) => Ok((application.clone(), true)),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => hearing_application_by_key(conn, &application.decision_id, key)?
            .map(|a| (a, false))
            .ok_or(diesel::result::Error::NotFound),
        Err(e) => Err(e),
    }
}

/// The applications of one hearing round, oldest first.
pub fn hearing_applications_of(
    conn: &mut DbConn,
    decision_id: &str,
    round: i32,
) -> QueryResult<Vec<HearingApplication>> {
    hearing_applications::table
        .filter(hearing_applications::decision_id.eq(decision_id))
        .filter(hearing_applications::round.eq(round))
        .order((
            hearing_applications::created_at.asc(),
            hearing_applications::id.asc(),
        ))
        .select(HearingApplication::as_select())
        .load(conn)
}

/// The draw of one hearing round, if it was made.
pub fn hearing_selection(
    conn: &mut DbConn,
    decision_id: &str,
    round: i32,
) -> QueryResult<Option<HearingSelection>> {
    hearing_selections::table
        .find((decision_id, round))
        .select(HearingSelection::as_select())
        .first(conn)
        .optional()
}

/// Record the draw of a hearing round (one per round: the key refuses a second).
pub fn insert_hearing_selection(
    conn: &mut DbConn,
    selection: &HearingSelection,
) -> QueryResult<()> {
    diesel::insert_into(hearing_selections::table)
        .values(selection)
        .execute(conn)
        .map(|_| ())
}

/// An organ and its parents, nearest first (at most 32 levels; a cycle ends the walk).
pub fn organ_and_parents(conn: &mut DbConn, organ_id: &str) -> QueryResult<Vec<String>> {
    let mut chain: Vec<String> = Vec::new();
    let mut next = Some(organ_id.to_string());
    while let Some(id) = next.take() {
        if chain.contains(&id) || chain.len() >= 32 {
            break;
        }
        let parent = organs::table
            .find(&id)
            .select(organs::parent_id)
            .first::<Option<String>>(conn)
            .optional()?;
        match parent {
            None => break,
            Some(p) => {
                chain.push(id);
                next = p;
            }
        }
    }
    Ok(chain)
}

/// An expert by their registry's idempotency key.
pub fn expert_by_key(conn: &mut DbConn, organ_id: &str, key: &str) -> QueryResult<Option<Expert>> {
    experts::table
        .filter(experts::organ_id.eq(organ_id))
        .filter(experts::idempotency_key.eq(key))
        .select(Expert::as_select())
        .first(conn)
        .optional()
}

/// Add an expert with their fields, once per (registry, idempotency key). Returns the stored
/// row and whether it is new.
pub fn insert_expert(
    conn: &mut DbConn,
    expert: &Expert,
    fields: &[String],
) -> QueryResult<(Expert, bool)> {
    if let Some(key) = &expert.idempotency_key {
        if let Some(existing) = expert_by_key(conn, &expert.organ_id, key)? {
            return Ok((existing, false));
        }
    }
    let stored = conn.transaction(|conn| {
        diesel::insert_into(experts::table)
            .values(expert)
            .execute(conn)?;
        // One statement per field: MultiConnection has no portable multi-row insert.
        for f in fields {
            diesel::insert_into(expert_fields::table)
                .values(ExpertField {
                    expert_id: expert.id.clone(),
                    field: f.clone(),
                })
                .execute(conn)?;
        }
        Ok::<(), diesel::result::Error>(())
    });
    match (stored, &expert.idempotency_key) {
        (Ok(_), _) => Ok((expert.clone(), true)),
        (
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )),
            Some(key),
        ) => expert_by_key(conn, &expert.organ_id, key)?
            .map(|e| (e, false))
            .ok_or(diesel::result::Error::NotFound),
        (Err(e), _) => Err(e),
    }
}

/// An expert by id.
pub fn expert(conn: &mut DbConn, id: &str) -> QueryResult<Option<Expert>> {
    experts::table
        .find(id)
        .select(Expert::as_select())
        .first(conn)
        .optional()
}

/// Experts of these registries, newest first, keyset-paged by (created_at, id); optionally only
/// those with a field of expertise containing `field`, optionally only the active ones.
pub fn search_experts(
    conn: &mut DbConn,
    organ_ids: &[String],
    field: Option<&str>,
    active_only: bool,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<Expert>> {
    let mut q = experts::table
        .filter(experts::organ_id.eq_any(organ_ids))
        .into_boxed();
    if let Some(field) = field {
        let escaped: String = field
            .chars()
            .flat_map(|c| match c {
                '\\' | '%' | '_' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        q = q.filter(
            experts::id.eq_any(
                expert_fields::table
                    .filter(
                        expert_fields::field
                            .like(format!("%{escaped}%"))
                            .escape('\\'),
                    )
                    .select(expert_fields::expert_id),
            ),
        );
    }
    if active_only {
        q = q.filter(experts::active.eq(true));
    }
    if let Some((at, id)) = before {
        q = q.filter(
            experts::created_at
                .lt(at)
                .or(experts::created_at.eq(at).and(experts::id.lt(id))),
        );
    }
    q.order((experts::created_at.desc(), experts::id.desc()))
        .limit(limit)
        .select(Expert::as_select())
        .load(conn)
}

/// Take an expert out of service (never deleted: past selections still name them). An expert
/// already inactive keeps their first deactivation.
pub fn deactivate_expert(
    conn: &mut DbConn,
    id: &str,
    at: NaiveDateTime,
    reason: &str,
) -> QueryResult<Option<Expert>> {
    diesel::update(
        experts::table
            .filter(experts::id.eq(id))
            .filter(experts::active.eq(true)),
    )
    .set((
        experts::active.eq(false),
        experts::deactivated_at.eq(Some(at)),
        experts::deactivation_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    expert(conn, id)
}
