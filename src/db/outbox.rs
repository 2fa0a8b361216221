//! Webhook endpoints, the outbox and its deliveries (issue 12). An outbox entry is written in the
//! transaction of the event it reports, with one delivery row for each endpoint of the organ
//! that asked for its kind; a delivery worker claims due rows with a lease (`leased_until`,
//! `leased_by`) so that several processes on one PostgreSQL never send one row concurrently.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::schema::{outbox, webhook_deliveries, webhooks};
use super::DbConn;

/// An endpoint an organ's staff registered.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: String,
    pub organ_id: String,
    pub url: String,
    /// The shared secret of the signature (shown once, at creation).
    pub secret: String,
    /// `,kind,kind,`
    pub kinds: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// An event to be reported.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxEntry {
    pub id: String,
    /// Unique: the same key is written once.
    pub event_key: String,
    pub organ_id: String,
    pub kind: String,
    pub decision_id: Option<String>,
    /// The body sent (JSON).
    pub payload: String,
    pub created_at: NaiveDateTime,
}

/// One entry's delivery to one endpoint.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: String,
    pub outbox_id: String,
    pub webhook_id: String,
    /// `pending`, `delivered`, `failed` (attempts exhausted) or `cancelled` (endpoint deleted).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub leased_until: Option<NaiveDateTime>,
    pub leased_by: Option<String>,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Register an endpoint.
pub fn insert_webhook(conn: &mut DbConn, hook: &Webhook) -> QueryResult<()> {
    diesel::insert_into(webhooks::table)
        .values(hook)
        .execute(conn)
        .map(|_| ())
}

/// An endpoint by id (deleted ones too).
pub fn webhook(conn: &mut DbConn, id: &str) -> QueryResult<Option<Webhook>> {
    webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .first(conn)
        .optional()
}

/// The endpoints of these organs not deleted, oldest first.
pub fn webhooks_of(conn: &mut DbConn, organ_ids: &[String]) -> QueryResult<Vec<Webhook>> {
    webhooks::table
        .filter(webhooks::organ_id.eq_any(organ_ids))
        .filter(webhooks::deleted_at.is_null())
        .order((webhooks::created_at.asc(), webhooks::id.asc()))
        .select(Webhook::as_select())
        .load(conn)
}

/// Delete an endpoint (kept for its deliveries' history); its pending deliveries are cancelled.
pub fn delete_webhook(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(webhooks::table.find(id))
        .set(webhooks::deleted_at.eq(Some(at)))
        .execute(conn)?;
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(id))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set(webhook_deliveries::status.eq("cancelled"))
    .execute(conn)
    .map(|_| ())
}

/// Write an entry and its deliveries to every endpoint of its organ that asked for its kind.
/// An entry whose key was written before is not written again: returns whether it was new.
pub fn enqueue(conn: &mut DbConn, entry: &OutboxEntry) -> QueryResult<bool> {
    if has_key(conn, &entry.event_key)? {
        return Ok(false);
    }
    // Two writers that both found the key free: the second meets the unique key (outside a
    // transaction on PostgreSQL, as the deadline scan writes; decision events have fresh keys).
    match diesel::insert_into(outbox::table)
        .values(entry)
        .execute(conn)
    {
        Ok(_) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => return Ok(false),
        Err(e) => return Err(e),
    }
    let hooks: Vec<String> = webhooks::table
        .filter(webhooks::organ_id.eq(&entry.organ_id))
        .filter(webhooks::deleted_at.is_null())
        .filter(webhooks::kinds.like(format!("%,{},%", entry.kind)))
        .select(webhooks::id)
        .load(conn)?;
    let rows: Vec<Delivery> = hooks
        .into_iter()
        .map(|webhook_id| Delivery {
            id: super::new_id(),
            outbox_id: entry.id.clone(),
            webhook_id,
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: entry.created_at,
            leased_until: None,
            leased_by: None,
            last_error: None,
            last_status: None,
            delivered_at: None,
            created_at: entry.created_at,
        })
        .collect();
    for row in &rows {
        diesel::insert_into(webhook_deliveries::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(true)
}

/// Whether an entry with this key exists.
pub fn has_key(conn: &mut DbConn, key: &str) -> QueryResult<bool> {
    outbox::table
        .filter(outbox::event_key.eq(key))
        .count()
        .get_result::<i64>(conn)
        .map(|n| n > 0)
}

/// The entries of an organ, newest first.
pub fn entries_of(conn: &mut DbConn, organ_id: &str, limit: i64) -> QueryResult<Vec<OutboxEntry>> {
    outbox::table
        .filter(outbox::organ_id.eq(organ_id))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .select(OutboxEntry::as_select())
        .load(conn)
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claim up to `limit` due deliveries for `worker` until `lease_until`: pending, due by `now`,
/// and not leased by another worker whose lease still runs. On PostgreSQL the rows are picked
/// `FOR UPDATE SKIP LOCKED`, so two processes claiming at once take different rows; on SQLite
/// the one writer connection claims them in one statement.
pub fn claim(
    conn: &mut DbConn,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let rows: Vec<Claimed> = match conn {
        DbConn::Pg(c) => diesel::sql_query(
            "UPDATE webhook_deliveries SET leased_until = $1, leased_by = $2 \
             WHERE id IN (SELECT id FROM webhook_deliveries \
               WHERE status = 'pending' AND next_attempt_at <= $3 \
               AND (leased_until IS NULL OR leased_until < $3) \
               ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id",
        )
        .bind::<Timestamp, _>(lease_until)
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(
            "UPDATE webhook_deliveries SET leased_until = ?, leased_by = ? \
             WHERE id IN (SELECT id FROM webhook_deliveries \
               WHERE status = 'pending' AND next_attempt_at <= ? \
               AND (leased_until IS NULL OR leased_until < ?) \
               ORDER BY next_attempt_at, id LIMIT ?) \
             RETURNING id",
        )
        .bind::<Timestamp, _>(lease_until)
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c)?,
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The claimed deliveries with their entries and endpoints.
pub fn claimed(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<Vec<(Delivery, OutboxEntry, Webhook)>> {
    webhook_deliveries::table
        .inner_join(outbox::table)
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::id.eq_any(ids))
        .order(webhook_deliveries::next_attempt_at.asc())
        .select((
            Delivery::as_select(),
            OutboxEntry::as_select(),
            Webhook::as_select(),
        ))
        .load(conn)
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The new status: `delivered`, `pending` (retry at `next_attempt_at`), `failed`, `cancelled`.
    pub status: &'static str,
    /// The HTTP status the receiver answered, if it answered.
    pub http_status: Option<i32>,
    /// What went wrong.
    pub error: Option<String>,
    /// When to try again (a retry).
    pub next_attempt_at: NaiveDateTime,
    /// When it ended.
    pub at: NaiveDateTime,
}

/// Record an attempt of a delivery `worker` holds the lease of (a worker whose lease was taken
/// over records nothing: returns false).
pub fn record_attempt(
    conn: &mut DbConn,
    id: &str,
    worker: &str,
    attempt: &Attempt,
) -> QueryResult<bool> {
    let n = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(id))
            .filter(webhook_deliveries::leased_by.eq(worker))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set((
        webhook_deliveries::status.eq(attempt.status),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::last_status.eq(attempt.http_status),
        webhook_deliveries::last_error.eq(&attempt.error),
        webhook_deliveries::next_attempt_at.eq(attempt.next_attempt_at),
        webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
        webhook_deliveries::leased_by.eq(None::<String>),
        webhook_deliveries::delivered_at.eq((attempt.status == "delivered").then_some(attempt.at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The deliveries to an endpoint, newest first, with their entries' kinds.
pub fn deliveries_of(
    conn: &mut DbConn,
    webhook_id: &str,
    limit: i64,
) -> QueryResult<Vec<(Delivery, OutboxEntry)>> {
    webhook_deliveries::table
        .inner_join(outbox::table)
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .select((Delivery::as_select(), OutboxEntry::as_select()))
        .load(conn)
}
