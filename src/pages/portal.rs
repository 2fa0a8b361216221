//! The public portal (no login): the home page, a hearing with its application form, and a
//! decision's public process page; the consultation with its comment form is
//! `pages::consultation`. Every read goes through the same view builders as the public API
//! (`api::comments::consultation_view`, `api::hearings::public_view`), every form through the
//! same checks and service functions as the API's public routes; the engine's refusals are shown
//! as they are (rule, article, message).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{json, Value};

use super::render::{self, html, page, Chrome, PageError};
use super::security::{self, field};
use super::{field_errors, FieldErrors};
use crate::api::comments::consultation_view;
use crate::api::common::engine;
use crate::api::error::ApiError;
use crate::api::execution::receive_feedback;
use crate::api::hearings::{public_view, receive_application, ApplicationBody};
use crate::app::AppState;
use crate::db::decisions as db;
use crate::procedure::state::{china_date, Fact};
use crate::procedure::{selection, Violation};
use crate::service::decisions::parse_state;

/// The largest public form, in bytes (a comment of the longest length, URL-encoded).
pub(super) const PUBLIC_FORM_BYTES: usize = 64 * 1024;

/// The decisions changed last that the home page reads for its publications.
const HOME_DECISIONS: i64 = 500;

/// The most decisions in public participation or with a hearing the home page reads (the last
/// changed first).
const HOME_IN_PROGRESS: i64 = 5000;

#[derive(Serialize)]
struct Listed {
    id: String,
    title: String,
    date: Option<NaiveDate>,
    days_left: Option<i64>,
    place: Option<String>,
}

/// `GET /` — open consultations with their deadlines (the first [`HOME_CONSULTATIONS`], closing
/// soonest first, with a link to all), upcoming hearings, recently published decisions.
pub async fn home(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let st = state.clone();
    let today = china_date(state.clock.now());
    // The rendered page at most a minute, as the data (an organ added is not in the key).
    let minute = state.clock.now().timestamp() / 60;
    // Nothing committed since the page was made (the stamp read before anything else): the
    // page, without the database (issue 14).
    let stamp = state.changes.stamp();
    if let Some(body) = stamp.and_then(|s| state.caches.home_page.get(s, &(today, minute))) {
        return Ok(html(StatusCode::OK, String::clone(&body)));
    }
    let (page_key, data) = web::block(move || portal_data(&st, today, minute)).await??;
    // The page as rendered, by the same key (it holds no token).
    let body = match state.caches.pages.get(&page_key) {
        Some(kept) => kept,
        None => {
            let mut shown = Value::clone(&data);
            let open = shown["consultations"].as_array().map_or(0, Vec::len);
            if let Some(list) = shown["consultations"].as_array_mut() {
                list.truncate(HOME_CONSULTATIONS);
            }
            shown["consultations_total"] = json!(open);
            shown["consultations_more"] = json!(open > HOME_CONSULTATIONS);
            let body = page("home", "重大行政决策公众参与", &Chrome::default(), &shown)?;
            state.caches.pages.put(page_key, body)
        }
    };
    if let Some(s) = stamp {
        state.caches.home_page.put(s, (today, minute), body.clone());
    }
    Ok(html(StatusCode::OK, String::clone(&body)))
}

/// The open consultations the home lists first; the rest on `/consultations`.
pub const HOME_CONSULTATIONS: usize = 20;

/// Open consultations on one page of `/consultations`.
pub const CONSULTATIONS_PAGE: usize = 50;

/// `GET /consultations?page=` — every open consultation, closing soonest first, fifty a page.
pub async fn consultations(
    state: web::Data<AppState>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let st = state.clone();
    let today = china_date(state.clock.now());
    let minute = state.clock.now().timestamp() / 60;
    let (_, data) = web::block(move || portal_data(&st, today, minute)).await??;
    let all: &[Value] = data["consultations"].as_array().map_or(&[], Vec::as_slice);
    let pages = all.len().div_ceil(CONSULTATIONS_PAGE).max(1);
    let n = q.page.unwrap_or(1);
    if n == 0 || n > pages {
        return Err(PageError::NotFound(format!(
            "第 {n} 页不存在（共 {pages} 页）"
        )));
    }
    let items = all
        .iter()
        .skip((n - 1) * CONSULTATIONS_PAGE)
        .take(CONSULTATIONS_PAGE)
        .collect::<Vec<_>>();
    let shown = json!({
        "consultations": items,
        "total": all.len(),
        "page": n,
        "pages": pages,
        "previous": (n > 1).then(|| n - 1),
        "next": (n < pages).then(|| n + 1),
        "today": today,
    });
    let body = page(
        "consultations",
        "正在征求意见的决策草案",
        &Chrome::default(),
        &shown,
    )?;
    Ok(html(StatusCode::OK, body))
}

/// The page asked for (1: the first).
#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    page: Option<usize>,
}

/// What the portal's home and its list of consultations show, and the key of the home as
/// rendered: kept until a decision or catalog changes or the day turns (issue 11, 14).
fn portal_data(
    st: &AppState,
    today: chrono::NaiveDate,
    minute: i64,
) -> Result<(String, std::sync::Arc<Value>), PageError> {
    let mut conn = st.db.read.get()?;
    // Kept until a decision or catalog changes or the day turns (issue 11, 14).
    let (decided, catalogued) = db::last_changes(&mut conn, None)?;
    let key = (today, decided, catalogued);
    let page_key = format!("home|{today}|{decided:?}|{catalogued:?}|{minute}");
    if let Some(data) = st.caches.home.get(&key) {
        return Ok((page_key, data));
    }
    // Every decision in public participation or with a hearing, however long ago it
    // began (the newest 500 alone left out a consultation opened on an older one).
    let stages = [
        crate::procedure::state::stage::PUBLIC_PARTICIPATION,
        crate::procedure::state::stage::HEARING,
    ];
    let rows = db::on_portal(&mut conn, &stages, HOME_DECISIONS, HOME_IN_PROGRESS)?;
    let (mut open, mut hearings, mut published) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        let Ok(d) = parse_state(&row) else { continue };
        if d.not_public() {
            continue;
        }
        // Only a decision in public participation can have an open consultation (the
        // view's `open` requires it): the others cost no queries (issue 11 "Performance").
        let participating = d.status(crate::procedure::state::stage::PUBLIC_PARTICIPATION)
            == crate::procedure::state::StageStatus::InProgress;
        let consulted = participating
            .then(|| consultation_view(&mut conn, &row.id, st.clock.now()).ok())
            .flatten();
        if let Some(v) = consulted {
            if let Some(p) = v.period.filter(|p| p.open) {
                open.push(Listed {
                    id: row.id.clone(),
                    title: row.title.clone(),
                    date: p.closes_after,
                    days_left: p.closes_after.map(|e| (e - today).num_days()),
                    place: None,
                });
            }
        }
        if let Some(r) = selection::round(&d).filter(|r| r.hearing_on >= today) {
            hearings.push(Listed {
                id: row.id.clone(),
                title: row.title.clone(),
                date: Some(r.hearing_on),
                days_left: Some((r.hearing_on - today).num_days()),
                place: Some(r.place),
            });
        }
        if let Some(on) = d.facts.iter().rev().find_map(|f| match &f.fact {
            Fact::Publication { published_on, .. } => Some(*published_on),
            _ => None,
        }) {
            published.push(Listed {
                id: row.id.clone(),
                title: row.title.clone(),
                date: Some(on),
                days_left: None,
                place: None,
            });
        }
    }
    open.sort_by_key(|l| l.date);
    hearings.sort_by_key(|l| l.date);
    published.sort_by_key(|l| std::cmp::Reverse(l.date));
    published.truncate(20);
    // This year's published catalogs and the organs overdue with theirs.
    let catalogs: Vec<Value> =
        super::catalogs::listings(&mut conn, &engine(st), today.year(), today)?
            .into_iter()
            .filter(|l| !l["catalog_id"].is_null() || l["standing"]["overdue"] == true)
            .collect();
    let data = json!({ "consultations": open, "hearings": hearings, "published": published,
    "today": today, "catalogs": catalogs, "year": today.year() });
    Ok((page_key, st.caches.home.put(key, data)))
}

/// What a public form sent back, to show again with its errors.
#[derive(Serialize)]
pub(super) struct Sent {
    values: Value,
    errors: FieldErrors,
    violations: Vec<Violation>,
}

impl Sent {
    /// Whether nothing was sent (a blank form).
    pub(super) fn is_blank(&self) -> bool {
        self.violations.is_empty()
            && self.errors == FieldErrors::default()
            && self
                .values
                .as_object()
                .is_some_and(|v| v.values().all(|x| x.as_str().is_some_and(str::is_empty)))
    }

    /// A form not yet sent.
    pub(super) fn blank() -> Sent {
        Sent {
            values: json!({ "name": "", "contact": "", "body": "", "interest_group": "",
                "statement": "" }),
            errors: FieldErrors::default(),
            violations: Vec::new(),
        }
    }
}

/// What became of a public form's submission the API's way: refused by the engine, a field
/// wrong, too many from this address — shown next to the form; anything else an error page.
pub(super) fn sent_back(e: ApiError, values: Value) -> Result<(Sent, StatusCode), PageError> {
    let mut sent = Sent {
        values,
        ..Sent::blank()
    };
    let status = match e {
        ApiError::Refused(v) => {
            sent.violations = v;
            StatusCode::CONFLICT
        }
        ApiError::Unprocessable(m) | ApiError::BadRequest(m) => {
            sent.errors = field_errors(&m);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ApiError::TooManyRequests(_) => {
            sent.errors.form = Some("提交过于频繁，请一分钟后再试。".into());
            StatusCode::TOO_MANY_REQUESTS
        }
        other => return Err(other.into()),
    };
    Ok((sent, status))
}

/// The hearing page for `id`, with the application form as sent.
async fn hearing_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    id: String,
    sent: Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (token, cookie) = security::public_token(state, req);
    let st = state.clone();
    let view = web::block(move || -> Result<_, PageError> {
        let mut conn = st.db.read.get()?;
        Ok(public_view(&mut conn, &id, st.clock.now())?)
    })
    .await??;
    let title = format!("听证会：{}", view.decision.title);
    let data = json!({ "view": view, "key": security::random_token() });
    form_page("hearing", &title, data, (token, cookie), sent, status)
}

/// `GET /hearings/{id}`
pub async fn hearing(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    hearing_page(&state, &req, id.into_inner(), Sent::blank(), StatusCode::OK).await
}

/// `POST /hearings/{id}/applications` — the application form, through the API's path.
pub async fn apply(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let form = security::public_form(payload, PUBLIC_FORM_BYTES, &req).await?;
    let get = |k: &str| field(&form, k).unwrap_or_default().to_string();
    let values = json!({ "name": get("name"), "contact": get("contact"),
        "interest_group": get("interest_group"), "statement": get("statement") });
    let body = ApplicationBody {
        name: get("name"),
        contact: get("contact"),
        interest_group: get("interest_group"),
        statement: get("statement"),
        civil_servant: field(&form, "civil_servant").is_some(),
    };
    // The form carries its own key: sending the same form twice stores one application.
    let key = field(&form, "key")
        .filter(|k| !k.is_empty() && k.len() <= crate::api::limits::KEY)
        .map(str::to_string)
        .unwrap_or_else(security::random_token);
    match receive_application(&state, &req, id.clone(), key, body).await {
        Ok((stored, new)) => {
            let data = json!({ "id": stored.id, "decision_id": stored.decision_id,
                "interest_group": stored.interest_group, "new": new });
            let body = page(
                "application_received",
                "报名已收到",
                &Chrome::default(),
                &data,
            )?;
            Ok(html(
                if new {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                },
                body,
            ))
        }
        Err(e) => {
            let (sent, status) = sent_back(e, values)?;
            hearing_page(&state, &req, id, sent, status).await
        }
    }
}

/// `GET /decisions/{id}` — the public process page: the stages done with their dates and the
/// public documents (notices, the participation report, the published text with the
/// explanation of how opinions were adopted). Never internal material or personal data: a
/// decision not public, or with nothing published yet, is not found.
pub async fn process(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    process_page(&state, &req, id.into_inner(), Sent::blank(), StatusCode::OK).await
}

/// The process page for `id`, with the feedback form as sent (and its errors).
async fn process_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    id: String,
    sent: Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (token, cookie) = security::public_token(state, req);
    let st = state.clone();
    let data = web::block(move || -> Result<Value, PageError> {
        let not_found = || PageError::NotFound("页面不存在或不公开".into());
        let mut conn = st.db.read.get()?;
        let row = db::decision(&mut conn, &id)?.ok_or_else(not_found)?;
        let d = parse_state(&row)?;
        let engine = crate::api::common::engine(&st);
        let pack = crate::service::decisions::pack_of(&engine, &row)?;
        let mut consultation = None;
        let mut hearing = None;
        let mut report = None;
        let mut publication = None;
        for f in &d.facts {
            match &f.fact {
                Fact::CommentPeriodOpened { notice, days, .. } => {
                    consultation = Some(json!({ "notice": notice, "days": days,
                        "opened_on": china_date(f.at) }));
                }
                Fact::HearingNotice {
                    hearing_on, place, ..
                } => hearing = Some(json!({ "hearing_on": hearing_on, "place": place })),
                Fact::ParticipationReport { summary } => report = Some(summary.clone()),
                Fact::Publication {
                    channels,
                    published_on,
                    text_hash,
                    opinions_explanation,
                } => {
                    let text = db::drafts_of(&mut conn, &row.id)?
                        .into_iter()
                        .find(|m| m.hash == text_hash.0)
                        .map(|m| db::draft(&mut conn, &row.id, m.number))
                        .transpose()?
                        .flatten()
                        .map(|v| v.content);
                    publication = Some(json!({ "channels": channels, "published_on": published_on,
                        "text": text, "hash": text_hash.0, "explanation": opinions_explanation }));
                }
                _ => {}
            }
        }
        // 第三十四条至第三十七条: where it stands after adoption, without personal data.
        let execution = crate::service::execution::public_execution(
            &mut conn,
            &engine,
            &row.id,
            st.clock.now(),
        )?
        .map(|x| {
            json!({ "status": super::execution_status_zh(x.status), "units": x.units,
                        "deadline": x.deadline, "milestones": super::milestones_json(&x.milestones),
                        "new_decision": x.new_decision, "adjusts": x.adjusts,
                        "feedback_count": x.feedback_count, "feedback_open": x.feedback_open })
        });
        if d.not_public()
            || (consultation.is_none()
                && hearing.is_none()
                && publication.is_none()
                && execution.is_none())
        {
            return Err(not_found());
        }
        let stages: Vec<Value> = pack
            .stages
            .iter()
            .filter_map(|s| {
                let rec = d.stage(s.id.as_str());
                rec.status.done().then(|| {
                    json!({
                        "name": s.name.zh,
                        "basis": s.basis,
                        "waived": rec.status == crate::procedure::state::StageStatus::Waived,
                        "on": rec.completed_at.map(china_date),
                    })
                })
            })
            .collect();
        Ok(json!({
            "id": row.id, "title": row.title, "stages": stages,
            "consultation": consultation, "hearing": hearing, "report": report,
            "publication": publication, "execution": execution,
            // 第三十七条: the decisions this one adjusts, at every stage of its procedure.
            "adjusts": crate::service::decisions::adjusted_by(&mut conn, &row.id)?,
        }))
    })
    .await??;
    let title = data["title"].as_str().unwrap_or("决策过程").to_string();
    form_page("process", &title, data, (token, cookie), sent, status)
}

/// A public page with a form: its CSRF token (and the cookie that carries it, when new), what
/// was sent back to it, under `status`.
pub(super) fn form_page(
    name: &str,
    title: &str,
    mut data: Value,
    (token, cookie): (String, Option<actix_web::cookie::Cookie<'static>>),
    sent: Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    data["csrf"] = json!(token);
    data["sent"] = json!(sent);
    let body = page(name, title, &Chrome::default(), &data)?;
    Ok(with_cookie(status, cookie, body))
}

/// A page with the CSRF cookie set where the visitor had none.
pub(super) fn with_cookie(
    status: StatusCode,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
    body: String,
) -> HttpResponse {
    let mut res = render::builder(status);
    if let Some(c) = cookie {
        res.cookie(c);
    }
    res.body(body)
}

/// `POST /decisions/{id}/feedback` — a view of the public on an adopted decision or its
/// execution (第三十五条第二款), through the API's checks and the one door.
pub async fn feedback(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let form = security::public_form(payload, PUBLIC_FORM_BYTES, &req).await?;
    let body = field(&form, "body").unwrap_or_default().to_string();
    match receive_feedback(&state, &req, id.clone(), body.clone()).await {
        Ok(receipt) => {
            let data = json!({ "id": id, "seq": receipt.seq,
                "received_on": china_date(receipt.received_at) });
            let body = page(
                "feedback_received",
                "意见建议已收到",
                &Chrome::default(),
                &data,
            )?;
            Ok(html(StatusCode::CREATED, body))
        }
        Err(e) => {
            let (sent, status) = sent_back(e, json!({ "body": body }))?;
            process_page(&state, &req, id, sent, status).await
        }
    }
}
