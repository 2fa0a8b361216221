//! The `juece` command line: one file per command group. `main.rs` only sets the allocator and
//! calls [`main`].

mod admin;
mod audit;
mod backup;
mod catalog;
mod export;
mod serve;
mod workflows;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::db::Db;
use crate::procedure::{Calendar, PackSet};

/// juece (决策): the major administrative decision procedure, enforced.
#[derive(Parser)]
#[command(name = "juece", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

/// Where data and rules live; every subcommand that touches data takes these.
#[derive(clap::Args, Clone)]
struct DataArgs {
    /// `sqlite://PATH`, a bare path (SQLite) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://juece.sqlite")]
    database_url: String,
    /// The folder of jurisdiction packs.
    #[arg(long, default_value = "workflows")]
    workflows: PathBuf,
    /// The folder of holiday calendars.
    #[arg(long, default_value = "seeds/holidays")]
    holidays: PathBuf,
}

#[derive(Subcommand)]
enum Top {
    /// Serve the API (creates and migrates the database).
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the demo organs, users and decisions (into an empty database).
        #[arg(long)]
        demo: bool,
        /// The demo file.
        #[arg(long, default_value = "seeds/demo/demo.json")]
        demo_file: PathBuf,
        /// Let the clock be moved forward through the API (training, tests). Announced in every
        /// response.
        #[arg(long)]
        simulated_clock: bool,
        /// Worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Public comments accepted per address per minute.
        #[arg(long, default_value_t = crate::throttle::COMMENTS_PER_MINUTE)]
        comment_limit: u32,
        /// Behind a load balancer: take client addresses from the X-Forwarded-For hops it
        /// appends (never set this when clients reach the server directly).
        #[arg(long)]
        trust_proxy: bool,
        /// With --trust-proxy: how many proxies of ours append to X-Forwarded-For (default 1).
        /// The client is the right-most hop none of them added; hops further left are the
        /// client's own claims and are ignored.
        #[arg(long, requires = "trust_proxy", value_parser = clap::value_parser!(u16).range(1..=16))]
        trusted_proxies: Option<u16>,
        /// The most database connections this process holds (opened when needed, none idle at
        /// start). On SQLite: readers, besides the one writer (default 8); on PostgreSQL, reads
        /// and writes together (default 16).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
        db_pool: Option<u32>,
        /// PostgreSQL: how often, in milliseconds, to ask the server whether anything was
        /// committed, so that reads of unchanged decisions are answered from memory (another
        /// process's commit is seen within a poll, at most 25 ms or ten polls later; this
        /// process's own at once). 0: every read asks the database. Ignored on SQLite, which
        /// is asked on every read at no cost.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=1000))]
        change_poll_ms: u64,
        /// The Ed25519 key that signs the record's seals (64 hex digits), kept outside the
        /// database; created (mode 0600) when missing. Processes on one database share it.
        #[arg(long, env = "JUECE_SEAL_KEY", default_value = "juece-seal.key")]
        seal_key: PathBuf,
        /// Let webhooks be sent to this machine's loopback (127.0.0.1, ::1): a relay beside the
        /// server. Without it a webhook is never sent to the loopback, and never to a
        /// link-local address (where cloud metadata services answer) in any case.
        #[arg(long)]
        webhook_allow_loopback: bool,
    },
    /// Write a consistent copy of the database to FILE while it is in use (SQLite: VACUUM
    /// INTO; PostgreSQL: use pg_dump, as the message says).
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// The copy to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty database (refuses a database that holds data), then
    /// check it like `juece audit verify`.
    Restore {
        #[command(flatten)]
        data: DataArgs,
        /// The backup file written by `juece backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Create or upgrade the database schema.
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Load the demo data into an empty database.
    Seed {
        #[command(flatten)]
        data: DataArgs,
        /// The demo file.
        #[arg(long, default_value = "seeds/demo/demo.json")]
        demo_file: PathBuf,
    },
    /// Organs, users and roles (for an office setting up without the demo).
    Admin {
        #[command(subcommand)]
        command: Admin,
    },
    /// The tamper-evident record.
    Audit {
        #[command(subcommand)]
        command: Audit,
    },
    /// Jurisdiction packs: check them, draw them.
    Workflows {
        #[command(subcommand)]
        command: Workflows,
    },
    /// Annual decision catalogs (决策事项目录): list, show, export, coverage.
    Catalog {
        #[command(subcommand)]
        command: CatalogCmd,
    },
    /// Take the record away: a decision's dossier (第三十三条).
    Export {
        #[command(subcommand)]
        command: ExportCmd,
    },
    /// The annual report figures of an organ for a year, from the record.
    Report {
        #[command(flatten)]
        data: DataArgs,
        /// The organ's id.
        #[arg(long)]
        organ: String,
        /// The year.
        #[arg(long)]
        year: i32,
        /// json, csv or xlsx (xlsx needs --out).
        #[arg(long, value_enum, default_value = "json")]
        format: catalog::Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CatalogCmd {
    /// List catalogs (id, organ, year, status, revision).
    List {
        #[command(flatten)]
        data: DataArgs,
        /// One organ.
        #[arg(long)]
        organ: Option<String>,
        /// One year.
        #[arg(long)]
        year: Option<i32>,
    },
    /// A catalog as its staff see it, as JSON.
    Show {
        #[command(flatten)]
        data: DataArgs,
        /// The catalog's id.
        id: String,
    },
    /// A published revision (default the latest) as JSON, CSV or XLSX.
    Export {
        #[command(flatten)]
        data: DataArgs,
        /// The catalog's id.
        id: String,
        /// The revision.
        #[arg(long)]
        revision: Option<u32>,
        /// json, csv or xlsx (xlsx needs --out).
        #[arg(long, value_enum, default_value = "json")]
        format: catalog::Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// How the catalog is being carried out, as JSON, CSV or XLSX.
    Coverage {
        #[command(flatten)]
        data: DataArgs,
        /// The catalog's id.
        id: String,
        /// json, csv or xlsx (xlsx needs --out).
        #[arg(long, value_enum, default_value = "json")]
        format: catalog::Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ExportCmd {
    /// A decision's dossier as a zip archive: the printable record (dossier.html), the raw
    /// events (events.jsonl), each draft's text, and manifest.json (every file's SHA-256, the
    /// chain head, the archive volume and supplementary volumes, the daily digests). Check it
    /// with `juece audit verify --dossier FILE.zip`.
    Dossier {
        #[command(flatten)]
        data: DataArgs,
        /// The decision's id.
        decision: String,
        /// The archive to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// Add an organ; prints its id.
    OrganAdd {
        #[command(flatten)]
        data: DataArgs,
        /// Its name, e.g. 某市人民政府.
        #[arg(long)]
        name: String,
        /// decision_organ (a government), department, township, legality_review_unit,
        /// party_committee or other; the first three may decide (第二条、第四十二条)
        #[arg(long)]
        kind: String,
        /// The organ it belongs to.
        #[arg(long)]
        parent: Option<String>,
        /// Its legality review unit (for a decision organ).
        #[arg(long)]
        legality_unit: Option<String>,
        /// Its jurisdiction pack id (default national).
        #[arg(long)]
        pack: Option<String>,
    },
    /// List organs.
    Organs {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Add a user; the password is read from the first line of standard input.
    UserAdd {
        #[command(flatten)]
        data: DataArgs,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Name shown in the record.
        #[arg(long)]
        display_name: String,
    },
    /// Give a user a role in an organ.
    Grant {
        #[command(flatten)]
        data: DataArgs,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Organ id.
        #[arg(long)]
        organ: String,
        /// organ_staff, undertaking, legality_reviewer, head or inspector.
        #[arg(long)]
        role: String,
    },
    /// Take a role in an organ from a user (someone who left the post); their sessions answer
    /// with the roles left from the next request on, in every process.
    Revoke {
        #[command(flatten)]
        data: DataArgs,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Organ id.
        #[arg(long)]
        organ: String,
        /// The role to take.
        #[arg(long)]
        role: String,
    },
    /// List users with their roles (organ id and role).
    Users {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum Audit {
    /// Walk every event chain and daily digest; non-zero exit when anything is wrong. With
    /// --dossier: check an exported dossier offline instead (no database is opened).
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Check the seals' signatures against this key file's public key (the operator's).
        #[arg(long, conflicts_with = "public_key")]
        seal_key: Option<PathBuf>,
        /// Check the seals' signatures against this public key (64 hex digits; a third party's
        /// copy of `GET /api/v1/public/digests`'s key).
        #[arg(long)]
        public_key: Option<String>,
        /// A dossier written by `juece export dossier` (or the API): check it offline.
        #[arg(long)]
        dossier: Option<PathBuf>,
    },
    /// Write the daily digests of every whole day not yet sealed, and seal the events appended
    /// since the last seal.
    Seal {
        #[command(flatten)]
        data: DataArgs,
        /// The signing key (see `serve --seal-key`); created when missing.
        #[arg(long, env = "JUECE_SEAL_KEY", default_value = "juece-seal.key")]
        seal_key: PathBuf,
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
    /// The differences between two packs (stages, conditions, parameters), each with its basis.
    Diff {
        /// The first pack: id (`national`, `zhejiang@2021.1`) or a pack file's path.
        a: String,
        /// The second pack.
        b: String,
        /// The folder of packs.
        #[arg(long, default_value = "workflows")]
        dir: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
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

/// Parse the command line and run it.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Top::Workflows { command } => return workflows::run(command),
        Top::Serve {
            data,
            bind,
            demo,
            demo_file,
            simulated_clock,
            workers,
            comment_limit,
            trust_proxy,
            trusted_proxies,
            db_pool,
            change_poll_ms,
            seal_key,
            webhook_allow_loopback,
        } => serve::serve(
            data,
            bind,
            demo.then_some(demo_file),
            simulated_clock,
            workers,
            serve::Limits {
                comment_limit,
                trusted_proxies: if trust_proxy {
                    usize::from(trusted_proxies.unwrap_or(1))
                } else {
                    0
                },
                db_pool,
                change_poll: (change_poll_ms > 0)
                    .then(|| std::time::Duration::from_millis(change_poll_ms)),
                seal_key,
                webhook_allow_loopback,
            },
        ),
        Top::Backup { data, out } => backup::backup(&data.database_url, &out),
        Top::Restore { data, from } => backup::restore(&data.database_url, &from),
        Top::Migrate { data } => open(&data, crate::db::PoolSize::CLI).and_then(|(p, c, db)| {
            serve::backfill(&db, &p, &c)?;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }),
        Top::Seed { data, demo_file } => serve::seed(data, &demo_file),
        Top::Audit { command } => audit::run(command),
        Top::Admin { command } => admin::run(command),
        Top::Catalog { command } => catalog::run(command),
        Top::Export { command } => export::run(command),
        Top::Report {
            data,
            organ,
            year,
            format,
            out,
        } => catalog::report(data, organ, year, format, out),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Packs, calendar and database (at most `pool` connections).
fn open(data: &DataArgs, pool: crate::db::PoolSize) -> Result<(PackSet, Calendar, Db), String> {
    let packs = crate::files::load_packs(&data.workflows).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let calendar = crate::files::load_calendar(&data.holidays)?;
    let db = Db::open_with(&data.database_url, pool)?;
    Ok((packs, calendar, db))
}
