//! The catalog as people read it: the staff's view (drafts and pending adjustments), the
//! public's (the published revision only), a revision, and the coverage. One shape for the API,
//! the CLI and the pages.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

use super::{Loaded, ServiceError};
use crate::db::{catalogs, DbConn};
use crate::export::{Cell, Sheet};
use crate::procedure::catalog::{
    Catalog, CatalogStatus, Change, ChangeKind, Consent, Item, ItemContent, ItemStatus, Revision,
    Standing,
};
use crate::procedure::state::{Attributes, Category, StageId};
use crate::procedure::Pack;

/// The stored name of a category (as the API writes it).
pub fn category_name(c: Category) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// An organ, named.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OrganRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A procedure an item requires, with why.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProcedureView {
    /// The stage.
    pub stage: StageId,
    /// Its name in Chinese.
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// Required by the pack for the item's attributes (false: added by the organ).
    pub required: bool,
    /// The basis of the requirement (the stage's basis).
    pub basis: String,
}

/// The decision started for an item: where it stands.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DecisionLink {
    /// Its id.
    pub id: String,
    /// Its status.
    pub status: String,
    /// The stages in progress.
    pub stages_in_progress: Vec<String>,
    /// The day it was adopted.
    pub adopted_on: Option<String>,
}

/// An item of the catalog.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ItemView {
    /// Its id (what a decision's `catalog_item_id` names).
    pub id: String,
    /// Its number (序号).
    pub number: u32,
    /// `draft`, `published` or `withdrawn`.
    pub status: ItemStatus,
    /// The matter.
    pub title: String,
    /// The undertaking unit.
    pub undertaking_unit: String,
    /// The category and attributes.
    pub attributes: Attributes,
    /// The category's Chinese name.
    pub category_zh: String,
    /// The procedures it requires, each with its basis.
    pub procedures: Vec<ProcedureView>,
    /// Planned completion.
    pub planned_by: Option<NaiveDate>,
    /// A remark.
    pub note: Option<String>,
    /// A change not yet published (staff view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<ChangeKind>,
    /// The decision started for it, if any.
    pub decision: Option<DecisionLink>,
}

/// A catalog as its organ's staff, the legality unit and inspectors see it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CatalogView {
    /// Its id.
    pub id: String,
    /// The organ.
    pub organ: OrganRef,
    /// The year.
    pub year: i32,
    /// The pack it was opened under (`id@version`).
    pub pack: String,
    /// Where it stands.
    pub status: CatalogStatus,
    /// The latest published revision (0: never published).
    pub revision: u32,
    /// The version to send with the next command.
    pub version: i64,
    /// The first publication's day.
    pub first_published_on: Option<NaiveDate>,
    /// Obligation, deadline and overdue flag under the pack, with the basis.
    pub standing: Standing,
    /// The latest consent of the party committee.
    pub consent: Option<Consent>,
    /// Whether that consent covers the content as it stands.
    pub consent_current: bool,
    /// Every item, working content.
    pub items: Vec<ItemView>,
    /// Changes not yet published.
    pub pending: Vec<Change>,
    /// Published revisions, oldest first.
    pub revisions: Vec<Revision>,
}

/// A published catalog, as the public sees it: the latest revision's content.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicCatalogView {
    /// Its id.
    pub id: String,
    /// The organ.
    pub organ: OrganRef,
    /// The year.
    pub year: i32,
    /// The latest published revision.
    pub revision: u32,
    /// The first publication's day.
    pub first_published_on: Option<NaiveDate>,
    /// Obligation, deadline and overdue flag, with the basis.
    pub standing: Standing,
    /// The party committee's consent it was published under.
    pub consent: Option<Consent>,
    /// The items as published (withdrawn ones marked).
    pub items: Vec<ItemView>,
    /// Published revisions with their changes and reasons, oldest first.
    pub revisions: Vec<Revision>,
}

/// One published revision's content.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RevisionView {
    /// The catalog.
    pub catalog_id: String,
    /// The organ.
    pub organ: OrganRef,
    /// The year.
    pub year: i32,
    /// The revision, with its date, consent and changes.
    pub revision: Revision,
    /// The items as that revision published them.
    pub items: Vec<ItemView>,
}

/// The procedures of an item, each with its basis.
pub fn procedures(pack: &Pack, content: &ItemContent) -> Vec<ProcedureView> {
    content
        .procedures
        .iter()
        .map(|id| {
            let stage = pack.stage(id.as_str());
            ProcedureView {
                stage: id.clone(),
                name_zh: stage.map_or_else(|| id.0.clone(), |s| s.name.zh.clone()),
                name_en: stage.map_or_else(|| id.0.clone(), |s| s.name.en.clone()),
                required: stage.is_some_and(|s| s.required.eval(&content.spec.attributes)),
                basis: stage.map(|s| s.basis.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

fn item_view(
    pack: &Pack,
    item: &Item,
    content: &ItemContent,
    status: ItemStatus,
    pending: Option<ChangeKind>,
    links: &BTreeMap<String, DecisionLink>,
) -> ItemView {
    ItemView {
        id: item.id.clone(),
        number: item.number,
        status,
        title: content.spec.title.clone(),
        undertaking_unit: content.spec.undertaking_unit.clone(),
        attributes: content.spec.attributes.clone(),
        category_zh: content.spec.attributes.category.zh().to_string(),
        procedures: procedures(pack, content),
        planned_by: content.spec.planned_by,
        note: content.spec.note.clone(),
        pending,
        decision: links.get(&item.id).cloned(),
    }
}

/// The decisions linked to a catalog's items, by item.
pub fn links(
    conn: &mut DbConn,
    catalog_id: &str,
) -> Result<BTreeMap<String, DecisionLink>, ServiceError> {
    let linked = catalogs::linked_decisions(conn, catalog_id)?;
    let ids: Vec<String> = linked.iter().map(|d| d.id.clone()).collect();
    let mut stages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (d, s) in catalogs::stages_in_progress(conn, &ids)? {
        stages.entry(d).or_default().push(s);
    }
    Ok(linked
        .into_iter()
        .filter_map(|d| {
            let item = d.item_id?;
            Some((
                item,
                DecisionLink {
                    stages_in_progress: stages.remove(&d.id).unwrap_or_default(),
                    id: d.id,
                    status: d.status,
                    adopted_on: d.adopted_on,
                },
            ))
        })
        .collect())
}

fn organ_ref(loaded: &Loaded) -> OrganRef {
    OrganRef {
        id: loaded.organ.id.clone(),
        name: loaded.organ.name.clone(),
    }
}

/// The staff's view.
pub fn staff(
    loaded: &Loaded,
    pack: &Pack,
    standing: Standing,
    links: &BTreeMap<String, DecisionLink>,
) -> CatalogView {
    let c = &loaded.catalog;
    CatalogView {
        id: loaded.row.id.clone(),
        organ: organ_ref(loaded),
        year: c.year,
        pack: pack.key(),
        status: c.status,
        revision: c.revision,
        version: loaded.row.version,
        first_published_on: c.first_published_on,
        standing,
        consent: c.consent.clone(),
        consent_current: c.consent_current,
        items: c
            .items_in_order()
            .into_iter()
            .map(|i| item_view(pack, i, &i.current, i.status, i.pending, links))
            .collect(),
        pending: c.pending.clone(),
        revisions: c.revisions.clone(),
    }
}

/// The items a catalog published (as the public sees them).
pub fn published_items(
    pack: &Pack,
    c: &Catalog,
    links: &BTreeMap<String, DecisionLink>,
) -> Vec<ItemView> {
    c.published_items()
        .into_iter()
        .filter_map(|i| {
            let content = i.published.as_ref()?;
            let status = match (i.status, i.pending) {
                // A withdrawal not yet published: still published.
                (ItemStatus::Withdrawn, _) => ItemStatus::Withdrawn,
                _ => ItemStatus::Published,
            };
            Some(item_view(pack, i, content, status, None, links))
        })
        .collect()
}

/// The public's view: the latest published revision.
pub fn public(
    loaded: &Loaded,
    pack: &Pack,
    standing: Standing,
    links: &BTreeMap<String, DecisionLink>,
) -> PublicCatalogView {
    let c = &loaded.catalog;
    PublicCatalogView {
        id: loaded.row.id.clone(),
        organ: organ_ref(loaded),
        year: c.year,
        revision: c.revision,
        first_published_on: c.first_published_on,
        standing,
        consent: c.revisions.last().and_then(|r| r.consent.clone()),
        items: published_items(pack, c, links),
        revisions: c.revisions.clone(),
    }
}

/// A revision's view, from the catalog replayed to it.
pub fn revision(
    loaded: &Loaded,
    pack: &Pack,
    at: &Catalog,
    links: &BTreeMap<String, DecisionLink>,
) -> Option<RevisionView> {
    Some(RevisionView {
        catalog_id: loaded.row.id.clone(),
        organ: organ_ref(loaded),
        year: at.year,
        revision: at.revisions.last()?.clone(),
        items: published_items(pack, at, links),
    })
}

/// One item's line in the coverage table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CoverageRow {
    /// The item's number.
    pub number: u32,
    /// The item.
    pub item_id: String,
    /// The matter.
    pub title: String,
    /// `not_started`, `in_procedure`, `adopted` (or the decision's status when it ended
    /// otherwise).
    pub standing: String,
    /// The decision, if started.
    pub decision: Option<DecisionLink>,
}

/// The coverage of a catalog: how its items are being carried out, and how many of the organ's
/// decisions of the year are outside it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CoverageView {
    /// The catalog.
    pub catalog_id: String,
    /// The organ.
    pub organ: OrganRef,
    /// The year.
    pub year: i32,
    /// Published items not withdrawn.
    pub items: u32,
    /// Items with a decision started.
    pub started: u32,
    /// Items whose decision was adopted.
    pub adopted: u32,
    /// Items with no decision yet.
    pub not_started: u32,
    /// Decisions of the organ started in the year.
    pub decisions_started: u32,
    /// Of those, decisions linked to no catalog item (ids).
    pub decisions_outside_catalog: Vec<String>,
    /// The share of the year's decisions that are catalog items, in percent (one decimal).
    pub share_in_catalog: Option<f64>,
    /// The pack's target for that share, where it sets one (a target, not a bar).
    pub target: Option<u32>,
    /// The basis of the target.
    pub target_basis: Option<String>,
    /// Each published item.
    pub rows: Vec<CoverageRow>,
}

/// Whether a decision status counts as adopted (adopted, then suspended, stopped or superseded).
pub fn adopted_status(status: &str) -> bool {
    matches!(status, "adopted" | "suspended" | "stopped" | "superseded")
}

/// Build the coverage of a catalog from its links and the organ's decisions started in the year
/// (`(id, catalog_item_id)`).
pub fn coverage(
    loaded: &Loaded,
    pack: &Pack,
    links: &BTreeMap<String, DecisionLink>,
    year_decisions: &[(String, Option<String>)],
) -> CoverageView {
    let c = &loaded.catalog;
    let mut rows = Vec::new();
    let (mut started, mut adopted) = (0, 0);
    for i in c.published_items() {
        if i.status == ItemStatus::Withdrawn {
            continue;
        }
        let d = links.get(&i.id).cloned();
        let standing = match &d {
            None => "not_started".to_string(),
            Some(d) if adopted_status(&d.status) => "adopted".to_string(),
            Some(d) if d.status == "in_procedure" => "in_procedure".to_string(),
            Some(d) => d.status.clone(),
        };
        if d.is_some() {
            started += 1;
        }
        if standing == "adopted" {
            adopted += 1;
        }
        rows.push(CoverageRow {
            number: i.number,
            item_id: i.id.clone(),
            title: i
                .published
                .as_ref()
                .map_or_else(String::new, |p| p.spec.title.clone()),
            standing,
            decision: d,
        });
    }
    let items = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let outside: Vec<String> = year_decisions
        .iter()
        .filter(|(_, item)| item.is_none())
        .map(|(id, _)| id.clone())
        .collect();
    let total = year_decisions.len();
    let p = &pack.parameters.catalog_coverage_target;
    CoverageView {
        catalog_id: loaded.row.id.clone(),
        organ: organ_ref(loaded),
        year: c.year,
        items,
        started,
        adopted,
        not_started: items - started,
        decisions_started: u32::try_from(total).unwrap_or(u32::MAX),
        share_in_catalog: share(total - outside.len(), total),
        decisions_outside_catalog: outside,
        target: p.value,
        target_basis: p.value.map(|_| p.basis.clone()),
        rows,
    }
}

/// `part` of `whole` in percent, to one decimal; none of nothing.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

fn item_status_zh(s: ItemStatus) -> &'static str {
    match s {
        ItemStatus::Draft => "草拟",
        ItemStatus::Published => "已公布",
        ItemStatus::Withdrawn => "已撤出",
    }
}

/// What the coverage and exports say of a decision's standing.
pub fn standing_zh(s: &str) -> &'static str {
    match s {
        "not_started" => "未启动",
        "in_procedure" => "程序进行中",
        "adopted" => "已作出决策",
        "not_adopted" => "未通过",
        "new" => "未启动",
        _ => "已终止",
    }
}

/// Items as a sheet (a revision's, or the public's).
pub fn items_sheet(organ: &OrganRef, year: i32, revision: u32, items: &[ItemView]) -> Sheet {
    Sheet {
        name: format!("{year}年度目录第{revision}版"),
        columns: vec![
            ("序号".into(), 6.0),
            ("决策事项".into(), 40.0),
            ("承办单位".into(), 24.0),
            ("类别".into(), 24.0),
            ("需履行的程序".into(), 36.0),
            ("计划完成时间".into(), 14.0),
            ("状态".into(), 10.0),
            ("决策进展".into(), 14.0),
            ("备注".into(), 30.0),
            ("事项ID".into(), 38.0),
            ("决策机关".into(), 24.0),
        ],
        rows: items
            .iter()
            .map(|i| {
                let procs: Vec<&str> = i.procedures.iter().map(|p| p.name_zh.as_str()).collect();
                let progress = match &i.decision {
                    None => "未启动",
                    Some(d) if adopted_status(&d.status) => "已作出决策",
                    Some(d) => standing_zh(&d.status),
                };
                vec![
                    Cell::from(i.number),
                    Cell::from(i.title.as_str()),
                    Cell::from(i.undertaking_unit.as_str()),
                    Cell::from(i.category_zh.as_str()),
                    Cell::from(procs.join("、")),
                    Cell::from(i.planned_by),
                    Cell::from(item_status_zh(i.status)),
                    Cell::from(progress),
                    Cell::from(i.note.clone()),
                    Cell::from(i.id.as_str()),
                    Cell::from(organ.name.as_str()),
                ]
            })
            .collect(),
    }
}

/// The coverage as a sheet.
pub fn coverage_sheet(c: &CoverageView) -> Sheet {
    Sheet {
        name: format!("{}年度目录执行情况", c.year),
        columns: vec![
            ("序号".into(), 6.0),
            ("决策事项".into(), 40.0),
            ("进展".into(), 14.0),
            ("决策ID".into(), 38.0),
            ("决策状态".into(), 14.0),
            ("作出日期".into(), 14.0),
            ("事项ID".into(), 38.0),
        ],
        rows: c
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::from(r.number),
                    Cell::from(r.title.as_str()),
                    Cell::from(standing_zh(&r.standing)),
                    Cell::from(r.decision.as_ref().map(|d| d.id.clone())),
                    Cell::from(r.decision.as_ref().map(|d| d.status.clone())),
                    Cell::from(
                        r.decision
                            .as_ref()
                            .and_then(|d| d.adopted_on.as_deref())
                            .and_then(|d| d.parse::<NaiveDate>().ok()),
                    ),
                    Cell::from(r.item_id.as_str()),
                ]
            })
            .collect(),
    }
}
