//! The record of reads of the public's personal data.

use diesel::prelude::*;

use super::rows::PersonalDataRead;
use super::schema::personal_data_reads;
use super::DbConn;

/// Record a read.
pub fn record(conn: &mut DbConn, read: &PersonalDataRead) -> QueryResult<()> {
    diesel::insert_into(personal_data_reads::table)
        .values(read)
        .execute(conn)
        .map(|_| ())
}

/// The reads of a decision's personal data, oldest first.
pub fn reads_of(conn: &mut DbConn, decision_id: &str) -> QueryResult<Vec<PersonalDataRead>> {
    personal_data_reads::table
        .filter(personal_data_reads::decision_id.eq(decision_id))
        .order((personal_data_reads::at.asc(), personal_data_reads::id.asc()))
        .select(PersonalDataRead::as_select())
        .load(conn)
}
