//! The public consultation page (第十四条: the draft, how to comment, until when), its comment
//! form through the API's intake path, and the comments made public with what became of them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::{json, Value};

use super::disposition_zh;
use super::portal::{form_page, sent_back, with_cookie, Sent, PUBLIC_FORM_BYTES};
use super::render::encode;
use super::render::{self, html, page, Chrome, PageError};
use super::security::{self, field};
use crate::api::comments::{consultation_view, receive, CommentForm};
use crate::api::common::keyset;
use crate::app::AppState;
use crate::db::{comments, decisions as db};
use crate::procedure::state::{china_date, Fact};
use crate::service::decisions::parse_state;
use crate::service::{listing, ServiceError};

/// The public comments on one page, oldest first; the rest are a "next page" link away.
pub const COMMENTS_A_PAGE: usize = 50;

/// The page of comments asked for: `after`, the cursor of the page before (`RFC3339|id`).
#[derive(Deserialize)]
pub struct CommentsPage {
    #[serde(default)]
    after: Option<String>,
}

/// The cursor of a page of comments, as its link carries it.
type Cursor = Option<(NaiveDateTime, String)>;

/// The consultation page for `id` with the page of comments after `after`, with the form as sent
/// (and its errors).
async fn consultation_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    (id, after): (String, Cursor),
    sent: Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (token, cookie) = security::public_token(state, req);
    // The first page with a blank form is kept rendered; a later page of comments is not.
    let blank = sent.is_blank() && status == StatusCode::OK && after.is_none();
    // A batch of comments and each handling is an event: the version names them all.
    let page_key =
        |id: &str, version: i64, now| format!("consultation|{id}|{version}|{}", china_date(now));
    // While nothing was committed since the decision's head was read, the page as kept is
    // answered on the worker, without the database.
    if let Some(kept) = blank
        .then(|| listing::kept_head(&state.caches.heads, &state.changes, &id))
        .flatten()
        .and_then(|h| {
            let key = page_key(&id, h.value.version, state.clock.now());
            state.caches.pages.get(&key)
        })
    {
        let form_key = security::random_token();
        let body = render::fill(&kept, &[("csrf", &token), ("key", &form_key)]);
        return Ok(with_cookie(status, cookie, body));
    }
    let st = state.clone();
    let (kept_as, data) = web::block(
        move || -> Result<(Option<String>, std::sync::Arc<Value>), PageError> {
            let mut conn = st.db.read.get()?;
            let now = st.clock.now();
            let version = listing::head(&mut conn, &st.caches.heads, &st.changes, &id)
                .map_err(|e| match e {
                    ServiceError::NotFound(_) => PageError::NotFound("页面不存在或不公开".into()),
                    other => other.into(),
                })?
                .value
                .version;
            let page_key = after.is_none().then(|| page_key(&id, version, now));
            let key = (id, version, china_date(now));
            if let Some(data) = page_key
                .as_ref()
                .and_then(|_| st.caches.consultations.get(&key))
            {
                return Ok((page_key, data));
            }
            let id = &key.0;
            let view = consultation_view(&mut conn, id, now)?;
            let row = db::decision(&mut conn, id)?
                .ok_or_else(|| PageError::NotFound("页面不存在或不公开".into()))?;
            let decision = parse_state(&row)?;
            let report = decision.facts.iter().rev().find_map(|f| match &f.fact {
                Fact::ParticipationReport { summary } => Some(summary.clone()),
                _ => None,
            });
            let later = after.is_some();
            // One more than a page: whether there is a next.
            let rows_read = i64::try_from(COMMENTS_A_PAGE + 1).unwrap_or(i64::MAX);
            let mut rows = comments::page(&mut conn, &row.id, after, rows_read, true)?;
            let next = (rows.len() > COMMENTS_A_PAGE)
                .then(|| {
                    rows.truncate(COMMENTS_A_PAGE);
                    rows.last().map(|c| {
                        let cursor = keyset::cursor(c.received_at, &c.id);
                        format!("?after={}#comments", encode(&cursor))
                    })
                })
                .flatten();
            let list: Vec<Value> = rows
                .into_iter()
                .map(|c| {
                    json!({
                        "id": c.id,
                        "name": c.author_name,
                        "body": c.body,
                        "received_on": china_date(c.received_at.and_utc()),
                        "disposition": c.disposition.as_deref().map(disposition_zh),
                        "reason": c.disposition_reason,
                    })
                })
                .collect();
            let today = china_date(now);
            let days_left = view
                .period
                .as_ref()
                .and_then(|p| p.closes_after)
                .map(|e| (e - today).num_days());
            let open = view.period.as_ref().is_some_and(|p| p.open);
            let data = json!({
                "view": view,
                "open": open,
                "days_left": days_left,
                "report": report,
                "list": list,
                "next": next,
                "later": later,
            });
            match page_key {
                Some(page_key) if row.version == version => {
                    Ok((Some(page_key), st.caches.consultations.put(key, data)))
                }
                _ => Ok((None, std::sync::Arc::new(data))),
            }
        },
    )
    .await??;
    // A blank form: the page as first rendered, with this visitor's CSRF token and a new key
    // for the comment written in.
    let kept_as = kept_as.filter(|_| blank);
    let form_key = security::random_token();
    if let Some(kept) = kept_as.as_ref().and_then(|k| state.caches.pages.get(k)) {
        let body = render::fill(&kept, &[("csrf", &token), ("key", &form_key)]);
        return Ok(with_cookie(status, cookie, body));
    }
    let mut data = Value::clone(&data);
    let title = data["view"]["decision"]["title"]
        .as_str()
        .unwrap_or("征求意见")
        .to_string();
    let title = format!("征求意见：{title}");
    let Some(page_key) = kept_as else {
        data["key"] = json!(form_key);
        return form_page("consultation", &title, data, (token, cookie), sent, status);
    };
    data["key"] = json!(render::hole("key"));
    data["csrf"] = json!(render::hole("csrf"));
    data["sent"] = json!(sent);
    let kept = state.caches.pages.put(
        page_key,
        page("consultation", &title, &Chrome::default(), &data)?,
    );
    let body = render::fill(&kept, &[("csrf", &token), ("key", &form_key)]);
    Ok(with_cookie(status, cookie, body))
}

/// `GET /consultations/{id}`
pub async fn consultation(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    page: web::Query<CommentsPage>,
) -> Result<HttpResponse, PageError> {
    let after = keyset::after("after", page.after.as_deref()).map_err(|_| {
        PageError::Status(
            StatusCode::BAD_REQUEST,
            "分页参数 after 无效：请从上一页的“下一页”链接进入。".into(),
        )
    })?;
    let sent = Sent::blank();
    consultation_page(&state, &req, (id.into_inner(), after), sent, StatusCode::OK).await
}

/// `POST /consultations/{id}/comments` — the comment form, through the API's intake path.
pub async fn comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let form = security::public_form(payload, PUBLIC_FORM_BYTES, &req).await?;
    let get = |k: &str| field(&form, k).unwrap_or_default().to_string();
    let values = json!({ "name": get("name"), "contact": get("contact"), "body": get("body") });
    let comment = CommentForm {
        name: Some(get("name")),
        contact: Some(get("contact")),
        body: get("body"),
        idempotency_key: field(&form, "key").map(str::to_string),
    };
    match receive(&state, &req, id.clone(), comment).await {
        Ok(receipt) => {
            let st = state.clone();
            let cid = id.clone();
            let view = web::block(move || -> Result<_, PageError> {
                let mut conn = st.db.read.get()?;
                Ok(consultation_view(&mut conn, &cid, st.clock.now())?)
            })
            .await??;
            let data = json!({ "receipt": receipt, "view": view,
                "received_on": china_date(receipt.received_at) });
            let body = page("comment_received", "意见已收到", &Chrome::default(), &data)?;
            let status = if receipt.duplicate {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok(html(status, body))
        }
        Err(e) => {
            let (sent, status) = sent_back(e, values)?;
            consultation_page(&state, &req, (id, None), sent, status).await
        }
    }
}
