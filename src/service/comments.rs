//! Public comments through the one door: a batch of the intake is anchored in the decision's
//! chain by one `comments_received` event the engine must accept (a comment period open now);
//! the adoption report is generated from the dispositions and judged like any other fact.

use chrono::{DateTime, Utc};
use diesel::Connection;

use super::decisions::{self, Applied, Submission};
use super::{Engine, ServiceError};
use crate::access::{Actor, Principal};
use crate::chain::{batch_digest, comment_hash};
use crate::db::comments::{self, CommentCounts, CommentRow, NewComment, Receipt};
use crate::db::{new_ordered_id, stored_time, DbConn};
use crate::procedure::state::{Command, Fact};

/// Receive a batch of comments for one decision, in one transaction: duplicates (same
/// idempotency key, same content) are answered with the stored comment, a key reused for
/// another comment is refused (that item only); the rest are stored and anchored by one
/// `CommentsReceived` event, if the engine accepts it.
///
/// The decision's row is locked first (PostgreSQL: `FOR UPDATE`), so another process appending
/// to the same chain waits instead of taking the sequence number between our read and our
/// write; and the comments carry the sequence number the batch event was written at.
pub fn receive_batch(
    conn: &mut DbConn,
    engine: &Engine,
    decision_id: &str,
    items: &[NewComment],
    now: DateTime<Utc>,
) -> Result<Vec<Result<Receipt, ServiceError>>, ServiceError> {
    conn.transaction(|conn| {
        comments::lock_decision(conn, decision_id)?;
        let row = crate::db::decisions::decision(conn, decision_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("decision {decision_id}")))?;
        let at = stored_time(now);
        let keys: Vec<String> = items
            .iter()
            .filter_map(|c| c.idempotency_key.clone())
            .collect();
        let known = comments::by_keys(conn, decision_id, &keys)?;
        let mut receipts = Vec::with_capacity(items.len());
        let mut fresh: Vec<CommentRow> = Vec::new();
        for c in items {
            let earlier = c.idempotency_key.as_ref().and_then(|k| {
                known
                    .iter()
                    .find(|e| e.key.as_ref() == Some(k))
                    .map(|e| (e.id.clone(), e.received_at, e.same_content(c)))
                    .or_else(|| {
                        fresh
                            .iter()
                            .find(|r| r.idempotency_key.as_ref() == Some(k))
                            .map(|r| (r.id.clone(), r.received_at, same_content(r, c)))
                    })
            });
            match earlier {
                Some((id, t, true)) => {
                    receipts.push(Ok(Receipt {
                        id,
                        received_at: t.and_utc(),
                        duplicate: true,
                    }));
                    continue;
                }
                Some((_, _, false)) => {
                    receipts.push(Err(ServiceError::Invalid(
                        "Idempotency-Key: already used for a different comment / 该幂等键已用于另一条意见"
                            .into(),
                    )));
                    continue;
                }
                None => {}
            }
            let mut r = CommentRow {
                id: new_ordered_id(),
                decision_id: decision_id.into(),
                batch_seq: row.version + 1,
                author_name: c.author_name.clone(),
                contact: c.contact.clone(),
                body: c.body.clone(),
                address_hash: c.address_hash.clone(),
                idempotency_key: c.idempotency_key.clone(),
                received_at: at,
                hash: String::new(),
                hidden_reason: None,
                disposition: None,
                disposition_reason: None,
                handled_by: None,
                handled_at: None,
                organ_id: Some(row.organ_id.clone()),
            };
            r.hash = comment_hash(&r);
            receipts.push(Ok(Receipt {
                id: r.id.clone(),
                received_at: at.and_utc(),
                duplicate: false,
            }));
            fresh.push(r);
        }
        if fresh.is_empty() {
            return Ok(receipts);
        }
        let command = Command::Record {
            fact: Fact::CommentsReceived {
                count: u32::try_from(fresh.len()).unwrap_or(u32::MAX),
                digest: batch_digest(&fresh),
            },
        };
        // The row read above, in this transaction: not read again.
        let applied = decisions::commit_row(
            conn,
            engine,
            Submission {
                decision_id,
                expected_version: row.version,
                command,
                actor: &Actor::public(),
                draft_content: None,
            },
            &row,
            now,
            None,
            None,
        )?;
        // The sequence number the batch's event was written at (the hash does not cover it).
        for r in &mut fresh {
            r.batch_seq = applied.row.version;
        }
        comments::insert_many(conn, &fresh)?;
        Ok(receipts)
    })
}

/// Whether a stored comment is the one submitted again (a retry), not another one.
fn same_content(r: &CommentRow, c: &NewComment) -> bool {
    r.body == c.body && r.author_name == c.author_name && r.contact == c.contact
}

/// Record the adoption report generated from the dispositions (第十八条; 第二十九条第（二）项).
pub fn report(
    conn: &mut DbConn,
    engine: &Engine,
    who: &Principal,
    decision_id: &str,
    expected_version: i64,
    now: DateTime<Utc>,
) -> Result<(Applied, CommentCounts), ServiceError> {
    let r = decisions::readable(conn, who, decision_id)?;
    let counts = comments::counts(conn, &r.row.id)?;
    let summary = format!(
        "公开征求意见共收到意见{}条，其中采纳{}条、部分采纳{}条、不予采纳{}条，依法屏蔽{}条，待处理{}条。\
         Received {} comments: {} adopted, {} partly adopted, {} not adopted, {} hidden, {} open.",
        counts.received, counts.adopted, counts.partly_adopted, counts.not_adopted, counts.hidden, counts.open,
        counts.received, counts.adopted, counts.partly_adopted, counts.not_adopted, counts.hidden, counts.open,
    );
    let command = Command::Record {
        fact: Fact::ParticipationReport { summary },
    };
    let applied = super::commands::submit(
        conn,
        engine,
        who,
        decision_id,
        expected_version,
        command,
        None,
        now,
    )?;
    Ok((applied, counts))
}
