//! Whether anything was committed to the database since a moment, answered without a pooled
//! connection or a thread of the blocking pool (issue 14, reads). A value kept with the stamp
//! read *before* the queries that built it is current for as long as the stamp has not moved.
//!
//! - **SQLite**: `PRAGMA data_version` on a connection kept for asking only. Its value changes
//!   whenever any other connection — this process's writer or another process on the same file —
//!   commits (<https://sqlite.org/pragma.html#pragma_data_version>). Exact.
//! - **PostgreSQL**: a thread of the watcher asks the server for its transaction snapshot
//!   (`pg_current_snapshot()`: the oldest running transaction, the next one, those running) every
//!   [`POLL`] (`juece serve --change-poll-ms`). A commit of any transaction that wrote — of any process, on any database of the
//!   server — changes it: the committed one leaves the running list or moves the next id on.
//!   The stamp is how often the snapshot was seen to change plus how many of this process's own
//!   write connections were given back (`db::Writes`; none while one is out), so a process sees
//!   its own writes at once and another process's within one poll (a few milliseconds). If the last answer is older than
//!   [`fresh`] allows — the server is slow to answer, the connection is lost — the watcher cannot
//!   tell and every read asks the database, as it does with polling off (`--change-poll-ms 0`).
//!
//! `LISTEN`/`NOTIFY` would tell of commits without polling, but a transaction that notifies takes
//! a lock on the whole server at commit, which would make every process's writes commit one at a
//! time (<https://www.postgresql.org/docs/current/sql-notify.html>).

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::{DatabaseUrl, Db, Writes};

/// How often a PostgreSQL watcher asks for the server's snapshot, unless told otherwise.
pub const POLL: Duration = Duration::from_millis(2);

/// How old the last answer may be for a PostgreSQL watcher polling every `poll` to tell: ten
/// polls, at least 25 ms — the longest another process's commit can go unseen.
pub fn fresh(poll: Duration) -> Duration {
    (poll * 10).max(Duration::from_millis(25))
}

/// The watcher of one database.
pub struct Changes {
    way: Way,
}

enum Way {
    Sqlite(Mutex<SqliteConnection>),
    Pg(Arc<Snapshots>),
    /// The file could not be opened: cannot tell.
    Blind,
}

/// What a PostgreSQL watcher's thread has seen.
struct Snapshots {
    /// How often the snapshot changed (and connections were made again).
    moved: AtomicI64,
    /// Whether the thread has a connection that answers.
    live: AtomicBool,
    /// When the last answer came, in microseconds after `since`.
    answered: AtomicU64,
    since: Instant,
    /// How old the last answer may be.
    fresh: Duration,
    /// This process's writes.
    writes: Writes,
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
}

#[derive(QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = Text)]
    snapshot: String,
}

impl Changes {
    /// A watcher of `db`: on SQLite a connection of its own; on PostgreSQL a thread asking the
    /// server every [`POLL`], which ends when the watcher is dropped.
    pub fn watch(db: &Db) -> Changes {
        Changes::polling(db, Some(POLL))
    }

    /// A watcher of `db` asking a PostgreSQL server every `poll`; with `None`, one that cannot
    /// tell on PostgreSQL (every read asks the database). SQLite is always asked directly.
    pub fn polling(db: &Db, poll: Option<Duration>) -> Changes {
        let way = match &db.url {
            DatabaseUrl::Sqlite(path) => SqliteConnection::establish(path)
                .map(|c| Way::Sqlite(Mutex::new(c)))
                .unwrap_or(Way::Blind),
            DatabaseUrl::Postgres(url) => match poll {
                None => Way::Blind,
                Some(poll) => start_watcher(db, url, poll),
            },
        };
        Changes { way }
    }

    /// A stamp that differs from every earlier stamp of this watcher if anything was committed
    /// in between (on PostgreSQL: by this process, or by another more than a poll ago); `None`
    /// when it cannot tell.
    pub fn stamp(&self) -> Option<i64> {
        match &self.way {
            Way::Sqlite(conn) => {
                // A panic while asking leaves nothing half-done: the connection only reads.
                let mut conn = conn.lock().unwrap_or_else(|e| e.into_inner());
                diesel::sql_query("PRAGMA data_version")
                    .get_result::<DataVersion>(&mut *conn)
                    .ok()
                    .map(|v| v.data_version)
            }
            Way::Pg(seen) => seen.stamp(),
            Way::Blind => None,
        }
    }
}

/// A PostgreSQL watcher of `db` at `url`: its thread asks every `poll` (or, if no thread can be
/// started, one that cannot tell).
fn start_watcher(db: &Db, url: &str, poll: Duration) -> Way {
    let seen = Arc::new(Snapshots {
        moved: AtomicI64::new(0),
        live: AtomicBool::new(false),
        answered: AtomicU64::new(0),
        since: Instant::now(),
        fresh: fresh(poll),
        writes: db.write.clone(),
    });
    let (weak, url) = (Arc::downgrade(&seen), url.to_string());
    let started = std::thread::Builder::new()
        .name("change-watcher".into())
        .spawn(move || watch_snapshots(&weak, &url, poll));
    match started {
        Ok(_) => Way::Pg(seen),
        Err(e) => {
            tracing::error!("cannot start the change watcher: {e}");
            Way::Blind
        }
    }
}

impl Snapshots {
    fn stamp(&self) -> Option<i64> {
        // This process's writes first: one given back after this read moves the stamp next time;
        // while one is out, cannot tell.
        let written = i64::try_from(self.writes.given_back()?).ok()?;
        let moved = self.moved.load(Ordering::Acquire);
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let answered = Duration::from_micros(self.answered.load(Ordering::Acquire));
        if self.since.elapsed().saturating_sub(answered) > self.fresh {
            return None;
        }
        Some(moved.wrapping_add(written))
    }

    fn answered_now(&self) {
        let micros = u64::try_from(self.since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.answered.store(micros, Ordering::Release);
    }
}

/// The watcher's thread: ask for the snapshot every `poll` while the watcher lives; on an
/// error, cannot tell until connected again (a second later), and count that as a change (what
/// was committed meanwhile was not seen).
fn watch_snapshots(seen: &Weak<Snapshots>, url: &str, poll: Duration) {
    let mut conn: Option<PgConnection> = None;
    let mut last = String::new();
    while let Some(s) = seen.upgrade() {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match PgConnection::establish(url) {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    tracing::warn!("change watcher cannot connect: {e}");
                    drop(s);
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            },
        };
        match diesel::sql_query("SELECT pg_current_snapshot()::text AS snapshot")
            .get_result::<Snapshot>(c)
        {
            Ok(now) => {
                if now.snapshot != last || !s.live.load(Ordering::Acquire) {
                    // Counted before it is said to be fresh: no reader pairs the new answer
                    // with the old count.
                    s.moved.fetch_add(1, Ordering::AcqRel);
                    last = now.snapshot;
                }
                s.answered_now();
                s.live.store(true, Ordering::Release);
            }
            Err(e) => {
                tracing::warn!("change watcher lost its connection: {e}");
                s.live.store(false, Ordering::Release);
                conn = None;
                drop(s);
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        }
        drop(s);
        std::thread::sleep(poll);
    }
}
