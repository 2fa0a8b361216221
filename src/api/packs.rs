//! Jurisdiction packs, as the engine enforces them.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::Auth;
use super::error::ApiError;
use crate::app::AppState;

/// `GET /api/v1/packs`
pub async fn list(state: web::Data<AppState>, _auth: Auth) -> HttpResponse {
    let packs: Vec<_> = state
        .packs
        .all()
        .map(|p| {
            json!({
                "id": p.id, "version": p.version, "effective_from": p.effective_from,
                "title": p.title, "extends": p.extends,
            })
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
