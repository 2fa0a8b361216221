//! The public comment intake: comments from many senders are queued and written by one worker
//! thread, many per transaction, each batch anchored by one event in its decision's chain. A
//! sender's request waits for its own comment to be stored: every acknowledged comment is stored.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::clock::Clock;
use crate::db::comments::{NewComment, Receipt};
use crate::db::Db;
use crate::procedure::{Calendar, PackSet};
use crate::service::{comments, Engine, ServiceError};

/// The most comments written in one transaction.
pub const MAX_BATCH: usize = 512;

struct Job {
    decision_id: String,
    comment: NewComment,
    packs: Arc<PackSet>,
    calendar: Arc<Calendar>,
    reply: oneshot::Sender<Result<Receipt, Arc<ServiceError>>>,
}

/// The queue in front of the intake worker.
pub struct Intake {
    tx: mpsc::Sender<Job>,
}

impl Intake {
    /// Start the worker.
    pub fn start(db: Db, clock: Arc<Clock>) -> Intake {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("comment-intake".into())
            .spawn(move || worker(rx, db, clock))
            .map_err(|e| tracing::error!("cannot start the comment intake: {e}"))
            .ok();
        Intake { tx }
    }

    /// Queue a comment and wait until it is stored (or refused) under the rules of `packs`.
    pub async fn submit(
        &self,
        decision_id: String,
        comment: NewComment,
        packs: Arc<PackSet>,
        calendar: Arc<Calendar>,
    ) -> Result<Receipt, Arc<ServiceError>> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            decision_id,
            comment,
            packs,
            calendar,
            reply,
        };
        if self.tx.send(job).is_err() {
            return Err(Arc::new(ServiceError::Unavailable(
                "the comment intake is not running / 意见接收暂停，请稍后再试".into(),
            )));
        }
        answer.await.unwrap_or_else(|_| {
            Err(Arc::new(ServiceError::Unavailable(
                "the comment intake stopped / 意见接收已停止，请稍后再试".into(),
            )))
        })
    }
}

fn worker(rx: mpsc::Receiver<Job>, db: Db, clock: Arc<Clock>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let mut by_decision: BTreeMap<String, Vec<Job>> = BTreeMap::new();
        for job in jobs {
            by_decision
                .entry(job.decision_id.clone())
                .or_default()
                .push(job);
        }
        for (decision_id, jobs) in by_decision {
            let items: Vec<NewComment> = jobs.iter().map(|j| j.comment.clone()).collect();
            let (packs, calendar) = (jobs[0].packs.clone(), jobs[0].calendar.clone());
            let results = store(&db, &packs, &calendar, &clock, &decision_id, &items);
            for (job, result) in jobs.into_iter().zip(results) {
                let _ = job.reply.send(result.map_err(Arc::new));
            }
        }
    }
}

/// Store a batch of comments for one decision: one result per comment, in order.
///
/// Another node appending to the same chain (a stale version, a serialization failure or a
/// deadlock on PostgreSQL, a busy SQLite) is waited out and retried, not answered with 503.
/// When the batch fails on the data of one of its comments (a value the database cannot
/// store), each comment is written on its own: one bad comment never fails its batch-mates.
pub fn store(
    db: &Db,
    packs: &PackSet,
    calendar: &Calendar,
    clock: &Clock,
    decision_id: &str,
    items: &[NewComment],
) -> Vec<Result<Receipt, ServiceError>> {
    match write(db, packs, calendar, clock, decision_id, items) {
        Ok(results) => results,
        Err(ServiceError::Db(e)) if items.len() > 1 && !is_contention(&e) => items
            .iter()
            .map(|item| {
                write(
                    db,
                    packs,
                    calendar,
                    clock,
                    decision_id,
                    std::slice::from_ref(item),
                )
                .and_then(|mut r| r.pop().unwrap_or_else(|| Err(lost())))
            })
            .collect(),
        Err(e) if items.len() == 1 => vec![Err(e)],
        Err(e) => {
            // One error for all: the decision, not a comment, is at fault (or the database).
            items.iter().map(|_| Err(e.again())).collect()
        }
    }
}

fn lost() -> ServiceError {
    ServiceError::Unavailable("the comment was not stored / 意见未能保存，请稍后再试".into())
}

/// Whether a database error is another writer's doing (wait and retry), not the data's.
pub fn is_contention(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("deadlock") || m.contains("database is locked") || m.contains("busy")
        }
        _ => false,
    }
}

fn write(
    db: &Db,
    packs: &PackSet,
    calendar: &Calendar,
    clock: &Clock,
    decision_id: &str,
    items: &[NewComment],
) -> Result<Vec<Result<Receipt, ServiceError>>, ServiceError> {
    let mut conn = db.write.get()?;
    let engine = Engine { packs, calendar };
    let mut attempt: u32 = 0;
    loop {
        match comments::receive_batch(&mut conn, &engine, decision_id, items, clock.now()) {
            Err(ServiceError::Stale { .. }) if attempt < 20 => {}
            Err(ServiceError::Db(e)) if is_contention(&e) && attempt < 20 => {}
            other => return other,
        }
        attempt += 1;
        std::thread::sleep(std::time::Duration::from_millis(
            u64::from(attempt.min(10)) * 5,
        ));
    }
}
