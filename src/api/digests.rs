//! `GET /api/v1/public/digests`: the record's seals, for anyone to keep and compare.

use actix_web::{web, HttpResponse};
use schemars::JsonSchema;
use serde::Deserialize;

use super::error::ApiError;
use crate::app::AppState;
use crate::service::digests;

/// `GET /api/v1/public/digests`
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestQuery {
    /// Seals after this number (default 0: from the first).
    #[serde(default)]
    #[schemars(range(min = 0))]
    after: i64,
    /// How many (1..=500, default 100).
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 500))]
    limit: i64,
}

fn default_limit() -> i64 {
    100
}

/// `GET /api/v1/public/digests`
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<DigestQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    if !(1..=digests::MOST_PER_PAGE).contains(&q.limit) || q.after < 0 {
        return Err(ApiError::BadRequest(format!(
            "limit: from 1 to {0}; after: 0 or more / limit 应为 1 至 {0}，after 应不小于 0",
            digests::MOST_PER_PAGE
        )));
    }
    let st = state.clone();
    let page = web::block(move || -> Result<digests::SealPage, ApiError> {
        let mut conn = st.db.read.get()?;
        Ok(digests::page(&mut conn, q.after, q.limit)?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(page))
}
