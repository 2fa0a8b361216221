//! The `juece` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use juece::procedure::{graph, PackSet};

/// juece (决策): the major administrative decision procedure, enforced.
#[derive(Parser)]
#[command(name = "juece", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(Subcommand)]
enum Top {
    /// Jurisdiction packs: check them, draw them.
    Workflows {
        #[command(subcommand)]
        command: Workflows,
    },
}

#[derive(Subcommand)]
enum Workflows {
    /// Load and verify every pack in DIR (default `workflows`); non-zero exit on any error.
    Check {
        /// The folder of packs.
        #[arg(default_value = "workflows")]
        dir: PathBuf,
    },
    /// Print a pack's stage graph as Graphviz DOT.
    Graph {
        /// Pack id (`zhejiang`, `national@2019.1`) or a pack file's path.
        pack: String,
        /// The folder of packs.
        #[arg(long, default_value = "workflows")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Top::Workflows { command } => workflows(command),
    }
}

fn workflows(command: Workflows) -> ExitCode {
    match command {
        Workflows::Check { dir } => match PackSet::load_dir(&dir) {
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
        Workflows::Graph { pack, dir } => {
            let (set_dir, name) = resolve_pack_arg(&pack, &dir);
            let set = match PackSet::load_dir(&set_dir) {
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
