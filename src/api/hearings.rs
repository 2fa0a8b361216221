//! 听证 (第十六条、第十七条) seen from outside the engine: applications from the public while a
//! hearing notice is published (no login, size-limited, stored once per idempotency key); the
//! random draw of participants per interest group with a server-generated seed
//! ([`crate::procedure::selection`]), recorded as the `hearing_participants` fact through the
//! engine; and the public page of the hearing — notice, selection method, applicants, seed and
//! participant list — so anyone can re-run the draw.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::{authenticate, Bearer};
use super::common::{engine, rfc3339, text};
use super::error::ApiError;
use super::extract::{idempotency_key, json_body};
use crate::app::AppState;
use crate::db::hearings as db;
use crate::db::rows::{HearingApplication, HearingSelection};
use crate::procedure::selection;
use crate::procedure::state::china_date;
use crate::service::hearings::{self, NewApplication};
use crate::service::personal_data::{self, REDACTED};

/// The largest application body accepted, in bytes.
pub const MAX_APPLICATION: usize = 16 * 1024;
/// The largest draw request accepted, in bytes.
pub const MAX_SELECTION: usize = 64 * 1024;

/// Limits of an application's fields, in characters.
const MAX_NAME: usize = 100;
const MAX_CONTACT: usize = 200;
const MAX_GROUP: usize = 100;
const MAX_STATEMENT: usize = 5000;

/// `POST /api/v1/public/decisions/{id}/hearing/applications`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    name: String,
    contact: String,
    interest_group: String,
    statement: String,
    /// Self-declared; packs that bar civil servants refuse the application.
    #[serde(default)]
    civil_servant: bool,
}

/// `POST /api/v1/decisions/{id}/hearing/selection`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionBody {
    expected_version: i64,
    /// Seats per interest group.
    seats: BTreeMap<String, u32>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("hearing of decision {id}"))
}

/// What an applicant and the public may see of an application (never the contact or statement).
fn public_application(a: &HearingApplication) -> Value {
    json!({ "id": a.id, "interest_group": a.interest_group, "applied_at": rfc3339(a.created_at) })
}

/// `POST /api/v1/public/decisions/{id}/hearing/applications` — no login.
pub async fn apply(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(req.headers())?.ok_or_else(|| {
        ApiError::BadRequest(
            "Idempotency-Key: required, so that a retried application is stored once".into(),
        )
    })?;
    let body: ApplicationBody = json_body(req.headers(), payload, MAX_APPLICATION).await?;
    // The same per-address limit as the comment form: only the address's hash is kept.
    let address_hash = super::common::sender_hash(&state, &req, "hearing");
    if !state.comment_throttle.hit(&address_hash) {
        return Err(ApiError::TooManyRequests(
            "too many applications from this address; try again in a minute / 提交过于频繁，请稍后再试".into(),
        ));
    }
    let name = text("name", &body.name, MAX_NAME)?;
    let contact = text("contact", &body.contact, MAX_CONTACT)?;
    let interest_group = text("interest_group", &body.interest_group, MAX_GROUP)?;
    let statement = text("statement", &body.statement, MAX_STATEMENT)?;
    let request_hash = hex::encode(Sha256::digest(
        json!([name, contact, interest_group, statement, body.civil_servant])
            .to_string()
            .as_bytes(),
    ));
    let id = id.into_inner();
    let st = state.clone();
    let new = NewApplication {
        name,
        contact,
        interest_group,
        statement,
        civil_servant: body.civil_servant,
        key,
        request_hash,
    };
    let (stored, new) = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.write.get()?;
        Ok(hearings::apply(
            &mut conn,
            &engine(&st),
            &id,
            new,
            st.clock.now(),
        )?)
    })
    .await??;
    let mut res = if new {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(json!({
        "id": stored.id,
        "decision_id": stored.decision_id,
        "interest_group": stored.interest_group,
        "applied_at": rfc3339(stored.created_at),
        "status": "received",
        "replayed": !new,
    })))
}

/// `GET /api/v1/public/decisions/{id}/hearing` — no login: the notice, how participants are
/// chosen, the applicants (id and group only), and after the draw its seed, seats and list.
pub async fn public(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let body = web::block(move || -> Result<Value, ApiError> {
        let mut conn = st.db.read.get()?;
        let (row, r) = hearings::public_round(&mut conn, &id)?.ok_or_else(|| not_found(&id))?;
        let applications = db::hearing_applications_of(&mut conn, &row.id, r.number)?;
        let draw = db::hearing_selection(&mut conn, &row.id, r.number)?;
        let today = china_date(st.clock.now());
        let open = selection::applications_closed(&r, today).is_none();
        let draw = match draw {
            None => Value::Null,
            Some(s) => selection_view(&s, &applications)?,
        };
        Ok(json!({
            "decision": { "id": row.id, "title": row.title, "organ_id": row.organ_id },
            "round": r.number,
            "hearing_on": r.hearing_on,
            "place": r.place,
            "selection_method": r.selection_method,
            "random_selection_method": { "zh": selection::METHOD_ZH, "en": selection::METHOD_EN },
            "applications_open": open,
            "applicants": applications.iter().map(public_application).collect::<Vec<_>>(),
            "selection": draw,
            "participants": r.participants.as_ref().map(|(ps, seed)| json!({
                // How each came to take part: by the published draw, as an applicant chosen
                // without one, or invited with the reason recorded (第十六条第三款).
                "list": ps.iter().map(|p| json!({
                    "name": p.name,
                    "interest_group": p.interest_group,
                    "chosen_by": match (&p.invitation_reason, seed) {
                        (Some(_), _) => "invitation",
                        (None, Some(_)) => "draw",
                        (None, None) => "application",
                    },
                    "invitation_reason": p.invitation_reason,
                })).collect::<Vec<_>>(),
                "selection_seed": seed,
            })),
        }))
    })
    .await??;
    Ok(HttpResponse::Ok().json(body))
}

/// A recorded draw as published: seed, seats, and the chosen applicants in order.
fn selection_view(
    s: &HearingSelection,
    applications: &[HearingApplication],
) -> Result<Value, ApiError> {
    let seats: Value = serde_json::from_str(&s.seats)
        .map_err(|e| ApiError::Internal(format!("stored seats unreadable: {e}")))?;
    let chosen: Vec<String> = serde_json::from_str(&s.chosen)
        .map_err(|e| ApiError::Internal(format!("stored draw unreadable: {e}")))?;
    let list: Vec<Value> = chosen
        .iter()
        .filter_map(|cid| applications.iter().find(|a| &a.id == cid))
        .map(|a| {
            json!({
                "applicant_id": a.id,
                "name": a.name,
                "interest_group": a.interest_group,
                "key": selection::key(&s.seed, &a.id),
            })
        })
        .collect();
    Ok(json!({
        "seed": s.seed,
        "seats": seats,
        "drawn_at": rfc3339(s.created_at),
        "event_seq": s.event_seq,
        "chosen": list,
    }))
}

/// `POST /api/v1/decisions/{id}/hearing/selection` — the undertaking unit draws the participants
/// with a server-generated seed; the list goes through the engine as `hearing_participants`.
pub async fn select(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: SelectionBody = json_body(req.headers(), payload, MAX_SELECTION).await?;
    if body.seats.is_empty() {
        return Err(ApiError::Unprocessable(
            "seats: give the number of seats of at least one interest group".into(),
        ));
    }
    for (group, n) in &body.seats {
        if !(1..=1000).contains(n) {
            return Err(ApiError::Unprocessable(format!(
                "seats.{group}: between 1 and 1000"
            )));
        }
    }
    let id = id.into_inner();
    let st = state.clone();
    let out = web::block(move || -> Result<Value, ApiError> {
        let auth = authenticate(&mut *st.db.read.get()?, &bearer)?;
        let mut conn = st.db.write.get()?;
        let d = hearings::draw(
            &mut conn,
            &engine(&st),
            &auth,
            &id,
            body.expected_version,
            &body.seats,
            st.clock.now(),
        )?;
        let mut view = selection_view(&d.selection, &d.applications)?;
        view["decision_id"] = json!(d.applied.row.id);
        view["version"] = json!(d.applied.row.version);
        view["round"] = json!(d.round);
        view["events"] = json!(d.applied.events);
        Ok(view)
    })
    .await??;
    Ok(HttpResponse::Created().json(out))
}

/// `GET /api/v1/decisions/{id}/hearing/applications` — every application of the current round
/// with contact and statement, for those who may read the decision (to deliver materials).
pub async fn applications(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let items = web::block(move || -> Result<Vec<Value>, ApiError> {
        let auth = authenticate(&mut *st.db.read.get()?, &bearer)?;
        let mut conn = st.db.write.get()?;
        let (applications, shown) = personal_data::hearing_applications(
            &mut conn,
            &auth,
            &id,
            st.clock.now(),
        )?;
        Ok(applications
            .iter()
            .map(|a| {
                json!({
                    "id": a.id, "round": a.round, "name": a.name,
                    "contact": if shown { Value::String(a.contact.clone()) } else { Value::String(REDACTED.into()) },
                    "contact_redacted": !shown,
                    "interest_group": a.interest_group, "statement": a.statement,
                    "civil_servant": a.civil_servant, "applied_at": rfc3339(a.created_at),
                })
            })
            .collect())
    })
    .await??;
    Ok(HttpResponse::Ok().json(items))
}
