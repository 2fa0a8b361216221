//! The decisions a caller may read, a page at a time: the one rule of who sees which decision in a
//! list (the API's `GET /api/v1/decisions`), the same as reading one.

use chrono::NaiveDateTime;

use super::ServiceError;
use crate::access::{self, Parties, Principal};
use crate::db::rows::DecisionRow;
use crate::db::{accounts, decisions, DbConn};

/// A page's keyset cursor: the creation time and id of its last row.
pub type Cursor = (NaiveDateTime, String);

/// A page of the decisions `who` may read, newest first: those of the organs where they hold a
/// role — as decision organ or lead unit — and, for a legality review unit, those of the organs
/// it reviews for; each checked as a read of it is (`access::can_read`). Returns the readable
/// rows and the last row scanned (the page's keyset cursor, even where the last was not readable).
pub fn readable_page(
    conn: &mut DbConn,
    who: &Principal,
    before: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<DecisionRow>, Option<Cursor>), ServiceError> {
    let organs = who.organs();
    let reviewed: Vec<(String, String)> = accounts::all_organs(conn)?
        .into_iter()
        .filter_map(|o| Some((o.id, o.legality_unit_id?)))
        .collect();
    let mut scope = organs.clone();
    scope.extend(
        reviewed
            .iter()
            .filter(|(_, unit)| organs.contains(unit))
            .map(|(organ, _)| organ.clone()),
    );
    let rows = decisions::list_decisions(conn, &scope, before, limit)?;
    let last = (i64::try_from(rows.len()) == Ok(limit))
        .then(|| rows.last().map(|r| (r.created_at, r.id.clone())))
        .flatten();
    let readable = rows
        .into_iter()
        .filter(|r| {
            access::can_read(
                who,
                &Parties {
                    organ: &r.organ_id,
                    lead_unit: &r.lead_unit_id,
                    legality_unit: reviewed
                        .iter()
                        .find(|(o, _)| *o == r.organ_id)
                        .map(|(_, u)| u.as_str()),
                },
            )
        })
        .collect();
    Ok((readable, last))
}
