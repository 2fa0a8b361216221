//! Decisions: create (initiation), read (with what may happen next and what blocks it), new draft
//! versions, commands through the engine, the record.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

mod views;

pub use views::*;

use super::auth::{authenticate, authenticate_kept, Auth, Bearer};
use super::common::Page;
use super::common::{engine, keyset, rfc3339};
use super::error::ApiError;
use super::extract::Body;
use crate::access::Actor;
use crate::app::AppState;
use crate::db::decisions as db;
use crate::db::rows::DraftMeta;
use crate::procedure::state::{china_date, Command, DraftHash, Fact, Initiation};
use crate::service::commands::Order;
use crate::service::decisions::{self as service, Applied, NewDecision};
use crate::service::listing;

/// The largest draft accepted, in bytes.
pub const MAX_DRAFT: usize = super::limits::DRAFT_BYTES;

/// `POST /api/v1/decisions`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Create {
    organ_id: String,
    lead_unit_id: String,
    #[serde(default)]
    catalog_item_id: Option<String>,
    #[serde(default)]
    pack: Option<String>,
    /// Where the lead unit is not a department of the organ: the organ's designation of it.
    #[serde(default)]
    lead_unit_designation: Option<String>,
    initiation: Initiation,
}

/// A command at an expected version.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandBody {
    expected_version: i64,
    command: Command,
}

/// A new draft version.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    expected_version: i64,
    content: String,
    #[serde(default)]
    legal_basis: Vec<String>,
    #[serde(default)]
    options: Vec<String>,
}

/// Paging.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
}

/// The header on the answer to a command that had already been written (sent again at the
/// version it was first given at, by the same user): nothing was written this time.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

fn respond(
    state: &AppState,
    applied: Applied,
    drafts: &[DraftMeta],
    adjusts: &[String],
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, ApiError> {
    let pack = service::pack_of(&engine(state), &applied.row)?;
    let mut body = view(
        pack,
        &state.calendar,
        &applied.row,
        &applied.state,
        drafts,
        adjusts,
        state.clock.now(),
    );
    body.events = Some(applied.events);
    let mut response = HttpResponse::build(status);
    if applied.replayed {
        // The same command had been written at that version by the same user: its answer again.
        response.insert_header((REPLAYED_HEADER, "true"));
    }
    Ok(response.json(body))
}

/// `POST /api/v1/decisions`
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: Body<Create>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let st = state.clone();
    let applied = web::block(move || -> Result<Applied, ApiError> {
        let mut conn = st.db.write.get()?;
        let new = NewDecision {
            organ_id: body.organ_id,
            lead_unit_id: body.lead_unit_id,
            lead_unit_designation: body.lead_unit_designation,
            catalog_item_id: body.catalog_item_id,
            pack: body.pack,
            initiation: body.initiation,
        };
        Ok(service::create(
            &mut conn,
            &engine(&st),
            &auth,
            new,
            st.clock.now(),
        )?)
    })
    .await??;
    respond(
        &state,
        applied,
        &[],
        &[],
        actix_web::http::StatusCode::CREATED,
    )
}

/// `GET /api/v1/decisions/{id}` — answered from the process's cache when the decision is at the
/// version, on the day and with the adjustments the cached view was made for (issue 14); with
/// `If-None-Match` naming the same, `304 Not Modified`. While nothing was committed since the
/// decision's head was read, a signed-in user kept in memory is answered on the worker, without
/// the database.
pub async fn get(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let id = id.into_inner();
    if let Some(kept) = kept_view(&state, &bearer, &id, now) {
        let (etag, body) = kept?;
        return Ok(answer_view(&req, etag, &body));
    }
    let st = state.clone();
    let (etag, body) = web::block(move || -> Result<_, ApiError> {
        let auth = authenticate(&st, &bearer)?;
        let mut conn = st.db.read.get()?;
        let head = listing::head(&mut conn, &st.caches.heads, &st.changes, &id)?;
        let head = &head.value;
        head.check_read(&auth, &id)?;
        let key = (id, head.version, china_date(now), head.adjusts.clone());
        let etag = view_tag(&key);
        if let Some(body) = st.caches.decision_views.get(&key) {
            return Ok((etag, body));
        }
        let row = service::readable(&mut conn, &auth, &key.0)?.row;
        let drafts = db::drafts_of(&mut conn, &row.id)?;
        drop(conn);
        let pack = service::pack_of(&engine(&st), &row)?;
        let decision = service::parse_state(&row)?;
        let body = serde_json::to_vec(&view(
            pack,
            &st.calendar,
            &row,
            &decision,
            &drafts,
            &key.3,
            now,
        ))
        .map_err(|e| ApiError::Internal(format!("decision view: {e}")))?;
        if row.version != key.1 {
            // It moved on between the two reads: answer what was read, keep nothing.
            return Ok((
                view_tag(&(key.0, row.version, key.2, key.3)),
                std::sync::Arc::new(body),
            ));
        }
        Ok((etag, st.caches.decision_views.put(key, body)))
    })
    .await??;
    Ok(answer_view(&req, etag, &body))
}

/// A decision's view as sent, with its entity tag.
type TaggedView = (String, std::sync::Arc<Vec<u8>>);

/// A decision's view from memory alone: the user kept, the head current, the view kept (`None`
/// if any is not). A user who may not read it is told so from memory too.
fn kept_view(
    state: &AppState,
    bearer: &Bearer,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Result<TaggedView, ApiError>> {
    let who = authenticate_kept(state, bearer)?;
    let head = listing::kept_head(&state.caches.heads, &state.changes, id)?;
    let head = &head.value;
    if let Err(e) = head.check_read(&who, id) {
        return Some(Err(e.into()));
    }
    let key = (
        id.to_string(),
        head.version,
        china_date(now),
        head.adjusts.clone(),
    );
    let body = state.caches.decision_views.get(&key)?;
    Some(Ok((view_tag(&key), body)))
}

/// A view with its entity tag, or `304 Not Modified` if the client holds it.
fn answer_view(req: &actix_web::HttpRequest, etag: String, body: &[u8]) -> HttpResponse {
    let matches = req
        .headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let etag_header = (actix_web::http::header::ETAG, etag);
    if matches {
        return HttpResponse::NotModified()
            .insert_header(etag_header)
            .finish();
    }
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(etag_header)
        .body(body.to_vec())
}

/// The entity tag of a decision's view: its version, the day and the adjustments, and the
/// server's build (a new release may show more).
fn view_tag((_, version, day, adjusts): &crate::cache::DecisionKey) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for a in adjusts {
        h.update(a.as_bytes());
        h.update(b"\n");
    }
    let digest = hex::encode(h.finalize());
    format!(
        "\"{version}-{day}-{}-{}\"",
        digest.get(..12).unwrap_or_default(),
        env!("CARGO_PKG_VERSION")
    )
}

/// `GET /api/v1/decisions`
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = keyset::limit(q.limit, 50, 200)?;
    let before = keyset::after("before", q.before.as_deref())?;
    let st = state.clone();
    let (rows, last) = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        Ok(crate::service::listing::readable_page(
            &mut conn, &auth, before, limit,
        )?)
    })
    .await??;
    let next = last.map(|(at, id)| keyset::cursor(at, &id));
    let items = rows
        .iter()
        .map(|r| DecisionSummary {
            id: r.id.clone(),
            title: r.title.clone(),
            organ_id: r.organ_id.clone(),
            lead_unit_id: r.lead_unit_id.clone(),
            status: r.status.clone(),
            version: r.version,
            pack: PackRef {
                id: r.pack_id.clone(),
                version: r.pack_version.clone(),
            },
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { items, next }))
}

/// Authenticate on the read pool, have the command writer write the command (with its
/// batch-mates), then read what the answer shows.
fn apply(
    state: &AppState,
    bearer: Bearer,
    id: String,
    expected: i64,
    command: Command,
    content: Option<String>,
) -> Result<(Applied, Vec<DraftMeta>, Vec<String>), ApiError> {
    let auth = authenticate(state, &bearer)?;
    let applied = state.writer.submit_blocking(Order {
        who: auth.principal,
        decision_id: id.clone(),
        expected_version: expected,
        command,
        draft_content: content,
        packs: state.packs.clone(),
        calendar: state.calendar.clone(),
    })?;
    let mut conn = state.db.read.get()?;
    let drafts = db::drafts_of(&mut conn, &id)?;
    let adjusts = service::adjusted_by(&mut conn, &id)?;
    Ok((applied, drafts, adjusts))
}

/// `POST /api/v1/decisions/{id}/commands`
pub async fn command(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
    body: Body<CommandBody>,
) -> Result<HttpResponse, ApiError> {
    let CommandBody {
        expected_version,
        command,
    } = body.into_inner();
    if matches!(command, Command::Initiate(_)) {
        return Err(ApiError::Unprocessable(
            "command: a decision is initiated by POST /api/v1/decisions".into(),
        ));
    }
    if matches!(
        command,
        Command::Record {
            fact: Fact::Draft { .. }
        }
    ) {
        return Err(ApiError::Unprocessable(
            "command: new drafts go to POST /api/v1/decisions/{id}/drafts with their content"
                .into(),
        ));
    }
    if matches!(
        command,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    ) {
        return Err(ApiError::Unprocessable(
            "command: public comments come in through POST /api/v1/public/decisions/{id}/comments"
                .into(),
        ));
    }
    submit(
        state,
        bearer,
        id.into_inner(),
        expected_version,
        command,
        None,
    )
    .await
}

/// Give `command` (with a draft's text) and answer with the decision as it now stands.
async fn submit(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: String,
    expected: i64,
    command: Command,
    content: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let status = if content.is_some() {
        actix_web::http::StatusCode::CREATED
    } else {
        actix_web::http::StatusCode::OK
    };
    let st = state.clone();
    let (applied, drafts, adjusts) =
        web::block(move || apply(&st, bearer, id, expected, command, content)).await??;
    respond(&state, applied, &drafts, &adjusts, status)
}

/// `POST /api/v1/decisions/{id}/drafts`
pub async fn new_draft(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
    body: Body<DraftBody>,
) -> Result<HttpResponse, ApiError> {
    let DraftBody {
        expected_version,
        content,
        legal_basis,
        options,
    } = body.into_inner();
    if content.trim().is_empty() {
        return Err(ApiError::Unprocessable(
            "content: the draft is empty".into(),
        ));
    }
    if content.len() > MAX_DRAFT {
        return Err(ApiError::TooLarge(MAX_DRAFT));
    }
    let command = Command::Record {
        fact: Fact::Draft {
            hash: DraftHash::of(&content),
            legal_basis,
            options,
        },
    };
    submit(
        state,
        bearer,
        id.into_inner(),
        expected_version,
        command,
        Some(content),
    )
    .await
}

/// `GET /api/v1/decisions/{id}/drafts/{number}`
pub async fn get_draft(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let st = state.clone();
    let draft = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        let row = service::readable(&mut conn, &auth, &id)?.row;
        db::draft(&mut conn, &row.id, number)?
            .ok_or_else(|| ApiError::NotFound(format!("draft {number} of decision {id}")))
    })
    .await??;
    Ok(HttpResponse::Ok().json(DraftView {
        number: draft.number,
        hash: draft.hash,
        content: draft.content,
        created_by: draft.created_by,
        created_at: rfc3339(draft.created_at),
    }))
}

/// `GET /api/v1/decisions/{id}/events?after_seq=&limit=`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The events after this sequence number (the `next` of the previous page); default: from
    /// the first.
    #[serde(default)]
    after_seq: Option<i64>,
    /// Events per page: default [`EVENTS_PAGE`], at most [`EVENTS_MAX`].
    #[serde(default)]
    limit: Option<i64>,
}

/// Events per page by default (issue 13, defect 8: a long record was answered whole, 17 MB).
pub const EVENTS_PAGE: i64 = 200;
/// The most events per page.
pub const EVENTS_MAX: i64 = 1000;

/// `GET /api/v1/decisions/{id}/events` — the record, a page at a time, in order; `next` is the
/// `after_seq` of the next page (none: the last).
pub async fn events(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
    q: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = keyset::limit(q.limit, EVENTS_PAGE, EVENTS_MAX)?;
    let after = match q.after_seq {
        Some(a) if a < 0 => {
            return Err(ApiError::BadRequest(
                "after_seq: a sequence number (0 or more)".into(),
            ))
        }
        a => a.unwrap_or(0),
    };
    let st = state.clone();
    let rows = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        let row = service::readable(&mut conn, &auth, &id)?.row;
        Ok(db::events_page(&mut conn, &row.id, after, limit)?)
    })
    .await??;
    let next = rows
        .last()
        .filter(|_| i64::try_from(rows.len()).is_ok_and(|n| n == limit))
        .map(|e| e.seq.to_string());
    let items: Vec<EventView> = rows
        .into_iter()
        .map(|e| EventView {
            seq: e.seq,
            at: rfc3339(e.at),
            actor: Actor {
                user_id: e.actor_user_id,
                role: e.actor_role,
                organ_id: e.actor_organ_id,
            },
            command: e.command,
            payload: serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null),
            draft_hash: e.draft_hash,
            prev_hash: e.prev_hash,
            hash: e.hash,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { items, next }))
}

/// `GET /api/v1/decisions/{id}/personal-data-reads` — every read that showed the public's
/// contacts, for anyone who may read the decision (inspectors above all).
pub async fn personal_data_reads(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let rows = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        Ok(crate::service::personal_data::reads(&mut conn, &auth, &id)?)
    })
    .await??;
    let items: Vec<PersonalDataReadView> = rows
        .into_iter()
        .map(|r| PersonalDataReadView {
            user_id: r.user_id,
            what: r.what,
            records: r.records,
            at: rfc3339(r.at),
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}
