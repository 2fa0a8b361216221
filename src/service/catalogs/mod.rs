//! The annual decision catalog through the one door: open one for an organ and year, give it
//! commands (judged by `procedure::catalog`), read it as staff or as the public, replay a
//! revision, count its coverage. Every change is an event in the catalog's hash chain.

mod view;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::Connection;

pub use view::{
    category_name, coverage_sheet, items_sheet, share, standing_zh, CatalogView, CoverageRow,
    CoverageView, DecisionLink, ItemView, OrganRef, ProcedureView, PublicCatalogView, RevisionView,
};

use super::decisions::jurisdiction;
use super::{Engine, ServiceError};
use crate::access::{self, Actor, Principal};
use crate::chain;
use crate::db::rows::{CatalogItem, CatalogRow, EventRow, Organ};
use crate::db::{accounts, catalogs, decisions, stored_time, DbConn};
use crate::procedure::catalog::{
    self, Catalog, CatalogCommand, CatalogEvent, ItemSpec, ItemStatus,
};
use crate::procedure::state::{china_date, OrganKind};
use crate::procedure::Pack;

/// The first year a catalog may be opened for (the regulation is in force from 2019-09-01).
pub const FIRST_YEAR: i32 = 2019;

/// The longest title, unit, reason and document number kept, in characters.
const TITLE: usize = 200;
const ORGANISATION: usize = 200;
const REASON: usize = 1000;
const NAME: usize = 100;

fn check_item_sizes(item: &ItemSpec) -> Result<(), ServiceError> {
    let too_long = |field: &str, v: &str, max: usize| {
        if v.chars().count() > max {
            Err(ServiceError::Invalid(format!(
                "item.{field}: at most {max} characters / 最多 {max} 个字"
            )))
        } else {
            Ok(())
        }
    };
    too_long("title", &item.title, TITLE)?;
    too_long("undertaking_unit", &item.undertaking_unit, ORGANISATION)?;
    if let Some(n) = &item.note {
        too_long("note", n, REASON)?;
    }
    if item.procedures.len() > 20 || item.attributes.flags.len() > 50 {
        return Err(ServiceError::Invalid(
            "item: at most 20 procedures and 50 attributes / 程序最多 20 项、属性最多 50 项".into(),
        ));
    }
    Ok(())
}

/// Sizes the store keeps (the same as the API's field limits), naming the field.
pub fn check_sizes(c: &CatalogCommand) -> Result<(), ServiceError> {
    let reason = |r: &Option<String>| match r {
        Some(r) if r.chars().count() > REASON => Err(ServiceError::Invalid(format!(
            "reason: at most {} characters / 理由最多 {} 个字",
            REASON, REASON
        ))),
        _ => Ok(()),
    };
    match c {
        CatalogCommand::AddItem { item, reason: r } => {
            check_item_sizes(item)?;
            reason(r)
        }
        CatalogCommand::ChangeItem {
            item, reason: r, ..
        } => {
            check_item_sizes(item)?;
            reason(r)
        }
        CatalogCommand::WithdrawItem { reason: r, .. } => reason(r),
        CatalogCommand::RecordConsent {
            body,
            document_number,
            ..
        } => {
            if body.chars().count() > ORGANISATION || document_number.chars().count() > NAME {
                return Err(ServiceError::Invalid(format!(
                    "body, document_number: at most {} and {} characters / 党委名称最多 {} 个字、文号最多 {} 个字",
                    ORGANISATION, NAME, ORGANISATION, NAME
                )));
            }
            Ok(())
        }
        CatalogCommand::Publish {} => Ok(()),
    }
}

/// A catalog as stored, with its state and organ.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The row.
    pub row: CatalogRow,
    /// The fold of its events.
    pub catalog: Catalog,
    /// Its organ.
    pub organ: Organ,
}

impl Loaded {
    /// The organ's kind (a government when the register does not say).
    pub fn kind(&self) -> OrganKind {
        OrganKind::of_stored(&self.organ.kind).unwrap_or(OrganKind::Government)
    }
}

/// The pack a catalog was opened under.
pub fn pack_of<'a>(engine: &Engine<'a>, row: &CatalogRow) -> Result<&'a Pack, ServiceError> {
    engine
        .packs
        .get(&row.pack_id, &row.pack_version)
        .ok_or_else(|| {
            ServiceError::Unavailable(format!(
                "pack {}@{} is not loaded / 该目录的程序规则未加载",
                row.pack_id, row.pack_version
            ))
        })
}

/// Load a catalog by id.
pub fn load(conn: &mut DbConn, id: &str) -> Result<Loaded, ServiceError> {
    let row =
        catalogs::get(conn, id)?.ok_or_else(|| ServiceError::NotFound(format!("catalog {id}")))?;
    let catalog = serde_json::from_str(&row.state).map_err(|e| {
        ServiceError::Unavailable(format!(
            "catalog {id}: unreadable state: {e} / 目录状态无法读取"
        ))
    })?;
    let organ = accounts::organ(conn, &row.organ_id)?
        .ok_or_else(|| ServiceError::NotFound(format!("organ {}", row.organ_id)))?;
    Ok(Loaded {
        row,
        catalog,
        organ,
    })
}

/// Load a catalog the caller may read as staff (drafts and pending changes included).
pub fn readable(conn: &mut DbConn, who: &Principal, id: &str) -> Result<Loaded, ServiceError> {
    let loaded = load(conn, id)?;
    if !access::can_read_catalog(
        who,
        &loaded.organ.id,
        loaded.organ.legality_unit_id.as_deref(),
    ) {
        // Not found rather than forbidden: the caller learns nothing of other organs' drafts.
        return Err(ServiceError::NotFound(format!("catalog {id}")));
    }
    Ok(loaded)
}

/// The catalogs the caller may read as staff (of one organ, and one year, if asked): those of
/// the organs where they hold a role, and those of the organs whose legality unit they review for.
pub fn list_readable(
    conn: &mut DbConn,
    who: &Principal,
    organ_id: Option<&str>,
    year: Option<i32>,
) -> Result<Vec<Loaded>, ServiceError> {
    let mine = who.organs();
    let organs: Vec<String> = accounts::all_organs(conn)?
        .into_iter()
        .filter(|o| organ_id.is_none_or(|id| o.id == id))
        .filter(|o| {
            mine.contains(&o.id)
                || access::can_read_catalog(who, &o.id, o.legality_unit_id.as_deref())
        })
        .map(|o| o.id)
        .collect();
    let mut out = Vec::new();
    for row in catalogs::list(conn, Some(&organs), year, false)? {
        // Only what the caller may read (a department's staff do not read the government's).
        if let Ok(loaded) = readable(conn, who, &row.id) {
            out.push(loaded);
        }
    }
    Ok(out)
}

/// Load a published catalog (for the public).
pub fn published(conn: &mut DbConn, id: &str) -> Result<Loaded, ServiceError> {
    let loaded = load(conn, id)?;
    if loaded.row.revision == 0 {
        return Err(ServiceError::NotFound(format!("published catalog {id}")));
    }
    Ok(loaded)
}

/// Open the catalog of an organ for a year (its staff only; one per organ and year).
pub fn open(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    organ_id: &str,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Loaded, ServiceError> {
    let today = china_date(now);
    if !(FIRST_YEAR..=today.year() + 1).contains(&year) {
        return Err(ServiceError::Invalid(format!(
            "year: a catalog is for a year from {FIRST_YEAR} to {} (next year), not {year} / 目录年度应在 {FIRST_YEAR} 年至 {} 年之间",
            today.year() + 1,
            today.year() + 1
        )));
    }
    let organ = accounts::organ(conn, organ_id)?.ok_or_else(|| {
        ServiceError::Invalid(format!("organ_id: no organ {organ_id} / 没有该机关"))
    })?;
    if OrganKind::of_stored(&organ.kind).is_none() {
        return Err(ServiceError::Invalid(format!(
            "organ_id: {} ({}) does not make major administrative decisions, so keeps no catalog / 该机关不作重大行政决策",
            organ.name, organ.kind
        )));
    }
    let actor = access::catalog_writer(who, &organ.id)?;
    let own = jurisdiction(conn, &organ)?;
    let pack = engine.packs.in_force(&own, today).ok_or_else(|| {
        ServiceError::Unavailable(format!(
            "pack \"{own}\" is not in force on {today} / 本地区的程序规则在 {today} 尚未生效"
        ))
    })?;
    conn.transaction(|conn| {
        if let Some(existing) = catalogs::of_organ_year(conn, &organ.id, year)? {
            return Err(ServiceError::Conflict(format!(
                "{} already has the {year} catalog: {} / 该机关{year}年度目录已存在",
                organ.name, existing.id
            )));
        }
        let at = stored_time(now);
        let row = CatalogRow {
            id: crate::db::new_id(),
            organ_id: organ.id.clone(),
            year,
            pack_id: pack.id.clone(),
            pack_version: pack.version.clone(),
            status: "draft".into(),
            revision: 0,
            first_published_on: None,
            state: String::new(),
            version: 0,
            head_hash: chain::GENESIS.into(),
            created_at: at,
            updated_at: at,
        };
        catalogs::insert(conn, &row)?;
        let opened = CatalogEvent::Opened {
            organ_id: organ.id.clone(),
            year,
        };
        let (row, catalog) = persist(conn, row, Catalog::default(), None, &[opened], &actor, at)?;
        Ok(Loaded {
            row,
            catalog,
            organ: organ.clone(),
        })
    })
}

/// Give a catalog a command at the version the client read.
pub fn command(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    id: &str,
    expected_version: i64,
    cmd: CatalogCommand,
    now: DateTime<Utc>,
) -> Result<Loaded, ServiceError> {
    check_sizes(&cmd)?;
    conn.transaction(|conn| {
        let loaded = load(conn, id)?;
        let actor = access::catalog_writer(who, &loaded.organ.id)?;
        if loaded.row.version != expected_version {
            return Err(ServiceError::Stale {
                expected: expected_version,
                actual: loaded.row.version,
            });
        }
        let pack = pack_of(engine, &loaded.row)?;
        let events = catalog::judge(
            pack,
            &loaded.catalog,
            &cmd,
            china_date(now),
            &crate::db::new_id(),
        )
        .map_err(ServiceError::Refused)?;
        let (row, catalog) = persist(
            conn,
            loaded.row,
            loaded.catalog,
            Some(&cmd),
            &events,
            &actor,
            stored_time(now),
        )?;
        // Keep the projections of the items the events touched.
        for e in &events {
            let item_id = match e {
                CatalogEvent::ItemAdded { item_id, .. }
                | CatalogEvent::ItemChanged { item_id, .. }
                | CatalogEvent::ItemWithdrawn { item_id, .. } => Some(item_id.as_str()),
                _ => None,
            };
            if let Some(item_id) = item_id {
                project_item(conn, &row, &catalog, item_id)?;
            }
            if let CatalogEvent::Published { .. } = e {
                // Issue 12: reported to the organ's webhooks, in this same transaction.
                let data = serde_json::json!({
                    "catalog_id": row.id, "year": row.year, "revision": row.revision,
                });
                super::outbox::enqueue(
                    conn,
                    &loaded.organ.id,
                    super::outbox::CATALOG_PUBLISHED,
                    None,
                    None,
                    data,
                    row.updated_at,
                )?;
                let ids: Vec<String> = catalog.items.keys().cloned().collect();
                for item_id in ids {
                    project_item(conn, &row, &catalog, &item_id)?;
                }
            }
        }
        Ok(Loaded {
            row,
            catalog,
            organ: loaded.organ,
        })
    })
}

/// Append the events to the catalog's chain and store the new snapshot.
fn persist(
    conn: &mut DbConn,
    row: CatalogRow,
    mut catalog: Catalog,
    cmd: Option<&CatalogCommand>,
    events: &[CatalogEvent],
    actor: &Actor,
    at: chrono::NaiveDateTime,
) -> Result<(CatalogRow, Catalog), ServiceError> {
    for e in events {
        catalog.apply(e);
    }
    let seq = row.version + 1;
    let payload = serde_json::json!({ "command": cmd, "events": events }).to_string();
    let mut event = EventRow {
        decision_id: row.id.clone(),
        seq,
        actor_user_id: actor.user_id.clone(),
        actor_role: actor.role.clone(),
        actor_organ_id: actor.organ_id.clone(),
        command: cmd.map_or("open", CatalogCommand::name).to_string(),
        payload,
        draft_hash: None,
        at,
        prev_hash: row.head_hash.clone(),
        hash: String::new(),
    };
    event.hash = chain::event_hash(&event);
    let stale = || ServiceError::Stale {
        expected: row.version,
        actual: row.version + 1,
    };
    decisions::insert_event(conn, &event).map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => stale(),
        other => ServiceError::Db(other),
    })?;
    let updated = CatalogRow {
        status: <&str>::from(catalog.status).to_string(),
        revision: i32::try_from(catalog.revision).unwrap_or(i32::MAX),
        first_published_on: catalog.first_published_on.map(|d| d.to_string()),
        state: serde_json::to_string(&catalog)
            .map_err(|e| ServiceError::Invalid(format!("state: {e} / 目录状态无法保存")))?,
        version: seq,
        head_hash: event.hash,
        updated_at: at,
        ..row.clone()
    };
    if !catalogs::update_snapshot(conn, row.version, &updated)? {
        return Err(stale());
    }
    Ok((updated, catalog))
}

/// Write one item's projection (or remove it, if it was a draft item withdrawn).
fn project_item(
    conn: &mut DbConn,
    row: &CatalogRow,
    catalog: &Catalog,
    item_id: &str,
) -> Result<(), ServiceError> {
    let Some(item) = catalog.items.get(item_id) else {
        catalogs::remove_item(conn, item_id)?;
        return Ok(());
    };
    // Links follow what the public sees: the published content and status.
    let content = item.published.as_ref().unwrap_or(&item.current);
    catalogs::put_item(
        conn,
        &CatalogItem {
            id: item.id.clone(),
            organ_id: row.organ_id.clone(),
            year: row.year,
            title: content.spec.title.clone(),
            undertaking_unit: content.spec.undertaking_unit.clone(),
            category: view::category_name(content.spec.attributes.category),
            procedures: serde_json::to_string(&content.procedures).unwrap_or_default(),
            status: match item.status {
                ItemStatus::Draft => "draft",
                ItemStatus::Published => "published",
                ItemStatus::Withdrawn => "withdrawn",
            }
            .into(),
            created_at: row.updated_at,
            catalog_id: Some(row.id.clone()),
            number: i32::try_from(item.number).unwrap_or(i32::MAX),
        },
    )?;
    Ok(())
}

/// The catalog as it stood at a published revision: its events replayed up to that publication.
pub fn at_revision(
    conn: &mut DbConn,
    loaded: &Loaded,
    revision: u32,
) -> Result<Catalog, ServiceError> {
    if revision == 0 || revision > loaded.catalog.revision {
        return Err(ServiceError::NotFound(format!(
            "revision {revision} of catalog {} (published revisions: 1–{})",
            loaded.row.id, loaded.catalog.revision
        )));
    }
    let mut c = Catalog::default();
    for e in decisions::events_of(conn, &loaded.row.id)? {
        for event in events_of_row(&e)? {
            c.apply(&event);
            if matches!(event, CatalogEvent::Published { revision: r, .. } if r == revision) {
                return Ok(c);
            }
        }
    }
    Err(ServiceError::NotFound(format!("revision {revision}")))
}

/// The catalog events an event row holds.
pub fn events_of_row(e: &EventRow) -> Result<Vec<CatalogEvent>, ServiceError> {
    catalog::events_in_payload(&e.payload).map_err(|err| {
        ServiceError::Unavailable(format!(
            "catalog {} event {}: {err} / 目录记录无法读取",
            e.decision_id, e.seq
        ))
    })
}

/// The organs that decide, with their catalog for a year where there is one: for the public list
/// and the overdue flags (an obliged organ without a catalog is listed too).
pub fn of_year(
    conn: &mut DbConn,
    year: i32,
) -> Result<Vec<(Organ, Option<CatalogRow>)>, ServiceError> {
    let rows = catalogs::list(conn, None, Some(year), false)?;
    let mut out = Vec::new();
    for organ in accounts::all_organs(conn)? {
        if OrganKind::of_stored(&organ.kind).is_none() {
            continue;
        }
        let row = rows.iter().find(|r| r.organ_id == organ.id).cloned();
        out.push((organ, row));
    }
    Ok(out)
}

/// The standing of an organ for a year on `today` (obliged, deadline, overdue), under the pack its
/// catalog was opened with, or its jurisdiction's pack in force.
pub fn standing(
    conn: &mut DbConn,
    engine: &Engine,
    organ: &Organ,
    row: Option<&CatalogRow>,
    year: i32,
    today: NaiveDate,
) -> Result<catalog::Standing, ServiceError> {
    let pack = match row {
        Some(r) => pack_of(engine, r)?,
        None => {
            let own = jurisdiction(conn, organ)?;
            engine.packs.in_force(&own, today).ok_or_else(|| {
                ServiceError::Unavailable(format!("pack \"{own}\" is not in force on {today} / 本地区的程序规则在 {today} 尚未生效"))
            })?
        }
    };
    let first = row
        .and_then(|r| r.first_published_on.as_deref())
        .and_then(|d| d.parse().ok());
    Ok(catalog::standing(
        pack,
        OrganKind::of_stored(&organ.kind).unwrap_or(OrganKind::Government),
        year,
        first,
        today,
    ))
}

/// A year in China time as a window of stored (UTC) times: [1 January 00:00 +08:00, next 1 January).
pub fn year_window(year: i32) -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t - chrono::Duration::hours(8))
            .unwrap_or_default()
    };
    (start(year), start(year + 1))
}

/// What both views of a catalog are made of: its pack, its standing today and its items' links.
type ViewParts<'a> = (
    &'a Pack,
    catalog::Standing,
    std::collections::BTreeMap<String, DecisionLink>,
);

fn view_parts<'a>(
    conn: &mut DbConn,
    engine: &Engine<'a>,
    loaded: &Loaded,
    today: NaiveDate,
) -> Result<ViewParts<'a>, ServiceError> {
    let pack = pack_of(engine, &loaded.row)?;
    let row = Some(&loaded.row);
    let standing = standing(conn, engine, &loaded.organ, row, loaded.row.year, today)?;
    Ok((pack, standing, view::links(conn, &loaded.row.id)?))
}

/// The staff's view of a catalog.
pub fn staff_view(
    conn: &mut DbConn,
    engine: &Engine,
    loaded: &Loaded,
    today: NaiveDate,
) -> Result<CatalogView, ServiceError> {
    let (pack, standing, links) = view_parts(conn, engine, loaded, today)?;
    Ok(view::staff(loaded, pack, standing, &links))
}

/// The public's view of a published catalog.
pub fn public_view(
    conn: &mut DbConn,
    engine: &Engine,
    loaded: &Loaded,
    today: NaiveDate,
) -> Result<PublicCatalogView, ServiceError> {
    let (pack, standing, links) = view_parts(conn, engine, loaded, today)?;
    Ok(view::public(loaded, pack, standing, &links))
}

/// A published revision's view.
pub fn revision_view(
    conn: &mut DbConn,
    engine: &Engine,
    loaded: &Loaded,
    revision: u32,
) -> Result<RevisionView, ServiceError> {
    let pack = pack_of(engine, &loaded.row)?;
    let at = at_revision(conn, loaded, revision)?;
    let links = view::links(conn, &loaded.row.id)?;
    view::revision(loaded, pack, &at, &links)
        .ok_or_else(|| ServiceError::NotFound(format!("revision {revision}")))
}

/// The coverage of a catalog.
pub fn coverage_view(
    conn: &mut DbConn,
    engine: &Engine,
    loaded: &Loaded,
) -> Result<CoverageView, ServiceError> {
    let pack = pack_of(engine, &loaded.row)?;
    let links = view::links(conn, &loaded.row.id)?;
    let (from, until) = year_window(loaded.row.year);
    let started = catalogs::started_in(conn, &loaded.organ.id, from, until)?;
    Ok(view::coverage(loaded, pack, &links, &started))
}
