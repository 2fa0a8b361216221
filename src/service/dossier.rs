//! A decision's dossier (第三十三条) through the one door: who may take it away is who may read
//! the decision (`access::can_read`: its organ's staff, head and inspectors, its legality unit's
//! reviewers, the lead unit) — the dossier holds nothing the events and drafts routes do not
//! already show them, and no contacts of the public. The operator's command line reads any.

use chrono::{DateTime, Utc};

use super::decisions::{pack_of, readable};
use super::{Engine, ServiceError};
use crate::access::Principal;
use crate::db::{accounts, decisions, stored_time, DbConn};
use crate::dossier::{self, Record};

/// A dossier made: its file name and the zip archive's bytes.
#[derive(Debug, Clone)]
pub struct Dossier {
    /// `dossier-<id>.zip`.
    pub file_name: String,
    /// The archive.
    pub bytes: Vec<u8>,
}

/// The dossier of decision `id`, for `who` (none: the operator, who holds the database).
pub fn export(
    conn: &mut DbConn,
    engine: &Engine,
    who: Option<&Principal>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Dossier, ServiceError> {
    let row = match who {
        Some(p) => readable(conn, p, id)?.row,
        None => decisions::decision(conn, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("decision {id}")))?,
    };
    let name = |conn: &mut DbConn, organ: &str| -> Result<String, ServiceError> {
        Ok(accounts::organ(conn, organ)?
            .map(|o| o.name)
            .unwrap_or_default())
    };
    let stage_names = pack_of(engine, &row)?
        .stages
        .iter()
        .map(|s| (s.id.as_str().to_string(), s.name.zh.clone()))
        .collect();
    let record = Record {
        organ_name: name(conn, &row.organ_id)?,
        lead_unit_name: name(conn, &row.lead_unit_id)?,
        events: decisions::events_of(conn, &row.id)?,
        drafts: decisions::draft_versions(conn, &row.id)?,
        digests: decisions::digests_naming(conn, &row.id)?,
        adjusts: decisions::adjusted_by(conn, &row.id)?,
        stage_names,
        exported_at: stored_time(now),
        decision: row,
    };
    let bytes = dossier::build(&record).map_err(ServiceError::Unavailable)?;
    Ok(Dossier {
        file_name: format!("dossier-{}.zip", record.decision.id),
        bytes,
    })
}
