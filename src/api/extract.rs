//! Request helpers shared by every resource: a size-limited JSON body that names the field it
//! cannot take, and the `Idempotency-Key` header.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The header that makes a retried request count once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The longest idempotency key, in bytes.
const MAX_KEY: usize = super::limits::KEY;

/// Read a JSON body of at most `limit` bytes: 413 over it, 400 malformed, 422 naming the field
/// a value does not fit (its path, e.g. `command.fact.opens_at`).
pub async fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    let json_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json_type {
        return Err(ApiError::BadRequest(
            "the body must be JSON (Content-Type: application/json)".into(),
        ));
    }
    let bytes = payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| ApiError::TooLarge(limit))?
        .map_err(|e| ApiError::BadRequest(format!("cannot read the body: {e}")))?;
    parse(&bytes)
}

/// Whether a JSON value holds a string with the NUL character anywhere.
fn holds_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(holds_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// JSON into `T`, naming the path of the field that does not fit. A text with the NUL character
/// is refused (422): no backend stores it, and PostgreSQL fails on it.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // In valid JSON a NUL can only be written as the escape `\u0000`; only a body holding that
    // sequence is parsed a second time to see whether it is in a text (and not `\\u0000`).
    let maybe_nul = bytes
        .windows(6)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|b| *b == b'0'));
    if maybe_nul {
        let v = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_or_default();
        if holds_nul(&v) {
            return Err(ApiError::Unprocessable(
                "a text field contains the NUL character (\\u0000), which cannot be stored".into(),
            ));
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let at = if path == "." {
                String::new()
            } else {
                format!("{path}: ")
            };
            ApiError::Unprocessable(format!("{at}invalid field: {inner}"))
        } else {
            ApiError::BadRequest(format!("malformed JSON: {inner}"))
        }
    })?;
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// A JSON body (at most [`super::limits::JSON_BODY`] bytes), read by [`json_body`]: the one JSON
/// extractor of the API.
pub struct Body<T>(pub T);

impl<T> Body<T> {
    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Body<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Body<T>, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let headers = req.headers().clone();
        let payload = web::Payload::from_request(req, payload).into_inner();
        Box::pin(async move {
            let payload = payload.map_err(|e| ApiError::BadRequest(e.to_string()))?;
            json_body(&headers, payload, super::limits::JSON_BODY)
                .await
                .map(Body)
        })
    }
}

/// The `Idempotency-Key` header: `Ok(None)` when absent, 400 when unusable.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY && k.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "Idempotency-Key: 1 to {MAX_KEY} visible ASCII characters"
            ))
        })?;
    Ok(Some(key.to_string()))
}
