//! The comment counts of each decision (issue 13, defect 8): kept in `comment_counts` by the
//! writes that change them — the intake's insert and the handling of comments — in their own
//! transaction, so that a public page reads one row however many comments there are. A decision
//! without a row (comments received before the counts were kept) is counted once, when first
//! touched or by [`backfill`].
//!
//! Beside them, each organ's comments by day and decision (`comment_days`: received, adopted in
//! whole or part), kept by the same writes, from which the annual report sums its comment figures
//! (issue 10). A row per decision: only a transaction holding the decision's row lock writes it
//! (the intake locks the decision first, a command updates it first), so two transactions never
//! wait on each other for one.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use serde::Serialize;

use super::schema::{comment_counts, comment_days, comments, decisions};
use super::DbConn;
use crate::procedure::state::china_date;

/// The five states a comment is counted in (`received` counts them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Hidden by moderation.
    Hidden,
    /// 采纳
    Adopted,
    /// 部分采纳
    PartlyAdopted,
    /// 不予采纳 (or any other disposition)
    NotAdopted,
    /// Not yet handled.
    Open,
}

impl Counted {
    /// The state of a comment with this hidden flag and disposition.
    pub fn of(hidden: bool, disposition: Option<&str>) -> Counted {
        match (hidden, disposition) {
            (true, _) => Counted::Hidden,
            (false, None) => Counted::Open,
            (false, Some("adopted")) => Counted::Adopted,
            (false, Some("partly_adopted")) => Counted::PartlyAdopted,
            (false, Some(_)) => Counted::NotAdopted,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The stored counts of a decision's comments; `None` when they are not kept yet.
pub fn stored(conn: &mut DbConn, decision_id: &str) -> QueryResult<Option<CommentCounts>> {
    let row: Option<(i64, i64, i64, i64, i64, i64)> = comment_counts::table
        .find(decision_id)
        .select((
            comment_counts::received,
            comment_counts::hidden,
            comment_counts::adopted,
            comment_counts::partly_adopted,
            comment_counts::not_adopted,
            comment_counts::open,
        ))
        .first(conn)
        .optional()?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(row.map(|(r, h, a, p, na, o)| CommentCounts {
        received: n(r),
        hidden: n(h),
        adopted: n(a),
        partly_adopted: n(p),
        not_adopted: n(na),
        open: n(o),
    }))
}

/// Make sure the decision's counts are kept: when they are not, count its comments now and
/// store the row. Call it inside the transaction that changes the comments, before the change.
pub fn ensure(conn: &mut DbConn, decision_id: &str) -> QueryResult<()> {
    if stored(conn, decision_id)?.is_some() {
        return Ok(());
    }
    let c = count_live(conn, decision_id)?;
    let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    diesel::insert_into(comment_counts::table)
        .values((
            comment_counts::decision_id.eq(decision_id),
            comment_counts::received.eq(i(c.received)),
            comment_counts::hidden.eq(i(c.hidden)),
            comment_counts::adopted.eq(i(c.adopted)),
            comment_counts::partly_adopted.eq(i(c.partly_adopted)),
            comment_counts::not_adopted.eq(i(c.not_adopted)),
            comment_counts::open.eq(i(c.open)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Add `received` new (open) comments to the decision's counts.
pub fn add_received(conn: &mut DbConn, decision_id: &str, received: i64) -> QueryResult<()> {
    diesel::update(comment_counts::table.find(decision_id))
        .set((
            comment_counts::received.eq(comment_counts::received + received),
            comment_counts::open.eq(comment_counts::open + received),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Move comments between states: `moves` holds each comment's state before and after.
pub fn shift(
    conn: &mut DbConn,
    decision_id: &str,
    moves: &[(Counted, Counted)],
) -> QueryResult<()> {
    let mut d = [0i64; 5];
    for (from, to) in moves {
        d[from.index()] -= 1;
        d[to.index()] += 1;
    }
    if d.iter().all(|x| *x == 0) {
        return Ok(());
    }
    diesel::update(comment_counts::table.find(decision_id))
        .set((
            comment_counts::hidden.eq(comment_counts::hidden + d[Counted::Hidden.index()]),
            comment_counts::adopted.eq(comment_counts::adopted + d[Counted::Adopted.index()]),
            comment_counts::partly_adopted
                .eq(comment_counts::partly_adopted + d[Counted::PartlyAdopted.index()]),
            comment_counts::not_adopted
                .eq(comment_counts::not_adopted + d[Counted::NotAdopted.index()]),
            comment_counts::open.eq(comment_counts::open + d[Counted::Open.index()]),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Count the comments of every decision whose counts are not kept yet (comments received before
/// they were). Returns how many decisions were counted; a no-op once done.
pub fn backfill(conn: &mut DbConn) -> QueryResult<usize> {
    // By decision, each probed through the comments' index: not a pass over every comment (a
    // database of ten million comments started in seconds, not minutes).
    let missing: Vec<String> = decisions::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            comment_counts::table.filter(comment_counts::decision_id.eq(decisions::id)),
        )))
        .filter(diesel::dsl::exists(
            comments::table.filter(comments::decision_id.eq(decisions::id)),
        ))
        .select(decisions::id)
        .load(conn)?;
    for id in &missing {
        conn.transaction(|conn| ensure(conn, id))?;
    }
    Ok(missing.len())
}

/// Counts by state, counted by the database over every comment (a consultation may hold a
/// hundred thousand: the pages read `comments::counts`; this is for keeping them and checking them).
pub fn count_live(conn: &mut DbConn, decision_id: &str) -> QueryResult<CommentCounts> {
    use diesel::dsl::count_star;
    let of_decision = comments::table.filter(comments::decision_id.eq(decision_id));
    let received: i64 = of_decision.count().get_result(conn)?;
    let hidden: i64 = of_decision
        .filter(comments::hidden_reason.is_not_null())
        .count()
        .get_result(conn)?;
    let by_disposition: Vec<(Option<String>, i64)> = of_decision
        .filter(comments::hidden_reason.is_null())
        .group_by(comments::disposition)
        .select((comments::disposition, count_star()))
        .load(conn)?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut c = CommentCounts {
        received: n(received),
        hidden: n(hidden),
        ..CommentCounts::default()
    };
    for (disposition, k) in by_disposition {
        match disposition.as_deref() {
            Some("adopted") => c.adopted = n(k),
            Some("partly_adopted") => c.partly_adopted = n(k),
            Some(_) => c.not_adopted += n(k),
            None => c.open = n(k),
        }
    }
    Ok(c)
}

/// How a consultation's comments were handled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CommentCounts {
    /// All received.
    pub received: u64,
    /// Hidden by moderation.
    pub hidden: u64,
    /// 采纳
    pub adopted: u64,
    /// 部分采纳
    pub partly_adopted: u64,
    /// 不予采纳
    pub not_adopted: u64,
    /// Not yet handled.
    pub open: u64,
}

/// Whether a disposition counts among the comments adopted in whole or part (第十八条; the
/// report's `comments_adopted`).
pub fn adopts(disposition: Option<&str>) -> bool {
    matches!(disposition, Some("adopted" | "partly_adopted"))
}

/// The changes one write makes to the organs' day counts, merged by organ, day and decision.
#[derive(Debug, Default)]
pub struct DayCounts(Vec<DayChange>);

/// A change to an organ's comments of a day on a decision (either count may be negative, e.g. a
/// disposition changed from adopted to not adopted).
#[derive(Debug)]
struct DayChange {
    organ_id: String,
    /// China's calendar day of the comments' receipt: the year the report counts them in.
    day: NaiveDate,
    decision_id: String,
    received: i64,
    adopted: i64,
}

impl DayCounts {
    /// Count `received` more comments, `adopted` more of them adopted, received at
    /// `received_at` (UTC) on `decision_id` of `organ_id`.
    pub fn count(
        &mut self,
        (organ_id, decision_id): (&str, &str),
        received_at: NaiveDateTime,
        received: i64,
        adopted: i64,
    ) {
        let day = china_date(received_at.and_utc());
        match self
            .0
            .iter_mut()
            .find(|c| c.day == day && c.decision_id == decision_id && c.organ_id == organ_id)
        {
            Some(c) => {
                c.received += received;
                c.adopted += adopted;
            }
            None => self.0.push(DayChange {
                organ_id: organ_id.to_string(),
                day,
                decision_id: decision_id.to_string(),
                received,
                adopted,
            }),
        }
    }

    /// Write the changes, in the caller's transaction (which holds each decision's row lock): a
    /// day not counted yet is inserted, one counted is added to, in one statement.
    pub fn write(&self, conn: &mut DbConn) -> QueryResult<()> {
        use diesel::upsert::excluded;
        for c in self.0.iter().filter(|c| c.received != 0 || c.adopted != 0) {
            let q = diesel::insert_into(comment_days::table)
                .values((
                    comment_days::organ_id.eq(&c.organ_id),
                    comment_days::day.eq(c.day.to_string()),
                    comment_days::decision_id.eq(&c.decision_id),
                    comment_days::received.eq(c.received),
                    comment_days::adopted.eq(c.adopted),
                ))
                .on_conflict((
                    comment_days::organ_id,
                    comment_days::day,
                    comment_days::decision_id,
                ))
                .do_update()
                .set((
                    comment_days::received
                        .eq(comment_days::received + excluded(comment_days::received)),
                    comment_days::adopted
                        .eq(comment_days::adopted + excluded(comment_days::adopted)),
                ));
            match conn {
                DbConn::Sqlite(conn) => q.execute(conn)?,
                DbConn::Pg(conn) => q.execute(conn)?,
            };
        }
        Ok(())
    }
}

/// Count every organ's comments by day again from the comments themselves (as the migration
/// that made `comment_days` did): after rows were written around [`DayCounts`] — the organs
/// filled in on comments stored before they were kept, or a bulk copy of test data.
pub fn recount_days(conn: &mut DbConn) -> QueryResult<()> {
    let day = match conn {
        DbConn::Sqlite(_) => "date(received_at, '+8 hours')",
        DbConn::Pg(_) => "to_char(received_at + interval '8 hours', 'YYYY-MM-DD')",
    };
    conn.transaction(|conn| {
        diesel::delete(comment_days::table).execute(conn)?;
        diesel::sql_query(format!(
            "INSERT INTO comment_days (organ_id, day, decision_id, received, adopted) \
             SELECT organ_id, {day}, decision_id, COUNT(*), \
               SUM(CASE WHEN disposition IN ('adopted', 'partly_adopted') THEN 1 ELSE 0 END) \
             FROM comments WHERE organ_id IS NOT NULL GROUP BY organ_id, {day}, decision_id"
        ))
        .execute(conn)
        .map(|_| ())
    })
}
