//! Webhooks (issue 12): an organ's staff register endpoints (URL, event kinds; the server makes
//! the secret and shows it once), list and delete them, and read each one's deliveries with
//! their attempts and last error. See docs/WEBHOOKS.md for the signature and the payloads.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::auth::{authenticate, Bearer};
use super::common::rfc3339;
use super::error::ApiError;
use super::extract::Body;
use crate::app::AppState;
use crate::db::outbox::Webhook;
use crate::service::outbox::{self as service, NewWebhook};

/// `POST /api/v1/webhooks`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Create {
    /// The organ whose events it receives (the caller is its `organ_staff`).
    pub organ_id: String,
    /// Where to POST: an http or https URL, at most 2000 characters.
    pub url: String,
    /// The event kinds: stage_started, stage_completed, command_refused, deadline_due,
    /// deadline_overdue, decision_adopted, decision_published, catalog_published.
    pub kinds: Vec<String>,
}

/// An endpoint as its organ's staff see it (never its secret).
#[derive(Serialize, schemars::JsonSchema)]
pub struct WebhookView {
    /// Its id.
    pub id: String,
    /// The organ.
    pub organ_id: String,
    /// Where deliveries go.
    pub url: String,
    /// The event kinds it receives.
    pub kinds: Vec<String>,
    /// When registered (RFC 3339).
    pub created_at: String,
}

/// A new endpoint, with its secret: shown this once, never again.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CreatedView {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret (HMAC-SHA256 key of `X-Juece-Signature`); keep it, it is not shown again.
    pub secret: String,
}

/// One delivery of an event to an endpoint.
#[derive(Serialize, schemars::JsonSchema)]
pub struct DeliveryView {
    /// Its id (sent as `X-Juece-Delivery`).
    pub id: String,
    /// The event's id (the payload's `id`).
    pub event_id: String,
    /// The event kind.
    pub kind: String,
    /// The decision, if the event is of one.
    pub decision_id: Option<String>,
    /// pending, delivered, failed (attempts exhausted) or cancelled (endpoint deleted).
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// The next attempt (RFC 3339), while pending.
    pub next_attempt_at: Option<String>,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i32>,
    /// The last error.
    pub last_error: Option<String>,
    /// When delivered (RFC 3339).
    pub delivered_at: Option<String>,
    /// When the event was written (RFC 3339).
    pub created_at: String,
}

/// `GET /api/v1/webhooks/{id}/deliveries`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// At most this many, newest first (1–500, default 100).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// The view of a stored endpoint.
pub fn view(h: &Webhook) -> WebhookView {
    WebhookView {
        id: h.id.clone(),
        organ_id: h.organ_id.clone(),
        url: h.url.clone(),
        kinds: service::kinds_of(h),
        created_at: rfc3339(h.created_at),
    }
}

/// `POST /api/v1/webhooks` — the organ's `organ_staff`; 201 with the secret, shown once.
pub async fn create(
    state: web::Data<AppState>,
    bearer: Bearer,
    body: Body<Create>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let st = state.clone();
    let hook = web::block(move || -> Result<Webhook, ApiError> {
        let mut conn = st.db.write.get()?;
        let auth = authenticate(&st, &bearer)?;
        let new = NewWebhook {
            organ_id: body.organ_id,
            url: body.url.trim().to_string(),
            kinds: body.kinds,
        };
        Ok(service::create(&mut conn, &auth, new, st.clock.now())?)
    })
    .await??;
    Ok(HttpResponse::Created().json(CreatedView {
        webhook: view(&hook),
        secret: hook.secret.clone(),
    }))
}

/// `GET /api/v1/webhooks` — the endpoints of the organs where the caller is `organ_staff`.
pub async fn list(state: web::Data<AppState>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let hooks = web::block(move || -> Result<Vec<Webhook>, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        Ok(service::list(&mut conn, &auth)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(hooks.iter().map(view).collect::<Vec<_>>()))
}

/// `DELETE /api/v1/webhooks/{id}` — its organ's staff; pending deliveries are cancelled.
pub async fn delete(
    state: web::Data<AppState>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let st = state.clone();
    web::block(move || -> Result<(), ApiError> {
        let mut conn = st.db.write.get()?;
        let auth = authenticate(&st, &bearer)?;
        Ok(service::delete(&mut conn, &auth, &id, st.clock.now())?)
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/webhooks/{id}/deliveries` — its organ's staff: attempts, status, last error.
pub async fn deliveries(
    state: web::Data<AppState>,
    bearer: Bearer,
    path: web::Path<String>,
    q: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let limit = super::common::keyset::limit(q.limit, 100, 500)?;
    let st = state.clone();
    let rows = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        Ok(service::deliveries(&mut conn, &auth, &id, limit)?)
    })
    .await??;
    let items: Vec<DeliveryView> = rows
        .into_iter()
        .map(|(d, e)| DeliveryView {
            next_attempt_at: (d.status == "pending").then(|| rfc3339(d.next_attempt_at)),
            id: d.id,
            event_id: e.id,
            kind: e.kind,
            decision_id: e.decision_id,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            delivered_at: d.delivered_at.map(rfc3339),
            created_at: rfc3339(d.created_at),
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}
