//! `juece audit verify|seal`.

use std::process::ExitCode;

use super::*;
use crate::audit;

pub(super) fn run(command: Audit) -> Result<ExitCode, String> {
    match command {
        Audit::Verify {
            dossier: Some(path),
            json,
            ..
        } => verify_dossier(&path, json),
        Audit::Verify {
            data,
            json,
            seal_key,
            public_key,
            ..
        } => {
            let known = match (seal_key, public_key) {
                (Some(path), _) => Some(audit::seal::load_key(&path, false)?.verifying_key()),
                (None, Some(hex)) => Some(
                    audit::seal::parse_public_key(&hex)
                        .map_err(|e| format!("--public-key: {e}"))?,
                ),
                (None, None) => None,
            };
            // A copy on read-only media cannot be migrated or switched to WAL: read it as is.
            let db = Db::open_cli(&data.database_url)
                .or_else(|_| Db::open_read_only(&data.database_url))?;
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            let report =
                audit::verify_with(&mut conn, known.as_ref()).map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                for f in &report.findings {
                    println!(
                        "{}  decision {} seq {}: {}",
                        f.kind, f.decision_id, f.seq, f.detail
                    );
                }
                println!(
                    "{} decisions, {} catalogs, {} events, {} comments, {} daily digests, {} seals checked{}; {} finding(s)",
                    report.decisions,
                    report.catalogs,
                    report.events,
                    report.comments,
                    report.digests,
                    report.seals,
                    if known.is_some() {
                        ""
                    } else {
                        " (seal signatures against the keys they name: give --seal-key or --public-key)"
                    },
                    report.findings.len()
                );
            }
            Ok(if report.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Audit::Seal { data, seal_key } => {
            let key = audit::seal::load_key(&seal_key, true)?;
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            let now = chrono::Utc::now();
            let n = audit::seal_days(
                &mut conn,
                crate::procedure::state::china_date(now),
                now.naive_utc(),
            )
            .map_err(|e| e.to_string())?;
            println!("{n} day(s) sealed");
            let events =
                audit::seal::seal(&mut conn, &key, now.naive_utc()).map_err(|e| e.to_string())?;
            println!("{events} event(s) sealed");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `juece audit verify --dossier FILE.zip`: offline, no database.
fn verify_dossier(path: &std::path::Path, json: bool) -> Result<ExitCode, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let report = crate::dossier::verify(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for f in &report.findings {
            println!("{}: {}", f.place, f.detail);
        }
        for n in &report.notes {
            println!("note: {n}");
        }
        println!(
            "dossier of decision {}: {} files, {} events, {} drafts, {} volumes, {} daily digests checked{}; {} finding(s)",
            report.decision_id,
            report.files,
            report.events,
            report.drafts,
            report.volumes,
            report.digests,
            if report.page_checked {
                ", the printable page rendered again and the same"
            } else {
                ""
            },
            report.findings.len()
        );
    }
    Ok(if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
