//! `juece catalog list|show|export|coverage` and `juece report`: the annual catalogs and report
//! figures for offices that script. The operator holds the database, so reads are not limited to
//! one user's organs; the same service functions as the API compute them.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::*;
use crate::export;
use crate::procedure::state::china_date;
use crate::service::catalogs as service;
use crate::service::{report, Engine};

/// A format on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum Format {
    /// JSON.
    Json,
    /// CSV (UTF-8 with BOM).
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
}

fn write_out(
    format: Format,
    json: String,
    sheets: &[export::Sheet],
    out: Option<&Path>,
) -> Result<(), String> {
    let bytes = match format {
        Format::Json => json.into_bytes(),
        Format::Csv => sheets
            .first()
            .map(export::csv)
            .unwrap_or_default()
            .into_bytes(),
        Format::Xlsx => {
            if out.is_none() {
                return Err("--format xlsx writes a workbook: give --out FILE.xlsx".into());
            }
            export::xlsx(sheets)?
        }
    };
    match out {
        Some(path) => std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display())),
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| e.to_string()),
    }
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

pub(super) fn run(command: CatalogCmd) -> Result<ExitCode, String> {
    let today = china_date(chrono::Utc::now());
    match command {
        CatalogCmd::List { data, organ, year } => {
            let db = Db::open_cli(&data.database_url)?;
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            let organs = organ.map(|o| vec![o]);
            let rows = crate::db::catalogs::list(&mut conn, organs.as_deref(), year, false)
                .map_err(|e| e.to_string())?;
            for r in rows {
                println!(
                    "{}  {}  {}  {}  revision {}",
                    r.id, r.organ_id, r.year, r.status, r.revision
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCmd::Show { data, id } => {
            let (packs, calendar, db) = open(&data, crate::db::PoolSize::CLI)?;
            let engine = Engine {
                packs: &packs,
                calendar: &calendar,
            };
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            let loaded = service::load(&mut conn, &id).map_err(|e| e.to_string())?;
            let view = service::staff_view(&mut conn, &engine, &loaded, today)
                .map_err(|e| e.to_string())?;
            print!("{}", pretty(&view));
            Ok(ExitCode::SUCCESS)
        }
        CatalogCmd::Export {
            data,
            id,
            revision,
            format,
            out,
        } => {
            let (packs, calendar, db) = open(&data, crate::db::PoolSize::CLI)?;
            let engine = Engine {
                packs: &packs,
                calendar: &calendar,
            };
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            let loaded = service::published(&mut conn, &id).map_err(|e| e.to_string())?;
            let revision = revision.unwrap_or(loaded.catalog.revision);
            let view = service::revision_view(&mut conn, &engine, &loaded, revision)
                .map_err(|e| e.to_string())?;
            let sheet = service::items_sheet(&view.organ, view.year, revision, &view.items);
            write_out(format, pretty(&view), &[sheet], out.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        CatalogCmd::Coverage {
            data,
            id,
            format,
            out,
        } => {
            let (packs, calendar, db) = open(&data, crate::db::PoolSize::CLI)?;
            let engine = Engine {
                packs: &packs,
                calendar: &calendar,
            };
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            let loaded = service::load(&mut conn, &id).map_err(|e| e.to_string())?;
            let view =
                service::coverage_view(&mut conn, &engine, &loaded).map_err(|e| e.to_string())?;
            let sheet = service::coverage_sheet(&view);
            write_out(format, pretty(&view), &[sheet], out.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(super) fn report(
    data: DataArgs,
    organ: String,
    year: i32,
    format: Format,
    out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let db = Db::open_cli(&data.database_url)?;
    let mut conn = db.read.get().map_err(|e| e.to_string())?;
    let today = china_date(chrono::Utc::now());
    report::check_year(year, today).map_err(|e| e.to_string())?;
    let organ = report::deciding_organ(&mut conn, &organ).map_err(|e| e.to_string())?;
    let r = report::figures(&mut conn, &organ, year, today).map_err(|e| e.to_string())?;
    write_out(format, pretty(&r), &report::sheets(&r), out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
