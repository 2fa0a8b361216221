//! SQLite's WAL checkpoint, mostly off the writer.
//!
//! In WAL mode a commit appends pages to the log, and the committing connection copies the log
//! back into the database file once the log passes 1,000 pages (`wal_autocheckpoint`): on the
//! one writer, that copy stopped every write waiting behind it — the intake's largest single
//! cost (docs/PERFORMANCE.md, sessions 9 and 10).
//!
//! Here a thread of its own, on a connection of its own, copies what was committed shortly after
//! each write (a PASSIVE checkpoint: it never waits for, nor holds up, the writer or readers).
//! The writer keeps its automatic checkpoint: when the log passes 1,000 pages it still
//! checkpoints, but finds nearly everything copied already, so that is quick; and a log copied
//! to its end starts over at the writer's next commit (<https://sqlite.org/wal.html>,
//! "Checkpointing", "Avoiding Excessively Large WAL Files"). The log stays as bounded as before.
//! (Session 9 tried the thread without the writer's own checkpoint: the log then never started
//! over under a writer that never paused, and a RESTART checkpoint to bound it held the writer.)

use std::sync::atomic::Ordering;
use std::sync::Weak;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};

use super::WriteCounts;

/// How long the thread sleeps between looks at the write count.
const INTERVAL: Duration = Duration::from_millis(10);

/// Start the checkpointing thread for the SQLite file at `path`. It checkpoints after writes
/// were counted in `counts`, and stops once the database's writer is dropped (`counts` gone).
/// If it cannot start, the writer's own automatic checkpoint does all the work, as before.
pub(super) fn start(path: &str, counts: Weak<WriteCounts>) {
    let path = path.to_string();
    let spawned = std::thread::Builder::new()
        .name("wal-checkpoint".into())
        .spawn(move || run(&path, &counts));
    if let Err(e) = spawned {
        tracing::warn!("the WAL checkpoint thread did not start (the writer checkpoints): {e}");
    }
}

fn run(path: &str, counts: &Weak<WriteCounts>) {
    let mut conn: Option<SqliteConnection> = None;
    let mut seen = None;
    loop {
        std::thread::sleep(INTERVAL);
        // The counts are held only for the look: the thread never keeps the writer, and so the
        // database's pools, alive; its own connection closes when it ends.
        let Some(now) = counts
            .upgrade()
            .map(|c| c.given_back.load(Ordering::Acquire))
        else {
            return;
        };
        if seen == Some(now) {
            continue;
        }
        seen = Some(now);
        if conn.is_none() {
            conn = SqliteConnection::establish(path)
                .map_err(|e| tracing::debug!("WAL checkpoint: cannot open {path}: {e}"))
                .ok();
        }
        if let Some(c) = conn.as_mut() {
            // PASSIVE: copies what no reader still needs and returns; never waits on a lock.
            if let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
                tracing::debug!("WAL checkpoint: {e}");
                conn = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_ends_once_the_writer_is_gone() {
        let counts = std::sync::Arc::new(WriteCounts::default());
        let weak = std::sync::Arc::downgrade(&counts);
        drop(counts);
        let started = std::time::Instant::now();
        // Returns (the test would hang otherwise) after one look, without opening anything.
        run("/nonexistent/juece.sqlite", &weak);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
