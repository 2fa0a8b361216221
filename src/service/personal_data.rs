//! The public's personal data — commenters' and hearing applicants' contacts — goes to those
//! who handle it: the undertaking unit and the decision organ's staff
//! ([`access::handles_personal_data`]). Others who may read the decision (the legality unit,
//! the head, inspectors) see the contact redacted. Every read that shows contacts is recorded.

use chrono::{DateTime, Utc};

use super::decisions::{self, Readable};
use super::ServiceError;
use crate::access::{self, Principal};
use crate::db::rows::{HearingApplication, PersonalDataRead};
use crate::db::{hearings, new_id, personal_data, stored_time, DbConn};
use crate::procedure::selection;

/// What a redacted contact shows.
pub const REDACTED: &str = "（已隐去 / redacted）";

/// Whether `who` sees the contacts of `r`; when they do, the read of `records` records of kind
/// `what` is recorded.
pub fn disclose(
    conn: &mut DbConn,
    who: &Principal,
    r: &Readable,
    what: &str,
    records: usize,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    if !access::handles_personal_data(who, &r.parties()) {
        return Ok(false);
    }
    if records > 0 {
        personal_data::record(
            conn,
            &PersonalDataRead {
                id: new_id(),
                user_id: who.user.id.clone(),
                decision_id: r.row.id.clone(),
                what: what.to_string(),
                records: i64::try_from(records).unwrap_or(i64::MAX),
                at: stored_time(now),
            },
        )?;
    }
    Ok(true)
}

/// The applications of the current hearing round, and whether their contacts may be shown.
pub fn hearing_applications(
    conn: &mut DbConn,
    who: &Principal,
    decision_id: &str,
    now: DateTime<Utc>,
) -> Result<(Vec<HearingApplication>, bool), ServiceError> {
    let r = decisions::readable(conn, who, decision_id)?;
    let state = decisions::parse_state(&r.row)?;
    let Some(round) = selection::round(&state) else {
        return Ok((Vec::new(), false));
    };
    let applications = hearings::hearing_applications_of(conn, &r.row.id, round.number)?;
    let shown = disclose(
        conn,
        who,
        &r,
        "hearing_applications",
        applications.len(),
        now,
    )?;
    Ok((applications, shown))
}

/// The record of reads of a decision's personal data, for those who may read the decision.
pub fn reads(
    conn: &mut DbConn,
    who: &Principal,
    decision_id: &str,
) -> Result<Vec<PersonalDataRead>, ServiceError> {
    let r = decisions::readable(conn, who, decision_id)?;
    Ok(personal_data::reads_of(conn, &r.row.id)?)
}
