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

/// The keyset paging every list shares: a page holds at most `limit` items, and the cursor of
/// the next page is the (time, id) of the last one, written `RFC3339|id`.
pub mod keyset {
    use chrono::{DateTime, NaiveDateTime};

    use super::{rfc3339, ApiError};

    /// The cursor given as query parameter `name`, if any (400 naming it when it is not one).
    pub fn after(
        name: &str,
        value: Option<&str>,
    ) -> Result<Option<(NaiveDateTime, String)>, ApiError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let bad = || ApiError::BadRequest(format!("{name}: not a cursor from a previous page"));
        let (at, id) = value.split_once('|').ok_or_else(bad)?;
        let at = DateTime::parse_from_rfc3339(at).map_err(|_| bad())?;
        Ok(Some((at.naive_utc(), id.to_string())))
    }

    /// The page size asked for: `default` when absent, 400 outside 1..=`max`.
    pub fn limit(value: Option<i64>, default: i64, max: i64) -> Result<i64, ApiError> {
        let l = value.unwrap_or(default);
        if (1..=max).contains(&l) {
            Ok(l)
        } else {
            Err(ApiError::BadRequest(format!("limit: between 1 and {max}")))
        }
    }

    /// The cursor of the page after the item at `at` with `id`, as [`after`] reads it.
    pub fn cursor(at: NaiveDateTime, id: &str) -> String {
        format!("{}|{id}", rfc3339(at))
    }

    /// The cursor of the page after `rows` (none when the page is not full: the last page).
    pub fn next<R>(
        rows: &[R],
        limit: i64,
        key: impl Fn(&R) -> (NaiveDateTime, &str),
    ) -> Option<String> {
        rows.last()
            .filter(|_| i64::try_from(rows.len()).is_ok_and(|n| n == limit))
            .map(|r| {
                let (at, id) = key(r);
                cursor(at, id)
            })
    }
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
/// Behind a load balancer (`juece serve --trust-proxy [--trusted-proxies N]`) the address is
/// taken from the `X-Forwarded-For` hops the balancers appended; otherwise from the connection,
/// so that a client cannot pick its own address.
pub fn sender_hash(state: &AppState, req: &actix_web::HttpRequest, purpose: &str) -> String {
    use sha2::{Digest, Sha256};
    let address = client_address(state, req);
    hex::encode(Sha256::digest(
        format!("juece-{purpose}:{address}").as_bytes(),
    ))
}

/// The client's address: the peer, or behind `--trust-proxy` the right-most
/// `X-Forwarded-For` hop that none of the trusted proxies added (a client cannot choose it).
pub fn client_address(state: &AppState, req: &actix_web::HttpRequest) -> String {
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    crate::throttle::client_address(&peer, &forwarded, state.trusted_proxies)
}
