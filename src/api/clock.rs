//! The server's clock; in simulation mode, moving it forward.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::error::ApiError;
use super::extract::Body;
use crate::app::AppState;

/// The server's clock.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ClockView {
    /// The server's time now (RFC 3339, UTC).
    pub now: String,
    /// Whether the clock is simulated (`juece serve --simulated-clock`) and may be moved forward.
    pub simulated: bool,
}

/// `GET /api/v1/clock`
pub async fn get(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(ClockView {
        now: state.clock.now().to_rfc3339(),
        simulated: state.clock.is_simulated(),
    })
}

/// How far to move.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Days.
    #[serde(default)]
    days: i64,
    /// Seconds.
    #[serde(default)]
    seconds: i64,
}

/// `POST /api/v1/clock/advance` — only with `juece serve --simulated-clock`.
pub async fn advance(
    state: web::Data<AppState>,
    _auth: Auth,
    body: Body<Advance>,
) -> Result<HttpResponse, ApiError> {
    if !state.clock.is_simulated() {
        return Err(ApiError::Forbidden(
            "the clock is real; start the server with --simulated-clock to move it".into(),
        ));
    }
    let seconds = body
        .days
        .checked_mul(86_400)
        .and_then(|d| d.checked_add(body.seconds))
        .filter(|s| (0..=10 * 365 * 86_400).contains(s))
        .ok_or_else(|| {
            ApiError::Unprocessable("days/seconds must move forward, by at most ten years".into())
        })?;
    let now = state
        .clock
        .advance(seconds)
        .ok_or_else(|| ApiError::Unprocessable("the clock only moves forward".into()))?;
    Ok(HttpResponse::Ok().json(ClockView {
        now: now.to_rfc3339(),
        simulated: true,
    }))
}
