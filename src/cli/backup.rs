//! `juece backup` and `juece restore`: a consistent copy of a live SQLite database (`VACUUM
//! INTO` reads one snapshot while others write; copying the file with `cp` does not), and its
//! restoration into an empty database, checked like `juece audit verify`. PostgreSQL has its
//! own tools: `pg_dump` and `pg_restore` (see docs/RELIABILITY.md).

use std::path::Path;
use std::process::ExitCode;

use crate::audit;
use crate::db::{integrity, DatabaseUrl, Db};

const PG_BACKUP: &str = "PostgreSQL is backed up with its own tool, consistent under load: \
    pg_dump --format=custom --file=FILE \"$DATABASE_URL\" (restore into an empty database with \
    pg_restore --dbname=\"$DATABASE_URL\" FILE, then run juece audit verify)";

/// `juece backup --out FILE`.
pub(super) fn backup(url: &str, out: &Path) -> Result<ExitCode, String> {
    if !DatabaseUrl::parse(url)?.is_sqlite() {
        eprintln!("{PG_BACKUP}");
        return Ok(ExitCode::FAILURE);
    }
    if out.exists() {
        return Err(format!("{} exists; choose a new file", out.display()));
    }
    let target = out
        .to_str()
        .ok_or_else(|| format!("{}: not a UTF-8 path", out.display()))?;
    let db = Db::open_cli(url)?;
    let mut conn = db.read.get().map_err(|e| e.to_string())?;
    integrity::vacuum_into(&mut conn, target).map_err(|e| format!("backup failed: {e}"))?;
    drop(conn);
    let problems = check(&format!("sqlite://{target}"))?;
    if !problems.is_empty() {
        return Err(format!(
            "the copy {} does not verify: {}",
            out.display(),
            problems.join("; ")
        ));
    }
    println!("backup written to {} and verified", out.display());
    Ok(ExitCode::SUCCESS)
}

/// `juece restore --from FILE`: into an empty database only.
pub(super) fn restore(url: &str, from: &Path) -> Result<ExitCode, String> {
    let DatabaseUrl::Sqlite(path) = DatabaseUrl::parse(url)? else {
        eprintln!("{PG_BACKUP}");
        return Ok(ExitCode::FAILURE);
    };
    let source = from
        .to_str()
        .ok_or_else(|| format!("{}: not a UTF-8 path", from.display()))?;
    let problems = check(&format!("sqlite://{source}"))?;
    if !problems.is_empty() {
        return Err(format!(
            "the backup {source} does not verify, nothing restored: {}",
            problems.join("; ")
        ));
    }
    let target = Path::new(&path);
    if target.exists() {
        let db = Db::open_read_only(url)?;
        let mut conn = db.read.get().map_err(|e| e.to_string())?;
        if integrity::holds_data(&mut conn).map_err(|e| e.to_string())? {
            return Err(format!(
                "{path} holds data: a restore goes only into an empty database (move it away first)"
            ));
        }
        drop(conn);
        drop(db);
        for f in [path.clone(), format!("{path}-wal"), format!("{path}-shm")] {
            if Path::new(&f).exists() {
                std::fs::remove_file(&f).map_err(|e| format!("{f}: {e}"))?;
            }
        }
    }
    // Copied beside the target, then renamed: a crash leaves no half-restored database.
    let partial = format!("{path}.restoring");
    std::fs::copy(from, &partial).map_err(|e| format!("{}: {e}", from.display()))?;
    std::fs::rename(&partial, &path).map_err(|e| format!("{path}: {e}"))?;
    // A backup of an older release is brought up to this one's schema.
    drop(Db::open_cli(url)?);
    let problems = check(url)?;
    if !problems.is_empty() {
        return Err(format!(
            "restored, but it does not verify: {}",
            problems.join("; ")
        ));
    }
    println!("restored {} into {path}; verified", from.display());
    Ok(ExitCode::SUCCESS)
}

/// What `juece audit verify` (with SQLite's integrity check) finds wrong with a database.
fn check(url: &str) -> Result<Vec<String>, String> {
    let db = Db::open_read_only(url)?;
    let mut conn = db.read.get().map_err(|e| e.to_string())?;
    let report = audit::verify(&mut conn).map_err(|e| e.to_string())?;
    Ok(report
        .findings
        .iter()
        .map(|f| format!("{} {} seq {}: {}", f.kind, f.decision_id, f.seq, f.detail))
        .collect())
}
