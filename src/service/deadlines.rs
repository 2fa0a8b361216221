//! Deadlines through the one door (issue 12): what is due soon and overdue in the decisions a
//! caller may read (the API's `GET /api/v1/deadlines` and the console's page), and the scan the
//! server runs in the background to write each reminder to the outbox once.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::decisions::{pack_of, parse_state};
use super::listing::Reach;
use super::{Engine, ServiceError};
use crate::access::Principal;
use crate::db::rows::DecisionRow;
use crate::db::{accounts, decisions, stored_time, DbConn};
use crate::procedure::reminders::{self, Owner, Standing};
use crate::procedure::state::china_date;

/// One deadline as the caller sees it.
#[derive(Debug, Clone)]
pub struct Item {
    /// The decision (none: the organ's annual catalog).
    pub decision_id: Option<String>,
    /// Its title (or the catalog's: 2026年度重大行政决策事项目录).
    pub title: String,
    /// The deadline.
    pub deadline: reminders::Deadline,
    /// The organ that must act.
    pub owner_organ_id: String,
    /// That organ's name.
    pub owner_organ_name: String,
    /// Where today stands.
    pub standing: Standing,
    /// Working days left (0 when overdue).
    pub working_days_left: u32,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only deadlines this organ must act on.
    pub organ: Option<String>,
    /// Every open deadline due on or before this day (default: those due soon or overdue).
    pub due_before: Option<NaiveDate>,
}

fn owner_organ(row: &DecisionRow, legality: Option<&str>, owner: Owner) -> Option<String> {
    match owner {
        Owner::DecisionOrgan => Some(row.organ_id.clone()),
        Owner::LeadUnit => Some(row.lead_unit_id.clone()),
        Owner::LegalityUnit => legality.map(str::to_string),
    }
}

/// The open deadlines of the decisions `who` may read, overdue first, then by due day.
pub fn list(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<Vec<Item>, ServiceError> {
    let organs = who.organs();
    let names: BTreeMap<String, String> = accounts::all_organs(conn)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    if let Some(o) = &filter.organ {
        if !names.contains_key(o) {
            return Err(ServiceError::NotFound(format!("organ {o}")));
        }
    }
    // The decisions the caller may read, as the list and the dashboard reach them.
    let reach = Reach::of(conn, who)?;
    let today = china_date(now);
    let mut out = Vec::new();
    for row in decisions::list_decisions(conn, &reach.scope, None, 5000)? {
        let unit = reach.legality.get(&row.organ_id).map(String::as_str);
        if !reach.can_read(who, &row.organ_id, &row.lead_unit_id) {
            continue;
        }
        let pack = pack_of(engine, &row)?;
        let state = parse_state(&row)?;
        for d in reminders::deadlines(pack, &state) {
            if d.done {
                continue;
            }
            let Some(owner) = owner_organ(&row, unit, d.owner) else {
                continue;
            };
            if filter.organ.as_ref().is_some_and(|o| *o != owner) {
                continue;
            }
            let standing = reminders::standing(engine.calendar, today, d.due_on);
            let wanted = match filter.due_before {
                Some(before) => d.due_on <= before,
                None => standing != Standing::Upcoming,
            };
            if !wanted {
                continue;
            }
            out.push(Item {
                decision_id: Some(row.id.clone()),
                title: row.title.clone(),
                working_days_left: engine.calendar.working_days_between(today, d.due_on).0,
                owner_organ_name: names.get(&owner).cloned().unwrap_or_default(),
                owner_organ_id: owner,
                standing,
                deadline: d,
            });
        }
    }
    for (organ, d) in catalog_deadlines(conn, engine, today)? {
        if !organs.contains(&organ.id) || filter.organ.as_ref().is_some_and(|o| *o != organ.id) {
            continue;
        }
        let standing = reminders::standing(engine.calendar, today, d.due_on);
        let wanted = match filter.due_before {
            Some(before) => d.due_on <= before,
            None => standing != Standing::Upcoming,
        };
        if wanted {
            out.push(Item {
                decision_id: None,
                title: catalog_title(d.due_on),
                working_days_left: engine.calendar.working_days_between(today, d.due_on).0,
                owner_organ_name: organ.name.clone(),
                owner_organ_id: organ.id.clone(),
                standing,
                deadline: d,
            });
        }
    }
    out.sort_by(|a, b| {
        (
            a.standing != Standing::Overdue,
            a.deadline.due_on,
            &a.decision_id,
        )
            .cmp(&(
                b.standing != Standing::Overdue,
                b.deadline.due_on,
                &b.decision_id,
            ))
    });
    Ok(out)
}

fn catalog_title(due_on: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年度重大行政决策事项目录", due_on.year())
}

/// This year's open catalog publication deadlines: each organ its pack obliges to publish by a
/// day (浙江: 31 March) whose catalog for the year is not published yet.
fn catalog_deadlines(
    conn: &mut DbConn,
    engine: &Engine,
    today: NaiveDate,
) -> Result<Vec<(crate::db::rows::Organ, reminders::Deadline)>, ServiceError> {
    use chrono::Datelike;
    let mut out = Vec::new();
    for (organ, row) in super::catalogs::of_year(conn, today.year())? {
        let published = row.as_ref().is_some_and(|r| r.revision > 0);
        let standing =
            super::catalogs::standing(conn, engine, &organ, row.as_ref(), today.year(), today)?;
        if let Some(d) = reminders::catalog_deadline(&standing, published).filter(|d| !d.done) {
            out.push((organ, d));
        }
    }
    Ok(out)
}

/// A reminder to write: the organ told, the kind, the key that makes it once, its data.
#[derive(Debug, Clone)]
pub struct Reminder {
    /// The organ whose endpoints are told.
    pub organ_id: String,
    /// `deadline_due` or `deadline_overdue`.
    pub kind: &'static str,
    /// decision | deadline | due day | kind | organ.
    pub key: String,
    /// The decision (none: an organ's catalog).
    pub decision_id: Option<String>,
    /// The payload's `data`.
    pub data: serde_json::Value,
}

/// Open decisions read a page at a time by the deadline scan.
const SCAN_PAGE: i64 = 500;

/// The reminders due at `now`: for every open deadline that is due soon or overdue, one to the
/// decision organ and, where another organ must act, one to that organ too. Reads only (the
/// server reads on its read pool and keeps the one SQLite writer free).
pub fn reminders(
    conn: &mut DbConn,
    engine: &Engine,
    now: DateTime<Utc>,
) -> Result<Vec<Reminder>, ServiceError> {
    let today = china_date(now);
    let mut out = Vec::new();
    let mut units: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let page = decisions::open_decisions(conn, after.as_deref(), SCAN_PAGE)?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.id.clone());
        for row in page {
            let unit = match units.get(&row.organ_id) {
                Some(u) => u.clone(),
                None => {
                    let u = accounts::organ(conn, &row.organ_id)?.and_then(|o| o.legality_unit_id);
                    units.insert(row.organ_id.clone(), u.clone());
                    u
                }
            };
            reminders_of(engine, today, &row, unit.as_deref(), &mut out)?;
        }
    }
    for (organ, d) in catalog_deadlines(conn, engine, today)? {
        let kind = match reminders::standing(engine.calendar, today, d.due_on) {
            Standing::Upcoming => continue,
            Standing::DueSoon => super::outbox::DEADLINE_DUE,
            Standing::Overdue => super::outbox::DEADLINE_OVERDUE,
        };
        out.push(Reminder {
            key: format!("catalog|{}|{}|{kind}|{}", d.key, d.due_on, organ.id),
            organ_id: organ.id.clone(),
            kind,
            decision_id: None,
            data: serde_json::json!({
                "title": catalog_title(d.due_on),
                "deadline": d.key,
                "stage": d.stage,
                "due_on": d.due_on.to_string(),
                "owner": d.owner.name(),
                "owner_organ_id": organ.id,
                "role": d.role,
                "basis": d.basis,
                "what_zh": d.what_zh,
            }),
        });
    }
    Ok(out)
}

/// The reminders of one open decision's deadlines (`unit`: its organ's legality unit).
fn reminders_of(
    engine: &Engine,
    today: NaiveDate,
    row: &DecisionRow,
    unit: Option<&str>,
    out: &mut Vec<Reminder>,
) -> Result<(), ServiceError> {
    let Ok(pack) = pack_of(engine, row) else {
        return Ok(());
    };
    let state = parse_state(row)?;
    for d in reminders::deadlines(pack, &state) {
        if d.done {
            continue;
        }
        let kind = match reminders::standing(engine.calendar, today, d.due_on) {
            Standing::Upcoming => continue,
            Standing::DueSoon => super::outbox::DEADLINE_DUE,
            Standing::Overdue => super::outbox::DEADLINE_OVERDUE,
        };
        let owner = owner_organ(row, unit, d.owner);
        let mut told = vec![row.organ_id.clone()];
        if let Some(o) = &owner {
            if *o != row.organ_id {
                told.push(o.clone());
            }
        }
        for organ in told {
            out.push(Reminder {
                key: format!("{}|{}|{}|{kind}|{organ}", row.id, d.key, d.due_on),
                organ_id: organ,
                kind,
                decision_id: Some(row.id.clone()),
                data: serde_json::json!({
                    "title": row.title,
                    "deadline": d.key,
                    "stage": d.stage,
                    "due_on": d.due_on.to_string(),
                    "owner": d.owner.name(),
                    "owner_organ_id": owner,
                    "role": d.role,
                    "basis": d.basis,
                    "what_zh": d.what_zh,
                }),
            });
        }
    }
    Ok(())
}

/// Write each reminder to the outbox once (a key written before is skipped). Returns how many
/// were new.
pub fn write_reminders(
    conn: &mut DbConn,
    reminders: Vec<Reminder>,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let at = stored_time(now);
    let mut written = 0;
    for r in reminders {
        if super::outbox::enqueue(
            conn,
            &r.organ_id,
            r.kind,
            Some(r.key),
            r.decision_id.as_deref(),
            r.data,
            at,
        )? {
            written += 1;
        }
    }
    Ok(written)
}

/// [`reminders()`] and [`write_reminders`] on one connection: each deadline that became due soon
/// or overdue by `now` written once as `deadline_due` / `deadline_overdue`.
pub fn scan(conn: &mut DbConn, engine: &Engine, now: DateTime<Utc>) -> Result<usize, ServiceError> {
    let due = reminders(conn, engine, now)?;
    write_reminders(conn, due, now)
}
