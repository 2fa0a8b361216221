//! The console's dashboard: the user's organs' decisions with the stage they are at, what blocks
//! the next step (the API's `next`: rule, article, message), deadlines in working days (overdue
//! in red), filtered by stage, organ and status through the query string.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::render::encode;
use super::render::{fill, hole, html, page, PageError};
use super::security;
use super::session::session;
use crate::api::common::{engine, keyset};
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
    /// The page's cursor: the last decision of the page before.
    #[serde(default)]
    before: Option<String>,
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

/// Rows on a page of the dashboard.
pub const PAGE_ROWS: usize = 50;
/// The most decisions one page looks through for rows that pass the filters.
const SCAN_MAX: usize = 5_000;
/// Decisions read from the list at a time.
const CHUNK: i64 = 64;

/// `GET /console/` — the user's organs' decisions, newest first, [`PAGE_ROWS`] to a page: stage,
/// what blocks the next step, deadlines in working days (overdue in red); filtered by stage,
/// organ and status. A row depends only on its decision's version and the day, and is kept
/// (issue 11, 14): a page reads the list without any decision's state, and only rows it has not
/// made before.
pub async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let filters = web::Query::<Filters>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| PageError::BadRequest(format!("筛选条件无效: {e}")))?;
    let mut cursor = match filters.before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(
            keyset::after("before", Some(b))
                .ok()
                .flatten()
                .ok_or_else(|| PageError::BadRequest("翻页参数无效".into()))?,
        ),
        None => None,
    };
    let st = state.clone();
    let principal = s.principal.clone();
    let query = req.query_string().to_string();
    type Kept = Option<std::sync::Arc<String>>;
    let (page_keys, kept, data) = web::block(move || -> Result<(Vec<String>, Kept, Value), PageError> {
        let mut conn = st.db.read.get()?;
        let all = db_accounts::all_organs(&mut conn)?;
        let names: BTreeMap<String, String> =
            all.iter().map(|o| (o.id.clone(), o.name.clone())).collect();
        // The decisions the user may read, as the API's list reaches them.
        let reach = Reach::among(&all, &principal);
        let now = st.clock.now();
        let today = china_date(now);
        // While no decision or catalog anywhere changed and the register is the same, the page
        // kept for this user, query and day is still what it shows: answered without the list.
        let register = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for o in &all {
                (&o.id, &o.name, &o.legality_unit_id).hash(&mut h);
            }
            h.finish()
        };
        let quiet_key = format!(
            "dashboard-quiet|{}|{}|{query}|{today}|{:?}|{register:x}",
            principal.user.id,
            principal.roles_key(),
            db::last_changes(&mut conn, None)?
        );
        if let Some(kept) = st.caches.pages.get(&quiet_key) {
            return Ok((vec![quiet_key], Some(kept), Value::Null));
        }
        let mut items = Vec::new();
        let mut scanned = 0;
        let mut next = None;
        'pages: while scanned < SCAN_MAX {
            let heads = db::list_heads(&mut conn, &reach.scope, cursor.clone(), CHUNK)?;
            let full = heads.len() == CHUNK as usize;
            for head in heads {
                scanned += 1;
                cursor = Some((head.created_at, head.id.clone()));
                if !reach.can_read(&principal, &head.organ_id, &head.lead_unit_id) {
                    continue;
                }
                let key = (head.id.clone(), head.version, today);
                let item = match st.caches.dashboard_rows.get(&key) {
                    Some(item) => item,
                    None => match row_item(&st, &mut conn, &head.id, now, &names)? {
                        Some((version, item)) if version == head.version => {
                            st.caches.dashboard_rows.put(key, item)
                        }
                        Some((_, item)) => std::sync::Arc::new(item),
                        None => continue,
                    },
                };
                if filters.admits(&item, &head.organ_id, &head.lead_unit_id) {
                    items.push(item);
                    if items.len() == PAGE_ROWS {
                        next = cursor.clone();
                        break 'pages;
                    }
                }
            }
            if !full {
                break;
            }
            next = cursor.clone();
        }
        let next = next.map(|(at, id)| keyset::cursor(at, &id));
        // The page is kept by everything it shows: the user and roles (what they reach), the
        // query, the day, each row's decision and version, and the next page.
        let rows: Vec<String> = items
            .iter()
            .map(|i| format!("{}:{}", i["id"].as_str().unwrap_or(""), i["version"]))
            .collect();
        let page_key = format!(
            "dashboard|{}|{}|{query}|{today}|{}|{:?}",
            principal.user.id,
            principal.roles_key(),
            rows.join(","),
            next
        );
        if let Some(kept) = st.caches.pages.get(&page_key) {
            st.caches.pages.put(quiet_key, String::clone(&kept));
            return Ok((vec![page_key], Some(kept), Value::Null));
        }
        // The organs the user's reading reaches (a review unit filters by the organs it
        // reviews for).
        let organ_options: Vec<Value> = reach
            .scope
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|o| json!({ "id": o, "name": names.get(o).cloned().unwrap_or_else(|| o.clone()) }))
            .collect();
        let mut stage_options = BTreeMap::new();
        for pack in st.packs.all() {
            for stage in &pack.stages {
                stage_options
                    .entry(stage.id.to_string())
                    .or_insert_with(|| stage.name.zh.clone());
            }
        }
        let stages: Vec<Value> = stage_options
            .into_iter()
            .map(|(id, name)| json!({ "id": id, "name": name }))
            .collect();
        let statuses: Vec<Value> = STATUSES
            .iter()
            .map(|s| json!({ "id": s, "name": status_zh(s) }))
            .collect();
        let more = next.map(|before| {
            let mut q = String::new();
            for (k, v) in [
                ("stage", filters.stage.as_deref()),
                ("organ", filters.organ.as_deref()),
                ("status", filters.status.as_deref()),
                ("before", Some(before.as_str())),
            ] {
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    q.push_str(if q.is_empty() { "?" } else { "&" });
                    q.push_str(&format!("{k}={}", encode(v)));
                }
            }
            format!("/console/{q}")
        });
        Ok((vec![page_key, quiet_key], None, json!({
            "items": items.iter().map(|i| &**i).collect::<Vec<&Value>>(),
            "today": today, "stages": stages, "organs": organ_options,
            "statuses": statuses, "next": more, "first_page": filters.before.is_none(),
            "filters": { "stage": filters.stage, "organ": filters.organ, "status": filters.status },
        })))
    })
    .await??;
    let token = security::console_token(&s.token);
    if let Some(kept) = kept {
        return Ok(html(StatusCode::OK, fill(&kept, &[("csrf", &token)])));
    }
    let mut chrome = s.chrome();
    chrome.csrf = Some(hole("csrf"));
    let body = page("dashboard", "我的决策事项", &chrome, &data)?;
    let mut kept = std::sync::Arc::new(body);
    for key in page_keys {
        kept = state.caches.pages.put(key, String::clone(&kept));
    }
    Ok(html(StatusCode::OK, fill(&kept, &[("csrf", &token)])))
}

impl Filters {
    /// Whether a row passes the filters.
    fn admits(&self, item: &Value, organ: &str, lead_unit: &str) -> bool {
        let set = |f: &Option<String>| f.as_deref().filter(|w| !w.is_empty()).map(str::to_owned);
        if let Some(want) = set(&self.stage) {
            let current = item["current_ids"].as_array();
            if !current.is_some_and(|c| c.iter().any(|x| x.as_str() == Some(&want))) {
                return false;
            }
        }
        if let Some(want) = set(&self.organ) {
            if organ != want && lead_unit != want {
                return false;
            }
        }
        if let Some(want) = set(&self.status) {
            if item["status"].as_str() != Some(&want) {
                return false;
            }
        }
        true
    }
}

/// A decision's row: the stage it is at, what blocks its next step, its deadlines; with the
/// version it was made at (`None`: the decision is gone).
fn row_item(
    st: &AppState,
    conn: &mut crate::db::DbConn,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
    names: &BTreeMap<String, String>,
) -> Result<Option<(i64, Value)>, PageError> {
    let Some(row) = db::decision(conn, id)? else {
        return Ok(None);
    };
    let today = china_date(now);
    let pack = pack_of(&engine(st), &row)?;
    let d = parse_state(&row)?;
    let v = view(pack, &st.calendar, &row, &d, &[], &[], now);
    let current: Vec<(String, String)> = v
        .stages
        .iter()
        .filter(|x| x.status == StageStatus::InProgress)
        .map(|x| (x.id.to_string(), x.name_zh.clone()))
        .collect();
    // The next step: completing a stage in progress, or starting one whose only
    // obstacles are its own (not merely that earlier stages are not done yet).
    let immediate = |n: &&crate::procedure::NextStep| {
        n.required
            && (n.action == "complete" || n.blocked_by.iter().all(|v| !v.rule.starts_with("flow.")))
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
    Ok(Some((
        row.version,
        json!({
            "id": row.id, "title": row.title, "status": row.status,
            "status_zh": status_zh(&row.status), "version": row.version,
            "organ": names.get(&row.organ_id), "lead_unit": names.get(&row.lead_unit_id),
            "current": current.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
            "current_ids": current.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
            "blocked": blocked, "ready": ready, "deadlines": deadlines,
        }),
    )))
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
