//! Small pieces every resource module uses: loading a decision the caller may read, its pack and
//! state, required text fields, timestamps.

use chrono::NaiveDateTime;

use super::access;
use super::auth::Auth;
use super::error::ApiError;
use crate::app::AppState;
use crate::db::rows::DecisionRow;
use crate::db::{store, DbConn};
use crate::procedure::{Decision, Pack};

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

/// The pack version a decision is pinned to.
pub fn pack_of<'a>(state: &'a AppState, row: &DecisionRow) -> Result<&'a Pack, ApiError> {
    state
        .packs
        .get(&row.pack_id, &row.pack_version)
        .ok_or_else(|| {
            ApiError::Unavailable(format!(
                "pack {}@{} is not loaded on this server",
                row.pack_id, row.pack_version
            ))
        })
}

/// A decision's state from its stored snapshot.
pub fn parse_state(row: &DecisionRow) -> Result<Decision, ApiError> {
    serde_json::from_str(&row.state)
        .map_err(|e| ApiError::Internal(format!("stored state unreadable: {e}")))
}

/// A decision the user may read, with its legality unit. Outsiders get 404, not 403: whether a
/// decision exists is itself not for them.
pub fn readable_decision(
    conn: &mut DbConn,
    auth: &Auth,
    id: &str,
) -> Result<(DecisionRow, Option<String>), ApiError> {
    let row =
        store::decision(conn, id)?.ok_or_else(|| ApiError::NotFound(format!("decision {id}")))?;
    let legality_unit = store::organ(conn, &row.organ_id)?.and_then(|o| o.legality_unit_id);
    if !access::can_read(auth, &row, legality_unit.as_deref()) {
        return Err(ApiError::NotFound(format!("decision {id}")));
    }
    Ok((row, legality_unit))
}

/// The actor for `command` on a decision: the role it needs at the decision's organ, lead unit or
/// legality review unit, or 403 naming that role.
pub fn actor_on(
    auth: &Auth,
    row: &DecisionRow,
    legality_unit: Option<&str>,
    command: &crate::procedure::Command,
) -> Result<crate::db::store::Actor, ApiError> {
    let parties = access::Parties {
        organ: &row.organ_id,
        lead_unit: &row.lead_unit_id,
        legality_unit,
    };
    access::actor(auth, &parties, command)
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
