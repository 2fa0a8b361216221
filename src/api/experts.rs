//! 专家库 (第二十一条): each organ that keeps a registry (usually the provincial government) adds,
//! lists, searches and deactivates its experts; an expert chosen for a decision must be an
//! active expert of the registry of the decision organ or of one of its parent organs
//! (第二十一条第三款: a lower government may use its superior's registry). The conflict-of-interest
//! declaration travels in the `expert_selected` fact, which the engine judges (第二十条).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::auth::{authenticate, Auth, Bearer};
use super::common::{keyset, rfc3339, Page};
use super::error::ApiError;
use super::extract::{idempotency_key, json_body};
use crate::app::AppState;
use crate::db::rows::Expert;
use crate::db::{accounts, registry, DbConn};
use crate::procedure::state::{Command, Fact};
use crate::procedure::Event;
use crate::service::commands::Order;
use crate::service::decisions as service;
use crate::service::experts;

/// The largest body accepted by these endpoints, in bytes.
pub const MAX_BODY: usize = limits::SMALL_BODY;

use super::limits::{self, FIELD as MAX_FIELD, TEXT as MAX_DECLARATION};

/// `POST /api/v1/experts`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExpert {
    /// The organ whose registry this is.
    organ_id: String,
    name: String,
    /// Fields of expertise (专业领域).
    fields: Vec<String>,
    #[serde(default)]
    organisation: Option<String>,
}

/// `POST /api/v1/experts/{id}/deactivate`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deactivate {
    reason: String,
}

/// `GET /api/v1/experts`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// One registry (the caller has a role at it or at an organ below it).
    #[serde(default)]
    organ_id: Option<String>,
    /// The registries a decision may draw on (its organ's and its parents').
    #[serde(default)]
    decision_id: Option<String>,
    /// Part of a field of expertise.
    #[serde(default)]
    field: Option<String>,
    /// Include deactivated experts (default: only active ones).
    #[serde(default)]
    include_inactive: bool,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
}

/// `POST /api/v1/decisions/{id}/experts`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Select {
    expected_version: i64,
    /// The expert's id in the registry.
    expert_id: String,
    /// The field the expert is chosen for (one of theirs); default: all their fields.
    #[serde(default)]
    field: Option<String>,
    /// Declared direct interest in the matter (第二十条 bars them; the engine refuses).
    direct_interest: bool,
    /// The declaration text.
    declaration: String,
}

fn fields_of(e: &Expert) -> Vec<String> {
    serde_json::from_str(&e.fields).unwrap_or_default()
}

/// An expert of a registry as the API shows it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ExpertView {
    /// The expert's id in the registry.
    pub id: String,
    /// The organ whose registry it is.
    pub organ_id: String,
    /// Name.
    pub name: String,
    /// The expert's organisation, if given.
    pub organisation: Option<String>,
    /// Fields of expertise (专业领域).
    pub fields: Vec<String>,
    /// Whether the expert may be chosen (not deactivated).
    pub active: bool,
    /// When added (RFC 3339).
    pub created_at: String,
    /// When taken out of service (RFC 3339).
    pub deactivated_at: Option<String>,
    /// Why taken out of service.
    pub deactivation_reason: Option<String>,
}

/// An expert chosen for a decision's expert review.
#[derive(Serialize, schemars::JsonSchema)]
pub struct SelectedView {
    /// The decision.
    pub decision_id: String,
    /// The decision's version after it.
    pub version: i64,
    /// The expert chosen, as the registry holds them.
    pub expert: ExpertView,
    /// The events the engine appended (`expert_selected`).
    pub events: Vec<Event>,
}

/// An expert as the API shows it.
pub fn view(e: &Expert) -> ExpertView {
    ExpertView {
        id: e.id.clone(),
        organ_id: e.organ_id.clone(),
        name: e.name.clone(),
        organisation: e.organisation.clone(),
        fields: fields_of(e),
        active: e.active,
        created_at: rfc3339(e.created_at),
        deactivated_at: e.deactivated_at.map(rfc3339),
        deactivation_reason: e.deactivation_reason.clone(),
    }
}

/// Whether the user may read the registry of `organ_id`: a role at it or at an organ below it.
fn may_read_registry(conn: &mut DbConn, auth: &Auth, organ_id: &str) -> Result<bool, ApiError> {
    Ok(experts::may_read_registry(conn, auth, organ_id)?)
}

/// `POST /api/v1/experts` — `organ_staff` of the registry's organ. A retry with the same
/// `Idempotency-Key` returns the expert already added.
pub async fn add(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(req.headers())?;
    let body: NewExpert = json_body(req.headers(), payload, MAX_BODY).await?;
    let st = state.clone();
    let (expert, new) = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.write.get()?;
        let auth = authenticate(&st, &bearer)?;
        let new = experts::NewExpert {
            organ_id: body.organ_id,
            name: body.name,
            fields: body.fields,
            organisation: body.organisation,
            idempotency_key: key,
        };
        Ok(experts::add(&mut conn, &auth, new, st.clock.now())?)
    })
    .await??;
    let mut res = if new {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(view(&expert)))
}

/// `GET /api/v1/experts?organ_id=|decision_id=&field=&include_inactive=&before=&limit=`
pub async fn search(
    state: web::Data<AppState>,
    bearer: Bearer,
    q: web::Query<Search>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = keyset::limit(q.limit, 100, 500)?;
    let before = keyset::after("before", q.before.as_deref())?;
    let field = match q.field.as_deref().map(str::trim) {
        Some(f) if f.chars().count() > MAX_FIELD => {
            return Err(ApiError::BadRequest(format!(
                "field: at most {MAX_FIELD} characters"
            )))
        }
        Some("") | None => None,
        Some(f) => Some(f.to_string()),
    };
    let st = state.clone();
    let rows = web::block(move || -> Result<Vec<Expert>, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        let registries = match (&q.organ_id, &q.decision_id) {
            (Some(organ), None) => {
                if !may_read_registry(&mut conn, &auth, organ)? {
                    return Err(ApiError::Forbidden(format!(
                        "no role at organ {organ} or below it / 无权查看该专家库"
                    )));
                }
                vec![organ.clone()]
            }
            (None, Some(id)) => {
                let row = service::readable(&mut conn, &auth, id)?.row;
                accounts::organ_and_parents(&mut conn, &row.organ_id)?
            }
            _ => {
                return Err(ApiError::BadRequest(
                    "give exactly one of organ_id and decision_id".into(),
                ))
            }
        };
        Ok(registry::search_experts(
            &mut conn,
            &registries,
            field.as_deref(),
            !q.include_inactive,
            before,
            limit,
        )?)
    })
    .await??;
    let next = keyset::next(&rows, limit, |e| (e.created_at, e.id.as_str()));
    Ok(HttpResponse::Ok().json(Page {
        items: rows.iter().map(view).collect(),
        next,
    }))
}

/// `GET /api/v1/experts/{id}`
pub async fn get(
    state: web::Data<AppState>,
    bearer: Bearer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let expert = web::block(move || -> Result<Expert, ApiError> {
        let mut conn = st.db.read.get()?;
        let auth = authenticate(&st, &bearer)?;
        let e = registry::expert(&mut conn, &id)?
            .ok_or_else(|| ApiError::NotFound(format!("expert {id}")))?;
        if !may_read_registry(&mut conn, &auth, &e.organ_id)? {
            return Err(ApiError::NotFound(format!("expert {id}")));
        }
        Ok(e)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view(&expert)))
}

/// `POST /api/v1/experts/{id}/deactivate` — `organ_staff` of the registry's organ. The expert
/// stays in the registry (past selections name them) but can no longer be chosen. Repeating it
/// changes nothing.
pub async fn deactivate(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: Deactivate = json_body(req.headers(), payload, MAX_BODY).await?;
    let id = id.into_inner();
    let st = state.clone();
    let expert = web::block(move || -> Result<Expert, ApiError> {
        let mut conn = st.db.write.get()?;
        let auth = authenticate(&st, &bearer)?;
        Ok(experts::deactivate(
            &mut conn,
            &auth,
            &id,
            &body.reason,
            st.clock.now(),
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view(&expert)))
}

/// `POST /api/v1/decisions/{id}/experts` — the undertaking unit chooses an expert of the
/// registry for the expert review; name and organisation come from the registry, the
/// declaration from the request, and the engine judges the fact.
pub async fn select(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: Select = json_body(req.headers(), payload, MAX_BODY).await?;
    if body.declaration.chars().count() > MAX_DECLARATION {
        return Err(ApiError::Unprocessable(format!(
            "declaration: at most {MAX_DECLARATION} characters"
        )));
    }
    let id = id.into_inner();
    let st = state.clone();
    let out = web::block(move || -> Result<SelectedView, ApiError> {
        let auth = authenticate(&st, &bearer)?;
        // The registry's name, organisation and fields are filled in by the engine's admission
        // (第二十一条), the same for this route and for `/commands`.
        let command = Command::Record {
            fact: Fact::ExpertSelected {
                expert_id: body.expert_id.clone(),
                name: String::new(),
                field: body.field.clone().unwrap_or_default(),
                organisation: None,
                direct_interest: body.direct_interest,
                declaration: body.declaration.trim().to_string(),
                outside_registry: None,
            },
        };
        let applied = st.writer.submit_blocking(Order {
            who: auth.principal,
            decision_id: id,
            expected_version: body.expected_version,
            command,
            draft_content: None,
            packs: st.packs.clone(),
            calendar: st.calendar.clone(),
        })?;
        let expert = registry::expert(&mut *st.db.read.get()?, &body.expert_id)?
            .ok_or_else(|| ApiError::NotFound(format!("expert {}", body.expert_id)))?;
        Ok(SelectedView {
            decision_id: applied.row.id,
            version: applied.row.version,
            expert: view(&expert),
            events: applied.events,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(out))
}
