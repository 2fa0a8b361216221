//! The console's list of a decision's comments for handling (第十八条): filtered by where they
//! stand (open, handled, hidden, all) and paged by the same keyset cursor as the API's export,
//! so a consultation of tens of thousands of comments is read a page at a time. Contacts are not
//! shown here (they are read, and the read recorded, through the export).

use serde::Deserialize;
use serde_json::{json, Value};

use super::render::{encode, PageError};
use crate::api::common::{keyset, rfc3339};
use crate::db::comments::{self, CommentRow};
use crate::db::DbConn;

/// Comments shown per page.
const SHOWN: usize = 100;
/// Comments read per query.
const BATCH: i64 = 500;
/// The most comments one page view reads while looking for the ones the filter shows.
const SCAN: usize = 20_000;

/// The filter and the cursor, from the query string.
#[derive(Deserialize, Default, Debug, Clone)]
pub struct CommentQuery {
    /// `open` (default), `handled`, `hidden` or `all`.
    #[serde(default)]
    pub show: Option<String>,
    /// The cursor of the page to show (`RFC3339|id`).
    #[serde(default)]
    pub after: Option<String>,
}

fn shown(show: &str, c: &CommentRow) -> bool {
    match show {
        "handled" => c.disposition.is_some(),
        "hidden" => c.hidden_reason.is_some(),
        "all" => true,
        _ => c.disposition.is_none() && c.hidden_reason.is_none(),
    }
}

/// One page of the decision's comments under the filter, with the link to the next.
pub fn list(conn: &mut DbConn, decision_id: &str, q: &CommentQuery) -> Result<Value, PageError> {
    let show = q
        .show
        .as_deref()
        .filter(|s| ["handled", "hidden", "all"].contains(s))
        .unwrap_or("open");
    let mut cursor = keyset::after("after", q.after.as_deref())?;
    let (mut out, mut scanned, mut more) = (Vec::new(), 0usize, false);
    'read: loop {
        let rows = comments::page(conn, decision_id, cursor.clone(), BATCH, false)?;
        let full = i64::try_from(rows.len()).is_ok_and(|n| n == BATCH);
        for c in rows {
            scanned += 1;
            cursor = Some((c.received_at, c.id.clone()));
            if shown(show, &c) {
                out.push(c);
                if out.len() == SHOWN {
                    more = true;
                    break 'read;
                }
            }
        }
        if !full {
            break;
        }
        if scanned >= SCAN {
            more = true;
            break;
        }
    }
    let next = cursor
        .filter(|_| more)
        .map(|(at, id)| format!("?show={show}&after={}", encode(&keyset::cursor(at, &id))));
    let items: Vec<Value> = out
        .iter()
        .map(|c| {
            json!({ "id": c.id, "name": c.author_name, "body": c.body,
                "received_at": rfc3339(c.received_at),
                "open": c.disposition.is_none() && c.hidden_reason.is_none(),
                "disposition": c.disposition.as_deref().map(super::disposition_zh),
                "reason": c.disposition_reason, "hidden_reason": c.hidden_reason })
        })
        .collect();
    let counts = comments::counts(conn, decision_id)?;
    Ok(json!({ "show": show, "items": items, "next": next, "counts": counts }))
}
