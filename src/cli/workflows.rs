//! `juece workflows check|diff|graph`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::*;
use crate::procedure::graph;

pub(super) fn run(command: Workflows) -> ExitCode {
    match command {
        Workflows::Check { dir } => match crate::files::load_packs(&dir) {
            Ok(set) => {
                for p in set.all() {
                    println!(
                        "ok  {:<24} {} stages, in force from {}  ({})",
                        p.key(),
                        p.stages.len(),
                        p.effective_from,
                        p.file.display()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(errors) => {
                for e in &errors {
                    eprintln!("error: {e}");
                }
                eprintln!("{} error(s) in {}", errors.len(), dir.display());
                ExitCode::FAILURE
            }
        },
        Workflows::Diff { a, b, dir, json } => {
            let (a_dir, a) = resolve_pack_arg(&a, &dir);
            let (b_dir, b) = resolve_pack_arg(&b, &dir);
            let (Some(a), Some(b)) = (find_pack(&a_dir, &a), find_pack(&b_dir, &b)) else {
                return ExitCode::FAILURE;
            };
            let d = crate::procedure::diff::diff(&a, &b);
            if json {
                println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
            } else {
                print!("{}", d.to_text());
            }
            ExitCode::SUCCESS
        }
        Workflows::Graph { pack, dir } => {
            let (set_dir, name) = resolve_pack_arg(&pack, &dir);
            let set = match crate::files::load_packs(&set_dir) {
                Ok(set) => set,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("error: {e}");
                    }
                    return ExitCode::FAILURE;
                }
            };
            let found = match name.split_once('@') {
                Some((id, version)) => set.get(id, version),
                None => set.latest(&name),
            };
            match found {
                Some(p) => {
                    print!("{}", graph::dot(p));
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("error: no pack \"{name}\" in {}", set_dir.display());
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Load the packs of `dir` and find `name` (`id` or `id@version`), reporting on stderr.
fn find_pack(dir: &std::path::Path, name: &str) -> Option<crate::procedure::Pack> {
    let set = match crate::files::load_packs(dir) {
        Ok(set) => set,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            return None;
        }
    };
    let found = match name.split_once('@') {
        Some((id, version)) => set.get(id, version),
        None => set.latest(name),
    };
    if found.is_none() {
        eprintln!("error: no pack \"{name}\" in {}", dir.display());
    }
    found.cloned()
}

/// A pack argument is an id, or the path of a file (whose folder is loaded, for `extends`).
fn resolve_pack_arg(arg: &str, dir: &std::path::Path) -> (PathBuf, String) {
    let path = PathBuf::from(arg);
    if path.extension().is_some_and(|x| x == "json") && path.is_file() {
        let id = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                let id = v.get("id")?.as_str()?.to_string();
                let version = v.get("version")?.as_str()?.to_string();
                Some(format!("{id}@{version}"))
            })
            .unwrap_or_else(|| arg.to_string());
        let folder = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            })
            .unwrap_or_else(|| PathBuf::from("."));
        (folder, id)
    } else {
        (dir.to_path_buf(), arg.to_string())
    }
}
