//! Sign-in (argon2 password → bearer token, stored hashed) and the [`Auth`] extractor that every
//! protected handler takes.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::Duration;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use crate::app::AppState;
use crate::db::rows::{Session, User, UserRole};
use crate::db::store;
use crate::db::DbConn;

/// How long a token lives.
pub const TOKEN_HOURS: i64 = 12;

/// Hash a password with argon2id.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("juece-no-such-user").unwrap_or_default())
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The signed-in user and their roles.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The user.
    pub user: User,
    /// Their roles per organ.
    pub roles: Vec<UserRole>,
    token_hash: String,
}

impl Auth {
    /// Whether the user has `role` at `organ_id`.
    pub fn has(&self, role: &str, organ_id: &str) -> bool {
        self.roles
            .iter()
            .any(|r| r.role == role && r.organ_id == organ_id)
    }
    /// The organs where the user has any role.
    pub fn organs(&self) -> Vec<String> {
        let mut v: Vec<String> = self.roles.iter().map(|r| r.organ_id.clone()).collect();
        v.sort();
        v.dedup();
        v
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
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        std::future::ready(token.map(Bearer).ok_or_else(|| {
            ApiError::Unauthorized("sign in first: send Authorization: Bearer <token>".into())
        }))
    }
}

/// Check a bearer token: the user of a live session and their roles.
pub fn authenticate(conn: &mut DbConn, bearer: &Bearer) -> Result<Auth, ApiError> {
    let hash = token_hash(&bearer.0);
    // Sessions are security, not procedure: they follow the wall clock, not a simulated one.
    let now = store::stored_time(chrono::Utc::now());
    let (user, roles) = store::session_with_roles(conn, &hash, now)?
        .ok_or_else(|| ApiError::Unauthorized("the token is unknown or expired".into()))?;
    Ok(Auth {
        user,
        roles,
        token_hash: hash,
    })
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
            web::block(move || {
                let mut conn = state.db.read.get()?;
                authenticate(&mut conn, &bearer)
            })
            .await?
        })
    }
}

/// Credentials.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
}

/// A role held in an organ.
#[derive(Serialize)]
struct RoleView<'a> {
    organ_id: &'a str,
    role: &'a str,
}

fn me_json(user: &User, roles: &[UserRole]) -> serde_json::Value {
    serde_json::json!({
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": roles.iter().map(|r| RoleView { organ_id: &r.organ_id, role: &r.role }).collect::<Vec<_>>(),
    })
}

/// `POST /api/v1/session`
pub async fn sign_in(
    state: web::Data<AppState>,
    body: web::Json<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let SignIn { username, password } = body.into_inner();
    if username.len() > 200 || password.len() > 1000 {
        return Err(ApiError::Unprocessable(
            "username or password too long".into(),
        ));
    }
    if !state.sign_in.allowed(&username) {
        return Err(ApiError::TooManyRequests(format!(
            "too many failed sign-ins for {username}; wait 15 minutes"
        )));
    }
    let db = state.db.clone();
    let now = chrono::Utc::now();
    let name = username.clone();
    let result = web::block(
        move || -> Result<Option<(String, User, Vec<UserRole>)>, ApiError> {
            let mut conn = db.write.get()?;
            let Some(user) = store::user_by_username(&mut conn, &name)? else {
                // Spend the same time as a real check, so timing does not reveal usernames.
                let _ = verify_password(&password, dummy_hash());
                return Ok(None);
            };
            if !verify_password(&password, &user.password_hash) {
                return Ok(None);
            }
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            let token = hex::encode(bytes);
            store::insert_session(
                &mut conn,
                &Session {
                    token_hash: token_hash(&token),
                    user_id: user.id.clone(),
                    created_at: store::stored_time(now),
                    expires_at: store::stored_time(now + Duration::hours(TOKEN_HOURS)),
                },
            )?;
            let roles = store::roles_of(&mut conn, &user.id)?;
            // Expired tokens are of no use to anyone: drop them while we are here.
            store::delete_expired_sessions(&mut conn, store::stored_time(now))?;
            Ok(Some((token, user, roles)))
        },
    )
    .await??;
    match result {
        Some((token, user, roles)) => {
            state.sign_in.succeeded(&username);
            let mut body = me_json(&user, &roles);
            body["token"] = serde_json::json!(token);
            body["expires_in"] = serde_json::json!(TOKEN_HOURS * 3600);
            Ok(HttpResponse::Ok().json(body))
        }
        None => {
            state.sign_in.failed(&username);
            Err(ApiError::Unauthorized(
                "wrong username or password / 用户名或密码错误".into(),
            ))
        }
    }
}

/// `DELETE /api/v1/session`
pub async fn sign_out(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    web::block(move || -> Result<(), ApiError> {
        let mut conn = db.write.get()?;
        Ok(store::delete_session(&mut conn, &auth.token_hash)?)
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/me`
pub async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(me_json(&auth.user, &auth.roles))
}
