//! The record of moves of a simulated clock: who, when, how far.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::clock_advances;
use super::DbConn;

/// One move of the simulated clock.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = clock_advances)]
pub struct ClockAdvance {
    pub id: String,
    /// Who moved it.
    pub user_id: String,
    /// The organ at which they are staff.
    pub organ_id: String,
    /// By how many seconds.
    pub seconds: i64,
    /// The simulated time after the move.
    pub simulated_to: NaiveDateTime,
    /// When (wall clock).
    pub at: NaiveDateTime,
}

/// Record a move.
pub fn record(conn: &mut DbConn, advance: &ClockAdvance) -> QueryResult<()> {
    diesel::insert_into(clock_advances::table)
        .values(advance)
        .execute(conn)
        .map(|_| ())
}

/// Every move, oldest first.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<ClockAdvance>> {
    clock_advances::table
        .order((clock_advances::at.asc(), clock_advances::id.asc()))
        .select(ClockAdvance::as_select())
        .load(conn)
}
