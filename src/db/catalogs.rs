//! Catalogs and their projections: the catalog row (state snapshot and chain head), the items
//! table that decisions link to, and what the coverage and report read. The catalog's events are
//! rows of `events`, a chain per catalog id. Persistence only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::*;
use super::schema::*;
use super::DbConn;

/// A catalog by id.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<CatalogRow>> {
    catalogs::table
        .find(id)
        .select(CatalogRow::as_select())
        .first(conn)
        .optional()
}

/// The catalog an item belongs to.
pub fn get_by_item(conn: &mut DbConn, item_id: &str) -> QueryResult<Option<CatalogRow>> {
    let catalog = catalog_items::table
        .find(item_id)
        .select(catalog_items::catalog_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    match catalog {
        Some(id) => get(conn, &id),
        None => Ok(None),
    }
}

/// The catalog of an organ for a year.
pub fn of_organ_year(
    conn: &mut DbConn,
    organ_id: &str,
    year: i32,
) -> QueryResult<Option<CatalogRow>> {
    catalogs::table
        .filter(catalogs::organ_id.eq(organ_id))
        .filter(catalogs::year.eq(year))
        .select(CatalogRow::as_select())
        .first(conn)
        .optional()
}

/// Catalogs, optionally of some organs and a year, by year (newest first) and organ.
pub fn list(
    conn: &mut DbConn,
    organ_ids: Option<&[String]>,
    year: Option<i32>,
    published_only: bool,
) -> QueryResult<Vec<CatalogRow>> {
    let mut q = catalogs::table.into_boxed();
    if let Some(ids) = organ_ids {
        q = q.filter(catalogs::organ_id.eq_any(ids));
    }
    if let Some(y) = year {
        q = q.filter(catalogs::year.eq(y));
    }
    if published_only {
        q = q.filter(catalogs::revision.gt(0));
    }
    q.order((catalogs::year.desc(), catalogs::organ_id.asc()))
        .select(CatalogRow::as_select())
        .load(conn)
}

/// Every catalog id (for the audit).
pub fn all_ids(conn: &mut DbConn) -> QueryResult<Vec<(String, String, i64)>> {
    catalogs::table
        .select((catalogs::id, catalogs::head_hash, catalogs::version))
        .load(conn)
}

/// Insert a new catalog row.
pub fn insert(conn: &mut DbConn, row: &CatalogRow) -> QueryResult<()> {
    diesel::insert_into(catalogs::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The catalog's snapshot after an event, guarded by the version it was read at. Returns whether
/// the row was at that version.
pub fn update_snapshot(
    conn: &mut DbConn,
    expected_version: i64,
    row: &CatalogRow,
) -> QueryResult<bool> {
    let updated = diesel::update(
        catalogs::table
            .filter(catalogs::id.eq(&row.id))
            .filter(catalogs::version.eq(expected_version)),
    )
    .set((
        catalogs::status.eq(&row.status),
        catalogs::revision.eq(row.revision),
        catalogs::first_published_on.eq(&row.first_published_on),
        catalogs::state.eq(&row.state),
        catalogs::version.eq(row.version),
        catalogs::head_hash.eq(&row.head_hash),
        catalogs::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Write an item's projection (insert, or update in place: decisions may link to it).
pub fn put_item(conn: &mut DbConn, item: &CatalogItem) -> QueryResult<()> {
    let n = diesel::update(catalog_items::table.find(&item.id))
        .set((
            catalog_items::title.eq(&item.title),
            catalog_items::undertaking_unit.eq(&item.undertaking_unit),
            catalog_items::category.eq(&item.category),
            catalog_items::procedures.eq(&item.procedures),
            catalog_items::status.eq(&item.status),
            catalog_items::number.eq(item.number),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(catalog_items::table)
            .values(item)
            .execute(conn)?;
    }
    Ok(())
}

/// Remove an item that was never published (no decision can link to it).
pub fn remove_item(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(catalog_items::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// A decision linked to a catalog item, as the catalog shows it.
#[derive(Debug, Clone, Queryable)]
pub struct LinkedDecision {
    pub item_id: Option<String>,
    pub id: String,
    pub title: String,
    pub status: String,
    pub adopted_on: Option<String>,
}

/// The decisions linked to items of this catalog.
pub fn linked_decisions(conn: &mut DbConn, catalog_id: &str) -> QueryResult<Vec<LinkedDecision>> {
    let items = catalog_items::table
        .filter(catalog_items::catalog_id.eq(catalog_id))
        .select(catalog_items::id.nullable());
    decisions::table
        .filter(decisions::catalog_item_id.eq_any(items))
        .select((
            decisions::catalog_item_id,
            decisions::id,
            decisions::title,
            decisions::status,
            decisions::adopted_on,
        ))
        .load(conn)
}

/// The stages in progress of these decisions: (decision id, stage).
pub fn stages_in_progress(
    conn: &mut DbConn,
    decision_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    stage_records::table
        .filter(stage_records::decision_id.eq_any(decision_ids))
        .filter(stage_records::status.eq("in_progress"))
        .select((stage_records::decision_id, stage_records::stage))
        .load(conn)
}

/// A decision adopted in a window, as the report counts it.
#[derive(Debug, Clone, Queryable)]
pub struct AdoptedDecision {
    pub id: String,
    pub title: String,
    pub adopted_on: Option<String>,
    /// Of the report's four procedures, those required (`,id,id,`).
    pub procedures_required: Option<String>,
    /// Of the report's four procedures, those completed (`,id,id,`).
    pub procedures_completed: Option<String>,
}

/// The decisions of an organ adopted between two days (`YYYY-MM-DD`, `until` excluded), each
/// handed to `each` as it is read (in the order of adoption): the report's workbook starts on
/// the first rows while the rest are still being read.
pub fn adopted_each(
    conn: &mut DbConn,
    organ_id: &str,
    from_day: &str,
    until_day: &str,
    mut each: impl FnMut(AdoptedDecision),
) -> QueryResult<()> {
    let rows = decisions::table
        .filter(decisions::organ_id.eq(organ_id))
        .filter(decisions::adopted_on.ge(from_day))
        .filter(decisions::adopted_on.lt(until_day))
        .order(decisions::adopted_on.asc())
        .select((
            decisions::id,
            decisions::title,
            decisions::adopted_on,
            decisions::procedures_required,
            decisions::procedures_completed,
        ))
        .load_iter::<AdoptedDecision, diesel::connection::DefaultLoadingMode>(conn)?;
    for row in rows {
        each(row?);
    }
    Ok(())
}

/// How many decisions of an organ completed this stage between two days (China time).
pub fn completed_count(
    conn: &mut DbConn,
    organ_id: &str,
    stage: &str,
    from_day: &str,
    until_day: &str,
) -> QueryResult<i64> {
    stage_records::table
        .filter(stage_records::organ_id.eq(organ_id))
        .filter(stage_records::stage.eq(stage))
        .filter(stage_records::status.eq("completed"))
        .filter(stage_records::done_on.ge(from_day))
        .filter(stage_records::done_on.lt(until_day))
        .count()
        .get_result(conn)
}

/// A stage late or past its due date: (decision, stage, due, done).
pub type Shortfall = (String, String, String, Option<String>);

/// The stages of an organ's decisions due between two days: how many were done by their due
/// date, and (decision, stage, due, done) of the others that are late or past due on `today`.
pub fn due_figures(
    conn: &mut DbConn,
    organ_id: &str,
    from_day: &str,
    until_day: &str,
    today: &str,
) -> QueryResult<(i64, Vec<Shortfall>)> {
    let in_window = stage_records::organ_id
        .eq(organ_id)
        .and(stage_records::due_on.ge(from_day))
        .and(stage_records::due_on.lt(until_day));
    let on_time: i64 = stage_records::table
        .filter(in_window)
        .filter(stage_records::done_on.le(stage_records::due_on))
        .count()
        .get_result(conn)?;
    let short: Vec<(String, String, Option<String>, Option<String>)> = stage_records::table
        .filter(in_window)
        .filter(
            stage_records::done_on
                .gt(stage_records::due_on)
                .or(stage_records::done_on
                    .is_null()
                    .and(stage_records::due_on.lt(today))),
        )
        .select((
            stage_records::decision_id,
            stage_records::stage,
            stage_records::due_on,
            stage_records::done_on,
        ))
        .load(conn)?;
    Ok((
        on_time,
        short
            .into_iter()
            .map(|(d, s, due, done)| (d, s, due.unwrap_or_default(), done))
            .collect(),
    ))
}

/// Comments received on an organ's decisions in the days `from_day` (included) to `until_day`
/// (excluded): (received, adopted in whole or part), summed from its day counts (`comment_days`,
/// kept as comments arrive and are handled: a row per day and decision, a few per consultation).
pub fn comment_figures(
    conn: &mut DbConn,
    organ_id: &str,
    from_day: &str,
    until_day: &str,
) -> QueryResult<(i64, i64)> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    comment_days::table
        .filter(comment_days::organ_id.eq(organ_id))
        .filter(comment_days::day.ge(from_day))
        .filter(comment_days::day.lt(until_day))
        .select((
            // PostgreSQL sums BIGINT as NUMERIC.
            sql::<BigInt>("CAST(COALESCE(SUM(received), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(adopted), 0) AS BIGINT)"),
        ))
        .get_result(conn)
}

/// The decisions of an organ started in a window: (id, catalog item).
pub fn started_in(
    conn: &mut DbConn,
    organ_id: &str,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<(String, Option<String>)>> {
    decisions::table
        .filter(decisions::organ_id.eq(organ_id))
        .filter(decisions::created_at.ge(from))
        .filter(decisions::created_at.lt(until))
        .filter(decisions::status.ne("new"))
        .select((decisions::id, decisions::catalog_item_id))
        .load(conn)
}
