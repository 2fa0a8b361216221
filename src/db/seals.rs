//! Seals of the record: each lists the events appended since the previous one, chained and
//! signed (the signing is in `audit::seal`; here only the rows).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{events, sealed_heads, seals};
use super::DbConn;

/// One seal.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = seals)]
pub struct Seal {
    /// Its number: 1, 2, 3… with no gap.
    pub n: i64,
    /// When it was made (the server's clock).
    pub sealed_at: NaiveDateTime,
    /// The events it seals: a JSON array of `[chain, seq, hash]`.
    pub events: String,
    /// How many.
    pub event_count: i64,
    /// The previous seal's digest (the genesis for the first).
    pub prev_digest: String,
    /// SHA-256 over the previous digest and `events`.
    pub digest: String,
    /// The Ed25519 public key that signed it (hex).
    pub public_key: String,
    /// The Ed25519 signature of `digest` (hex).
    pub signature: String,
}

/// What the next seal needs of the last one: not the events it lists (up to 50,000, read each
/// minute by the server).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = seals)]
pub struct Last {
    /// Its number.
    pub n: i64,
    /// When it was made.
    pub sealed_at: NaiveDateTime,
    /// How many events it seals.
    pub event_count: i64,
    /// Its digest.
    pub digest: String,
}

/// The last seal.
pub fn last(conn: &mut DbConn) -> QueryResult<Option<Last>> {
    seals::table
        .order(seals::n.desc())
        .select(Last::as_select())
        .first(conn)
        .optional()
}

/// Every seal, in order.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Seal>> {
    seals::table
        .order(seals::n.asc())
        .select(Seal::as_select())
        .load(conn)
}

/// Seals after number `after`, at most `limit`, in order.
pub fn page(conn: &mut DbConn, after: i64, limit: i64) -> QueryResult<Vec<Seal>> {
    seals::table
        .filter(seals::n.gt(after))
        .order(seals::n.asc())
        .limit(limit)
        .select(Seal::as_select())
        .load(conn)
}

/// Events not yet sealed, `(chain, seq, hash)` by chain and sequence, at most `limit`; only
/// those recorded at or after `since` when given (through the index on `at`, so that a seal
/// reads the last minutes' events, not the whole record).
pub fn unsealed(
    conn: &mut DbConn,
    since: Option<NaiveDateTime>,
    limit: i64,
) -> QueryResult<Vec<(String, i64, String)>> {
    let mut query = events::table
        .left_join(sealed_heads::table.on(sealed_heads::decision_id.eq(events::decision_id)))
        .filter(
            sealed_heads::seq
                .nullable()
                .is_null()
                .or(events::seq.nullable().gt(sealed_heads::seq.nullable())),
        )
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(events::at.ge(since));
    }
    query
        .order((events::decision_id.asc(), events::seq.asc()))
        .limit(limit)
        .select((events::decision_id, events::seq, events::hash))
        .load(conn)
}

/// Write a seal and move each chain's cursor to the last event it seals.
pub fn insert(conn: &mut DbConn, seal: &Seal, heads: &[(&str, i64)]) -> QueryResult<()> {
    diesel::insert_into(seals::table)
        .values(seal)
        .execute(conn)?;
    for (chain, seq) in heads {
        let moved = diesel::update(sealed_heads::table.find(*chain))
            .set(sealed_heads::seq.eq(*seq))
            .execute(conn)?;
        if moved == 0 {
            diesel::insert_into(sealed_heads::table)
                .values((
                    sealed_heads::decision_id.eq(*chain),
                    sealed_heads::seq.eq(*seq),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}
