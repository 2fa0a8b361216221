//! What keeps the forms honest: CSRF tokens (a double-submit cookie on the public forms and the
//! sign-in form; a token bound to the session on the console's forms), the console's session
//! cookie (the same sessions as the API's bearer tokens), and reading a form body with a limit.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::render::PageError;
use crate::app::AppState;

/// The cookie that holds the public forms' CSRF token.
pub const CSRF_COOKIE: &str = "juece_csrf";
/// The console's session cookie: the session token, as the API's bearer token is.
pub const SESSION_COOKIE: &str = "juece_session";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// A fresh random token (256 bits, hex).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether the request came over HTTPS (directly, or through a trusted load balancer).
pub fn is_https(state: &AppState, req: &HttpRequest) -> bool {
    req.app_config().secure()
        || (state.trusted_proxies > 0
            && req.connection_info().scheme().eq_ignore_ascii_case("https"))
}

fn cookie<'c>(name: &'c str, value: String, path: &'c str, secure: bool) -> Cookie<'c> {
    Cookie::build(name, value)
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// The public CSRF token of the request's cookie, or a new one with the cookie to set.
pub fn public_token(state: &AppState, req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    match req.cookie(CSRF_COOKIE).map(|c| c.value().to_string()) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => (t, None),
        _ => {
            let t = random_token();
            let c = cookie(CSRF_COOKIE, t.clone(), "/", is_https(state, req)).into_owned();
            (t, Some(c))
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    // Compared in constant time: a token is a secret.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn refused() -> PageError {
    PageError::Forbidden(
        "表单已失效或来源不明（缺少防伪令牌），请返回页面刷新后重新提交。 / The form's CSRF token is missing or wrong: reload the page and send it again."
            .into(),
    )
}

/// A public form's token must equal its cookie's (double submit; the cookie is SameSite=Strict).
fn check_public(req: &HttpRequest, form_token: Option<&str>) -> Result<(), PageError> {
    let cookie = req.cookie(CSRF_COOKIE).map(|c| c.value().to_string());
    match (cookie, form_token) {
        (Some(c), Some(f)) if !c.is_empty() && same(&c, f) => Ok(()),
        _ => Err(refused()),
    }
}

/// The console's CSRF token: bound to the session, so a form of one session is no use in
/// another, and nothing more needs storing.
pub fn console_token(session: &str) -> String {
    hex::encode(Sha256::digest(
        format!("juece-console-csrf\n{session}").as_bytes(),
    ))
}

/// A console form's token must be its session's.
fn check_console(session: &str, form_token: Option<&str>) -> Result<(), PageError> {
    match form_token {
        Some(f) if same(&console_token(session), f) => Ok(()),
        _ => Err(refused()),
    }
}

/// The session cookie for `token`: HttpOnly, SameSite=Strict, only under /console, Secure over
/// HTTPS.
pub fn session_cookie(state: &AppState, req: &HttpRequest, token: String) -> Cookie<'static> {
    cookie(SESSION_COOKIE, token, "/console", is_https(state, req)).into_owned()
}

/// A cookie that removes the session cookie.
pub fn session_removal(state: &AppState, req: &HttpRequest) -> Cookie<'static> {
    let mut c = session_cookie(state, req, String::new());
    c.make_removal();
    c
}

/// The session token of the request, if any.
pub fn session(req: &HttpRequest) -> Option<String> {
    req.cookie(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 128)
}

/// A console form, read within `limit` bytes and refused without the session's CSRF token: no
/// console route can read a form without the check.
pub async fn console_form(
    payload: web::Payload,
    limit: usize,
    session: &str,
) -> Result<Vec<(String, String)>, PageError> {
    let form = form(payload, limit).await?;
    check_console(session, field(&form, CSRF_FIELD))?;
    Ok(form)
}

/// A public form, read within `limit` bytes and refused without the double-submit CSRF token.
pub async fn public_form(
    payload: web::Payload,
    limit: usize,
    req: &HttpRequest,
) -> Result<Vec<(String, String)>, PageError> {
    let form = form(payload, limit).await?;
    check_public(req, field(&form, CSRF_FIELD))?;
    Ok(form)
}

/// A form body (`application/x-www-form-urlencoded`) as its fields in order, at most `limit`
/// bytes (413 page beyond).
async fn form(mut payload: web::Payload, limit: usize) -> Result<Vec<(String, String)>, PageError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| PageError::BadRequest(format!("表单读取失败: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(PageError::TooLarge(format!(
                "提交的内容超过 {} KB，请缩短后再提交。",
                limit / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| PageError::BadRequest("表单不是 UTF-8 编码".into()))?;
    // The query-string decoder is the form decoder (both are urlencoded).
    web::Query::<Vec<(String, String)>>::from_query(text)
        .map(web::Query::into_inner)
        .map_err(|e| PageError::BadRequest(format!("表单格式错误: {e}")))
}

/// The first value of `name` in a form.
pub fn field<'f>(form: &'f [(String, String)], name: &str) -> Option<&'f str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
