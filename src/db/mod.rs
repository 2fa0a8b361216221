//! Storage: one diesel `MultiConnection` over SQLite (embedded default) and PostgreSQL
//! (production), the backend chosen from the `DATABASE_URL` scheme; migrations embedded and run
//! on start; rows and queries.
//!
//! On SQLite every write goes through one writer connection and reads use a pool: SQLite has a
//! single write lock, and one writer measured several times faster than writers contending.
//! Pools are sized to the work (`juece serve --db-pool N`, one connection for a command) and
//! open connections lazily: a process holds none it has not needed.

pub mod accounts;
pub mod catalogs;
pub mod changes;
mod checkpoint;
pub mod clock_advances;
pub mod comments;
pub mod counters;
pub mod decisions;
pub mod hearings;
pub mod integrity;
pub mod outbox;
pub mod personal_data;
pub mod registry;
pub mod rows;
pub mod schema;
pub mod seals;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// Embedded SQLite.
    Sqlite(SqliteConnection),
    /// PostgreSQL.
    Pg(PgConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file.
    Sqlite(String),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite://PATH` or a bare path for SQLite, `postgres://…`/`postgresql://…` for
    /// PostgreSQL; any other scheme is refused.
    pub fn parse(url: &str) -> Result<DatabaseUrl, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("the database URL is empty".into());
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path".into());
            }
            return Ok(DatabaseUrl::Sqlite(path.to_string()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "unknown database scheme \"{scheme}\": use sqlite://PATH, a bare path, or postgres://…"
            ));
        }
        if url == ":memory:" {
            return Err(
                "an in-memory SQLite database cannot be shared by a pool: give a file path".into(),
            );
        }
        Ok(DatabaseUrl::Sqlite(url.to_string()))
    }

    /// Whether this is SQLite.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, DatabaseUrl::Sqlite(_))
    }
}

/// Opens connections for the pool, with SQLite's pragmas set on each.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    /// Open SQLite read-only (`juece audit verify` of a copy on read-only media): no WAL
    /// switch, no migrations.
    read_only: bool,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) if self.read_only => {
                // Read-only first (sees a live writer's WAL); a file on read-only media may have
                // no -shm beside it and no right to make one: then `immutable` reads it as it is.
                let open = |uri: String| -> Result<SqliteConnection, r2d2::Error> {
                    let mut c =
                        SqliteConnection::establish(&uri).map_err(r2d2::Error::ConnectionError)?;
                    c.batch_execute("PRAGMA query_only = ON; SELECT COUNT(*) FROM sqlite_master;")
                        .map_err(r2d2::Error::QueryError)?;
                    Ok(c)
                };
                open(format!("file:{path}?mode=ro"))
                    .or_else(|_| open(format!("file:{path}?mode=ro&immutable=1")))
                    .map(DbConn::Sqlite)
            }
            DatabaseUrl::Sqlite(path) => {
                let mut c =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                c.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(c))
            }
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| ())
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        // Asks the connection itself (no round trip): a PostgreSQL connection whose server went
        // away, or one left inside a failed transaction, is dropped instead of handed out.
        match conn {
            DbConn::Sqlite(c) => r2d2::R2D2Connection::is_broken(c),
            DbConn::Pg(c) => r2d2::R2D2Connection::is_broken(c),
        }
    }
}

/// A pool of connections.
pub type Pool = r2d2::Pool<Manager>;

/// The pool writes are taken from, counting them: a connection taken for writing is out until
/// it is given back, after its transaction, and then counted. What this process keeps from
/// PostgreSQL is current while none is out and the count has not moved (and no other process
/// committed: `changes`), so a process's own writes are seen by its next read at once — even a
/// read made while the writing connection is still held.
#[derive(Clone)]
pub struct Writes {
    pool: Pool,
    counts: Arc<WriteCounts>,
}

#[derive(Default)]
struct WriteCounts {
    out: AtomicU64,
    given_back: AtomicU64,
}

/// A connection taken for writing; counted when dropped.
pub struct Written {
    conn: r2d2::PooledConnection<Manager>,
    counts: Arc<WriteCounts>,
}

impl Writes {
    fn new(pool: Pool) -> Writes {
        Writes {
            pool,
            counts: Arc::default(),
        }
    }

    /// A connection to write with (waits up to the pool's timeout).
    pub fn get(&self) -> Result<Written, r2d2::PoolError> {
        // Out before it is handed over: no read counts on it from then on.
        self.counts.out.fetch_add(1, Ordering::AcqRel);
        match self.pool.get() {
            Ok(conn) => Ok(Written {
                conn,
                counts: self.counts.clone(),
            }),
            Err(e) => {
                self.counts.out.fetch_sub(1, Ordering::AcqRel);
                Err(e)
            }
        }
    }

    /// How many connections taken for writing were given back so far, if none is out now
    /// (`None`: one is, and what it wrote may be committed and not yet counted).
    pub fn given_back(&self) -> Option<u64> {
        if self.counts.out.load(Ordering::Acquire) > 0 {
            return None;
        }
        Some(self.counts.given_back.load(Ordering::Acquire))
    }

    /// The pool itself (its size and state).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

impl std::ops::Deref for Written {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Written {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        // Counted before it is no longer out: no read sees neither.
        self.counts.given_back.fetch_add(1, Ordering::AcqRel);
        self.counts.out.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The database: a read pool and a write pool (one connection on SQLite).
#[derive(Clone)]
pub struct Db {
    /// For reads.
    pub read: Pool,
    /// For writes.
    pub write: Writes,
    /// Which backend.
    pub url: DatabaseUrl,
}

/// How many connections a process may hold. Connections are opened lazily, when the work needs
/// them (none idle at start), so a one-off command opens one and a quiet server few.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSize(pub u32);

impl PoolSize {
    /// A server's default on SQLite: 8 readers besides the one writer (`juece serve --db-pool N`).
    pub const SERVER: PoolSize = PoolSize(8);
    /// A server's default on PostgreSQL, reads and writes together: 16 (what the benchmarks in
    /// the README were measured with).
    pub const SERVER_PG: PoolSize = PoolSize(16);
    /// A command-line command: one connection.
    pub const CLI: PoolSize = PoolSize(1);

    /// A server's default for the backend of `url`.
    pub fn server_default(url: &str) -> PoolSize {
        match DatabaseUrl::parse(url) {
            Ok(DatabaseUrl::Postgres(_)) => PoolSize::SERVER_PG,
            _ => PoolSize::SERVER,
        }
    }
}

impl Db {
    /// Connect with a server's pool and run pending migrations.
    pub fn open(url: &str) -> Result<Db, String> {
        Db::open_with(url, PoolSize::server_default(url))
    }

    /// Connect for a one-off command (one connection) and run pending migrations.
    pub fn open_cli(url: &str) -> Result<Db, String> {
        Db::open_with(url, PoolSize::CLI)
    }

    /// Connect with at most `size` connections and run pending migrations. On PostgreSQL reads
    /// and writes share the pool; on SQLite writes have their own single connection (one
    /// writer) and reads the pool.
    pub fn open_with(url: &str, size: PoolSize) -> Result<Db, String> {
        let url = DatabaseUrl::parse(url)?;
        let manager = Manager {
            url: url.clone(),
            read_only: false,
        };
        if size == PoolSize::CLI {
            // A command says at once why it cannot connect (the pool would retry for 10 s).
            manager
                .connect()
                .map_err(|e| format!("cannot connect to the database: {e}"))?;
        }
        let max = size.0.max(1);
        let build = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                // Lazily: no connection is opened until one is asked for, and idle ones close.
                .min_idle(Some(0))
                .idle_timeout(Some(Duration::from_secs(300)))
                .connection_timeout(Duration::from_secs(10))
                // A broken connection is dropped when it is returned (`has_broken`); testing
                // each checkout would cost a round trip on every request.
                .test_on_check_out(false)
                .build_unchecked(manager.clone())
        };
        let write = build(if url.is_sqlite() { 1 } else { max });
        // One connection in all (a command): reads use the writer's.
        let read = if url.is_sqlite() && max > 1 {
            build(max)
        } else {
            write.clone()
        };
        let db = Db {
            read,
            write: Writes::new(write),
            url,
        };
        db.migrate()?;
        if let DatabaseUrl::Sqlite(path) = &db.url {
            checkpoint::start(path, Arc::downgrade(&db.write.counts));
        }
        Ok(db)
    }

    /// Open an existing database read-only, for checking (one connection, no migrations). On
    /// SQLite this reads a copy on read-only media; on PostgreSQL it is an ordinary connection.
    pub fn open_read_only(url: &str) -> Result<Db, String> {
        let url = DatabaseUrl::parse(url)?;
        if let DatabaseUrl::Sqlite(path) = &url {
            if !std::path::Path::new(path).is_file() {
                return Err(format!("no database file at {path}"));
            }
        }
        let manager = Manager {
            url: url.clone(),
            read_only: true,
        };
        manager
            .connect()
            .map_err(|e| format!("cannot open the database: {e}"))?;
        let pool = r2d2::Pool::builder()
            .max_size(1)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(10))
            .build_unchecked(manager);
        Ok(Db {
            read: pool.clone(),
            write: Writes::new(pool),
            url,
        })
    }

    /// The most connections this process may hold (reads and writes together).
    pub fn max_connections(&self) -> u32 {
        if self.url.is_sqlite() && self.read.max_size() > 1 {
            self.read.max_size() + self.write.pool().max_size()
        } else {
            self.write.pool().max_size()
        }
    }

    /// The connections this process holds now, idle or in use.
    pub fn open_connections(&self) -> u32 {
        if self.url.is_sqlite() && self.read.max_size() > 1 {
            self.read.state().connections + self.write.pool().state().connections
        } else {
            self.write.pool().state().connections
        }
    }

    /// Run pending migrations.
    pub fn migrate(&self) -> Result<(), String> {
        let mut conn = self
            .write
            .get()
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        let result = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
            DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
        };
        result.map_err(|e| format!("migration failed: {e}"))
    }
}

/// A new id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new id that sorts by when it was made (UUID version 7: milliseconds, then random bits), for
/// rows written by the thousand: each is added at the end of its table's primary-key index, where
/// a random id (version 4) lands on a different page of that index each time and each such page
/// is written to the log again (the comment intake; issue 14). Its time says nothing the row does
/// not say itself (a comment's `received_at` is public).
pub fn new_ordered_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The time as stored: UTC, to the microsecond.
pub fn stored_time(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    truncate(t.naive_utc())
}

/// Timestamps are kept to the microsecond, as both backends store them.
pub fn truncate(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    let micros = t.and_utc().timestamp_micros();
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|d| d.naive_utc())
        .unwrap_or(t)
}
