//! The console's dashboard: the user's organs' decisions with the stage they are at, what blocks
//! the next step (the API's `next`: rule, article, message), deadlines in working days (overdue
//! in red), filtered by stage, organ and status through the query string.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::render::{html, page, PageError};
use super::session::session;
use crate::api::common::engine;
use crate::api::decisions::view;
use crate::app::AppState;
use crate::db::{accounts as db_accounts, decisions as db};
use crate::procedure::state::{china_date, StageStatus};
use crate::service::decisions::{pack_of, parse_state};
use crate::service::listing::Reach;

/// The dashboard's filters (query string; no JavaScript needed).
#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    organ: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

fn deadline_zh(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "comment_period_end" => ("征求意见截止", "public_participation"),
        "hearing" => ("听证日期", "hearing"),
        "legality_review_due" => ("合法性审查期限", "legality_review"),
        "archive_due" => ("归档期限", "archiving"),
        _ => ("期限", ""),
    }
}

/// `GET /console/` — the user's organs' decisions: stage, what blocks the next step, deadlines
/// in working days (overdue in red); filtered by stage, organ and status.
pub async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let filters = web::Query::<Filters>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| PageError::BadRequest(format!("筛选条件无效: {e}")))?;
    let st = state.clone();
    let principal = s.principal.clone();
    let data = web::block(move || -> Result<Value, PageError> {
        let mut conn = st.db.read.get()?;
        let all = db_accounts::all_organs(&mut conn)?;
        let names: BTreeMap<String, String> =
            all.iter().map(|o| (o.id.clone(), o.name.clone())).collect();
        // The decisions the user may read, as the API's list reaches them.
        let reach = Reach::of(&mut conn, &principal)?;
        let rows = db::list_decisions(&mut conn, &reach.scope, None, 500)?;
        let now = st.clock.now();
        let today = china_date(now);
        let mut items = Vec::new();
        let mut stage_options = BTreeMap::new();
        let mut seen_organs = std::collections::BTreeSet::new();
        for row in rows {
            if !reach.can_read(&principal, &row) {
                continue;
            }
            seen_organs.insert(row.organ_id.clone());
            seen_organs.insert(row.lead_unit_id.clone());
            let pack = pack_of(&engine(&st), &row)?;
            let d = parse_state(&row)?;
            let v = view(pack, &st.calendar, &row, &d, &[], &[], now);
            let current: Vec<(String, String)> = v
                .stages
                .iter()
                .filter(|x| x.status == StageStatus::InProgress)
                .map(|x| (x.id.to_string(), x.name_zh.clone()))
                .collect();
            for (id, name) in &current {
                stage_options.insert(id.clone(), name.clone());
            }
            if let Some(want) = filters.stage.as_deref().filter(|w| !w.is_empty()) {
                if !current.iter().any(|(id, _)| id == want) {
                    continue;
                }
            }
            if let Some(want) = filters.organ.as_deref().filter(|w| !w.is_empty()) {
                if row.organ_id != want && row.lead_unit_id != want {
                    continue;
                }
            }
            if let Some(want) = filters.status.as_deref().filter(|w| !w.is_empty()) {
                if row.status != want {
                    continue;
                }
            }
            // The next step: completing a stage in progress, or starting one whose only
            // obstacles are its own (not merely that earlier stages are not done yet).
            let immediate = |n: &&crate::procedure::NextStep| {
                n.required
                    && (n.action == "complete"
                        || n.blocked_by.iter().all(|v| !v.rule.starts_with("flow.")))
            };
            let step = |n: &crate::procedure::NextStep| {
                json!({ "stage": pack.stage(n.stage.as_str()).map(|x| x.name.zh.clone()),
                    "action": if n.action == "start" { "开始" } else { "完成" },
                    "violations": n.blocked_by })
            };
            let blocked: Vec<Value> = v
                .next
                .iter()
                .filter(immediate)
                .filter(|n| !n.blocked_by.is_empty())
                .map(step)
                .collect();
            let ready: Vec<Value> = v
                .next
                .iter()
                .filter(|n| n.required && n.blocked_by.is_empty())
                .map(step)
                .collect();
            let deadlines: Vec<Value> = v
                .deadlines
                .iter()
                .map(|dl| {
                    let (label, stage) = deadline_zh(dl.kind);
                    let done = stage.is_empty() || d.status(stage).done();
                    let (left, _) = st.calendar.working_days_between(today, dl.date);
                    json!({ "label": label, "date": dl.date, "working_days_left": left,
                        "overdue": dl.date < today && !done, "done": done })
                })
                .collect();
            items.push(json!({
                "id": row.id, "title": row.title, "status": row.status,
                "status_zh": status_zh(&row.status), "version": row.version,
                "organ": names.get(&row.organ_id), "lead_unit": names.get(&row.lead_unit_id),
                "current": current.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
                "blocked": blocked, "ready": ready, "deadlines": deadlines,
            }));
        }
        // The organs the readable decisions involve (a review unit filters by the organs it
        // reviews for).
        let organ_options: Vec<Value> = seen_organs
            .iter()
            .map(|o| json!({ "id": o, "name": names.get(o).cloned().unwrap_or_else(|| o.clone()) }))
            .collect();
        let stages: Vec<Value> = stage_options
            .into_iter()
            .map(|(id, name)| json!({ "id": id, "name": name }))
            .collect();
        let statuses: Vec<Value> = STATUSES
            .iter()
            .map(|s| json!({ "id": s, "name": status_zh(s) }))
            .collect();
        Ok(json!({
            "items": items, "today": today, "stages": stages, "organs": organ_options,
            "statuses": statuses,
            "filters": { "stage": filters.stage, "organ": filters.organ, "status": filters.status },
        }))
    })
    .await??;
    let body = page("dashboard", "我的决策事项", &s.chrome(), &data)?;
    Ok(html(StatusCode::OK, body))
}

/// A decision's statuses, as the filter offers them.
const STATUSES: [&str; 7] = [
    "new",
    "in_procedure",
    "adopted",
    "not_adopted",
    "suspended",
    "stopped",
    "superseded",
];

/// A decision's status in Chinese.
pub fn status_zh(s: &str) -> &'static str {
    match s {
        "new" => "新建",
        "in_procedure" => "程序进行中",
        "adopted" => "已通过",
        "not_adopted" => "未通过",
        "suspended" => "暂停执行",
        "stopped" => "停止执行",
        "superseded" => "已被调整",
        _ => "其他",
    }
}
