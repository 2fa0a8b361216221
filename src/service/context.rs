//! What a command refers to, loaded from the store for the engine's admission
//! (`procedure::admission`): the registry entry, the linked decision, the comments, the hearing
//! round's applications and draw.

use super::ServiceError;
use crate::db::rows::{DecisionRow, HearingApplication, HearingSelection};
use crate::db::{accounts, comments, decisions, hearings, registry, DbConn};
use crate::procedure::admission::{
    CommentState, Context, HearingApplicant, HearingRound, LinkedDecision, Needs, RegistryEntry,
};
use crate::procedure::selection;
use crate::procedure::state::{Decision, DecisionStatus, HearingParticipant};

/// Load what the command refers to.
pub(crate) fn load_context(
    conn: &mut DbConn,
    row: &DecisionRow,
    state: &Decision,
    needs: &Needs,
) -> Result<Context, ServiceError> {
    let mut ctx = Context::default();
    if let Some(id) = &needs.expert {
        if let Some(e) = registry::expert(conn, id)? {
            let reachable = accounts::organ_and_parents(conn, &row.organ_id)?.contains(&e.organ_id);
            ctx.experts.insert(
                id.clone(),
                RegistryEntry {
                    id: e.id.clone(),
                    fields: serde_json::from_str(&e.fields).unwrap_or_default(),
                    name: e.name,
                    organisation: e.organisation,
                    active: e.active,
                    reachable,
                },
            );
        }
    }
    if let Some(id) = &needs.decision {
        if let Some(d) = decisions::decision(conn, id)? {
            ctx.decisions.insert(
                id.clone(),
                LinkedDecision {
                    id: d.id.clone(),
                    same_organ: d.organ_id == row.organ_id && d.id != row.id,
                    status: status_of(&d),
                },
            );
        }
    }
    for (id, hidden, disposed) in comments::handling_of(conn, &row.id, &needs.comments)? {
        ctx.comments.insert(id, CommentState { hidden, disposed });
    }
    if needs.hearing {
        ctx.hearing = Some(round_context(conn, &row.id, state)?);
    }
    Ok(ctx)
}

/// A decision's status as stored.
fn status_of(row: &DecisionRow) -> DecisionStatus {
    serde_json::from_value(serde_json::Value::String(row.status.clone())).unwrap_or_default()
}

/// Participant names as the record shows them; a name chosen twice is told apart by the start
/// of its application id, since later facts (materials, signatures) name participants.
pub(crate) fn participants_of(chosen: &[&HearingApplication]) -> Vec<HearingParticipant> {
    chosen
        .iter()
        .map(|a| {
            let twins = chosen.iter().filter(|b| b.name == a.name).count();
            HearingParticipant {
                name: if twins > 1 {
                    format!("{}（{}）", a.name, a.id.get(..8).unwrap_or(&a.id))
                } else {
                    a.name.clone()
                },
                interest_group: a.interest_group.clone(),
                civil_servant: a.civil_servant,
                invitation_reason: None,
            }
        })
        .collect()
}

/// The applications of a draw, in the order drawn.
fn drawn<'a>(
    s: &HearingSelection,
    applications: &'a [HearingApplication],
) -> Vec<&'a HearingApplication> {
    let chosen: Vec<String> = serde_json::from_str(&s.chosen).unwrap_or_default();
    chosen
        .iter()
        .filter_map(|cid| applications.iter().find(|a| &a.id == cid))
        .collect()
}

/// The current round's applications and draw, for the engine's admission.
pub fn round_context(
    conn: &mut DbConn,
    decision_id: &str,
    state: &Decision,
) -> Result<HearingRound, ServiceError> {
    let Some(r) = selection::round(state) else {
        return Ok(HearingRound::default());
    };
    let applications = hearings::hearing_applications_of(conn, decision_id, r.number)?;
    let draw = hearings::hearing_selection(conn, decision_id, r.number)?
        .map(|s| (s.seed.clone(), participants_of(&drawn(&s, &applications))));
    Ok(HearingRound {
        applicants: applications
            .iter()
            .map(|a| HearingApplicant {
                name: a.name.clone(),
                interest_group: a.interest_group.clone(),
            })
            .collect(),
        draw,
    })
}
