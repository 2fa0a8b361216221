//! The adopted decisions' rows, read in chunks that go to the thread filling the workbook as
//! they are read, and their four procedures tallied.

use std::sync::{mpsc, Arc};

use super::{AdoptedRow, Procedures, ServiceError, PROCEDURES};
use crate::db::{catalogs, DbConn};

/// Adopted decisions' rows, a few hundred at a time, as they are read.
pub(super) type Chunk = Arc<Vec<AdoptedRow>>;

/// The chunks of rows as the thread beside the counting one receives them.
pub(super) type Chunks = mpsc::Receiver<Chunk>;

/// How many rows go to the thread beside at a time.
const CHUNK_ROWS: usize = 256;

/// For each of the four procedures: how many adopted decisions completed it, how many
/// required it, and those that required it and did not complete it.
type Tallies = [(usize, usize, Vec<String>); 4];

/// The adopted decisions' rows in chunks, each sent to `tx` as soon as it is full, and their
/// procedures tallied: required by the pack for the decision's attributes, and completed
/// (written with each command: decisions.procedures_required / _completed).
pub(super) fn adopted_rows(
    conn: &mut DbConn,
    organ_id: &str,
    (from_day, until_day): (&str, &str),
    tx: Option<mpsc::Sender<Chunk>>,
) -> Result<(Vec<Chunk>, Tallies), ServiceError> {
    let mut chunks = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK_ROWS);
    let mut tallies = Tallies::default();
    let needles = PROCEDURES.map(|(p, _, _)| format!(",{p},"));
    let send = |chunk: Vec<AdoptedRow>, chunks: &mut Vec<Chunk>| {
        let chunk = Arc::new(chunk);
        if let Some(tx) = &tx {
            // A thread beside that stopped is answered for when it is joined.
            let _ = tx.send(chunk.clone());
        }
        chunks.push(chunk);
    };
    catalogs::adopted_each(conn, organ_id, from_day, until_day, |d| {
        let has = |list: &Option<String>, i: usize| {
            list.as_deref().is_some_and(|l| l.contains(&needles[i]))
        };
        let mut words = ["not_required"; 4];
        for (i, t) in tallies.iter_mut().enumerate() {
            words[i] = match (
                has(&d.procedures_required, i),
                has(&d.procedures_completed, i),
            ) {
                (true, true) => {
                    t.0 += 1;
                    t.1 += 1;
                    "completed"
                }
                (true, false) => {
                    t.1 += 1;
                    t.2.push(d.id.clone());
                    "missing"
                }
                (false, true) => "done_voluntarily",
                (false, false) => "not_required",
            };
        }
        chunk.push(AdoptedRow {
            id: d.id,
            title: d.title,
            adopted_on: d.adopted_on,
            procedures: Procedures {
                public_participation: words[0],
                expert_review: words[1],
                risk_assessment: words[2],
                legality_review: words[3],
            },
        });
        if chunk.len() == CHUNK_ROWS {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_ROWS));
            send(full, &mut chunks);
        }
    })?;
    if !chunk.is_empty() {
        send(chunk, &mut chunks);
    }
    Ok((chunks, tallies))
}
