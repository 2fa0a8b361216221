//! The storage's own consistency: SQLite's `PRAGMA integrity_check` (a copied live file can be
//! corrupt in ways no hash chain notices), and the consistent copy `juece backup` writes.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::DbConn;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// What SQLite's `PRAGMA integrity_check` finds wrong (empty when it answers `ok`). PostgreSQL
/// checks its pages itself: nothing to report here.
pub fn integrity_check(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let DbConn::Sqlite(c) = conn else {
        return Ok(Vec::new());
    };
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check").load(c)?;
    Ok(lines
        .into_iter()
        .map(|l| l.integrity_check)
        .filter(|l| l != "ok")
        .collect())
}

/// Write a consistent copy of a SQLite database to `path` (which must not exist) while others
/// read and write it: `VACUUM INTO` reads one snapshot. Not for PostgreSQL (use `pg_dump`).
pub fn vacuum_into(conn: &mut DbConn, path: &str) -> QueryResult<()> {
    let DbConn::Sqlite(c) = conn else {
        return Err(diesel::result::Error::QueryBuilderError(
            "VACUUM INTO is SQLite's; for PostgreSQL use pg_dump".into(),
        ));
    };
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(path)
        .execute(c)
        .map(|_| ())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Whether the database holds any organ, user or decision (a restore only goes into one that
/// does not). A database without the tables holds nothing.
pub fn holds_data(conn: &mut DbConn) -> QueryResult<bool> {
    for table in ["organs", "users", "decisions", "events", "comments"] {
        let q = format!("SELECT COUNT(*) AS n FROM {table}");
        match diesel::sql_query(q).get_result::<Count>(conn) {
            Ok(c) if c.n > 0 => return Ok(true),
            Ok(_) => {}
            // No such table: a fresh, empty database.
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("no such table")
                    || info.message().contains("does not exist") =>
            {
                return Ok(false)
            }
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}
