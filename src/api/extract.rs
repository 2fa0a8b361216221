//! Request helpers shared by every resource: a size-limited JSON body that names the field it
//! cannot take, and the `Idempotency-Key` header.

use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::web;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::ApiError;

/// The header that makes a retried request count once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The longest idempotency key, in bytes.
const MAX_KEY: usize = super::limits::KEY;

/// Read a JSON body of at most `limit` bytes: 413 over it, 400 malformed, 422 wrong fields.
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
    serde_json::from_slice(&bytes).map_err(|e| {
        if e.is_data() {
            let field = culprit::<T>(&bytes).map_or_else(String::new, |f| format!("{f}: "));
            ApiError::Unprocessable(format!("{field}invalid field: {e}"))
        } else {
            ApiError::BadRequest(format!("malformed JSON: {e}"))
        }
    })
}

/// The top-level member whose value `T` cannot take: the one whose removal leaves the body
/// merely missing it. serde's type errors give a position, not a name.
fn culprit<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(bytes) else {
        return None;
    };
    obj.keys().find_map(|k| {
        let mut without = obj.clone();
        without.remove(k);
        match serde_json::from_value::<T>(Value::Object(without)) {
            Ok(_) => Some(k.clone()),
            Err(e) if e.to_string().starts_with(&format!("missing field `{k}`")) => Some(k.clone()),
            Err(_) => None,
        }
    })
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
