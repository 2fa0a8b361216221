//! The console's deadlines and webhooks (issue 12): the open deadlines of the user's decisions
//! (overdue in red) from `service::deadlines::list`, as `GET /api/v1/deadlines` gives them; an
//! organ's webhook endpoints — register (the secret shown once), delete, read the deliveries —
//! through `service::outbox`, as the API does.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::render::{html, page, see_other, PageError};
use super::security::{self, field};
use super::session::{session, Session};
use crate::access::role;
use crate::api::common::{engine, rfc3339};
use crate::app::AppState;
use crate::db::accounts;
use crate::db::outbox::Webhook;
use crate::procedure::reminders::Standing;
use crate::service::outbox::{self as service, NewWebhook, KINDS};
use crate::service::{deadlines, ServiceError};

const FORM_BYTES: usize = 16 * 1024;

/// `?organ=&due_before=`
#[derive(Deserialize)]
pub struct DeadlineQuery {
    #[serde(default)]
    organ: Option<String>,
    #[serde(default)]
    due_before: Option<String>,
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        service::STAGE_STARTED => "环节开始",
        service::STAGE_COMPLETED => "环节完成",
        service::COMMAND_REFUSED => "操作被拒绝",
        service::DEADLINE_DUE => "期限将至",
        service::DEADLINE_OVERDUE => "期限已过",
        service::DECISION_ADOPTED => "决策通过",
        service::DECISION_PUBLISHED => "决策公布",
        service::CATALOG_PUBLISHED => "目录公布",
        _ => "",
    }
}

/// `GET /console/deadlines` — due soon and overdue (or all due by a day), overdue first.
pub async fn deadlines_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<DeadlineQuery>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let q = query.into_inner();
    let filter = crate::api::deadlines::filter(q.organ.clone(), q.due_before.as_deref())
        .map_err(|_| PageError::BadRequest("截止日期格式应为 YYYY-MM-DD。".into()))?;
    let st = state.clone();
    let principal = s.principal.clone();
    let items = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        Ok(deadlines::list(
            &mut conn,
            &engine(&st),
            &principal,
            &filter,
            st.clock.now(),
        )?)
    })
    .await??;
    let rows: Vec<Value> = items
        .into_iter()
        .map(|i| {
            json!({
                "decision_id": i.decision_id,
                "title": i.title,
                "what": i.deadline.what_zh,
                "due_on": i.deadline.due_on.to_string(),
                "overdue": i.standing == Standing::Overdue,
                "standing": match i.standing {
                    Standing::Overdue => "已逾期",
                    Standing::DueSoon => "即将到期",
                    Standing::Upcoming => "未到期",
                },
                "left": i.working_days_left,
                "owner": i.owner_organ_name,
                "role": i.deadline.role,
                "basis": i.deadline.basis,
            })
        })
        .collect();
    let data = json!({
        "rows": rows,
        "organ": q.organ.unwrap_or_default(),
        "due_before": q.due_before.unwrap_or_default(),
    });
    let body = page("console_deadlines", "期限提醒", &s.chrome(), &data)?;
    Ok(html(StatusCode::OK, body))
}

fn hook_json(h: &Webhook) -> Value {
    json!({
        "id": h.id,
        "url": h.url,
        "kinds": service::kinds_of(h).iter().map(|k| kind_zh(k)).collect::<Vec<_>>().join("、"),
        "created_at": rfc3339(h.created_at),
    })
}

/// The webhooks page: the endpoints, the form, and (just after creating one) its secret.
async fn webhooks_page(
    state: &web::Data<AppState>,
    s: &Session,
    created: Option<(Webhook, String)>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let st = state.clone();
    let principal = s.principal.clone();
    let (hooks, organs) = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        let hooks = service::list(&mut conn, &principal)?;
        let mut organs = Vec::new();
        for r in principal
            .roles
            .iter()
            .filter(|r| r.role == role::ORGAN_STAFF)
        {
            if let Some(o) = accounts::organ(&mut conn, &r.organ_id)? {
                organs.push(json!({ "id": o.id, "name": o.name }));
            }
        }
        Ok((hooks, organs))
    })
    .await??;
    let data = json!({
        "hooks": hooks.iter().map(hook_json).collect::<Vec<_>>(),
        "organs": organs,
        "kinds": KINDS.iter().map(|k| json!({ "id": k, "name": kind_zh(k) })).collect::<Vec<_>>(),
        "created": created.map(|(h, secret)| json!({ "url": h.url, "secret": secret })),
        "error": error,
        "csrf": security::console_token(&s.token),
    });
    let body = page("console_webhooks", "Webhook 推送", &s.chrome(), &data)?;
    Ok(html(status, body))
}

/// `GET /console/webhooks`
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    webhooks_page(&state, &s, None, None, StatusCode::OK).await
}

/// `POST /console/webhooks` — register; the secret is shown on the page this once.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let form = security::console_form(payload, FORM_BYTES, &s.token).await?;
    let new = NewWebhook {
        organ_id: field(&form, "organ_id").unwrap_or_default().to_string(),
        url: field(&form, "url").unwrap_or_default().trim().to_string(),
        kinds: form
            .iter()
            .filter(|(k, _)| k == "kinds")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let st = state.clone();
    let principal = s.principal.clone();
    let result = web::block(move || {
        let mut conn = st.db.write.get()?;
        service::create(&mut conn, &principal, new, st.clock.now())
    })
    .await?;
    match result {
        Ok(h) => {
            let secret = h.secret.clone();
            webhooks_page(&state, &s, Some((h, secret)), None, StatusCode::CREATED).await
        }
        Err(ServiceError::Invalid(m)) => {
            webhooks_page(&state, &s, None, Some(m), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/webhooks/{id}/delete`
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    security::console_form(payload, FORM_BYTES, &s.token).await?;
    let id = path.into_inner();
    let st = state.clone();
    let principal = s.principal.clone();
    web::block(move || -> Result<(), PageError> {
        let mut conn = st.db.write.get()?;
        Ok(service::delete(&mut conn, &principal, &id, st.clock.now())?)
    })
    .await??;
    Ok(see_other("/console/webhooks"))
}

/// `GET /console/webhooks/{id}` — an endpoint's deliveries: status, attempts, last error.
pub async fn deliveries(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let s = session(&state, &req).await?;
    let id = path.into_inner();
    let st = state.clone();
    let principal = s.principal.clone();
    let (hook, rows) = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        let hook = service::managed(&mut conn, &principal, &id)?;
        let rows = service::deliveries(&mut conn, &principal, &id, 200)?;
        Ok((hook, rows))
    })
    .await??;
    let data = json!({
        "hook": hook_json(&hook),
        "rows": rows.iter().map(|(d, e)| json!({
            "id": d.id,
            "kind": kind_zh(&e.kind),
            "status": match d.status.as_str() {
                "delivered" => "已送达",
                "pending" => "待重试",
                "failed" => "失败",
                _ => "已取消",
            },
            "failed": d.status == "failed",
            "attempts": d.attempts,
            "last_status": d.last_status.map(|c| c.to_string()).unwrap_or_default(),
            "last_error": d.last_error.clone().unwrap_or_default(),
            "created_at": rfc3339(d.created_at),
        })).collect::<Vec<_>>(),
    });
    let body = page("console_webhook", "推送记录", &s.chrome(), &data)?;
    Ok(html(StatusCode::OK, body))
}
