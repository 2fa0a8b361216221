//! Whether anything was committed to the database since a moment, answered without a pooled
//! connection or a thread of the blocking pool (issue 14, reads): on SQLite, `PRAGMA
//! data_version` on a connection kept for asking only. Its value changes whenever any other
//! connection — this process's writer or another process on the same file — commits
//! (<https://sqlite.org/pragma.html#pragma_data_version>). A value kept with the stamp read
//! *before* the queries that built it is current for as long as the stamp has not moved.
//! PostgreSQL offers nothing as cheap: there the answer is "cannot tell" and callers ask the
//! database as before.

use std::sync::Mutex;

use diesel::sql_types::BigInt;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::DatabaseUrl;

/// The watcher of one database.
pub struct Changes {
    conn: Option<Mutex<SqliteConnection>>,
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
}

impl Changes {
    /// A watcher of the database at `url`: on SQLite a connection of its own; on PostgreSQL
    /// (or if the file cannot be opened) one that cannot tell.
    pub fn watch(url: &DatabaseUrl) -> Changes {
        let conn = match url {
            DatabaseUrl::Sqlite(path) => SqliteConnection::establish(path).ok().map(Mutex::new),
            DatabaseUrl::Postgres(_) => None,
        };
        Changes { conn }
    }

    /// A stamp that differs from every earlier stamp of this watcher if anything was committed
    /// in between; `None` when it cannot tell.
    pub fn stamp(&self) -> Option<i64> {
        let conn = self.conn.as_ref()?;
        // A panic while asking leaves nothing half-done: the connection only reads.
        let mut conn = conn.lock().unwrap_or_else(|e| e.into_inner());
        diesel::sql_query("PRAGMA data_version")
            .get_result::<DataVersion>(&mut *conn)
            .ok()
            .map(|v| v.data_version)
    }
}
