//! The command writer (issue 14's group commit): staff commands from every route — the API's
//! `/commands` and `/drafts`, the console's forms, the expert selection — are queued here and
//! written by a worker thread that takes every command waiting (up to
//! [`commands::MAX_BATCH`]) and writes them in one transaction ([`commands::write`]), each
//! sender answered with its own result. It follows the comment intake ([`crate::intake`]).
//!
//! Authentication, and the reads after the command (the response's view, drafts, links), stay
//! with the request, on the read pool: the writer does only the command's own work.
//!
//! SQLite has one writer connection (`Db::write`, a pool of one), which this worker, the comment
//! intake's worker and the few routes that write directly (a new decision, a catalog command…)
//! take in turn. None of them holds it while waiting for anything but the database — each takes
//! it for one transaction and gives it back, and none asks for a second connection while holding
//! it — so they queue for it and cannot deadlock; a wait longer than the pool's timeout (10 s) is
//! answered 503. PostgreSQL: several processes may share the database, so each process has
//! [`PG_LANES`] workers, a command going to the lane of its decision (one decision's commands stay
//! in order); a command that lost a race with another process is stale (409), as before, by the
//! version guard and the events' unique sequence number.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::mpsc;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::clock::Clock;
use crate::db::Db;
use crate::service::commands::{self, Order};
use crate::service::decisions::Applied;
use crate::service::ServiceError;

/// Workers per process on PostgreSQL: batches of different decisions are written at once, and a
/// decision held by another process's transaction stops one lane, not every command.
pub const PG_LANES: usize = 4;

type Answer = Result<Applied, ServiceError>;

struct Job {
    order: Order,
    reply: oneshot::Sender<Answer>,
}

/// The queue in front of the command writer.
pub struct Writer {
    lanes: Vec<mpsc::Sender<Job>>,
}

impl Writer {
    /// Start the worker(s): one on SQLite (the single writer), [`PG_LANES`] on PostgreSQL.
    pub fn start(db: Db, clock: Arc<Clock>) -> Writer {
        let count = if db.url.is_sqlite() { 1 } else { PG_LANES };
        let mut lanes = Vec::with_capacity(count);
        for n in 0..count {
            let (tx, rx) = mpsc::channel::<Job>();
            let (db, clock) = (db.clone(), clock.clone());
            let started = std::thread::Builder::new()
                .name(format!("command-writer-{n}"))
                .spawn(move || worker(rx, db, clock));
            match started {
                Ok(_) => lanes.push(tx),
                Err(e) => tracing::error!("cannot start a command writer: {e}"),
            }
        }
        Writer { lanes }
    }

    /// Queue a command and wait for its result (from async code: a page's handler).
    pub async fn submit(&self, order: Order) -> Answer {
        let answer = self.queue(order)?;
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Queue a command and wait for its result on this thread (a `web::block` closure: the
    /// request's reads around it run there too).
    pub fn submit_blocking(&self, order: Order) -> Answer {
        let answer = self.queue(order)?;
        answer.blocking_recv().unwrap_or_else(|_| Err(stopped()))
    }

    fn queue(&self, order: Order) -> Result<oneshot::Receiver<Answer>, ServiceError> {
        let mut h = DefaultHasher::new();
        order.decision_id.hash(&mut h);
        let n = self.lanes.len().max(1);
        let lane = usize::try_from(h.finish() % n as u64).unwrap_or(0);
        let tx = self.lanes.get(lane).ok_or_else(not_running)?;
        let (reply, answer) = oneshot::channel();
        tx.send(Job { order, reply }).map_err(|_| not_running())?;
        Ok(answer)
    }
}

fn not_running() -> ServiceError {
    ServiceError::Unavailable("the command writer is not running / 指令写入暂停，请稍后再试".into())
}

fn stopped() -> ServiceError {
    ServiceError::Unavailable("the command writer stopped / 指令写入已停止，请稍后再试".into())
}

fn worker(rx: mpsc::Receiver<Job>, db: Db, clock: Arc<Clock>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < commands::MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (orders, replies): (Vec<Order>, Vec<oneshot::Sender<Answer>>) =
            jobs.into_iter().map(|j| (j.order, j.reply)).unzip();
        let results: Vec<Answer> = match db.write.get() {
            Ok(mut conn) => commands::write(&mut conn, orders, || clock.now()),
            Err(e) => {
                let e = ServiceError::from(e);
                orders.iter().map(|_| Err(e.again())).collect()
            }
        };
        for (reply, result) in replies.into_iter().zip(results) {
            // A sender that gave up (its request was dropped) is not waited for.
            let _ = reply.send(result);
        }
    }
}
