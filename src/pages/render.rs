//! Rendering: the handlebars registry (strict mode, HTML escaping on, templates embedded in the
//! binary), the one layout, the headers every page carries, and errors as HTML pages — never a
//! problem+json under the pages' paths.

use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use handlebars::Handlebars;
use serde::Serialize;
use serde_json::json;

use crate::api::error::ApiError;
use crate::service::ServiceError;

/// The templates, embedded in the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("templates/layout.hbs")),
    ("error", include_str!("templates/error.hbs")),
    ("violations", include_str!("templates/violations.hbs")),
    ("home", include_str!("templates/home.hbs")),
    ("consultations", include_str!("templates/consultations.hbs")),
    ("consultation", include_str!("templates/consultation.hbs")),
    (
        "comment_received",
        include_str!("templates/comment_received.hbs"),
    ),
    ("hearing", include_str!("templates/hearing.hbs")),
    (
        "application_received",
        include_str!("templates/application_received.hbs"),
    ),
    ("process", include_str!("templates/process.hbs")),
    (
        "feedback_received",
        include_str!("templates/feedback_received.hbs"),
    ),
    ("sign_in", include_str!("templates/sign_in.hbs")),
    ("dashboard", include_str!("templates/dashboard.hbs")),
    ("decision", include_str!("templates/decision.hbs")),
    ("catalogs", include_str!("templates/catalogs.hbs")),
    ("catalog", include_str!("templates/catalog.hbs")),
    (
        "catalog_revision",
        include_str!("templates/catalog_revision.hbs"),
    ),
    (
        "catalog_standing",
        include_str!("templates/catalog_standing.hbs"),
    ),
    ("catalog_items", include_str!("templates/catalog_items.hbs")),
    (
        "catalog_history",
        include_str!("templates/catalog_history.hbs"),
    ),
    (
        "console_catalogs",
        include_str!("templates/console_catalogs.hbs"),
    ),
    (
        "console_catalog",
        include_str!("templates/console_catalog.hbs"),
    ),
    ("item_fields", include_str!("templates/item_fields.hbs")),
    ("report", include_str!("templates/report.hbs")),
    ("experts", include_str!("templates/experts.hbs")),
    (
        "console_deadlines",
        include_str!("templates/console_deadlines.hbs"),
    ),
    (
        "console_webhooks",
        include_str!("templates/console_webhooks.hbs"),
    ),
    (
        "console_webhook",
        include_str!("templates/console_webhook.hbs"),
    ),
];

/// The templates that are also partials (included by others with `{{> name}}`).
const PARTIALS: &[&str] = &[
    "violations",
    "catalog_standing",
    "catalog_items",
    "catalog_history",
    "item_fields",
];

/// The stylesheet, served at [`STYLESHEET_PATH`].
pub const STYLESHEET: &str = include_str!("templates/site.css");
/// Where the stylesheet is served.
pub const STYLESHEET_PATH: &str = "/static/site.css";

/// The policy of every page: nothing inline (no script at all), nothing framed, forms post only
/// here.
pub const CSP: &str =
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

fn registry() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut h = Handlebars::new();
        // A template that names a field the view does not have is an error, not an empty string.
        h.set_strict_mode(true);
        h.set_dev_mode(false);
        for (name, source) in TEMPLATES {
            if let Err(e) = h.register_template_string(name, source) {
                tracing::error!("template {name}: {e}");
            }
            if PARTIALS.contains(name) {
                if let Err(e) = h.register_partial(name, source) {
                    tracing::error!("partial {name}: {e}");
                }
            }
        }
        h
    })
}

/// Whether every template compiles (the tests check it).
pub fn templates_compile() -> Result<(), String> {
    for (name, source) in TEMPLATES {
        handlebars::Template::compile(source).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// What the layout needs besides the page's own body.
#[derive(Serialize, Default)]
pub struct Chrome {
    /// The signed-in user's name, on console pages.
    pub user: Option<String>,
    /// The console's CSRF token, for the sign-out form.
    pub csrf: Option<String>,
    /// Whether the page belongs to the console.
    pub console: bool,
}

/// Render `template` with `data` inside the layout titled `title`.
pub fn page<T: Serialize>(
    template: &str,
    title: &str,
    chrome: &Chrome,
    data: &T,
) -> Result<String, PageError> {
    let body = registry()
        .render(template, data)
        .map_err(|e| PageError::Internal(format!("template {template}: {e}")))?;
    registry()
        .render(
            "layout",
            &json!({
                "title": title,
                "body": body,
                "user": chrome.user,
                "csrf": chrome.csrf,
                "console": chrome.console,
                "stylesheet": STYLESHEET_PATH,
            }),
        )
        .map_err(|e| PageError::Internal(format!("layout: {e}")))
}

/// A response builder with the headers every page carries.
pub fn builder(status: StatusCode) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.content_type("text/html; charset=utf-8")
        .insert_header(("content-security-policy", CSP))
        .insert_header(("referrer-policy", "same-origin"))
        .insert_header(("x-frame-options", "DENY"))
        // Pages show state that changes with every command, and the console's are personal.
        .insert_header(("cache-control", "no-store"));
    b
}

/// A rendered page with `status`.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    builder(status).body(body)
}

/// See other: where a form's result is shown (post/redirect/get).
pub fn see_other(location: &str) -> HttpResponse {
    let mut b = builder(StatusCode::SEE_OTHER);
    b.insert_header(("location", location.to_string()));
    b.finish()
}

/// Why a page could not be shown, rendered as an HTML page with the status.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// 400
    #[error("{0}")]
    BadRequest(String),
    /// 403 (also a form without its CSRF token)
    #[error("{0}")]
    Forbidden(String),
    /// 404
    #[error("{0}")]
    NotFound(String),
    /// 413
    #[error("{0}")]
    TooLarge(String),
    /// 429
    #[error("{0}")]
    TooMany(String),
    /// Not signed in to the console: to the sign-in page.
    #[error("sign in first")]
    SignIn,
    /// 503
    #[error("{0}")]
    Unavailable(String),
    /// 500: logged, never shown in detail.
    #[error("{0}")]
    Internal(String),
    /// Whatever status the API's error has (a refusal, a stale version…), with its message.
    #[error("{1}")]
    Status(StatusCode, String),
}

/// What a page says of invalid input whose message has no Chinese.
pub const INVALID: &str = "填写的内容无效，请核对后重新提交。";
/// What a page says of a refusal of rights whose message has no Chinese.
pub const FORBIDDEN: &str = "无权进行此操作。";

/// The Chinese of a message the service and the API write `field: English / 中文` (either half
/// first): the last ` / `-separated part with Chinese in it, without the field's name; `fallback`
/// when the message has no Chinese. Pages show Chinese; the API shows both.
pub fn zh(message: &str, fallback: &str) -> String {
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let unnamed = |s: &str| -> String {
        match s.split_once(": ") {
            Some((f, rest)) if !f.is_empty() && f.chars().all(|c| c.is_ascii_graphic()) => {
                rest.trim().to_string()
            }
            _ => s.trim().to_string(),
        }
    };
    message
        .split(" / ")
        .filter(|p| cjk(p))
        .last()
        .map(unnamed)
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Internal(m) => PageError::Internal(m),
            ApiError::Unauthorized(_) => PageError::SignIn,
            ApiError::NotFound(_) => PageError::NotFound("页面不存在或不公开".into()),
            other => {
                let message = zh(&other.to_string(), other.title_zh());
                PageError::Status(other.status_code(), message)
            }
        }
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl From<diesel::r2d2::PoolError> for PageError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        PageError::Unavailable(format!("数据库暂不可用 / the database is unavailable: {e}"))
    }
}

impl From<diesel::result::Error> for PageError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(e).into()
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            PageError::SignIn => StatusCode::SEE_OTHER,
            PageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            PageError::Status(s, _) => *s,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageError::SignIn = self {
            return see_other("/console/sign-in");
        }
        let status = self.status_code();
        let message = match self {
            PageError::Internal(m) => {
                tracing::error!("page error: {m}");
                "服务器内部错误，请稍后再试。".to_string()
            }
            other => other.to_string(),
        };
        let title = match status.as_u16() {
            400 | 422 => "请求无效",
            403 => "无权访问",
            404 => "页面不存在",
            409 => "操作未能完成",
            413 => "提交内容过大",
            429 => "提交过于频繁",
            503 => "服务暂不可用",
            _ => "出错了",
        };
        let data = json!({ "status": status.as_u16(), "title": title, "message": message });
        let body = page("error", title, &Chrome::default(), &data).unwrap_or_else(|e| {
            tracing::error!("error page: {e}");
            format!(
                "<!doctype html><title>{}</title><p>{}</p>",
                status.as_u16(),
                title
            )
        });
        html(status, body)
    }
}

/// A place in a kept page for what differs on every request (a CSRF token, a form's key): the
/// page is rendered once with the hole and the value written into it on each request. The hole
/// carries a secret of this process, so no text a user wrote can stand for it.
pub fn hole(name: &str) -> String {
    static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let nonce = NONCE.get_or_init(|| hex::encode(rand::random::<[u8; 16]>()));
    format!("hole-{name}-{nonce}")
}

/// A kept page with its holes filled. Values are tokens (letters, digits, `-`); anything else
/// is left out rather than written into the page. One pass over the page, one copy of it.
pub fn fill(kept: &str, values: &[(&str, &str)]) -> String {
    const MARK: &str = "hole-";
    let holes: Vec<(String, &str)> = values
        .iter()
        .map(|(name, value)| {
            let safe = value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            (hole(name), if safe { *value } else { "" })
        })
        .collect();
    let mut out = String::with_capacity(kept.len() + 64 * values.len());
    let mut rest = kept;
    let finder = memchr::memmem::Finder::new(MARK);
    while let Some(at) = finder.find(rest.as_bytes()) {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        match holes.iter().find(|(h, _)| tail.starts_with(h.as_str())) {
            Some((h, value)) => {
                out.push_str(value);
                rest = tail.get(h.len()..).unwrap_or_default();
            }
            None => {
                out.push_str(MARK);
                rest = tail.get(MARK.len()..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// A query-string value, percent-encoded: every byte but RFC 3986's unreserved characters
/// (letters, digits, `-`, `_`, `.`, `~`).
pub(crate) fn encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod encode_tests {
    #[test]
    fn a_query_value_keeps_only_the_unreserved_characters() {
        assert_eq!(
            super::encode("2026-11-30 08:00:00.5|a_b~c/中?&=#+"),
            "2026-11-30%2008%3A00%3A00.5%7Ca_b~c%2F%E4%B8%AD%3F%26%3D%23%2B"
        );
    }
}
