//! Hearings through the one door (第十六条): applications from the public while the notice
//! stands, the draw of participants with a server-generated seed, and the round as the engine's
//! admission sees it (applications and draw), so that a participant list recorded any way is
//! checked against them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::Connection;
use rand::RngCore;

use super::context::participants_of;
use super::decisions::{self, Applied, Submission};
use super::{Engine, ServiceError};
use crate::access::{self, Principal};
use crate::db::rows::{HearingApplication, HearingSelection};
use crate::db::{hearings, new_id, stored_time, DbConn};
use crate::procedure::admission::{Context, HearingApplicant, HearingRound};
use crate::procedure::selection::{self, Applicant, Round};
use crate::procedure::state::{china_date, Command, Fact};

/// The published hearing of a decision: its row, state and current round (none: not public).
pub fn public_round(
    conn: &mut DbConn,
    decision_id: &str,
) -> Result<Option<(crate::db::rows::DecisionRow, Round)>, ServiceError> {
    let Some(row) = crate::db::decisions::decision(conn, decision_id)? else {
        return Ok(None);
    };
    let state = decisions::parse_state(&row)?;
    // A matter lawfully not public has no public hearing (第十四条第一款): marked so after a
    // round was announced, its notice and draft are no longer the public's.
    if state.not_public() {
        return Ok(None);
    }
    Ok(selection::round(&state).map(|r| (row, r)))
}

/// An application as the public sends it (fields already checked for size).
pub struct NewApplication {
    /// Name.
    pub name: String,
    /// Contact.
    pub contact: String,
    /// Interest group.
    pub interest_group: String,
    /// Statement.
    pub statement: String,
    /// Self-declared civil servant.
    pub civil_servant: bool,
    /// The idempotency key.
    pub key: String,
    /// The hash of the request, to tell a retry from another application under the same key.
    pub request_hash: String,
}

/// Take an application to the current round, once per idempotency key. Returns the stored
/// application and whether it is new; a key reused for another application is refused.
pub fn apply(
    conn: &mut DbConn,
    engine: &Engine,
    decision_id: &str,
    new: NewApplication,
    now: DateTime<Utc>,
) -> Result<(HearingApplication, bool), ServiceError> {
    let same_key = |a: &HearingApplication| {
        if a.request_hash == new.request_hash {
            Ok(a.clone())
        } else {
            Err(ServiceError::Invalid(
                "Idempotency-Key: already used for a different application / 该幂等键已用于另一份报名".into(),
            ))
        }
    };
    if let Some(existing) = hearings::hearing_application_by_key(conn, decision_id, &new.key)? {
        return Ok((same_key(&existing)?, false));
    }
    let (row, r) = public_round(conn, decision_id)?
        .ok_or_else(|| ServiceError::NotFound(format!("hearing of decision {decision_id}")))?;
    let pack = decisions::pack_of(engine, &row)?;
    selection::check_application(pack, &r, china_date(now), new.civil_servant)
        .map_err(ServiceError::Refused)?;
    let application = HearingApplication {
        id: new_id(),
        decision_id: row.id.clone(),
        round: r.number,
        idempotency_key: new.key.clone(),
        request_hash: new.request_hash.clone(),
        name: new.name.clone(),
        contact: new.contact.clone(),
        interest_group: new.interest_group.clone(),
        statement: new.statement.clone(),
        civil_servant: new.civil_servant,
        created_at: stored_time(now),
    };
    let (stored, is_new) = hearings::insert_hearing_application(conn, &application)?;
    Ok((same_key(&stored)?, is_new))
}

/// The result of a draw.
pub struct Drawn {
    /// The command applied.
    pub applied: Applied,
    /// The round.
    pub round: i32,
    /// The draw as stored.
    pub selection: HearingSelection,
    /// The round's applications.
    pub applications: Vec<HearingApplication>,
}

/// Draw the participants of the current round per interest group with a seed the server
/// generates, and record the list as `hearing_participants` — in one transaction.
pub fn draw(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    decision_id: &str,
    expected_version: i64,
    seats: &BTreeMap<String, u32>,
    now: DateTime<Utc>,
) -> Result<Drawn, ServiceError> {
    let r = decisions::readable(conn, who, decision_id)?;
    let probe = Command::Record {
        fact: Fact::HearingParticipants {
            participants: Vec::new(),
            selection_seed: None,
        },
    };
    let actor = access::actor(who, &r.parties(), &probe)?;
    let state = decisions::parse_state(&r.row)?;
    let already = match selection::round(&state) {
        Some(round) => hearings::hearing_selection(conn, &r.row.id, round.number)?.is_some(),
        None => false,
    };
    let round = selection::check_draw(&state, already).map_err(ServiceError::Refused)?;
    let applications = hearings::hearing_applications_of(conn, &r.row.id, round.number)?;
    for group in seats.keys() {
        if !applications.iter().any(|a| &a.interest_group == group) {
            return Err(ServiceError::Invalid(format!(
                "seats.{group}: nobody applied for this interest group / 该利益群体无人报名"
            )));
        }
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let seed = hex::encode(bytes);
    let applicants: Vec<Applicant> = applications
        .iter()
        .map(|a| Applicant {
            id: a.id.clone(),
            interest_group: a.interest_group.clone(),
        })
        .collect();
    let chosen_ids: Vec<String> = selection::draw(&applicants, seats, &seed)
        .into_iter()
        .map(|c| c.id)
        .collect();
    let chosen: Vec<&HearingApplication> = chosen_ids
        .iter()
        .filter_map(|id| applications.iter().find(|a| &a.id == id))
        .collect();
    let participants = participants_of(&chosen);
    let context = Context {
        hearing: Some(HearingRound {
            applicants: applications
                .iter()
                .map(|a| HearingApplicant {
                    name: a.name.clone(),
                    interest_group: a.interest_group.clone(),
                })
                .collect(),
            draw: Some((seed.clone(), participants.clone())),
        }),
        ..Context::default()
    };
    let command = Command::Record {
        fact: Fact::HearingParticipants {
            participants,
            selection_seed: Some(seed.clone()),
        },
    };
    let seats_json = serde_json::to_string(seats).unwrap_or_default();
    let chosen_json = serde_json::to_string(&chosen_ids).unwrap_or_default();
    conn.transaction(|conn| {
        let applied = decisions::commit_attested(
            conn,
            engine,
            Submission {
                decision_id: &r.row.id,
                expected_version,
                command,
                actor: &actor,
                draft_content: None,
            },
            now,
            Some(context),
            Some(serde_json::json!({
                "applications_digest": crate::chain::applications_digest(&applications),
                "applications": applications.len(),
            })),
        )?;
        let selection = HearingSelection {
            decision_id: r.row.id.clone(),
            round: round.number,
            seed: seed.clone(),
            seats: seats_json,
            chosen: chosen_json,
            event_seq: applied.row.version,
            created_by: who.user.id.clone(),
            created_at: stored_time(now),
        };
        hearings::insert_hearing_selection(conn, &selection)?;
        Ok(Drawn {
            applied,
            round: round.number,
            selection,
            applications: applications.clone(),
        })
    })
}
