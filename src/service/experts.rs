//! The expert registry (专家库, 第二十一条) through the one door: adding an expert and taking one
//! out of service, for `POST /api/v1/experts`, `POST /api/v1/experts/{id}/deactivate` and the
//! console's registry page alike. A registry is kept by its organ's staff; it is read by anyone
//! with a role at that organ or at an organ below it (第二十一条第三款: a lower government may use
//! its superior's registry).

use chrono::{DateTime, Utc};

use super::ServiceError;
use crate::access::{role, Principal};
use crate::api::limits::{FIELD, FIELDS, NAME, ORGANISATION, REASON};
use crate::db::rows::Expert;
use crate::db::{accounts, new_id, registry, stored_time, DbConn};

/// An expert as a form or a request gives them.
#[derive(Debug, Clone, Default)]
pub struct NewExpert {
    /// The organ whose registry this is.
    pub organ_id: String,
    /// Name.
    pub name: String,
    /// Fields of expertise (专业领域), at least one.
    pub fields: Vec<String>,
    /// The expert's organisation, if given.
    pub organisation: Option<String>,
    /// A retry with the same key returns the expert already added.
    pub idempotency_key: Option<String>,
}

/// A text field: trimmed, not empty, at most `max` characters (422 naming the field, in English
/// and Chinese).
fn text(field: &str, zh: &str, value: &str, max: usize) -> Result<String, ServiceError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "{field}: must not be empty / 请填写{zh}"
        )));
    }
    if v.chars().count() > max {
        return Err(ServiceError::Invalid(format!(
            "{field}: at most {max} characters / {zh}最多 {max} 个字"
        )));
    }
    Ok(v.to_string())
}

/// 403 unless the user is `organ_staff` of the registry's organ.
pub fn registry_staff(who: &Principal, organ_id: &str) -> Result<(), ServiceError> {
    if who.has(role::ORGAN_STAFF, organ_id) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "the expert registry of organ {organ_id} is kept by its organ_staff / 无权管理该专家库"
        )))
    }
}

/// Whether the user may read the registry of `organ_id`: a role at it or at an organ below it.
pub fn may_read_registry(
    conn: &mut DbConn,
    who: &Principal,
    organ_id: &str,
) -> Result<bool, ServiceError> {
    for own in who.organs() {
        if accounts::organ_and_parents(conn, &own)?
            .iter()
            .any(|o| o == organ_id)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The registries the user may read: those of their organs and of the organs above them.
pub fn readable_registries(
    conn: &mut DbConn,
    who: &Principal,
) -> Result<Vec<String>, ServiceError> {
    let mut out: Vec<String> = Vec::new();
    for own in who.organs() {
        for o in accounts::organ_and_parents(conn, &own)? {
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    Ok(out)
}

/// Add an expert to the registry of `new.organ_id` (its `organ_staff` only). Returns the stored
/// expert and whether it is new (false: a retry with the same idempotency key).
pub fn add(
    conn: &mut DbConn,
    who: &Principal,
    new: NewExpert,
    now: DateTime<Utc>,
) -> Result<(Expert, bool), ServiceError> {
    let name = text("name", "姓名", &new.name, NAME)?;
    let organisation = match &new.organisation {
        Some(o) if !o.trim().is_empty() => Some(text("organisation", "工作单位", o, ORGANISATION)?),
        _ => None,
    };
    if new.fields.is_empty() || new.fields.len() > FIELDS {
        return Err(ServiceError::Invalid(format!(
            "fields: 1 to {FIELDS} fields of expertise / 请填写 1 至 {FIELDS} 个专业领域"
        )));
    }
    let mut fields: Vec<String> = Vec::new();
    for (i, f) in new.fields.iter().enumerate() {
        let f = text(&format!("fields[{i}]"), "专业领域", f, FIELD)?;
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    if accounts::organ(conn, &new.organ_id)?.is_none() {
        return Err(ServiceError::Invalid(format!(
            "organ_id: no organ {} / 没有该机关",
            new.organ_id
        )));
    }
    registry_staff(who, &new.organ_id)?;
    let expert = Expert {
        id: new_id(),
        organ_id: new.organ_id,
        name,
        organisation,
        fields: serde_json::to_string(&fields)
            .map_err(|e| ServiceError::Invalid(format!("fields: {e}")))?,
        active: true,
        idempotency_key: new.idempotency_key,
        created_by: who.user.id.clone(),
        created_at: stored_time(now),
        deactivated_at: None,
        deactivation_reason: None,
    };
    let (stored, fresh) = registry::insert_expert(conn, &expert, &fields)?;
    if !fresh && (stored.name != expert.name || stored.fields != expert.fields) {
        return Err(ServiceError::Invalid(
            "Idempotency-Key: already used for a different expert / 该幂等键已用于另一位专家"
                .into(),
        ));
    }
    Ok((stored, fresh))
}

/// Take an expert out of service (the registry's `organ_staff` only). The expert stays in the
/// registry — past selections name them — but can no longer be chosen; repeating it changes
/// nothing. Unknown, or in a registry the user may not read: not found.
pub fn deactivate(
    conn: &mut DbConn,
    who: &Principal,
    id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Expert, ServiceError> {
    let reason = text("reason", "停用理由", reason, REASON)?;
    let not_found = || ServiceError::NotFound(format!("expert {id}"));
    let e = registry::expert(conn, id)?.ok_or_else(not_found)?;
    if !may_read_registry(conn, who, &e.organ_id)? {
        return Err(not_found());
    }
    registry_staff(who, &e.organ_id)?;
    registry::deactivate_expert(conn, id, stored_time(now), &reason)?.ok_or_else(not_found)
}
