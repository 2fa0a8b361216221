//! Hearing applications and the draw of each round (第十六条).

use diesel::prelude::*;

use super::rows::*;
use super::schema::*;
use super::DbConn;

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

/// Every draw, with the applications of its round (for `audit verify`).
pub fn draws_with_applications(
    conn: &mut DbConn,
) -> QueryResult<Vec<(HearingSelection, Vec<HearingApplication>)>> {
    let draws: Vec<HearingSelection> = hearing_selections::table
        .order((
            hearing_selections::decision_id.asc(),
            hearing_selections::round.asc(),
        ))
        .select(HearingSelection::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(draws.len());
    for d in draws {
        let applications = hearing_applications_of(conn, &d.decision_id, d.round)?;
        out.push((d, applications));
    }
    Ok(out)
}

/// How many hearing applications a decision has had (every round): what a page that shows them
/// is kept by, since an application is not an event of the decision.
pub fn applications_count(conn: &mut DbConn, decision_id: &str) -> QueryResult<i64> {
    hearing_applications::table
        .filter(hearing_applications::decision_id.eq(decision_id))
        .count()
        .get_result(conn)
}
