//! The decisions a caller may read, a page at a time: the one rule of who sees which decision in a
//! list (the API's `GET /api/v1/decisions`), the same as reading one; and the light check of one
//! read that a kept view is answered after ([`readable_version`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::ServiceError;
use crate::access::{self, Parties, Principal};
use crate::cache::{Bounded, Stamped, Weigh};
use crate::db::changes::Changes;
use crate::db::rows::DecisionHead;
use crate::db::{accounts, decisions, DbConn};

/// A page's keyset cursor: the creation time and id of its last row.
pub type Cursor = (NaiveDateTime, String);

/// Where a caller's reading reaches: the organs whose decisions they may list (those where they
/// hold a role — as decision organ or lead unit — and, for a legality review unit, the organs it
/// reviews for), and each organ's legality review unit, to check each row as a read is.
pub struct Reach {
    /// The organs to list decisions of.
    pub scope: Vec<String>,
    /// Each organ's legality review unit.
    pub legality: BTreeMap<String, String>,
}

impl Reach {
    /// Where `who`'s reading reaches.
    pub fn of(conn: &mut DbConn, who: &Principal) -> Result<Self, ServiceError> {
        Ok(Reach::among(&accounts::all_organs(conn)?, who))
    }

    /// Where `who`'s reading reaches, given every organ of the register.
    pub fn among(all: &[crate::db::rows::Organ], who: &Principal) -> Self {
        let organs = who.organs();
        let legality: BTreeMap<String, String> = all
            .iter()
            .filter_map(|o| Some((o.id.clone(), o.legality_unit_id.clone()?)))
            .collect();
        let mut scope = organs.clone();
        scope.extend(
            legality
                .iter()
                .filter(|(_, unit)| organs.contains(unit))
                .map(|(organ, _)| organ.clone()),
        );
        Reach { scope, legality }
    }

    /// The parties of a decision of `organ` led by `lead_unit`, as `access` judges a read.
    pub fn parties<'r>(&'r self, organ: &'r str, lead_unit: &'r str) -> Parties<'r> {
        Parties {
            organ,
            lead_unit,
            legality_unit: self.legality.get(organ).map(String::as_str),
        }
    }

    /// Whether `who` may read a decision of `organ` led by `lead_unit` (`access::can_read`).
    pub fn can_read(&self, who: &Principal, organ: &str, lead_unit: &str) -> bool {
        access::can_read(who, &self.parties(organ, lead_unit))
    }
}

/// A page of the decisions `who` may read, newest first (see [`Reach`]). Returns the readable
/// rows and the last row scanned (the page's keyset cursor, even where the last was not readable).
pub fn readable_page(
    conn: &mut DbConn,
    who: &Principal,
    before: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<DecisionHead>, Option<Cursor>), ServiceError> {
    let reach = Reach::of(conn, who)?;
    let rows = decisions::list_heads(conn, &reach.scope, before, limit)?;
    let last = (i64::try_from(rows.len()) == Ok(limit))
        .then(|| rows.last().map(|r| (r.created_at, r.id.clone())))
        .flatten();
    let readable = rows
        .into_iter()
        .filter(|r| reach.can_read(who, &r.organ_id, &r.lead_unit_id))
        .collect();
    Ok((readable, last))
}

/// What reading a decision depends on besides its state (issue 14): its version, its parties
/// with the organ's legality review unit (who may read it), and the decisions that adjust it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The decision's version.
    pub version: i64,
    /// The decision organ.
    pub organ: String,
    /// The lead (undertaking) unit.
    pub lead_unit: String,
    /// The organ's legality review unit.
    pub legality_unit: Option<String>,
    /// The decisions that adjust it.
    pub adjusts: Vec<String>,
}

impl Weigh for Head {
    fn weight(&self) -> usize {
        96 + self.organ.capacity()
            + self.lead_unit.capacity()
            + self.legality_unit.as_ref().map_or(0, String::capacity)
            + self
                .adjusts
                .iter()
                .map(|a| a.capacity() + 24)
                .sum::<usize>()
    }
}

/// The heads a process keeps, each with the database's change stamp read before it was read.
pub type Heads = Bounded<String, Stamped<Head>>;

impl Head {
    /// Whether `who` may read decision `id` of this head: the rule of `check_read`, from
    /// memory.
    pub fn check_read(&self, who: &Principal, id: &str) -> Result<(), ServiceError> {
        let parties = Parties {
            organ: &self.organ,
            lead_unit: &self.lead_unit,
            legality_unit: self.legality_unit.as_deref(),
        };
        may_read(who, id, &parties)
    }
}

/// Decision `id`'s head, from memory while nothing was committed since it was read (a stamp of
/// `changes` that has not moved); `None` if it is not kept, the stamp moved or cannot be told
/// (PostgreSQL). No database is touched: a request can be answered on its worker.
pub fn kept_head(heads: &Heads, changes: &Changes, id: &str) -> Option<Arc<Stamped<Head>>> {
    let stamp = changes.stamp()?;
    heads.get(&id.to_string()).filter(|h| h.stamp == stamp)
}

/// Decision `id`'s head from the database, kept in `heads` when the stamp can be told (read
/// before the queries, so a commit between them moves it and the head is read again).
pub fn head(
    conn: &mut DbConn,
    heads: &Heads,
    changes: &Changes,
    id: &str,
) -> Result<Arc<Stamped<Head>>, ServiceError> {
    let stamp = changes.stamp();
    let (version, organ, lead_unit) = decisions::version_and_parties(conn, id)?
        .ok_or_else(|| ServiceError::NotFound(format!("decision {id}")))?;
    let legality_unit = accounts::organ(conn, &organ)?.and_then(|o| o.legality_unit_id);
    let adjusts = decisions::adjusted_by(conn, id)?;
    let head = Head {
        version,
        organ,
        lead_unit,
        legality_unit,
        adjusts,
    };
    Ok(match stamp {
        Some(stamp) => heads.put(id.to_string(), Stamped { stamp, value: head }),
        // Cannot tell: a stamp no watcher gives, so it is never found current.
        None => Arc::new(Stamped {
            stamp: i64::MIN,
            value: head,
        }),
    })
}

/// The version of a decision the user may read, without loading its state: what a cached view
/// is checked against. The same rule as `decisions::readable` (`check_read`).
pub fn readable_version(conn: &mut DbConn, who: &Principal, id: &str) -> Result<i64, ServiceError> {
    let (version, organ, lead_unit) = decisions::version_and_parties(conn, id)?
        .ok_or_else(|| ServiceError::NotFound(format!("decision {id}")))?;
    check_read(conn, who, id, &organ, &lead_unit)?;
    Ok(version)
}

/// Whether `who` may read decision `id` of `organ` led by `lead_unit` (`access::can_read`, with
/// the organ's legality review unit); returns that unit. Outsiders get "not found", not
/// "forbidden": whether a decision exists is itself not for them.
pub(crate) fn check_read(
    conn: &mut DbConn,
    who: &Principal,
    id: &str,
    organ: &str,
    lead_unit: &str,
) -> Result<Option<String>, ServiceError> {
    let legality_unit = accounts::organ(conn, organ)?.and_then(|o| o.legality_unit_id);
    let parties = Parties {
        organ,
        lead_unit,
        legality_unit: legality_unit.as_deref(),
    };
    may_read(who, id, &parties)?;
    Ok(legality_unit)
}

/// The one rule: `access::can_read`, refused as "not found".
fn may_read(who: &Principal, id: &str, parties: &Parties<'_>) -> Result<(), ServiceError> {
    if access::can_read(who, parties) {
        Ok(())
    } else {
        Err(ServiceError::NotFound(format!("decision {id}")))
    }
}
