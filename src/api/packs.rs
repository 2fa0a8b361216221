//! Jurisdiction packs, as the engine enforces them.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::error::ApiError;
use crate::app::AppState;
use crate::procedure::pack::Text;

/// A pack version in the list.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PackSummary {
    /// Pack id, e.g. `national`, `zhejiang`.
    pub id: String,
    /// Version, e.g. `2019.1`.
    pub version: String,
    /// In force for decisions started on or after this date.
    pub effective_from: NaiveDate,
    /// Title in Chinese and English.
    pub title: Text,
    /// The pack it extends, as `id@version`.
    pub extends: Option<String>,
}

/// `GET /api/v1/packs`
pub async fn list(state: web::Data<AppState>, _auth: Auth) -> HttpResponse {
    let packs: Vec<PackSummary> = state
        .packs
        .all()
        .map(|p| PackSummary {
            id: p.id.clone(),
            version: p.version.clone(),
            effective_from: p.effective_from,
            title: p.title.clone(),
            extends: p.extends.clone(),
        })
        .collect();
    HttpResponse::Ok().json(packs)
}

/// `?version=`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Version {
    version: Option<String>,
}

/// `GET /api/v1/packs/{id}`
pub async fn get(
    state: web::Data<AppState>,
    _auth: Auth,
    id: web::Path<String>,
    q: web::Query<Version>,
) -> Result<HttpResponse, ApiError> {
    let pack = match &q.version {
        Some(v) => state.packs.get(&id, v),
        None => state.packs.latest(&id),
    };
    pack.map(|p| HttpResponse::Ok().json(p))
        .ok_or_else(|| ApiError::NotFound(format!("pack {id}")))
}
