//! Public participation through the API: the consultation page's data and the comment form
//! (no login; size- and rate-limited; an idempotency key stores a retried comment once), what
//! became of each comment, the staff's export (JSON pages or streamed CSV, keyset-paged) and the
//! adoption report generated from the dispositions (第十五条、第十八条).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::auth::{authenticate, Bearer};
use super::common::{engine, keyset, Page as KeysetPage};
use super::error::ApiError;
use super::extract::Body;
use super::limits;
use crate::app::AppState;
use crate::db::comments::{self, CommentCounts, CommentRow, NewComment, Receipt};
use crate::db::rows::DecisionRow;
use crate::db::{decisions as db, DbConn};
use crate::procedure::state::{china_date, Decision, Fact};
use crate::procedure::Event;
use crate::service::personal_data::{self, REDACTED};
use crate::service::{decisions as service, listing, ServiceError};

/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = limits::TEXT;

/// A comment as the form sends it.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentForm {
    /// The commenter's name (optional).
    #[serde(default)]
    pub name: Option<String>,
    /// The commenter's contact (optional).
    #[serde(default)]
    pub contact: Option<String>,
    /// The comment.
    pub body: String,
    /// Stores a retried comment once.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// Keyset paging.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    format: Option<String>,
}

/// A decision the public may see the consultation of: it exists, is not lawfully secret, and a
/// comment period was opened. Anything else is 404 to the public.
fn public_decision(conn: &mut DbConn, id: &str) -> Result<(DecisionRow, Decision), ApiError> {
    let not_found = || ApiError::NotFound(format!("consultation of decision {id}"));
    let row = db::decision(conn, id)?.ok_or_else(not_found)?;
    let state: Decision = serde_json::from_str(&row.state)
        .map_err(|e| ApiError::Internal(format!("stored state unreadable: {e}")))?;
    let secret = state.not_public();
    let opened = state
        .facts
        .iter()
        .any(|d| matches!(d.fact, Fact::CommentPeriodOpened { .. }));
    if secret || !opened {
        return Err(not_found());
    }
    Ok((row, state))
}

/// A decision as its consultation page names it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ConsultedDecision {
    /// The decision's id.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// The comment period as its notice published it (第十五条).
#[derive(Serialize, schemars::JsonSchema)]
pub struct PeriodView {
    /// The notice text.
    pub notice: String,
    /// The channels it was published on (政府网站、政务新媒体、报刊…).
    pub channels: Vec<String>,
    /// Its length in days.
    pub days: u32,
    /// Why it is shorter than the minimum, if it is (published in the notice).
    pub shortening_reason: Option<String>,
    /// The day it opened (China time).
    pub opened_on: NaiveDate,
    /// The last day comments are taken (China time).
    pub closes_after: Option<NaiveDate>,
    /// Whether comments are taken now.
    pub open: bool,
}

/// The draft under consultation.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ConsultedDraft {
    /// Its version number.
    pub number: i32,
    /// SHA-256 of its content.
    pub hash: String,
    /// The text.
    pub content: String,
}

/// The public consultation page: the notice, the draft, the period and the comment counts.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ConsultationView {
    /// The decision consulted on.
    pub decision: ConsultedDecision,
    /// The latest comment period.
    pub period: Option<PeriodView>,
    /// The draft it published.
    pub draft: Option<ConsultedDraft>,
    /// How the comments were handled, counted.
    pub comments: CommentCounts,
}

/// A published comment and what became of it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PublicComment {
    /// The comment's id.
    pub id: String,
    /// The commenter's name, if given.
    pub name: Option<String>,
    /// The comment.
    pub body: String,
    /// When it was received (RFC 3339).
    pub received_at: String,
    /// `adopted`, `partly_adopted` or `not_adopted`, once handled.
    pub disposition: Option<String>,
    /// Why, once handled.
    pub disposition_reason: Option<String>,
}

fn public_comment(c: &CommentRow) -> PublicComment {
    PublicComment {
        id: c.id.clone(),
        name: c.author_name.clone(),
        body: c.body.clone(),
        received_at: c.received_at.and_utc().to_rfc3339(),
        disposition: c.disposition.clone(),
        disposition_reason: c.disposition_reason.clone(),
    }
}

/// The public consultation page's data, as the API answers it and the portal shows it.
pub fn consultation_view(
    conn: &mut DbConn,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ConsultationView, ApiError> {
    consultation_view_at(conn, id, now).map(|(view, _)| view)
}

/// [`consultation_view`] with the version of the decision it was read at.
fn consultation_view_at(
    conn: &mut DbConn,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(ConsultationView, i64), ApiError> {
    let (row, decision) = public_decision(conn, id)?;
    let version = row.version;
    let draft_hash = decision.facts.iter().rev().find_map(|d| match &d.fact {
        Fact::CommentPeriodOpened { draft, .. } => Some(draft.0.clone()),
        _ => None,
    });
    let draft = db::drafts_of(conn, &row.id)?
        .into_iter()
        .find(|d| Some(&d.hash) == draft_hash.as_ref())
        .map(|d| d.number)
        .map(|n| db::draft(conn, &row.id, n))
        .transpose()?
        .flatten();
    let counts = comments::counts(conn, &row.id)?;
    let period = decision.facts.iter().rev().find_map(|d| match &d.fact {
        Fact::CommentPeriodOpened {
            days,
            notice,
            channels,
            shortening_reason,
            ..
        } => {
            let start = china_date(d.at);
            let end = start.checked_add_days(chrono::Days::new(u64::from(*days)));
            Some(PeriodView {
                notice: notice.clone(),
                channels: channels.clone(),
                days: *days,
                shortening_reason: shortening_reason.clone(),
                opened_on: start,
                closes_after: end,
                open: end.is_some_and(|e| start <= china_date(now) && china_date(now) <= e)
                    && decision.status(crate::procedure::state::stage::PUBLIC_PARTICIPATION)
                        == crate::procedure::state::StageStatus::InProgress,
            })
        }
        _ => None,
    });
    let view = ConsultationView {
        decision: ConsultedDecision {
            id: row.id,
            title: row.title,
        },
        period,
        draft: draft.map(|d| ConsultedDraft {
            number: d.number,
            hash: d.hash,
            content: d.content,
        }),
        comments: counts,
    };
    Ok((view, version))
}

/// `GET /api/v1/public/decisions/{id}/consultation` — the notice, the draft, the period, counts.
pub async fn consultation(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let id = id.into_inner();
    let json = |body: &[u8]| {
        HttpResponse::Ok()
            .content_type("application/json")
            .body(body.to_vec())
    };
    // A batch of comments and each handling is an event: the version names the counts too.
    // While nothing was committed since the decision's head was read, answered on the worker.
    if let Some(body) = listing::kept_head(&state.caches.heads, &state.changes, &id).and_then(|h| {
        let key = (id.clone(), h.value.version, china_date(now));
        state.caches.consultation_views.get(&key)
    }) {
        return Ok(json(&body));
    }
    let st = state.clone();
    let body = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        let not_found = || ApiError::NotFound(format!("consultation of decision {id}"));
        let version = match listing::head(&mut conn, &st.caches.heads, &st.changes, &id) {
            Ok(h) => h.value.version,
            Err(ServiceError::NotFound(_)) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let key = (id, version, china_date(now));
        if let Some(body) = st.caches.consultation_views.get(&key) {
            return Ok(body);
        }
        let (view, read_at) = consultation_view_at(&mut conn, &key.0, now)?;
        let body = serde_json::to_vec(&view)
            .map_err(|e| ApiError::Internal(format!("consultation view: {e}")))?;
        if read_at != version {
            // It moved on between the two reads: answer what was read, keep nothing.
            return Ok(std::sync::Arc::new(body));
        }
        Ok(st.caches.consultation_views.put(key, body))
    })
    .await??;
    Ok(json(&body))
}

/// `POST /api/v1/public/decisions/{id}/comments` — no login.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    form: Body<CommentForm>,
) -> Result<HttpResponse, ApiError> {
    let receipt = receive(&state, &req, id.into_inner(), form.into_inner()).await?;
    let status = if receipt.duplicate {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(receipt))
}

/// A public comment through the checks every form shares (size, rate per address) into the
/// intake: the API's comment route and the portal's comment form alike.
pub async fn receive(
    state: &AppState,
    req: &HttpRequest,
    id: String,
    form: CommentForm,
) -> Result<Receipt, ApiError> {
    let body = form.body.trim().to_string();
    if body.is_empty() {
        return Err(ApiError::Unprocessable("body: the comment is empty".into()));
    }
    if body.chars().count() > MAX_COMMENT_CHARS {
        return Err(ApiError::Unprocessable(format!(
            "body: at most {MAX_COMMENT_CHARS} characters"
        )));
    }
    let clean = |v: Option<String>, field: &str, max: usize| -> Result<Option<String>, ApiError> {
        match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(s) if s.chars().count() > max => Err(ApiError::Unprocessable(format!(
                "{field}: at most {max} characters"
            ))),
            other => Ok(other),
        }
    };
    let name = clean(form.name, "name", limits::NAME)?;
    let contact = clean(form.contact, "contact", limits::CONTACT)?;
    // A key that cannot be read is refused, not ignored: ignoring it would store a retry twice.
    let header_key = super::extract::idempotency_key(req.headers())?;
    let body_key = clean(form.idempotency_key, "idempotency_key", limits::KEY)?;
    if body_key
        .as_ref()
        .is_some_and(|k| !k.chars().all(|c| c.is_ascii_graphic()))
    {
        return Err(ApiError::Unprocessable(
            "idempotency_key: visible ASCII characters only".into(),
        ));
    }
    let key = header_key.or(body_key);
    // The address itself is not kept: only its hash, for the limit and the record.
    let address_hash = super::common::sender_hash(state, req, "comment");
    if !state.comment_throttle.hit(&address_hash) {
        return Err(ApiError::TooManyRequests(
            "too many comments from this address; try again in a minute / 提交过于频繁，请稍后再试"
                .into(),
        ));
    }
    let comment = NewComment {
        author_name: name,
        contact,
        body,
        address_hash,
        idempotency_key: key,
    };
    state
        .intake
        .submit(id, comment, state.packs.clone(), state.calendar.clone())
        .await
        .map_err(|e| match &*e {
            ServiceError::NotFound(_) => ApiError::NotFound("consultation".into()),
            ServiceError::Refused(v) => ApiError::Refused(v.clone()),
            ServiceError::Invalid(m) => ApiError::Unprocessable(m.clone()),
            ServiceError::Stale { .. } => {
                ApiError::Unavailable("busy; retry with the same idempotency key".into())
            }
            ServiceError::Db(e) => super::error::from_db(e),
            other => ApiError::Unavailable(other.to_string()),
        })
}

/// `GET /api/v1/public/decisions/{id}/comments` — visible comments and what became of them.
pub async fn public_list(
    state: web::Data<AppState>,
    id: web::Path<String>,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let after = keyset::after("after", page.after.as_deref())?;
    let limit = keyset::limit(page.limit, 100, 200)?;
    let st = state.clone();
    let rows = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        let (row, _) = public_decision(&mut conn, &id)?;
        Ok(comments::page(&mut conn, &row.id, after, limit, true)?)
    })
    .await??;
    let next = keyset::next(&rows, limit, |c| (c.received_at, c.id.as_str()));
    Ok(HttpResponse::Ok().json(KeysetPage {
        items: rows.iter().map(public_comment).collect(),
        next,
    }))
}

/// What staff see of a contact: the contact, or that it is redacted for them.
fn contact_for(c: &CommentRow, shown: bool) -> Option<&str> {
    match (&c.contact, shown) {
        (Some(contact), true) => Some(contact),
        (Some(_), false) => Some(REDACTED),
        (None, _) => None,
    }
}

/// A comment as staff see it, with its handling; the contact is redacted for those it is not
/// shown to.
#[derive(Serialize, schemars::JsonSchema)]
pub struct StaffComment {
    /// The comment's id.
    pub id: String,
    /// The commenter's name, if given.
    pub name: Option<String>,
    /// The commenter's contact, if given; `（已隐去 / redacted）` where the caller is not shown it.
    pub contact: Option<String>,
    /// The comment.
    pub body: String,
    /// When it was received (RFC 3339).
    pub received_at: String,
    /// The intake batch that recorded it in the decision's record.
    pub batch_seq: i64,
    /// SHA-256 of the comment, anchored in the record by its batch's digest.
    pub hash: String,
    /// Why moderation hid it, if it did.
    pub hidden_reason: Option<String>,
    /// `adopted`, `partly_adopted` or `not_adopted`, once handled.
    pub disposition: Option<String>,
    /// Why, once handled.
    pub disposition_reason: Option<String>,
    /// Who handled it (user id).
    pub handled_by: Option<String>,
    /// When it was handled (RFC 3339).
    pub handled_at: Option<String>,
}

fn staff_comment(c: &CommentRow, shown: bool) -> StaffComment {
    StaffComment {
        id: c.id.clone(),
        name: c.author_name.clone(),
        contact: contact_for(c, shown).map(str::to_string),
        body: c.body.clone(),
        received_at: c.received_at.and_utc().to_rfc3339(),
        batch_seq: c.batch_seq,
        hash: c.hash.clone(),
        hidden_reason: c.hidden_reason.clone(),
        disposition: c.disposition.clone(),
        disposition_reason: c.disposition_reason.clone(),
        handled_by: c.handled_by.clone(),
        handled_at: c.handled_at.map(|t| t.and_utc().to_rfc3339()),
    }
}

fn csv_row(c: &CommentRow, shown: bool) -> String {
    let cells = [
        c.id.as_str(),
        &c.received_at.and_utc().to_rfc3339(),
        c.author_name.as_deref().unwrap_or(""),
        contact_for(c, shown).unwrap_or(""),
        &c.body,
        c.hidden_reason.as_deref().unwrap_or(""),
        c.disposition.as_deref().unwrap_or(""),
        c.disposition_reason.as_deref().unwrap_or(""),
    ];
    let mut line = cells
        .iter()
        .map(|c| crate::export::csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// `GET /api/v1/decisions/{id}/comments` — every comment with contacts, for the undertaking unit:
/// `?format=json` (default; keyset pages) or `?format=csv` (the whole set, streamed page by page).
pub async fn export(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner();
    let id = id.into_inner();
    match page.format.as_deref().unwrap_or("json") {
        "json" => {
            let after = keyset::after("after", page.after.as_deref())?;
            let limit = keyset::limit(page.limit, 100, 1000)?;
            let st = state.clone();
            let (rows, shown) = web::block(move || -> Result<_, ApiError> {
                let auth = authenticate(&st, &bearer)?;
                let mut conn = st.db.write.get()?;
                let r = service::readable(&mut conn, &auth, &id)?;
                let rows = comments::page(&mut conn, &r.row.id, after, limit, false)?;
                let with_contact = rows.iter().filter(|c| c.contact.is_some()).count();
                let shown = personal_data::disclose(
                    &mut conn,
                    &auth,
                    &r,
                    "comments",
                    with_contact,
                    st.clock.now(),
                )?;
                Ok((rows, shown))
            })
            .await??;
            let next = keyset::next(&rows, limit, |c| (c.received_at, c.id.as_str()));
            Ok(HttpResponse::Ok().json(KeysetPage {
                items: rows.iter().map(|c| staff_comment(c, shown)).collect(),
                next,
            }))
        }
        "csv" => {
            let st = state.clone();
            let check_id = id.clone();
            let shown = web::block(move || -> Result<_, ApiError> {
                let auth = authenticate(&st, &bearer)?;
                let mut conn = st.db.write.get()?;
                let r = service::readable(&mut conn, &auth, &check_id)?;
                // The whole export: its size is not known before it streams; record it as one read.
                let received = comments::counts(&mut conn, &r.row.id)?.received;
                Ok(personal_data::disclose(
                    &mut conn,
                    &auth,
                    &r,
                    "comments_csv",
                    usize::try_from(received).unwrap_or(usize::MAX),
                    st.clock.now(),
                )?)
            })
            .await??;
            let header = "\u{feff}id,received_at,name,contact,body,hidden_reason,disposition,disposition_reason\r\n".to_string();
            let db = state.db.clone();
            // Each step reads the next page after the cursor; memory stays bounded by one page.
            let pages = futures_util::stream::unfold(
                Some(None),
                move |cursor: Option<Option<(NaiveDateTime, String)>>| {
                    let db = db.clone();
                    let id = id.clone();
                    async move {
                        let after = cursor?;
                        let rows = web::block(move || -> Result<Vec<CommentRow>, ApiError> {
                            let mut conn = db.read.get()?;
                            Ok(comments::page(&mut conn, &id, after, 1000, false)?)
                        })
                        .await;
                        let rows = match rows {
                            Ok(Ok(rows)) => rows,
                            Ok(Err(e)) => return Some((Err(actix_web::Error::from(e)), None)),
                            Err(e) => {
                                return Some((Err(actix_web::Error::from(ApiError::from(e))), None))
                            }
                        };
                        if rows.is_empty() {
                            return None;
                        }
                        let next = rows
                            .last()
                            .filter(|_| rows.len() == 1000)
                            .map(|c| Some((c.received_at, c.id.clone())));
                        let chunk: String = rows.iter().map(|c| csv_row(c, shown)).collect();
                        Some((Ok(web::Bytes::from(chunk)), next))
                    }
                },
            );
            let body = futures_util::stream::StreamExt::chain(
                futures_util::stream::once(async move {
                    Ok::<_, actix_web::Error>(web::Bytes::from(header))
                }),
                pages,
            );
            Ok(HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    "content-disposition",
                    "attachment; filename=\"comments.csv\"",
                ))
                .streaming(body))
        }
        other => Err(ApiError::BadRequest(format!(
            "format: \"{other}\" is not json or csv"
        ))),
    }
}

/// The adoption report recorded (第十八条).
#[derive(Serialize, schemars::JsonSchema)]
pub struct ReportView {
    /// The decision's version after it.
    pub version: i64,
    /// The counts the report was generated from.
    pub counts: CommentCounts,
    /// The events the engine appended.
    pub events: Vec<Event>,
}

/// At a version.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AtVersion {
    expected_version: i64,
}

/// `POST /api/v1/decisions/{id}/comments/report` — record the adoption report generated from the
/// dispositions (第十八条; 第二十九条第（二）项).
pub async fn report(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
    body: Body<AtVersion>,
) -> Result<HttpResponse, ApiError> {
    let expected = body.expected_version;
    let st = state.clone();
    let id = id.into_inner();
    let (applied, counts) = web::block(move || -> Result<_, ApiError> {
        let auth = authenticate(&st, &bearer)?;
        let mut conn = st.db.write.get()?;
        Ok(crate::service::comments::report(
            &mut conn,
            &engine(&st),
            &auth,
            &id,
            expected,
            st.clock.now(),
        )?)
    })
    .await??;
    Ok(HttpResponse::Created().json(ReportView {
        version: applied.row.version,
        counts,
        events: applied.events,
    }))
}
