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
                "the comment intake is not running".into(),
            )));
        }
        answer.await.unwrap_or_else(|_| {
            Err(Arc::new(ServiceError::Unavailable(
                "the comment intake stopped".into(),
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
            let result = write(&db, &packs, &calendar, &clock, &decision_id, &items);
            match result {
                Ok(receipts) => {
                    for (job, receipt) in jobs.into_iter().zip(receipts) {
                        let _ = job.reply.send(Ok(receipt));
                    }
                }
                Err(e) => {
                    let e = Arc::new(e);
                    for job in jobs {
                        let _ = job.reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }
}

fn write(
    db: &Db,
    packs: &PackSet,
    calendar: &Calendar,
    clock: &Clock,
    decision_id: &str,
    items: &[NewComment],
) -> Result<Vec<Receipt>, ServiceError> {
    let mut conn = db.write.get()?;
    let engine = Engine { packs, calendar };
    // A concurrent writer (another node) may take the sequence number: retry a few times.
    let mut attempt = 0;
    loop {
        match comments::receive_batch(&mut conn, &engine, decision_id, items, clock.now()) {
            Err(ServiceError::Stale { .. }) if attempt < 5 => attempt += 1,
            other => return other,
        }
    }
}
