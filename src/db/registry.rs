//! The expert registry (专家库, 第二十一条): experts per organ, their fields, deactivation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::*;
use super::schema::*;
use super::DbConn;

/// An expert by their registry's idempotency key.
pub fn expert_by_key(conn: &mut DbConn, organ_id: &str, key: &str) -> QueryResult<Option<Expert>> {
    experts::table
        .filter(experts::organ_id.eq(organ_id))
        .filter(experts::idempotency_key.eq(key))
        .select(Expert::as_select())
        .first(conn)
        .optional()
}

/// Add an expert with their fields, once per (registry, idempotency key). Returns the stored
/// row and whether it is new.
pub fn insert_expert(
    conn: &mut DbConn,
    expert: &Expert,
    fields: &[String],
) -> QueryResult<(Expert, bool)> {
    if let Some(key) = &expert.idempotency_key {
        if let Some(existing) = expert_by_key(conn, &expert.organ_id, key)? {
            return Ok((existing, false));
        }
    }
    let stored = conn.transaction(|conn| {
        diesel::insert_into(experts::table)
            .values(expert)
            .execute(conn)?;
        // One statement per field: MultiConnection has no portable multi-row insert.
        for f in fields {
            diesel::insert_into(expert_fields::table)
                .values(ExpertField {
                    expert_id: expert.id.clone(),
                    field: f.clone(),
                })
                .execute(conn)?;
        }
        Ok::<(), diesel::result::Error>(())
    });
    match (stored, &expert.idempotency_key) {
        (Ok(_), _) => Ok((expert.clone(), true)),
        (
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )),
            Some(key),
        ) => expert_by_key(conn, &expert.organ_id, key)?
            .map(|e| (e, false))
            .ok_or(diesel::result::Error::NotFound),
        (Err(e), _) => Err(e),
    }
}

/// An expert by id.
pub fn expert(conn: &mut DbConn, id: &str) -> QueryResult<Option<Expert>> {
    experts::table
        .find(id)
        .select(Expert::as_select())
        .first(conn)
        .optional()
}

/// Experts of these registries, newest first, keyset-paged by (created_at, id); optionally only
/// those with a field of expertise containing `field`, optionally only the active ones.
pub fn search_experts(
    conn: &mut DbConn,
    organ_ids: &[String],
    field: Option<&str>,
    active_only: bool,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<Expert>> {
    let mut q = experts::table
        .filter(experts::organ_id.eq_any(organ_ids))
        .into_boxed();
    if let Some(field) = field {
        let escaped: String = field
            .chars()
            .flat_map(|c| match c {
                '\\' | '%' | '_' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        q = q.filter(
            experts::id.eq_any(
                expert_fields::table
                    .filter(
                        expert_fields::field
                            .like(format!("%{escaped}%"))
                            .escape('\\'),
                    )
                    .select(expert_fields::expert_id),
            ),
        );
    }
    if active_only {
        q = q.filter(experts::active.eq(true));
    }
    if let Some((at, id)) = before {
        q = q.filter(
            experts::created_at
                .lt(at)
                .or(experts::created_at.eq(at).and(experts::id.lt(id))),
        );
    }
    q.order((experts::created_at.desc(), experts::id.desc()))
        .limit(limit)
        .select(Expert::as_select())
        .load(conn)
}

/// Take an expert out of service (never deleted: past selections still name them). An expert
/// already inactive keeps their first deactivation.
pub fn deactivate_expert(
    conn: &mut DbConn,
    id: &str,
    at: NaiveDateTime,
    reason: &str,
) -> QueryResult<Option<Expert>> {
    diesel::update(
        experts::table
            .filter(experts::id.eq(id))
            .filter(experts::active.eq(true)),
    )
    .set((
        experts::active.eq(false),
        experts::deactivated_at.eq(Some(at)),
        experts::deactivation_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    expert(conn, id)
}

/// What any change of the registry moves: how many experts, the last added and the last
/// deactivated (a console page that lists experts is kept by it).
pub fn stamp(
    conn: &mut DbConn,
) -> QueryResult<(i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    experts::table
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(experts::created_at),
            diesel::dsl::max(experts::deactivated_at),
        ))
        .first(conn)
}
