//! Decisions and their projections: the decision row (with its state snapshot and chain head),
//! the event chain, draft versions, the stage read table. Persistence only: what to write is
//! decided by the service after the engine judged the command.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::*;
use super::schema::*;
use super::DbConn;

/// A catalog item by id.
pub fn catalog_item(conn: &mut DbConn, id: &str) -> QueryResult<Option<CatalogItem>> {
    catalog_items::table
        .find(id)
        .select(CatalogItem::as_select())
        .first(conn)
        .optional()
}

/// A decision's row.
pub fn decision(conn: &mut DbConn, id: &str) -> QueryResult<Option<DecisionRow>> {
    decisions::table
        .find(id)
        .select(DecisionRow::as_select())
        .first(conn)
        .optional()
}

/// Decisions of these organs (as owner or lead unit), newest first, keyset-paged by
/// (created_at, id).
pub fn list_decisions(
    conn: &mut DbConn,
    organ_ids: &[String],
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<DecisionRow>> {
    merged(conn, organ_ids, before, limit, |conn, q| {
        q.select(DecisionRow::as_select()).load(conn)
    })
}

/// [`list_decisions`] without each decision's state: what a list shows.
pub fn list_heads(
    conn: &mut DbConn,
    organ_ids: &[String],
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<DecisionHead>> {
    merged(conn, organ_ids, before, limit, |conn, q| {
        q.select(DecisionHead::as_select()).load(conn)
    })
}

/// What the portal's home looks at: the decisions with any of `stages` in progress (at most
/// `cap`, the last changed first) — a consultation open or a hearing announced, however long ago
/// the decision began — and the `recent` decisions changed last (a publication changes its
/// decision), each once.
pub fn on_portal(
    conn: &mut DbConn,
    stages: &[&str],
    recent: i64,
    cap: i64,
) -> QueryResult<Vec<DecisionRow>> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    // The status as a literal: the partial index `stage_records_in_progress` applies only where
    // the query shows the same term (a bound value cannot).
    let in_progress = stage_records::table
        .filter(sql::<Bool>("status = 'in_progress'"))
        .filter(stage_records::stage.eq_any(stages))
        .select(stage_records::decision_id);
    let mut rows: Vec<DecisionRow> = decisions::table
        .filter(decisions::id.eq_any(in_progress))
        .order((decisions::updated_at.desc(), decisions::id.desc()))
        .limit(cap)
        .select(DecisionRow::as_select())
        .load(conn)?;
    let changed: Vec<DecisionRow> = decisions::table
        .order((decisions::updated_at.desc(), decisions::id.desc()))
        .limit(recent)
        .select(DecisionRow::as_select())
        .load(conn)?;
    let seen: std::collections::HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
    rows.extend(changed.into_iter().filter(|r| !seen.contains(&r.id)));
    Ok(rows)
}

/// A row a list is ordered by.
pub trait Listed {
    /// Its place: creation time and id.
    fn place(&self) -> (NaiveDateTime, &str);
}

impl Listed for DecisionRow {
    fn place(&self) -> (NaiveDateTime, &str) {
        (self.created_at, &self.id)
    }
}

impl Listed for DecisionHead {
    fn place(&self) -> (NaiveDateTime, &str) {
        (self.created_at, &self.id)
    }
}

type Boxed<'a> = decisions::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

/// One page of each organ's decisions, as decision organ and as lead unit, each read along its
/// index (issue 14: `organ_id IN … OR lead_unit_id IN …` read every decision and sorted them),
/// merged newest first.
fn merged<T: Listed>(
    conn: &mut DbConn,
    organ_ids: &[String],
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
    load: impl Fn(&mut DbConn, Boxed<'_>) -> QueryResult<Vec<T>>,
) -> QueryResult<Vec<T>> {
    let mut organs: Vec<&String> = organ_ids.iter().collect();
    organs.sort();
    organs.dedup();
    let mut all: Vec<T> = Vec::new();
    for organ in organs {
        for as_lead in [false, true] {
            let mut q = if as_lead {
                decisions::table
                    .filter(decisions::lead_unit_id.eq(organ))
                    .filter(decisions::organ_id.ne(organ))
                    .into_boxed()
            } else {
                decisions::table
                    .filter(decisions::organ_id.eq(organ))
                    .into_boxed()
            };
            if let Some((at, id)) = &before {
                q = q.filter(
                    decisions::created_at.lt(*at).or(decisions::created_at
                        .eq(*at)
                        .and(decisions::id.lt(id.clone()))),
                );
            }
            let q = q
                .order((decisions::created_at.desc(), decisions::id.desc()))
                .limit(limit);
            all.extend(load(conn, q)?);
        }
    }
    all.sort_by(|a, b| b.place().cmp(&a.place()));
    all.dedup_by(|a, b| a.place().1 == b.place().1);
    all.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(all)
}

/// What a read of a decision checks before anything else: its version, organ and lead unit.
pub fn version_and_parties(
    conn: &mut DbConn,
    id: &str,
) -> QueryResult<Option<(i64, String, String)>> {
    decisions::table
        .find(id)
        .select((
            decisions::version,
            decisions::organ_id,
            decisions::lead_unit_id,
        ))
        .first(conn)
        .optional()
}

/// When any decision last changed, and any catalog — of `organ`, or of all organs (through the
/// `updated_at` indexes).
pub fn last_changes(
    conn: &mut DbConn,
    organ: Option<&str>,
) -> QueryResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    let last = diesel::dsl::max(decisions::updated_at);
    let d = match organ {
        Some(o) => decisions::table
            .filter(decisions::organ_id.eq(o))
            .select(last)
            .first(conn)?,
        None => decisions::table.select(last).first(conn)?,
    };
    let last = diesel::dsl::max(catalogs::updated_at);
    let c = match organ {
        Some(o) => catalogs::table
            .filter(catalogs::organ_id.eq(o))
            .select(last)
            .first(conn)?,
        None => catalogs::table.select(last).first(conn)?,
    };
    Ok((d, c))
}

/// A decision's events in order.
pub fn events_of(conn: &mut DbConn, id: &str) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::decision_id.eq(id))
        .order(events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// A page of a decision's events: at most `limit`, those after `after_seq`, in order.
pub fn events_page(
    conn: &mut DbConn,
    id: &str,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::decision_id.eq(id))
        .filter(events::seq.gt(after_seq))
        .order(events::seq.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)
}

/// A decision's draft versions, without their content.
pub fn drafts_of(conn: &mut DbConn, id: &str) -> QueryResult<Vec<DraftMeta>> {
    draft_versions::table
        .filter(draft_versions::decision_id.eq(id))
        .order(draft_versions::number.asc())
        .select(DraftMeta::as_select())
        .load(conn)
}

/// One draft version with its content.
pub fn draft(conn: &mut DbConn, id: &str, number: i32) -> QueryResult<Option<DraftVersion>> {
    draft_versions::table
        .find((id, number))
        .select(DraftVersion::as_select())
        .first(conn)
        .optional()
}

/// A decision's draft versions with their content, in order (for its dossier).
pub fn draft_versions(conn: &mut DbConn, id: &str) -> QueryResult<Vec<DraftVersion>> {
    draft_versions::table
        .filter(draft_versions::decision_id.eq(id))
        .order(draft_versions::number.asc())
        .select(DraftVersion::as_select())
        .load(conn)
}

/// The daily digests whose heads name the decision, by day (ids are UUIDs: the pattern cannot
/// match by accident).
pub fn digests_naming(conn: &mut DbConn, id: &str) -> QueryResult<Vec<DailyDigest>> {
    let pattern = format!("%\"{}\"%", id.replace(['%', '_', '\\', '"'], ""));
    daily_digests::table
        .filter(daily_digests::heads.like(pattern))
        .order(daily_digests::day.asc())
        .select(DailyDigest::as_select())
        .load(conn)
}

/// Insert a new decision row.
pub fn insert(conn: &mut DbConn, row: &DecisionRow) -> QueryResult<()> {
    diesel::insert_into(decisions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Append an event row. A concurrent writer that took the sequence number first makes this fail
/// with a unique violation.
pub fn insert_event(conn: &mut DbConn, event: &EventRow) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values(event)
        .execute(conn)
        .map(|_| ())
}

/// The decision's snapshot after an event (`new`) over the row it was made from (`old`), guarded
/// by `old`'s version. Returns whether the row was at that version (false: another writer moved
/// it). A column that did not change is not set: SQLite rewrites an index's entry when its
/// columns are set, whatever the value, and a batch of comments changes none of status,
/// attributes, adopted day and procedures (three index entries fewer a batch; issue 14).
pub fn update_snapshot(
    conn: &mut DbConn,
    old: &DecisionRow,
    new: &DecisionRow,
) -> QueryResult<bool> {
    let updated = diesel::update(
        decisions::table
            .filter(decisions::id.eq(&new.id))
            .filter(decisions::version.eq(old.version)),
    )
    .set((
        decisions::state.eq(&new.state),
        decisions::version.eq(new.version),
        decisions::head_hash.eq(&new.head_hash),
        decisions::updated_at.eq(new.updated_at),
        (new.status != old.status).then(|| decisions::status.eq(&new.status)),
        (new.attributes != old.attributes).then(|| decisions::attributes.eq(&new.attributes)),
        (new.adopted_on != old.adopted_on).then(|| decisions::adopted_on.eq(&new.adopted_on)),
        (new.procedures_required != old.procedures_required)
            .then(|| decisions::procedures_required.eq(&new.procedures_required)),
        (new.procedures_completed != old.procedures_completed)
            .then(|| decisions::procedures_completed.eq(&new.procedures_completed)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Replace one stage's read row.
pub fn put_stage(conn: &mut DbConn, stage: &StageRow) -> QueryResult<()> {
    diesel::delete(
        stage_records::table
            .filter(stage_records::decision_id.eq(&stage.decision_id))
            .filter(stage_records::stage.eq(&stage.stage)),
    )
    .execute(conn)?;
    diesel::insert_into(stage_records::table)
        .values(stage)
        .execute(conn)
        .map(|_| ())
}

/// Store a draft version's content.
pub fn insert_draft(conn: &mut DbConn, draft: &DraftVersion) -> QueryResult<()> {
    diesel::insert_into(draft_versions::table)
        .values(draft)
        .execute(conn)
        .map(|_| ())
}

/// The first event after `expected` other than those of `command` (the intake's batches).
pub fn first_event_after_other_than(
    conn: &mut DbConn,
    decision_id: &str,
    expected: i64,
    command: &str,
) -> QueryResult<Option<EventRow>> {
    events::table
        .filter(events::decision_id.eq(decision_id))
        .filter(events::seq.gt(expected))
        .filter(events::command.ne(command))
        .order(events::seq)
        .select(EventRow::as_select())
        .first(conn)
        .optional()
}

/// The decision started for a catalog item, if any.
pub fn decision_of_catalog_item(conn: &mut DbConn, item_id: &str) -> QueryResult<Option<String>> {
    decisions::table
        .filter(decisions::catalog_item_id.eq(item_id))
        .select(decisions::id)
        .first(conn)
        .optional()
}

/// Set a new decision's title and catalog link from its admitted initiation.
pub fn set_title_and_item(
    conn: &mut DbConn,
    id: &str,
    title: &str,
    catalog_item_id: Option<&str>,
) -> QueryResult<()> {
    diesel::update(decisions::table.find(id))
        .set((
            decisions::title.eq(title),
            decisions::catalog_item_id.eq(catalog_item_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The decisions that recorded a major adjustment (`record:changed`) naming `new_decision`.
pub fn adjusted_by(conn: &mut DbConn, new_decision: &str) -> QueryResult<Vec<String>> {
    decision_links::table
        .filter(decision_links::new_id.eq(new_decision))
        .order(decision_links::original_id)
        .select(decision_links::original_id)
        .load(conn)
}

/// Keep the link of a major adjustment (第三十七条): `original`'s `changed` fact names
/// `new_decision`. Written with the event, in its transaction.
pub fn link_adjustment(conn: &mut DbConn, original: &str, new_decision: &str) -> QueryResult<()> {
    // Checked first (the one backend-neutral way: the dialects' upserts differ); a second
    // `changed` naming the same decision adds nothing.
    let known: i64 = decision_links::table
        .find((original, new_decision))
        .count()
        .get_result(conn)?;
    if known > 0 {
        return Ok(());
    }
    diesel::insert_into(decision_links::table)
        .values((
            decision_links::original_id.eq(original),
            decision_links::new_id.eq(new_decision),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Decisions begun but without the report's columns (recorded before they were kept).
pub fn without_report_columns(conn: &mut DbConn) -> QueryResult<Vec<DecisionRow>> {
    decisions::table
        .filter(decisions::procedures_required.is_null())
        .filter(decisions::status.ne("new"))
        .select(DecisionRow::as_select())
        .load(conn)
}

/// Write the decision's organ beside stage rows and comments stored without it (by a process of
/// an earlier version still running on the same database); returns how many rows were filled.
pub fn fill_organ_ids(conn: &mut DbConn) -> QueryResult<usize> {
    let mut n = 0;
    for table in ["stage_records", "comments"] {
        let filled = diesel::sql_query(format!(
            "UPDATE {table} SET organ_id = (SELECT organ_id FROM decisions \
             WHERE decisions.id = {table}.decision_id) WHERE organ_id IS NULL"
        ))
        .execute(conn)?;
        if table == "comments" && filled > 0 {
            // Comments the organs' day counts could not count without their organ.
            super::counters::recount_days(conn)?;
        }
        n += filled;
    }
    Ok(n)
}

/// Set the report's columns of a decision.
pub fn set_report_columns(
    conn: &mut DbConn,
    id: &str,
    adopted_on: Option<String>,
    required: &str,
    completed: &str,
) -> QueryResult<()> {
    diesel::update(decisions::table.find(id))
        .set((
            decisions::adopted_on.eq(adopted_on),
            decisions::procedures_required.eq(required),
            decisions::procedures_completed.eq(completed),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The decisions whose deadlines still run (in the procedure, adopted or suspended), by id,
/// `limit` after the id `after`: a page at a time, so that a scan of 100,000 decisions holds
/// one page of their states, not all of them (over a gigabyte).
pub fn open_decisions(
    conn: &mut DbConn,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<DecisionRow>> {
    let mut q = decisions::table
        .filter(decisions::status.eq_any(["in_procedure", "adopted", "suspended"]))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(decisions::id.gt(after));
    }
    q.order(decisions::id.asc())
        .limit(limit)
        .select(DecisionRow::as_select())
        .load(conn)
}
