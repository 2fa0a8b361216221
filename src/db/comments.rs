//! Public comments: stored one row each, received in batches anchored in the decision's event
//! chain (`CommentsReceived { count, digest }`), hidden by moderation but never deleted, each given
//! a disposition through the engine.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::counters::{adopts, Counted, DayCounts};
pub use super::counters::{count_live, CommentCounts};
use super::schema::comments;
use super::DbConn;
use crate::procedure::state::{Disposition, Fact};

/// A stored comment.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: String,
    pub decision_id: String,
    pub batch_seq: i64,
    pub author_name: Option<String>,
    pub contact: Option<String>,
    pub body: String,
    pub address_hash: String,
    pub idempotency_key: Option<String>,
    pub received_at: NaiveDateTime,
    pub hash: String,
    pub hidden_reason: Option<String>,
    pub disposition: Option<String>,
    pub disposition_reason: Option<String>,
    pub handled_by: Option<String>,
    pub handled_at: Option<NaiveDateTime>,
    /// The decision's organ (for the report's index; a decision's organ never changes).
    #[serde(skip)]
    pub organ_id: Option<String>,
}

/// A comment as submitted.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// Name, if given.
    pub author_name: Option<String>,
    /// Contact, if given (never shown publicly).
    pub contact: Option<String>,
    /// The comment.
    pub body: String,
    /// Hash of the sender's address.
    pub address_hash: String,
    /// Retries with the same key are stored once.
    pub idempotency_key: Option<String>,
}

/// What became of one submitted comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Receipt {
    /// The comment's id.
    pub id: String,
    /// When it was received (server time).
    pub received_at: DateTime<Utc>,
    /// True when an earlier submission with the same idempotency key was found.
    pub duplicate: bool,
}

/// A comment of a decision.
pub fn get(conn: &mut DbConn, decision_id: &str, id: &str) -> QueryResult<Option<CommentRow>> {
    comments::table
        .filter(comments::decision_id.eq(decision_id))
        .filter(comments::id.eq(id))
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

/// Record on the comment what the engine accepted.
pub fn apply_handling(
    conn: &mut DbConn,
    decision_id: &str,
    fact: &Fact,
    at: NaiveDateTime,
    user_id: &str,
) -> QueryResult<()> {
    let at = Some(at);
    let ids: &[String] = match fact {
        Fact::CommentHidden { comment_id, .. } | Fact::CommentDisposed { comment_id, .. } => {
            std::slice::from_ref(comment_id)
        }
        Fact::CommentsDisposed { comment_ids, .. } => comment_ids,
        _ => return Ok(()),
    };
    // Each comment's state before, to move it in the counts to its state after.
    super::counters::ensure(conn, decision_id)?;
    let before = states_of(conn, decision_id, ids)?;
    let after = |hidden: bool, disposition: Option<&str>| match fact {
        Fact::CommentHidden { .. } => Counted::Hidden,
        Fact::CommentDisposed { disposition: d, .. }
        | Fact::CommentsDisposed { disposition: d, .. } => {
            Counted::of(hidden, Some(<&str>::from(*d)))
        }
        _ => Counted::of(hidden, disposition),
    };
    let moves: Vec<(Counted, Counted)> = before
        .iter()
        .map(|b| {
            (
                Counted::of(b.hidden, b.disposition.as_deref()),
                after(b.hidden, b.disposition.as_deref()),
            )
        })
        .collect();
    super::counters::shift(conn, decision_id, &moves)?;
    // The organ's day counts count a disposition, hidden or not (the report's comments adopted).
    if let Fact::CommentDisposed { disposition, .. } | Fact::CommentsDisposed { disposition, .. } =
        fact
    {
        let now = adopts(Some(<&str>::from(*disposition)));
        let mut days = DayCounts::default();
        for b in &before {
            let was = adopts(b.disposition.as_deref());
            if let (Some(organ_id), true) = (&b.organ_id, was != now) {
                let moved = i64::from(now) - i64::from(was);
                days.count((organ_id, decision_id), b.received_at, 0, moved);
            }
        }
        days.write(conn)?;
    }
    let target = |id: &str| {
        comments::table
            .filter(comments::decision_id.eq(decision_id.to_string()))
            .filter(comments::id.eq(id.to_string()))
    };
    match fact {
        Fact::CommentHidden { comment_id, reason } => diesel::update(target(comment_id))
            .set((
                comments::hidden_reason.eq(reason),
                comments::handled_by.eq(user_id),
                comments::handled_at.eq(at),
            ))
            .execute(conn)
            .map(|_| ()),
        Fact::CommentDisposed {
            comment_id,
            disposition,
            reason,
        } => dispose(
            conn,
            decision_id,
            std::slice::from_ref(comment_id),
            *disposition,
            reason,
            at,
            user_id,
        ),
        Fact::CommentsDisposed {
            comment_ids,
            disposition,
            reason,
        } => dispose(
            conn,
            decision_id,
            comment_ids,
            *disposition,
            reason,
            at,
            user_id,
        ),
        _ => Ok(()),
    }
}

/// Record the same disposition on each of `ids` (one, or a group of similar comments).
fn dispose(
    conn: &mut DbConn,
    decision_id: &str,
    ids: &[String],
    disposition: Disposition,
    reason: &str,
    at: Option<NaiveDateTime>,
    user_id: &str,
) -> QueryResult<()> {
    let d = Some(<&str>::from(disposition));
    // In chunks: SQLite limits the variables of one statement.
    for chunk in ids.chunks(500) {
        diesel::update(
            comments::table
                .filter(comments::decision_id.eq(decision_id))
                .filter(comments::id.eq_any(chunk)),
        )
        .set((
            comments::disposition.eq(&d),
            comments::disposition_reason.eq(reason),
            comments::handled_by.eq(user_id),
            comments::handled_at.eq(at),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// A page of a decision's comments in order of receipt, after the keyset cursor; only the
/// visible ones when `public`.
pub fn page(
    conn: &mut DbConn,
    decision_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
    public: bool,
) -> QueryResult<Vec<CommentRow>> {
    let mut q = comments::table
        .filter(comments::decision_id.eq(decision_id))
        .into_boxed();
    if public {
        q = q.filter(comments::hidden_reason.is_null());
    }
    if let Some((at, id)) = after {
        q = q.filter(
            comments::received_at
                .gt(at)
                .or(comments::received_at.eq(at).and(comments::id.gt(id))),
        );
    }
    q.order((comments::received_at.asc(), comments::id.asc()))
        .limit(limit)
        .select(CommentRow::as_select())
        .load(conn)
}

/// Counts by state: the kept counts (`db::counters`), or — for a decision whose counts are not
/// kept yet — counted now.
pub fn counts(conn: &mut DbConn, decision_id: &str) -> QueryResult<CommentCounts> {
    match super::counters::stored(conn, decision_id)? {
        Some(c) => Ok(c),
        None => count_live(conn, decision_id),
    }
}

/// Every comment, for the audit.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .order((
            comments::decision_id.asc(),
            comments::batch_seq.asc(),
            comments::received_at.asc(),
            comments::id.asc(),
        ))
        .select(CommentRow::as_select())
        .load(conn)
}

/// A comment stored under an idempotency key: enough to tell a retry from another comment.
#[derive(Debug, Clone, Queryable)]
pub struct Keyed {
    /// The key.
    pub key: Option<String>,
    /// The comment's id.
    pub id: String,
    /// When it was received.
    pub received_at: NaiveDateTime,
    body: String,
    author_name: Option<String>,
    contact: Option<String>,
}

impl Keyed {
    /// Whether `c` is the same comment (a retry), not another one under the same key.
    pub fn same_content(&self, c: &NewComment) -> bool {
        self.body == c.body && self.author_name == c.author_name && self.contact == c.contact
    }
}

/// The comments of a decision already stored under these idempotency keys.
pub fn by_keys(conn: &mut DbConn, decision_id: &str, keys: &[String]) -> QueryResult<Vec<Keyed>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let columns = (
        comments::idempotency_key,
        comments::id,
        comments::received_at,
        comments::body,
        comments::author_name,
        comments::contact,
    );
    let mut out = Vec::new();
    if matches!(conn, DbConn::Sqlite(_)) {
        // In process, one lookup a key is the same statement each time, prepared once; an `IN`
        // list as long as the batch was a statement to prepare for every batch (issue 14).
        for key in keys {
            out.extend(
                comments::table
                    .filter(comments::decision_id.eq(decision_id))
                    .filter(comments::idempotency_key.eq(key))
                    .select(columns)
                    .load::<Keyed>(conn)?,
            );
        }
        return Ok(out);
    }
    for chunk in keys.chunks(500) {
        out.extend(
            comments::table
                .filter(comments::decision_id.eq(decision_id))
                .filter(comments::idempotency_key.eq_any(chunk))
                .select(columns)
                .load::<Keyed>(conn)?,
        );
    }
    Ok(out)
}

/// Hold the decision's row until the transaction ends, so that no other process appends to its
/// chain in between (PostgreSQL: `SELECT … FOR UPDATE`). SQLite has one writer: nothing to do.
pub fn lock_decision(conn: &mut DbConn, decision_id: &str) -> QueryResult<()> {
    use super::schema::decisions;
    if let DbConn::Pg(c) = conn {
        decisions::table
            .filter(decisions::id.eq(decision_id))
            .select(decisions::id)
            .for_update()
            .load::<String>(c)?;
    }
    Ok(())
}

/// Store comments (in chunks: SQLite limits the variables of one statement), and count them in
/// their decision's counts and their organ's day counts (in the caller's transaction).
pub fn insert_many(conn: &mut DbConn, rows: &[CommentRow]) -> QueryResult<()> {
    let mut decisions: Vec<(&str, i64)> = Vec::new();
    for r in rows {
        match decisions.iter_mut().find(|(d, _)| *d == r.decision_id) {
            Some((_, n)) => *n += 1,
            None => decisions.push((&r.decision_id, 1)),
        }
    }
    // Counted before the insert: a decision not counted yet is counted without these.
    for (d, _) in &decisions {
        super::counters::ensure(conn, d)?;
    }
    for (d, n) in &decisions {
        super::counters::add_received(conn, d, *n)?;
    }
    let mut days = DayCounts::default();
    for r in rows {
        if let Some(organ_id) = &r.organ_id {
            let adopted = i64::from(adopts(r.disposition.as_deref()));
            days.count((organ_id, &r.decision_id), r.received_at, 1, adopted);
        }
    }
    days.write(conn)?;
    match conn {
        // In process, a row at a time is the same statement each time, prepared once; a
        // multi-row insert as long as the batch was a statement to prepare for every batch.
        DbConn::Sqlite(c) => {
            for r in rows {
                diesel::insert_into(comments::table).values(r).execute(c)?;
            }
        }
        // Over the network, one statement a chunk.
        DbConn::Pg(c) => {
            for chunk in rows.chunks(500) {
                diesel::insert_into(comments::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// A comment's state before its handling: whether hidden, its disposition, and where its
/// organ's day counts count it (organ, time received).
struct Before {
    hidden: bool,
    disposition: Option<String>,
    organ_id: Option<String>,
    received_at: NaiveDateTime,
}

/// Of these comments of a decision, those that exist, each once.
fn states_of(conn: &mut DbConn, decision_id: &str, ids: &[String]) -> QueryResult<Vec<Before>> {
    let mut unique: Vec<&String> = ids.iter().collect();
    unique.sort();
    unique.dedup();
    let mut out = Vec::new();
    for chunk in unique.chunks(500) {
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            NaiveDateTime,
        );
        let rows: Vec<Row> = comments::table
            .filter(comments::decision_id.eq(decision_id))
            .filter(comments::id.eq_any(chunk))
            .select((
                comments::hidden_reason,
                comments::disposition,
                comments::organ_id,
                comments::received_at,
            ))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .map(|(h, d, organ_id, received_at)| Before {
                    hidden: h.is_some(),
                    disposition: d,
                    organ_id,
                    received_at,
                }),
        );
    }
    Ok(out)
}

/// Of these comments of a decision, those that exist: (id, hidden, disposed). One query per
/// 500 ids, so a disposition of a large group of similar comments stays cheap.
pub fn handling_of(
    conn: &mut DbConn,
    decision_id: &str,
    ids: &[String],
) -> QueryResult<Vec<(String, bool, bool)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, Option<String>, Option<String>)> = comments::table
            .filter(comments::decision_id.eq(decision_id))
            .filter(comments::id.eq_any(chunk))
            .select((comments::id, comments::hidden_reason, comments::disposition))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .map(|(id, hidden, disposed)| (id, hidden.is_some(), disposed.is_some())),
        );
    }
    Ok(out)
}
