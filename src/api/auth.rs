//! Sign-in over HTTP (the accounts service checks the password and makes the token) and the
//! [`Auth`] extractor that every protected handler takes.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::extract::Body;
use crate::access::Principal;
use crate::app::AppState;
use crate::db::rows::{User, UserRole};
use crate::service::accounts::{self, token_hash, TOKEN_HOURS};
use crate::service::ServiceError;
use crate::throttle::{SignInLimiter, SignInRefusal};

/// The signed-in user and their roles.
#[derive(Debug, Clone)]
pub struct Auth {
    /// Who.
    pub principal: Principal,
    token_hash: String,
}

impl Deref for Auth {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

/// The bearer token of a request, not yet checked. Handlers that do their whole unit of work in
/// one `web::block` take this and call [`authenticate`] inside it (one thread hop, not two).
#[derive(Debug, Clone)]
pub struct Bearer(String);

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Bearer, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` is `Bearer`.
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_string())
            .filter(|t| !t.is_empty());
        std::future::ready(token.map(Bearer).ok_or_else(|| {
            ApiError::Unauthorized("sign in first: send Authorization: Bearer <token>".into())
        }))
    }
}

/// The user of a bearer token.
pub fn authenticate(state: &AppState, bearer: &Bearer) -> Result<Auth, ApiError> {
    let hash = token_hash(&bearer.0);
    let principal = state
        .sessions
        .authenticate(&state.db, &hash, chrono::Utc::now())?;
    Ok(Auth {
        principal,
        token_hash: hash,
    })
}

/// The user of a bearer token from this process's memory alone (no database, no blocking
/// thread), or `None`: then [`authenticate`] answers.
pub fn authenticate_kept(state: &AppState, bearer: &Bearer) -> Option<Arc<Principal>> {
    state
        .sessions
        .kept(&token_hash(&bearer.0), chrono::Utc::now())
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Auth, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = Bearer::from_request(req, payload).into_inner();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no application state".into()))?;
            let bearer = bearer?;
            web::block(move || authenticate(&state, &bearer)).await?
        })
    }
}

/// `POST /api/v1/session`
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
}

/// A role of the user at an organ.
#[derive(Serialize, schemars::JsonSchema)]
pub struct RoleView {
    /// The organ.
    pub organ_id: String,
    /// The role there, `organ_staff`, `undertaking`, `legality_reviewer`, `head` or `inspector`.
    pub role: String,
}

/// The signed-in user (`GET /api/v1/me`).
#[derive(Serialize, schemars::JsonSchema)]
pub struct MeView {
    /// The user's id.
    pub id: String,
    /// The sign-in name.
    pub username: String,
    /// The name shown.
    pub display_name: String,
    /// Every role of the user, per organ.
    pub roles: Vec<RoleView>,
}

/// A signed-in session (`POST /api/v1/session`): the user and the bearer token.
#[derive(Serialize, schemars::JsonSchema)]
pub struct SessionView {
    /// The signed-in user.
    #[serde(flatten)]
    pub user: MeView,
    /// The bearer token: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

fn me_view(user: &User, roles: &[UserRole]) -> MeView {
    MeView {
        id: user.id.clone(),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        roles: roles
            .iter()
            .map(|r| RoleView {
                organ_id: r.organ_id.clone(),
                role: r.role.clone(),
            })
            .collect(),
    }
}

/// `POST /api/v1/session` — a bearer token for a username and password.
///
/// A slot of the sign-in limits (per address, then per username) is taken before the password
/// is checked, so concurrent guesses cannot overrun them; the check holds no database
/// connection (see `accounts::sign_in`).
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let SignIn { username, password } = body.into_inner();
    if username.len() > 200 || password.len() > 1000 {
        return Err(ApiError::Unprocessable(
            "username or password too long".into(),
        ));
    }
    match attempt(&state, &req, &username, password).await? {
        SignInOutcome::Signed(token, user, roles) => {
            // A token is a secret: no cache keeps it.
            Ok(HttpResponse::Ok()
                .insert_header(("cache-control", "no-store"))
                .json(SessionView {
                    user: me_view(&user, &roles),
                    token,
                    expires_in: TOKEN_HOURS * 3600,
                }))
        }
        SignInOutcome::Wrong => Err(ApiError::Unauthorized(
            "wrong username or password / 用户名或密码错误".into(),
        )),
        SignInOutcome::Throttled(refusal) => {
            let minutes = SignInLimiter::WINDOW.as_secs() / 60;
            Err(ApiError::TooManyRequests(match refusal {
                SignInRefusal::Address => format!(
                    "too many failed sign-ins from this address; wait up to {minutes} minutes / 登录失败次数过多，请稍后再试"
                ),
                SignInRefusal::Username => format!(
                    "too many failed sign-ins for {username}; wait up to {minutes} minutes / 登录失败次数过多，请稍后再试"
                ),
            }))
        }
    }
}

/// What a sign-in attempt came to.
pub enum SignInOutcome {
    /// Signed in: the token, the user and their roles.
    Signed(String, User, Vec<UserRole>),
    /// Wrong username or password (the throttle slot stays taken).
    Wrong,
    /// Too many failures from this address or for this username.
    Throttled(SignInRefusal),
}

/// One sign-in attempt, the same for the API and the console's form: a throttle slot per address
/// and per username taken before checking, the password checked off the writer by at most half
/// the cores, the slot given back when the storage (not the sender) failed (503).
pub async fn attempt(
    state: &AppState,
    req: &HttpRequest,
    username: &str,
    password: String,
) -> Result<SignInOutcome, ApiError> {
    let address = super::common::sender_hash(state, req, "sign-in");
    if let Err(refusal) = state.sign_in.begin(&address, username) {
        return Ok(SignInOutcome::Throttled(refusal));
    }
    let db = state.db.clone();
    let now = chrono::Utc::now();
    let name = username.to_string();
    // Half the cores at most check passwords; the rest serve everyone else.
    let permit = state.sign_in.checks.acquire().await;
    let result = web::block(move || accounts::sign_in(&db, &name, &password, now)).await;
    drop(permit);
    match result? {
        Ok(Some((token, user, roles))) => {
            state.sign_in.succeeded(&address, username);
            Ok(SignInOutcome::Signed(token, user, roles))
        }
        // The slot stays taken: it counts as a failure.
        Ok(None) => Ok(SignInOutcome::Wrong),
        // The storage failed, not the sender: give the slot back, and say "try again" (503).
        Err(e) => {
            state.sign_in.abandoned(&address, username);
            Err(match e {
                ServiceError::Db(e) => ApiError::Unavailable(format!("sign-in storage: {e}")),
                other => other.into(),
            })
        }
    }
}

/// `DELETE /api/v1/session` — revoke the token.
pub async fn sign_out(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    web::block(move || -> Result<(), ApiError> {
        let mut conn = st.db.write.get()?;
        Ok(accounts::sign_out(
            &mut conn,
            &st.sessions,
            &auth.token_hash,
        )?)
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/me`
pub async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(me_view(&auth.user, &auth.roles))
}
