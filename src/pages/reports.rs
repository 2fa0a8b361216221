//! The annual report figures in the console (法治政府建设年度报告): each figure with its
//! definition and what it counts, for shares the decisions that fall short, and the workbook —
//! from `service::report::{report_kept, report_and_workbook_kept}`, as `GET /api/v1/reports` gives
//! them, for those the service lets read them.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::{json, Value};

use super::catalog_console::{attachment, download, readable_organs};
use super::render::{html, page, PageError};
use super::session::session;
use crate::app::AppState;
use crate::procedure::state::china_date;
use crate::service::report::{self, Report};
use crate::service::ServiceError;

/// `?organ_id=&year=`
#[derive(Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    organ_id: Option<String>,
    #[serde(default)]
    year: Option<String>,
}

/// The year asked for (default: the current one), or a 400 page naming the range.
fn year_of(q: &ReportQuery, this_year: i32) -> Result<i32, PageError> {
    match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(this_year),
        Some(y) => y.parse().map_err(|_| {
            PageError::BadRequest(format!("年度应为 2019 至 {this_year} 之间的年份。"))
        }),
    }
}

/// The report through the service (the same check of year and reader as the API's), with its
/// workbook when `xlsx`.
async fn fetch(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    organ_id: String,
    year: i32,
    xlsx: bool,
) -> Result<(Arc<Report>, Option<Arc<Vec<u8>>>), PageError> {
    let s = session(state, req).await?;
    let st = state.clone();
    let r = web::block(move || -> Result<_, PageError> {
        let now = st.clock.now();
        report::check_year(year, china_date(now)).map_err(|e| match e {
            ServiceError::Invalid(m) => {
                PageError::BadRequest(super::render::zh(&m, super::render::INVALID))
            }
            other => other.into(),
        })?;
        let mut conn = st.db.read.get()?;
        let caches = &st.caches;
        Ok(if xlsx {
            let (r, book) = report::report_and_workbook_kept(
                &mut conn,
                (&caches.reports, &caches.report_workbooks),
                &s.principal,
                &organ_id,
                year,
                now,
            )?;
            (r, Some(book))
        } else {
            let r = report::report_kept(
                &mut conn,
                &caches.reports,
                &s.principal,
                &organ_id,
                year,
                now,
            )?;
            (r, None)
        })
    })
    .await??;
    Ok(r)
}

/// `GET /console/reports?organ_id=&year=` — the figures, or the choice of organ and year.
pub async fn report_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let q = query.into_inner();
    let this_year = china_date(state.clock.now()).year();
    let year = year_of(&q, this_year)?;
    let organ_id = q.organ_id.filter(|o| !o.is_empty());
    // The organs whose figures the user may read: the choices of the form.
    let st = state.clone();
    let principal = s.principal.clone();
    let organs = web::block(move || -> Result<Vec<Value>, PageError> {
        let mut conn = st.db.read.get()?;
        Ok(readable_organs(&mut conn, &principal)?
            .into_iter()
            .map(|o| json!({ "id": o.id, "name": o.name }))
            .collect())
    })
    .await??;
    let chosen = organ_id.clone().unwrap_or_default();
    let organs: Vec<Value> = organs
        .into_iter()
        .map(|mut o| {
            o["selected"] = json!(o["id"] == chosen.as_str());
            o
        })
        .collect();
    let report = match organ_id {
        Some(o) => Some(fetch(&state, &req, o, year, false).await?.0),
        None => None,
    };
    let title = match &report {
        Some(r) => format!("{}{}年度重大行政决策数据", r.organ.name, r.year),
        None => "年度报告数据".to_string(),
    };
    let years: Vec<i32> = (2019..=this_year).rev().collect();
    let data = json!({
        "organs": organs,
        "years": years,
        "year": year,
        "report": report.as_ref().map(|r| json!({
            "organ_id": r.organ.id,
            "year": r.year,
            "as_of": r.as_of,
            "figures": r.figures.iter().map(|f| json!({
                "id": f.id,
                "label": f.label_zh,
                "definition": f.definition_zh,
                "counts": f.counts,
                "value": f.value,
                "of": f.of,
                // Formatted here: a share of 0 is falsy in a template.
                "share": f.share.map(|v| format!("{v:.1}%")),
                "is_share": f.of.is_some(),
                "short": if f.of.is_some() { f.decisions.clone() } else { Vec::new() },
            })).collect::<Vec<_>>(),
        })),
    });
    let body = page("report", &title, &s.chrome(), &data)?;
    Ok(html(StatusCode::OK, body))
}

/// `GET /console/reports.xlsx?organ_id=&year=` — the workbook (`report::sheets`).
pub async fn workbook(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, PageError> {
    let q = query.into_inner();
    let this_year = china_date(state.clock.now()).year();
    let year = year_of(&q, this_year)?;
    let organ_id = q
        .organ_id
        .filter(|o| !o.is_empty())
        .ok_or_else(|| PageError::BadRequest("请选择决策机关（organ_id）。".into()))?;
    let (r, book) = fetch(&state, &req, organ_id, year, true).await?;
    let name = format!("report-{}-{}.xlsx", r.year, r.organ.id);
    match book {
        Some(book) => Ok(attachment(crate::api::catalogs::XLSX, book.to_vec(), &name)),
        None => download("xlsx", &report::sheets(&r), &name),
    }
}
