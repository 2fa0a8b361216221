//! Storage: one diesel `MultiConnection` over SQLite (embedded default) and PostgreSQL
//! (production), the backend chosen from the `DATABASE_URL` scheme; migrations embedded and run
//! on start; rows and queries.
//!
//! On SQLite every write goes through one writer connection and reads use a pool: SQLite has a
//! single write lock, and one writer measured several times faster than writers contending.

pub mod accounts;
pub mod catalogs;
pub mod comments;
pub mod decisions;
pub mod hearings;
pub mod personal_data;
pub mod registry;
pub mod rows;
pub mod schema;

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
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
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

/// The database: a read pool and a write pool (one connection on SQLite).
#[derive(Clone)]
pub struct Db {
    /// For reads.
    pub read: Pool,
    /// For writes.
    pub write: Pool,
    /// Which backend.
    pub url: DatabaseUrl,
}

impl Db {
    /// Connect and run pending migrations.
    pub fn open(url: &str) -> Result<Db, String> {
        let url = DatabaseUrl::parse(url)?;
        let manager = Manager { url: url.clone() };
        let build = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                .connection_timeout(Duration::from_secs(10))
                // A broken connection is dropped when it is returned (`has_broken`); testing
                // each checkout would cost a round trip on every request.
                .test_on_check_out(false)
                .build(manager.clone())
                .map_err(|e| format!("cannot open the database: {e}"))
        };
        let write = build(if url.is_sqlite() { 1 } else { 16 })?;
        let read = if url.is_sqlite() {
            build(8)?
        } else {
            write.clone()
        };
        let db = Db { read, write, url };
        db.migrate()?;
        Ok(db)
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
