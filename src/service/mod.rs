//! The one door: every route — an API endpoint, a page form, the CLI, the demo loader — reaches
//! the engine through here, the same way: authenticate → authorize (`access`) → load what the
//! command refers to (`procedure::admission::needs`) → in one transaction, judge it
//! (`procedure::judge`) and persist what it yields (`db`).
//!
//! Policy for errors: the service returns [`ServiceError`]; a refusal of the law is always
//! `Refused` with the engine's violations (rule id and article), never a string made here. The
//! service's own errors are about input the engine cannot judge (an unknown id, a field too
//! long), the caller's rights, and the database.

pub mod accounts;
pub mod catalogs;
pub mod commands;
pub mod comments;
mod context;
pub mod deadlines;
pub mod decisions;
pub mod digests;
pub mod dossier;
pub mod execution;
pub mod experts;
pub mod hearings;
pub mod listing;
pub mod outbox;
pub mod personal_data;
pub mod report;
pub mod sessions;

use crate::access::Denied;
use crate::procedure::{Calendar, PackSet, Violation};

/// Why a service operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such thing (or not for this caller).
    #[error("{0} not found")]
    NotFound(String),
    /// The decision moved on since the client read it.
    #[error("the decision or catalog is at version {actual}, not {expected}")]
    Stale {
        /// What the client expected.
        expected: i64,
        /// Where it is.
        actual: i64,
    },
    /// The procedure refuses: the engine's violations.
    #[error("the procedure refuses the command")]
    Refused(Vec<Violation>),
    /// Input the engine does not judge, naming the field.
    #[error("{0}")]
    Invalid(String),
    /// The thing exists already (e.g. a second catalog for one organ and year).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Not signed in.
    #[error("{0}")]
    Unauthorized(String),
    /// Something the server needs is not there (a pack not loaded, the database down).
    #[error("{0}")]
    Unavailable(String),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
}

impl ServiceError {
    /// The same error again, for each of several callers one failure answers (a batch that could
    /// not be written); a database error becomes "unavailable" with its message.
    pub fn again(&self) -> ServiceError {
        match self {
            ServiceError::NotFound(m) => ServiceError::NotFound(m.clone()),
            ServiceError::Stale { expected, actual } => ServiceError::Stale {
                expected: *expected,
                actual: *actual,
            },
            ServiceError::Refused(v) => ServiceError::Refused(v.clone()),
            ServiceError::Invalid(m) => ServiceError::Invalid(m.clone()),
            ServiceError::Forbidden(m) => ServiceError::Forbidden(m.clone()),
            ServiceError::Conflict(m) => ServiceError::Conflict(m.clone()),
            ServiceError::Unauthorized(m) => ServiceError::Unauthorized(m.clone()),
            ServiceError::Unavailable(m) => ServiceError::Unavailable(m.clone()),
            ServiceError::Db(d) => {
                ServiceError::Unavailable(format!("the database failed: {d} / 数据库暂不可用"))
            }
        }
    }
}

impl From<Denied> for ServiceError {
    fn from(d: Denied) -> Self {
        ServiceError::Forbidden(d.0)
    }
}

impl From<diesel::r2d2::PoolError> for ServiceError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        ServiceError::Unavailable(format!("the database is unavailable: {e} / 数据库暂不可用"))
    }
}

/// What the engine needs besides the store: the packs and the holiday calendar.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    /// The jurisdiction packs.
    pub packs: &'a PackSet,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
}
