//! The console's signed-in user: the session cookie's token, checked by the accounts service
//! as the API checks a bearer token.

use actix_web::{web, HttpRequest};

use super::render::{Chrome, PageError};
use super::security;
use crate::access::Principal;
use crate::app::AppState;
use crate::service::accounts::token_hash;
use crate::service::ServiceError;

/// The signed-in user of a console request.
pub struct Session {
    /// Who.
    pub principal: Principal,
    /// The session token (the cookie's value).
    pub token: String,
}

impl Session {
    /// The layout's header for this user.
    pub fn chrome(&self) -> Chrome {
        Chrome {
            user: Some(self.principal.user.display_name.clone()),
            csrf: Some(security::console_token(&self.token)),
            console: true,
        }
    }
}

/// The signed-in user of the request; to the sign-in page when there is none.
pub async fn session(state: &AppState, req: &HttpRequest) -> Result<Session, PageError> {
    let token = security::session(req).ok_or(PageError::SignIn)?;
    let st = state.clone();
    let hash = token_hash(&token);
    let principal = web::block(move || -> Result<Principal, PageError> {
        st.sessions
            .authenticate(&st.db, &hash, chrono::Utc::now())
            .map_err(|e| match e {
                ServiceError::Unauthorized(_) => PageError::SignIn,
                other => other.into(),
            })
    })
    .await??;
    Ok(Session { principal, token })
}
