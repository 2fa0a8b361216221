//! Reading the rule files from disk: the packs of `workflows/` and the holiday calendars of
//! `seeds/holidays/`. The engine itself (`procedure`) takes their text and never touches a file.

use std::path::{Path, PathBuf};

use crate::procedure::{Calendar, PackError, PackSet};

/// Every `*.json` of `dir`, in name order, with its text; or the file that could not be read.
fn json_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, (PathBuf, String)> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| (dir.to_path_buf(), format!("cannot read the folder: {e}")))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| match std::fs::read_to_string(&f) {
            Ok(text) => Ok((f, text)),
            Err(e) => Err((f, format!("cannot read the file: {e}"))),
        })
        .collect()
}

/// Load and verify every pack of `dir`. All problems of all files are reported.
pub fn load_packs(dir: &Path) -> Result<PackSet, Vec<PackError>> {
    let sources = json_files(dir).map_err(|(file, message)| vec![PackError { file, message }])?;
    PackSet::from_sources(&sources)
}

/// Load every `YYYY.json` holiday calendar of `dir`.
pub fn load_calendar(dir: &Path) -> Result<Calendar, String> {
    let sources =
        json_files(dir).map_err(|(file, message)| format!("{}: {message}", file.display()))?;
    Calendar::from_sources(&sources)
}
