//! `juece export dossier DECISION --out FILE.zip`: a decision's dossier (第三十三条), as the API
//! gives it. The operator holds the database, so any decision may be exported.

use std::process::ExitCode;

use super::*;
use crate::service::{dossier, Engine};

pub(super) fn run(command: ExportCmd) -> Result<ExitCode, String> {
    match command {
        ExportCmd::Dossier {
            data,
            decision,
            out,
        } => {
            let (packs, calendar, db) = open(&data, crate::db::PoolSize::CLI)?;
            let engine = Engine {
                packs: &packs,
                calendar: &calendar,
            };
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            let d = dossier::export(&mut conn, &engine, None, &decision, chrono::Utc::now())
                .map_err(|e| e.to_string())?;
            std::fs::write(&out, &d.bytes).map_err(|e| format!("{}: {e}", out.display()))?;
            println!(
                "dossier of decision {decision} written to {} ({} bytes)",
                out.display(),
                d.bytes.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
