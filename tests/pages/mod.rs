//! The pages through HTTP: every page's status and key content, escaping of what the public
//! writes, CSRF, cookie flags and the security headers; and (in `browser`) the same in headless
//! Chromium.

mod browser;
mod catalogs;
mod console;
mod execution;
mod outbox;
mod portal;
mod registry;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test;
use juece::procedure::state::{Command, Fact};

/// A page as the browser would get it.
pub struct Page {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The `Set-Cookie` header that sets `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// `name=value` of a cookie the page sets (for the next request's `Cookie` header).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookie(name)
            .and_then(|c| c.split(';').next().map(str::to_string))
    }

    /// The CSRF token of the page's (first) form.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find(r#"name="csrf" value=""#)
            .unwrap_or_else(|| panic!("no CSRF field on the page: {}", self.body));
        let from = at + r#"name="csrf" value=""#.len();
        self.body[from..from + 64].to_string()
    }

    pub fn content_type(&self) -> String {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

/// GET `uri` with `cookie` (a `Cookie` header value).
pub async fn get<S, B>(app: &S, uri: &str, cookie: &str) -> Page
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut req = test::TestRequest::get().uri(uri);
    if !cookie.is_empty() {
        req = req.insert_header(("cookie", cookie.to_string()));
    }
    call(app, req).await
}

/// POST a form to `uri` with `cookie`.
pub async fn post<S, B>(app: &S, uri: &str, cookie: &str, form: &[(&str, &str)]) -> Page
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = test::TestRequest::post()
        .uri(uri)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(body);
    if !cookie.is_empty() {
        req = req.insert_header(("cookie", cookie.to_string()));
    }
    call(app, req).await
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn call<S, B>(app: &S, req: test::TestRequest) -> Page
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = test::read_body(res).await;
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The walk stops before the first public comment: the consultation is open.
pub fn until_comments(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

/// Sign in to the console as `username` (test password); the session cookie.
pub async fn sign_in<S, B>(app: &S, username: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let form = get(app, "/console/sign-in", "").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf_cookie = form.cookie("juece_csrf").expect("a CSRF cookie");
    let res = post(
        app,
        "/console/sign-in",
        &csrf_cookie,
        &[
            ("csrf", &form.csrf()),
            ("username", username),
            ("password", "secret"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.headers.get("location").unwrap(), "/console/");
    res.cookie("juece_session").expect("a session cookie")
}
