//! Execution tracking through the API: a decision's timeline for those who may read it, and the
//! public's views on an adopted decision (第三十五条第二款; no login; the same size and rate
//! limits as a comment).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::auth::Auth;
use super::common::{engine, sender_hash};
use super::error::ApiError;
use super::extract::Body;
use super::limits;
use crate::app::AppState;
use crate::service::execution::{self as service, FeedbackReceipt};

/// A view of the public on a decision or its execution.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackForm {
    /// The view (意见建议). Names and contacts are not taken: the record keeps the text for
    /// good, so it should hold none.
    pub body: String,
}

/// `GET /api/v1/decisions/{id}/execution`
pub async fn timeline(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let view = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.read.get()?;
        Ok(service::timeline(
            &mut conn,
            &engine(&st),
            &auth,
            &id,
            st.clock.now(),
        )?)
    })
    .await??;
    Ok(HttpResponse::Ok().json(view))
}

/// `POST /api/v1/public/decisions/{id}/feedback` — no login.
pub async fn feedback(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    form: Body<FeedbackForm>,
) -> Result<HttpResponse, ApiError> {
    let receipt = receive_feedback(&state, &req, id.into_inner(), form.into_inner().body).await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// A view of the public through the checks every public form shares (size, rate per address),
/// then into the decision's record: the API's route and the portal's form alike.
pub async fn receive_feedback(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    id: String,
    body: String,
) -> Result<FeedbackReceipt, ApiError> {
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(ApiError::Unprocessable("body: the view is empty".into()));
    }
    if body.chars().count() > limits::TEXT {
        return Err(ApiError::Unprocessable(format!(
            "body: at most {} characters",
            limits::TEXT
        )));
    }
    // The address itself is not kept; the limit is the comment form's, counted apart.
    if !state
        .comment_throttle
        .hit(&sender_hash(state, req, "feedback"))
    {
        return Err(ApiError::TooManyRequests(
            "too many views from this address; try again in a minute / 提交过于频繁，请稍后再试"
                .into(),
        ));
    }
    let st = state.clone();
    let receipt = web::block(move || -> Result<_, ApiError> {
        let mut conn = st.db.write.get()?;
        Ok(service::public_feedback(
            &mut conn,
            &engine(&st),
            &id,
            &body,
            st.clock.now(),
        )?)
    })
    .await??;
    Ok(receipt)
}
