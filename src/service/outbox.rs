//! Webhooks through the one door (issue 12): an organ's staff register, list and delete
//! endpoints and read their deliveries; the events webhooks report are written to the outbox
//! here, by the unit of work of the event itself (same transaction), or on their own for a
//! refused command (its transaction was rolled back).

use chrono::{DateTime, NaiveDateTime, Utc};
use rand::RngCore;
use serde_json::{json, Value};

use super::ServiceError;
use crate::access::{role, Principal};
use crate::db::outbox::{self, Delivery, OutboxEntry, Webhook};
use crate::db::rows::DecisionRow;
use crate::db::{new_id, stored_time, DbConn};
use crate::procedure::state::{stage, EventKind};
use crate::procedure::{Event, Violation};

/// The kinds of event an endpoint may ask for.
pub const KINDS: [&str; 8] = [
    STAGE_STARTED,
    STAGE_COMPLETED,
    COMMAND_REFUSED,
    DEADLINE_DUE,
    DEADLINE_OVERDUE,
    DECISION_ADOPTED,
    DECISION_PUBLISHED,
    CATALOG_PUBLISHED,
];
/// A stage was entered.
pub const STAGE_STARTED: &str = "stage_started";
/// A stage was completed.
pub const STAGE_COMPLETED: &str = "stage_completed";
/// A command was refused by the procedure.
pub const COMMAND_REFUSED: &str = "command_refused";
/// A deadline is due soon.
pub const DEADLINE_DUE: &str = "deadline_due";
/// A deadline has passed.
pub const DEADLINE_OVERDUE: &str = "deadline_overdue";
/// The decision was adopted.
pub const DECISION_ADOPTED: &str = "decision_adopted";
/// The decision was published (第三十二条).
pub const DECISION_PUBLISHED: &str = "decision_published";
/// The annual catalog was published.
pub const CATALOG_PUBLISHED: &str = "catalog_published";

/// The longest URL an endpoint may have.
pub const MAX_URL: usize = 2000;

/// Write one entry (of a new key; a key written before is left alone).
pub fn enqueue(
    conn: &mut DbConn,
    organ_id: &str,
    kind: &str,
    key: Option<String>,
    decision_id: Option<&str>,
    data: Value,
    at: NaiveDateTime,
) -> Result<bool, ServiceError> {
    let id = new_id();
    let payload = json!({
        "id": id,
        "kind": kind,
        "organ_id": organ_id,
        "decision_id": decision_id,
        "occurred_at": at.and_utc().to_rfc3339(),
        "data": data,
    });
    Ok(outbox::enqueue(
        conn,
        &OutboxEntry {
            event_key: key.unwrap_or_else(|| id.clone()),
            id,
            organ_id: organ_id.into(),
            kind: kind.into(),
            decision_id: decision_id.map(str::to_string),
            payload: payload.to_string(),
            created_at: at,
        },
    )?)
}

/// The entries of an accepted command, in its transaction: stages started and completed, the
/// adoption and the publication, for the decision organ's endpoints.
pub fn record_decision_events(
    conn: &mut DbConn,
    row: &DecisionRow,
    events: &[Event],
    adopted_now: bool,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    let base = |extra: Value| {
        let mut v = json!({ "title": row.title, "version": row.version });
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        v
    };
    for e in events {
        match &e.kind {
            EventKind::StageStarted { stage } => {
                let data = base(json!({ "stage": stage.as_str() }));
                enqueue(
                    conn,
                    &row.organ_id,
                    STAGE_STARTED,
                    None,
                    Some(&row.id),
                    data,
                    at,
                )?;
            }
            EventKind::StageCompleted { stage: s } => {
                let data = base(json!({ "stage": s.as_str() }));
                enqueue(
                    conn,
                    &row.organ_id,
                    STAGE_COMPLETED,
                    None,
                    Some(&row.id),
                    data,
                    at,
                )?;
                if s.as_str() == stage::PUBLICATION {
                    let data = base(json!({}));
                    enqueue(
                        conn,
                        &row.organ_id,
                        DECISION_PUBLISHED,
                        None,
                        Some(&row.id),
                        data,
                        at,
                    )?;
                }
            }
            _ => {}
        }
    }
    if adopted_now {
        let data = base(json!({ "adopted_on": row.adopted_on }));
        enqueue(
            conn,
            &row.organ_id,
            DECISION_ADOPTED,
            None,
            Some(&row.id),
            data,
            at,
        )?;
    }
    Ok(())
}

/// A refused command, written on its own (the command's transaction was rolled back).
pub fn record_refusal(
    conn: &mut DbConn,
    row: &DecisionRow,
    command: &str,
    violations: &[Violation],
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let data = json!({ "title": row.title, "command": command, "violations": violations });
    enqueue(
        conn,
        &row.organ_id,
        COMMAND_REFUSED,
        None,
        Some(&row.id),
        data,
        stored_time(at),
    )?;
    Ok(())
}

/// What registering an endpoint names.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// The organ whose events it receives.
    pub organ_id: String,
    /// Where to POST.
    pub url: String,
    /// The kinds of event.
    pub kinds: Vec<String>,
}

/// The URL checked: http or https, a host, at most [`MAX_URL`] characters, no spaces.
pub fn check_url(url: &str) -> Result<(), ServiceError> {
    let bad = |why: &str| {
        Err(ServiceError::Invalid(format!(
            "url: {why} / 网址须为 http 或 https 地址"
        )))
    };
    if url.len() > MAX_URL {
        return bad(&format!("at most {MAX_URL} characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("no spaces or control characters");
    }
    let rest = match url.split_once("://") {
        Some(("http" | "https", rest)) => rest,
        _ => return bad("the scheme must be http or https"),
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() || host.starts_with(':') {
        return bad("a host is needed");
    }
    // An address written out that no webhook is ever sent to (the delivery worker checks every
    // address a name resolves to as it sends; loopback depends on the server's settings there).
    let literal = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if let Ok(ip) = literal.parse::<std::net::IpAddr>() {
        if let Some(why) = crate::delivery::refused(ip, true) {
            return Err(ServiceError::Invalid(format!(
                "url: {ip} is {why}: a webhook is not sent there / 不向该地址投递"
            )));
        }
    }
    Ok(())
}

/// Register an endpoint: its organ's staff only. Returns it with its secret (shown this once).
pub fn create(
    conn: &mut DbConn,
    who: &Principal,
    new: NewWebhook,
    now: DateTime<Utc>,
) -> Result<Webhook, ServiceError> {
    if !who.has(role::ORGAN_STAFF, &new.organ_id) {
        return Err(ServiceError::Forbidden(
            "registering a webhook needs the organ_staff role at organ_id / 仅本机关工作人员可登记"
                .into(),
        ));
    }
    check_url(&new.url)?;
    let mut kinds: Vec<&str> = Vec::new();
    for k in &new.kinds {
        match KINDS.iter().find(|known| *known == k) {
            Some(known) => kinds.push(known),
            None => {
                return Err(ServiceError::Invalid(format!(
                    "kinds: unknown event kind \"{k}\" (known: {}) / 未知事件类型",
                    KINDS.join(", ")
                )))
            }
        }
    }
    if kinds.is_empty() {
        return Err(ServiceError::Invalid(
            "kinds: name at least one event kind / 至少选择一种事件".into(),
        ));
    }
    kinds.sort_by_key(|k| KINDS.iter().position(|x| x == k));
    kinds.dedup();
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let hook = Webhook {
        id: new_id(),
        organ_id: new.organ_id,
        url: new.url,
        secret: format!("whsec_{}", hex::encode(bytes)),
        kinds: format!(",{},", kinds.join(",")),
        created_by: who.user.id.clone(),
        created_at: stored_time(now),
        deleted_at: None,
    };
    outbox::insert_webhook(conn, &hook)?;
    Ok(hook)
}

/// The endpoints of the organs where the caller is staff.
pub fn list(conn: &mut DbConn, who: &Principal) -> Result<Vec<Webhook>, ServiceError> {
    let organs: Vec<String> = who
        .roles
        .iter()
        .filter(|r| r.role == role::ORGAN_STAFF)
        .map(|r| r.organ_id.clone())
        .collect();
    Ok(outbox::webhooks_of(conn, &organs)?)
}

/// An endpoint the caller manages (staff of its organ); others are told it is not there.
pub fn managed(conn: &mut DbConn, who: &Principal, id: &str) -> Result<Webhook, ServiceError> {
    outbox::webhook(conn, id)?
        .filter(|h| h.deleted_at.is_none() && who.has(role::ORGAN_STAFF, &h.organ_id))
        .ok_or_else(|| ServiceError::NotFound(format!("webhook {id}")))
}

/// Delete an endpoint; its pending deliveries are cancelled, its history kept.
pub fn delete(
    conn: &mut DbConn,
    who: &Principal,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let hook = managed(conn, who, id)?;
    outbox::delete_webhook(conn, &hook.id, stored_time(now))?;
    Ok(())
}

/// The deliveries to an endpoint the caller manages, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    who: &Principal,
    id: &str,
    limit: i64,
) -> Result<Vec<(Delivery, OutboxEntry)>, ServiceError> {
    let hook = managed(conn, who, id)?;
    Ok(outbox::deliveries_of(conn, &hook.id, limit)?)
}

/// The kinds of a stored endpoint.
pub fn kinds_of(hook: &Webhook) -> Vec<String> {
    hook.kinds
        .split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}
