//! Small pieces every resource module uses: required text fields, timestamps, the sender's
//! address hash, and the engine handle of the application state.

use chrono::NaiveDateTime;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::ApiError;
use crate::app::AppState;
use crate::service::Engine;

/// One page of a keyset-paged list: the items, and the cursor of the next page (none: the last).
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Page_of_{T}")]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Give it as the cursor parameter for the next page.
    pub next: Option<String>,
}

/// A time as the API writes it (RFC 3339, UTC).
pub fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339()
}

/// A required text field: trimmed, not empty, at most `max` characters (422 naming the field).
pub fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::Unprocessable(format!(
            "{field}: must not be empty"
        )));
    }
    if v.chars().count() > max {
        return Err(ApiError::Unprocessable(format!(
            "{field}: at most {max} characters"
        )));
    }
    Ok(v.to_string())
}

/// The engine's packs and calendar, as the service takes them.
pub fn engine(state: &AppState) -> Engine<'_> {
    Engine {
        packs: &state.packs,
        calendar: &state.calendar,
    }
}

/// The hash of the sender's address, for per-address limits; the address itself is not kept.
/// Behind a load balancer (`juece serve --trust-proxy`) the address is taken from the
/// `Forwarded` / `X-Forwarded-For` header the balancer sets; otherwise from the connection, so
/// that a client cannot pick its own address.
pub fn sender_hash(state: &AppState, req: &actix_web::HttpRequest, purpose: &str) -> String {
    use sha2::{Digest, Sha256};
    let address = if state.trust_proxy {
        req.connection_info()
            .realip_remote_addr()
            .unwrap_or_default()
            .to_string()
    } else {
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    };
    hex::encode(Sha256::digest(
        format!("juece-{purpose}:{address}").as_bytes(),
    ))
}
