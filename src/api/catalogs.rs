//! 年度重大行政决策事项目录 (第三条第三款) over HTTP: staff open a catalog for an organ and year,
//! give it commands (add, change, withdraw items; record the party committee's consent; publish),
//! read it, its revisions and its coverage; the public reads the published catalogs and their
//! revision history, and every organ obliged to keep one with its overdue flag. Exports in JSON,
//! CSV and XLSX. The annual report figures are here too (`/api/v1/reports`).

use actix_web::{web, HttpResponse};
use chrono::Datelike;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::auth::{authenticate, Auth, Bearer};
use super::common::engine;
use super::error::ApiError;
use super::extract::Body;
use crate::app::AppState;
use crate::db::DbConn;
use crate::export::{self, Sheet};
use crate::procedure::catalog::{CatalogCommand, Standing};
use crate::procedure::state::china_date;
use crate::service::catalogs::{
    self as service, CatalogView, CoverageView, OrganRef, PublicCatalogView, RevisionView,
};
use crate::service::report;
use crate::service::ServiceError;

/// `POST /api/v1/catalogs`
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// The organ whose catalog it is (the caller is its staff).
    organ_id: String,
    /// The year.
    year: i32,
}

/// `POST /api/v1/catalogs/{id}/commands`: a command at the version the client read.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandBody {
    /// The catalog's version as read (`version`).
    expected_version: i64,
    /// The command.
    command: CatalogCommand,
}

/// An export's format.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON (the default).
    #[default]
    Json,
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// `?format=&revision=` of an export.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (default), `csv` or `xlsx`.
    #[serde(default)]
    format: Format,
    /// A published revision (default: the latest).
    #[serde(default)]
    revision: Option<u32>,
}

/// `?format=` of the coverage.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// `json` (default), `csv` or `xlsx`.
    #[serde(default)]
    format: Format,
}

/// `GET /api/v1/catalogs`
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// One organ (default: every organ the caller may read).
    #[serde(default)]
    organ_id: Option<String>,
    /// One year.
    #[serde(default)]
    year: Option<i32>,
}

/// `GET /api/v1/public/catalogs`
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    /// The year (default: the current one).
    #[serde(default)]
    year: Option<i32>,
}

/// `GET /api/v1/reports`
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The organ.
    organ_id: String,
    /// The year.
    year: i32,
    /// `json` (default), `csv` or `xlsx`.
    #[serde(default)]
    format: Format,
}

/// A catalog in a list.
#[derive(Serialize, JsonSchema)]
pub struct CatalogSummary {
    /// Its id.
    pub id: String,
    /// The organ.
    pub organ: OrganRef,
    /// The year.
    pub year: i32,
    /// `draft`, `consented`, `published`, `adjusting`, `adjusted`.
    pub status: String,
    /// The latest published revision (0: never published).
    pub revision: i32,
    /// The first publication's day.
    pub first_published_on: Option<String>,
}

/// An organ's catalog for a year, as the public list shows it: published or not, and whether it
/// is overdue.
#[derive(Serialize, JsonSchema)]
pub struct PublicListing {
    /// The organ.
    pub organ: OrganRef,
    /// The year.
    pub year: i32,
    /// The published catalog's id (none: not published).
    pub catalog_id: Option<String>,
    /// Its latest revision (0: not published).
    pub revision: i32,
    /// The first publication's day.
    pub first_published_on: Option<String>,
    /// Obligation, deadline, overdue flag and basis.
    pub standing: Standing,
}

/// Run a write on the writer connection, then answer with the catalog as its staff see it.
async fn write_and_view(
    state: web::Data<AppState>,
    write: impl FnOnce(
            &mut DbConn,
            &crate::service::Engine,
            DateTime<Utc>,
        ) -> Result<service::Loaded, ServiceError>
        + Send
        + 'static,
) -> Result<CatalogView, ApiError> {
    web::block(move || -> Result<CatalogView, ApiError> {
        let mut conn = state.db.write.get()?;
        let now = state.clock.now();
        let engine = engine(&state);
        let loaded = write(&mut conn, &engine, now)?;
        Ok(service::staff_view(
            &mut conn,
            &engine,
            &loaded,
            china_date(now),
        )?)
    })
    .await?
}

/// `POST /api/v1/catalogs`
pub async fn open(
    state: web::Data<AppState>,
    auth: Auth,
    body: Body<Open>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let view = write_and_view(state, move |conn, engine, now| {
        service::open(conn, engine, &auth, &body.organ_id, body.year, now)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// `POST /api/v1/catalogs/{id}/commands`
pub async fn command(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    body: Body<CommandBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let view = write_and_view(state, move |conn, engine, now| {
        service::command(
            conn,
            engine,
            &auth,
            &id,
            body.expected_version,
            body.command,
            now,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/catalogs`
pub async fn list(
    state: web::Data<AppState>,
    bearer: Bearer,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let st = state.clone();
    let rows = web::block(move || -> Result<Vec<CatalogSummary>, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        let mut out = Vec::new();
        for loaded in service::list_readable(&mut conn, &auth, q.organ_id.as_deref(), q.year)? {
            let row = loaded.row;
            out.push(CatalogSummary {
                id: row.id,
                organ: OrganRef {
                    id: loaded.organ.id,
                    name: loaded.organ.name,
                },
                year: row.year,
                status: row.status,
                revision: row.revision,
                first_published_on: row.first_published_on,
            });
        }
        Ok(out)
    })
    .await??;
    Ok(HttpResponse::Ok().json(rows))
}

/// `GET /api/v1/catalogs/{id}`
pub async fn get(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let view = web::block(move || -> Result<CatalogView, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        let loaded = service::readable(&mut conn, &auth, &id)?;
        Ok(service::staff_view(
            &mut conn,
            &engine(&st),
            &loaded,
            china_date(st.clock.now()),
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/catalogs/{id}/revisions/{revision}` and the public one.
async fn revision_of(
    state: web::Data<AppState>,
    bearer: Option<Bearer>,
    id: String,
    revision: String,
) -> Result<HttpResponse, ApiError> {
    let revision: u32 = revision
        .parse()
        .map_err(|_| ApiError::NotFound(format!("revision {revision}")))?;
    let st = state.clone();
    let view = web::block(move || -> Result<RevisionView, ApiError> {
        let mut conn = st.db.read.get()?;
        let loaded = match bearer {
            Some(b) => {
                let auth = authenticate(&st, &b)?;
                service::readable(&mut conn, &auth, &id)?
            }
            None => service::published(&mut conn, &id)?,
        };
        Ok(service::revision_view(
            &mut conn,
            &engine(&st),
            &loaded,
            revision,
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/catalogs/{id}/revisions/{revision}`
pub async fn revision(
    state: web::Data<AppState>,
    bearer: Bearer,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, revision) = path.into_inner();
    revision_of(state, Some(bearer), id, revision).await
}

/// `GET /api/v1/public/catalogs/{id}/revisions/{revision}`
pub async fn public_revision(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, revision) = path.into_inner();
    revision_of(state, None, id, revision).await
}

/// `GET /api/v1/catalogs/{id}/coverage`
pub async fn coverage(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = query.into_inner().format;
    let st = state.clone();
    let view = web::block(move || -> Result<CoverageView, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        let loaded = service::readable(&mut conn, &auth, &id)?;
        Ok(service::coverage_view(&mut conn, &engine(&st), &loaded)?)
    })
    .await??;
    let name = format!("coverage-{}-{}", view.year, view.catalog_id);
    let sheet = service::coverage_sheet(&view);
    deliver(format, &view, &[sheet], &name)
}

/// `GET /api/v1/public/catalogs/{id}/export`: a published revision (default the latest).
pub async fn public_export(
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let st = state.clone();
    let view = web::block(move || -> Result<RevisionView, ApiError> {
        let mut conn = st.db.read.get()?;
        let loaded = service::published(&mut conn, &id)?;
        let revision = q.revision.unwrap_or(loaded.catalog.revision);
        Ok(service::revision_view(
            &mut conn,
            &engine(&st),
            &loaded,
            revision,
        )?)
    })
    .await??;
    let name = format!(
        "catalog-{}-{}-r{}",
        view.year, view.catalog_id, view.revision.revision
    );
    let sheet = service::items_sheet(&view.organ, view.year, view.revision.revision, &view.items);
    deliver(q.format, &view, &[sheet], &name)
}

/// `GET /api/v1/public/catalogs/{id}`
pub async fn public_get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let view = web::block(move || -> Result<PublicCatalogView, ApiError> {
        let mut conn = st.db.read.get()?;
        let loaded = service::published(&mut conn, &id)?;
        Ok(service::public_view(
            &mut conn,
            &engine(&st),
            &loaded,
            china_date(st.clock.now()),
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/public/catalogs`: every organ that decides, with its published catalog for the
/// year, or none — and whether it is overdue.
pub async fn public_list(
    state: web::Data<AppState>,
    query: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let st = state.clone();
    let rows = web::block(move || -> Result<Vec<PublicListing>, ApiError> {
        let mut conn = st.db.read.get()?;
        let today = china_date(st.clock.now());
        let year = q.year.unwrap_or(today.year());
        if !(service::FIRST_YEAR..=today.year() + 1).contains(&year) {
            return Err(ApiError::BadRequest(format!(
                "year: from {} to {}",
                service::FIRST_YEAR,
                today.year() + 1
            )));
        }
        let mut out = Vec::new();
        for (organ, row) in service::of_year(&mut conn, year)? {
            let published = row.filter(|r| r.revision > 0);
            let standing = service::standing(
                &mut conn,
                &engine(&st),
                &organ,
                published.as_ref(),
                year,
                today,
            )?;
            if published.is_none() && !standing.obliged {
                continue;
            }
            out.push(PublicListing {
                organ: OrganRef {
                    id: organ.id,
                    name: organ.name,
                },
                year,
                catalog_id: published.as_ref().map(|r| r.id.clone()),
                revision: published.as_ref().map_or(0, |r| r.revision),
                first_published_on: published.and_then(|r| r.first_published_on),
                standing,
            });
        }
        Ok(out)
    })
    .await??;
    Ok(HttpResponse::Ok().json(rows))
}

/// `GET /api/v1/reports`
pub async fn report(
    state: web::Data<AppState>,
    bearer: Bearer,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let st = state.clone();
    let format = q.format;
    let name = format!("report-{}-{}", q.year, q.organ_id);
    let body = web::block(move || -> Result<_, ApiError> {
        let today = china_date(st.clock.now());
        report::check_year(q.year, today).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        let caches = &st.caches;
        let (organ, year, now) = (&q.organ_id, q.year, st.clock.now());
        Ok(match format {
            Format::Json => {
                let kept = (&caches.reports, &caches.report_views);
                report::report_json_kept(&mut conn, kept, &auth, organ, year, now)?
            }
            Format::Xlsx => {
                let kept = (&caches.reports, &caches.report_workbooks);
                report::report_and_workbook_kept(&mut conn, kept, &auth, organ, year, now)?.1
            }
            Format::Csv => {
                let r = report::report_kept(&mut conn, &caches.reports, &auth, organ, year, now)?;
                let csv = report::sheets(&r).first().map(export::csv);
                std::sync::Arc::new(csv.unwrap_or_default().into_bytes())
            }
        })
    })
    .await??;
    Ok(file(format, &name, body.to_vec()))
}

/// Answer in the format asked: the JSON view, the first sheet as CSV, or every sheet as XLSX.
fn deliver<T: Serialize>(
    format: Format,
    view: &T,
    sheets: &[Sheet],
    name: &str,
) -> Result<HttpResponse, ApiError> {
    let body = match format {
        Format::Json => return Ok(HttpResponse::Ok().json(view)),
        Format::Csv => sheets
            .first()
            .map(export::csv)
            .unwrap_or_default()
            .into_bytes(),
        Format::Xlsx => export::xlsx(sheets).map_err(ApiError::Internal)?,
    };
    Ok(file(format, name, body))
}

/// A body in a format: JSON as it is, CSV and XLSX as a file named `name` to download.
fn file(format: Format, name: &str, body: Vec<u8>) -> HttpResponse {
    let (media, ext) = match format {
        Format::Json => {
            return HttpResponse::Ok()
                .content_type("application/json")
                .body(body)
        }
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (XLSX, "xlsx"),
    };
    HttpResponse::Ok()
        .content_type(media)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{name}.{ext}\""),
        ))
        .body(body)
}

/// The XLSX media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
