//! Pages for people: the public portal (no login) and the staff console (a session cookie),
//! rendered on the server with handlebars, in Chinese, usable without JavaScript, on a phone and
//! on paper. Pages call the same service functions and view builders as the API and show the
//! engine's own refusals (rule id, article, message): there is no second set of rules here.

mod catalog_console;
mod catalogs;
mod console;
mod consultation;
mod dashboard;
mod diff;
mod dossier;
mod experts;
mod forms;
mod graph;
mod handling;
mod outbox_console;
mod portal;
pub mod render;
mod reports;
pub mod security;
mod session;
mod timeline;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use render::PageError;

/// Register the pages' routes.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route(render::STYLESHEET_PATH, web::get().to(stylesheet))
        .route("/", web::get().to(portal::home))
        .route("/consultations", web::get().to(portal::consultations))
        .route(
            "/consultations/{id}",
            web::get().to(consultation::consultation),
        )
        .route(
            "/consultations/{id}/comments",
            web::post().to(consultation::comment),
        )
        .route("/hearings/{id}", web::get().to(portal::hearing))
        .route("/hearings/{id}/applications", web::post().to(portal::apply))
        .route("/decisions/{id}", web::get().to(portal::process))
        .route("/decisions/{id}/feedback", web::post().to(portal::feedback))
        .route("/catalogs", web::get().to(catalogs::list))
        .route("/catalogs/{id}", web::get().to(catalogs::catalog))
        .route(
            "/catalogs/{id}/revisions/{n}",
            web::get().to(catalogs::revision),
        )
        .route("/console/catalogs", web::get().to(catalog_console::list))
        .route("/console/catalogs", web::post().to(catalog_console::open))
        .route(
            "/console/catalogs/{id}",
            web::get().to(catalog_console::catalog),
        )
        .route(
            "/console/catalogs/{id}/commands",
            web::post().to(catalog_console::command),
        )
        .route(
            "/console/catalogs/{id}/coverage.{ext}",
            web::get().to(catalog_console::coverage),
        )
        .route("/console/experts", web::get().to(experts::registry_page))
        .route("/console/experts", web::post().to(experts::add))
        .route(
            "/console/experts/{id}/deactivate",
            web::post().to(experts::deactivate),
        )
        .route(
            "/console/deadlines",
            web::get().to(outbox_console::deadlines_page),
        )
        .route("/console/webhooks", web::get().to(outbox_console::list))
        .route("/console/webhooks", web::post().to(outbox_console::create))
        .route(
            "/console/webhooks/{id}",
            web::get().to(outbox_console::deliveries),
        )
        .route(
            "/console/webhooks/{id}/delete",
            web::post().to(outbox_console::delete),
        )
        .route("/console/reports", web::get().to(reports::report_page))
        .route("/console/reports.xlsx", web::get().to(reports::workbook))
        .route("/console", web::get().to(console::to_dashboard))
        .route("/console/", web::get().to(dashboard::dashboard))
        .route("/console/sign-in", web::get().to(console::sign_in_form))
        .route("/console/sign-in", web::post().to(console::sign_in))
        .route("/console/sign-out", web::post().to(console::sign_out))
        .route("/console/decisions/{id}", web::get().to(console::decision))
        .route(
            "/console/decisions/{id}/dossier.zip",
            web::get().to(dossier::download),
        )
        .route(
            "/console/decisions/{id}/commands",
            web::post().to(console::command),
        )
        .route(
            "/console/decisions/{id}/drafts",
            web::post().to(console::draft),
        )
        .route(
            "/console/decisions/{id}/hearing/draw",
            web::post().to(console::draw),
        );
}

/// Whether a path belongs to the pages (not the API): its errors are pages.
pub fn is_page_path(path: &str) -> bool {
    !(path == "/api" || path.starts_with("/api/"))
}

/// A path no page has: the 404 page.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, PageError> {
    let _ = req;
    Err(PageError::NotFound("页面不存在。".into()))
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::build(StatusCode::OK)
        .content_type("text/css; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(render::STYLESHEET)
}

/// A comment's disposition in Chinese (第十八条).
fn disposition_zh(d: &str) -> &'static str {
    match d {
        "adopted" => "采纳",
        "partly_adopted" => "部分采纳",
        "not_adopted" => "不予采纳",
        _ => "已处理",
    }
}

/// Where a decision stands after adoption, in Chinese (第三十四条至第三十七条).
fn execution_status_zh(s: crate::procedure::execution::ExecutionStatus) -> &'static str {
    use crate::procedure::execution::ExecutionStatus::*;
    match s {
        NotDecided => "尚未作出决策",
        NotAdopted => "决策未获通过",
        Adopted => "已作出决策，尚未开始执行",
        InExecution => "执行中",
        Executed => "执行完毕",
        Suspended => "中止执行",
        Stopped => "停止执行",
        Superseded => "已由新决策调整替代",
        AdjustmentPending => "执行中（重大调整作为新决策办理中，新决策作出前本决策继续有效）",
    }
}

/// A milestone's state, in Chinese.
fn milestone_state_zh(s: crate::procedure::execution::MilestoneState) -> &'static str {
    use crate::procedure::execution::MilestoneState::*;
    match s {
        Done => "已完成",
        Late => "已逾期",
        Due => "未到期",
    }
}

/// The milestones of a timeline as the pages show them.
fn milestones_json(ms: &[crate::procedure::execution::MilestoneView]) -> Vec<serde_json::Value> {
    ms.iter()
        .map(|m| {
            serde_json::json!({ "title": m.title, "due_on": m.due_on, "due_by": m.due_by,
                "rolled": m.due_by != m.due_on, "state": milestone_state_zh(m.state),
                "late": m.state == crate::procedure::execution::MilestoneState::Late,
                "done_on": m.done_on, "done_late": m.done_late, "problem": m.problem })
        })
        .collect()
}

/// Errors of a form, by field (and for the form as a whole).
#[derive(Serialize, Default, Debug, PartialEq)]
struct FieldErrors {
    name: Option<String>,
    contact: Option<String>,
    body: Option<String>,
    interest_group: Option<String>,
    statement: Option<String>,
    form: Option<String>,
}

/// The API's message `field: what is wrong` as an error next to the field, in Chinese.
fn field_errors(message: &str) -> FieldErrors {
    let (name, what) = message.split_once(": ").unwrap_or(("", message));
    let zh = if what.contains("empty") {
        "此项不能为空。".to_string()
    } else if let Some(n) = what
        .strip_prefix("at most ")
        .and_then(|r| r.split_whitespace().next())
    {
        format!("最多 {n} 个字，请缩短。")
    } else {
        what.to_string()
    };
    let mut e = FieldErrors::default();
    match name {
        "name" => e.name = Some(zh),
        "contact" => e.contact = Some(zh),
        "body" => e.body = Some(zh),
        "interest_group" => e.interest_group = Some(zh),
        "statement" => e.statement = Some(zh),
        _ => e.form = Some(zh),
    }
    e
}
