//! The server's clock; in simulation mode, moving it forward (staff only, recorded).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::auth::Auth;
use super::error::ApiError;
use super::extract::Body;
use crate::app::AppState;
use crate::db::clock_advances::{self, ClockAdvance};
use crate::db::{new_id, stored_time};

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

/// `POST /api/v1/clock/advance` — only with `juece serve --simulated-clock`, and only by the
/// server operator's people: a user with the `organ_staff` role at some organ and no
/// `inspector` role anywhere (an inspector checks deadlines; one who could move the clock could
/// make them pass). Each move is recorded (`clock_advances`: who, when, how far).
pub async fn advance(
    state: web::Data<AppState>,
    auth: Auth,
    body: Body<Advance>,
) -> Result<HttpResponse, ApiError> {
    if !state.clock.is_simulated() {
        return Err(ApiError::Forbidden(
            "the clock is real; start the server with --simulated-clock to move it".into(),
        ));
    }
    if auth.has_anywhere("inspector") {
        return Err(ApiError::Forbidden(
            "an inspector may not move the clock / 监督人员不得调整时钟".into(),
        ));
    }
    let organ_id = auth
        .roles
        .iter()
        .find(|r| r.role == "organ_staff")
        .map(|r| r.organ_id.clone())
        .ok_or_else(|| {
            ApiError::Forbidden(
                "moving the simulated clock needs the organ_staff role / 仅机关工作人员可调整模拟时钟"
                    .into(),
            )
        })?;
    let seconds = body
        .days
        .checked_mul(86_400)
        .and_then(|d| d.checked_add(body.seconds))
        .filter(|s| (0..=10 * 365 * 86_400).contains(s))
        .ok_or_else(|| {
            ApiError::Unprocessable("days/seconds must move forward, by at most ten years".into())
        })?;
    let record = ClockAdvance {
        id: new_id(),
        user_id: auth.user.id.clone(),
        organ_id,
        seconds,
        simulated_to: stored_time(state.clock.now() + chrono::Duration::seconds(seconds)),
        at: stored_time(chrono::Utc::now()),
    };
    let db = state.db.clone();
    // Recorded first: a move nobody could answer for does not happen.
    web::block(move || -> Result<(), ApiError> {
        let mut conn = db.write.get()?;
        clock_advances::record(&mut conn, &record)
            .map_err(|e| ApiError::Unavailable(format!("recording the clock move: {e}")))
    })
    .await??;
    tracing::warn!(user = %auth.user.username, seconds, "simulated clock moved forward");
    let now = state
        .clock
        .advance(seconds)
        .ok_or_else(|| ApiError::Unprocessable("the clock only moves forward".into()))?;
    Ok(HttpResponse::Ok().json(ClockView {
        now: now.to_rfc3339(),
        simulated: true,
    }))
}
