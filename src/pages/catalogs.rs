//! 年度重大行政决策事项目录 for the public (第三条第三款): every organ that decides with its
//! published catalog for a year or its overdue flag, a catalog's latest published revision with
//! its items, consent and revision history, and one revision as published. Built over the same
//! service functions as `GET /api/v1/public/catalogs…` (`of_year`, `standing`, `published`,
//! `public_view`, `revision_view`); the downloads are the public API's exports.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};

use super::dashboard::status_zh;
use super::render::{html, page, Chrome, PageError};
use crate::api::common::engine;
use crate::app::AppState;
use crate::db::DbConn;
use crate::procedure::catalog::{
    CatalogStatus, ChangeKind, Consent, ItemStatus, Revision, Standing,
};
use crate::procedure::state::china_date;
use crate::procedure::Pack;
use crate::service::catalogs::{self as service, ItemView};
use crate::service::Engine;

/// `?year=` of the public list.
#[derive(Deserialize)]
pub struct YearQuery {
    /// The year (default: the current one).
    #[serde(default)]
    year: Option<String>,
}

/// A catalog's status in Chinese.
pub fn catalog_status_zh(s: CatalogStatus) -> &'static str {
    match s {
        CatalogStatus::Draft => "草拟中",
        CatalogStatus::Consented => "党委已同意，待公布",
        CatalogStatus::Published => "已公布",
        CatalogStatus::Adjusting => "已公布，调整待公布",
        CatalogStatus::Adjusted => "已公布（含调整）",
    }
}

/// A change's kind in Chinese.
pub fn change_zh(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "新增",
        ChangeKind::Changed => "调整",
        ChangeKind::Withdrawn => "撤出",
    }
}

fn item_status_zh(s: ItemStatus) -> &'static str {
    match s {
        ItemStatus::Draft => "草拟",
        ItemStatus::Published => "已公布",
        ItemStatus::Withdrawn => "已撤出",
    }
}

/// Obligation, deadline and overdue flag, with the basis, for a template.
pub fn standing_json(s: &Standing) -> Value {
    json!({
        "obliged": s.obliged,
        "items_required": s.items_required,
        "deadline": s.deadline,
        "overdue": s.overdue,
        "published_late": s.published_late,
        "coverage_target": s.coverage_target,
        "basis": s.basis,
    })
}

/// The party committee's consent, for a template (null: none).
pub fn consent_json(c: Option<&Consent>) -> Value {
    c.map_or(Value::Null, |c| {
        json!({ "body": c.body, "consented_on": c.consented_on,
            "document_number": c.document_number })
    })
}

/// Published revisions with their changes and reasons, newest first.
/// `catalog_id` (for the links to each revision and its downloads) only where the catalog is
/// public.
pub fn revisions_json(revisions: &[Revision], catalog_id: Option<&str>) -> Vec<Value> {
    revisions
        .iter()
        .rev()
        .map(|r| {
            json!({
                "catalog_id": catalog_id,
                "revision": r.revision,
                "published_on": r.published_on,
                "consent": consent_json(r.consent.as_ref()),
                "changes": r.changes.iter().map(|c| json!({
                    "number": c.number,
                    "title": c.title,
                    "kind": change_zh(c.kind),
                    "reason": c.reason,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The Chinese names of a pack's stages, by id (for the stages a linked decision is in).
pub fn stage_names(pack: &Pack) -> BTreeMap<String, String> {
    pack.stages
        .iter()
        .map(|s| (s.id.as_str().to_string(), s.name.zh.clone()))
        .collect()
}

/// Items for a template: procedures marked 法定 (required by the pack) or 自定 (added by the
/// organ) with their basis, and where each item's decision stands (`names`: the stages').
pub fn items_json(items: &[ItemView], names: &BTreeMap<String, String>) -> Vec<Value> {
    items
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "number": i.number,
                "title": i.title,
                "undertaking_unit": i.undertaking_unit,
                "category": i.category_zh,
                "status": item_status_zh(i.status),
                "withdrawn": i.status == ItemStatus::Withdrawn,
                "planned_by": i.planned_by,
                "note": i.note,
                "pending": i.pending.map(change_zh),
                "procedures": i.procedures.iter().map(|p| json!({
                    "name": p.name_zh,
                    "kind": if p.required { "法定" } else { "自定" },
                    "basis": p.basis,
                })).collect::<Vec<_>>(),
                "decision": i.decision.as_ref().map(|d| json!({
                    "id": d.id,
                    "status": status_zh(&d.status),
                    "adopted_on": d.adopted_on,
                    "stages": d.stages_in_progress.iter()
                        .map(|s| names.get(s).map_or(s.as_str(), String::as_str))
                        .collect::<Vec<_>>()
                        .join("、"),
                })),
            })
        })
        .collect()
}

/// Every organ that decides with its published catalog for `year`, or (where the pack obliges
/// it) none and its overdue flag — as `GET /api/v1/public/catalogs` lists them.
pub fn listings(
    conn: &mut DbConn,
    engine: &Engine,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<Value>, PageError> {
    let mut out = Vec::new();
    for (organ, row) in service::of_year(conn, year)? {
        let published = row.filter(|r| r.revision > 0);
        let standing = service::standing(conn, engine, &organ, published.as_ref(), year, today)?;
        if published.is_none() && !standing.obliged {
            continue;
        }
        out.push(json!({
            "organ": organ.name,
            "year": year,
            "catalog_id": published.as_ref().map(|r| r.id.clone()),
            "revision": published.as_ref().map_or(0, |r| r.revision),
            "first_published_on": published.and_then(|r| r.first_published_on),
            "standing": standing_json(&standing),
        }));
    }
    Ok(out)
}

/// `GET /catalogs?year=` — the year's catalogs and overdue organs.
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<YearQuery>,
) -> Result<HttpResponse, PageError> {
    let today = china_date(state.clock.now());
    let year = match query.into_inner().year.filter(|y| !y.is_empty()) {
        None => today.year(),
        Some(y) => y
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (service::FIRST_YEAR..=today.year() + 1).contains(y))
            .ok_or_else(|| {
                PageError::BadRequest(format!(
                    "年度应为 {} 至 {} 之间的年份。",
                    service::FIRST_YEAR,
                    today.year() + 1
                ))
            })?,
    };
    let st = state.clone();
    let rows = web::block(move || -> Result<Vec<Value>, PageError> {
        let mut conn = st.db.read.get()?;
        listings(&mut conn, &engine(&st), year, today)
    })
    .await??;
    let years: Vec<i32> = (service::FIRST_YEAR..=today.year() + 1).rev().collect();
    let data = json!({ "year": year, "years": years, "rows": rows, "today": today });
    let body = page(
        "catalogs",
        &format!("{year}年度重大行政决策事项目录"),
        &Chrome::default(),
        &data,
    )?;
    Ok(html(StatusCode::OK, body))
}

/// `GET /catalogs/{id}` — the latest published revision, its consent and history, downloads.
pub async fn catalog(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let st = state.clone();
    let (view, names) = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        let loaded = service::published(&mut conn, &id)?;
        let names = stage_names(service::pack_of(&engine(&st), &loaded.row)?);
        let view =
            service::public_view(&mut conn, &engine(&st), &loaded, china_date(st.clock.now()))?;
        Ok((view, names))
    })
    .await??;
    let title = format!("{}{}年度重大行政决策事项目录", view.organ.name, view.year);
    let data = json!({
        "id": view.id,
        "organ": view.organ.name,
        "year": view.year,
        "revision": view.revision,
        "first_published_on": view.first_published_on,
        "standing": standing_json(&view.standing),
        "consent": consent_json(view.consent.as_ref()),
        "items": items_json(&view.items, &names),
        "revisions": revisions_json(&view.revisions, Some(&view.id)),
    });
    let body = page("catalog", &title, &Chrome::default(), &data)?;
    Ok(html(StatusCode::OK, body))
}

/// `GET /catalogs/{id}/revisions/{n}` — a revision as it was published.
pub async fn revision(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, n) = path.into_inner();
    let n: u32 = n
        .parse()
        .map_err(|_| PageError::NotFound("没有这一版目录。".into()))?;
    let st = state.clone();
    let (view, names) = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        let loaded = service::published(&mut conn, &id)?;
        let names = stage_names(service::pack_of(&engine(&st), &loaded.row)?);
        let view = service::revision_view(&mut conn, &engine(&st), &loaded, n)?;
        Ok((view, names))
    })
    .await??;
    let r = &view.revision;
    let title = format!(
        "{}{}年度重大行政决策事项目录（第{}版）",
        view.organ.name, view.year, r.revision
    );
    let data = json!({
        "id": view.catalog_id,
        "organ": view.organ.name,
        "year": view.year,
        "revision": revisions_json(std::slice::from_ref(r), None).pop(),
        "items": items_json(&view.items, &names),
    });
    let body = page("catalog_revision", &title, &Chrome::default(), &data)?;
    Ok(html(StatusCode::OK, body))
}
