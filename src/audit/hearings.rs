//! Hearing draws (第十六条) against the record: each draw's event must carry the draw's seed; the
//! round's applications as stored must still give the recorded draw, name the participants the
//! event recorded, and match the digest the event sealed at the draw — so an application added,
//! removed, moved to another group or edited after the draw is named (`hearing_altered`).

use std::collections::BTreeMap;

use diesel::QueryResult;

use super::{finding, Report};
use crate::chain::applications_digest;
use crate::db::hearings;
use crate::db::rows::{EventRow, HearingApplication};
use crate::db::DbConn;
use crate::procedure::selection::{draw, Applicant};

/// Check every draw.
pub(super) fn verify(
    conn: &mut DbConn,
    chains: &BTreeMap<&str, Vec<&EventRow>>,
    report: &mut Report,
) -> QueryResult<()> {
    for (d, applications) in hearings::draws_with_applications(conn)? {
        let event = chains
            .get(d.decision_id.as_str())
            .and_then(|c| c.iter().find(|e| e.seq == d.event_seq));
        let mut bad = |detail: String| {
            report.findings.push(finding(
                &d.decision_id,
                d.event_seq,
                "hearing_altered",
                detail,
            ));
        };
        let Some(event) = event else {
            bad(format!(
                "the draw of round {} names an event that is not in the chain",
                d.round
            ));
            continue;
        };
        let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
        let fact = &payload["command"]["fact"];
        if event.command != "record:hearing_participants"
            || fact["selection_seed"].as_str() != Some(d.seed.as_str())
        {
            bad(format!(
                "the draw of round {} and its event differ (command or seed)",
                d.round
            ));
            continue;
        }
        // Only the applications the draw could see.
        let seen: Vec<HearingApplication> = applications
            .into_iter()
            .filter(|a| a.created_at <= event.at)
            .collect();
        if let Some(sealed) = payload["attested"]["applications_digest"].as_str() {
            if sealed != applications_digest(&seen) {
                bad(format!(
                    "the applications of round {} are not those the draw was made from (one was edited, added or removed)",
                    d.round
                ));
                continue;
            }
        }
        let seats: BTreeMap<String, u32> = serde_json::from_str(&d.seats).unwrap_or_default();
        let chosen: Vec<String> = serde_json::from_str(&d.chosen).unwrap_or_default();
        let applicants: Vec<Applicant> = seen
            .iter()
            .map(|a| Applicant {
                id: a.id.clone(),
                interest_group: a.interest_group.clone(),
            })
            .collect();
        let again: Vec<String> = draw(&applicants, &seats, &d.seed)
            .into_iter()
            .map(|c| c.id)
            .collect();
        if again != chosen {
            bad(format!(
                "the applications of round {} with the recorded seed no longer give the recorded draw",
                d.round
            ));
            continue;
        }
        let names: Vec<(String, String)> = fact["participants"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_string(),
                    p["interest_group"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let stored: Vec<(String, String)> = chosen
            .iter()
            .filter_map(|id| seen.iter().find(|a| &a.id == id))
            .map(|a| (a.name.clone(), a.interest_group.clone()))
            .collect();
        let same = names.len() == stored.len()
            && names
                .iter()
                .zip(&stored)
                .all(|((n, g), (sn, sg))| g == sg && n.starts_with(sn.as_str()));
        if !same {
            bad(format!(
                "the chosen applications of round {} no longer name the participants the event recorded",
                d.round
            ));
        }
    }
    Ok(())
}
