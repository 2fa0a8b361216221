//! The `juece` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// glibc's allocator spent a quarter of a loaded server's time in malloc/free across worker
// threads; mimalloc keeps per-thread heaps.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use juece::app::{self, AppState, Clock};
use juece::audit;
use juece::db::Db;
use juece::procedure::{graph, Calendar, PackSet};

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
        #[arg(long, default_value_t = juece::app::COMMENTS_PER_MINUTE)]
        comment_limit: u32,
        /// Behind a load balancer: take client addresses from its Forwarded / X-Forwarded-For
        /// headers (never set this when clients reach the server directly).
        #[arg(long)]
        trust_proxy: bool,
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
        /// decision_organ, department, legality_review_unit, party_committee, …
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
}

#[derive(Subcommand)]
enum Audit {
    /// Walk every event chain and daily digest; non-zero exit when anything is wrong.
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the daily digests of every whole day not yet sealed.
    Seal {
        #[command(flatten)]
        data: DataArgs,
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

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Top::Workflows { command } => return workflows(command),
        Top::Serve {
            data,
            bind,
            demo,
            demo_file,
            simulated_clock,
            workers,
            comment_limit,
            trust_proxy,
        } => serve(
            data,
            bind,
            demo.then_some(demo_file),
            simulated_clock,
            workers,
            (comment_limit, trust_proxy),
        ),
        Top::Migrate { data } => Db::open(&data.database_url).map(|_| {
            println!("database is up to date");
            ExitCode::SUCCESS
        }),
        Top::Seed { data, demo_file } => seed(data, &demo_file),
        Top::Audit { command } => audit_command(command),
        Top::Admin { command } => admin(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Packs, calendar and database.
fn open(data: &DataArgs) -> Result<(PackSet, Calendar, Db), String> {
    let packs = juece::files::load_packs(&data.workflows).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let calendar = juece::files::load_calendar(&data.holidays)?;
    let db = Db::open(&data.database_url)?;
    Ok((packs, calendar, db))
}

fn seed(data: DataArgs, demo_file: &std::path::Path) -> Result<ExitCode, String> {
    let (packs, calendar, db) = open(&data)?;
    let mut conn = db.write.get().map_err(|e| e.to_string())?;
    if juece::seed::load_demo(&mut conn, demo_file, &packs, &calendar, chrono::Utc::now())? {
        println!("demo data loaded");
    } else {
        println!("the database already has organs; nothing loaded");
    }
    Ok(ExitCode::SUCCESS)
}

fn admin(command: Admin) -> Result<ExitCode, String> {
    use juece::api::access::role;
    use juece::db::{rows, store};
    let now = store::stored_time(chrono::Utc::now());
    match command {
        Admin::OrganAdd {
            data,
            name,
            kind,
            parent,
            legality_unit,
            pack,
        } => {
            let db = Db::open(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            if name.trim().is_empty() {
                return Err("--name is empty".into());
            }
            for (what, id) in [("--parent", &parent), ("--legality-unit", &legality_unit)] {
                if let Some(id) = id {
                    if store::organ(&mut conn, id)
                        .map_err(|e| e.to_string())?
                        .is_none()
                    {
                        return Err(format!("{what}: no organ {id}"));
                    }
                }
            }
            if let Some(p) = &pack {
                let packs = juece::files::load_packs(&data.workflows).map_err(|_| {
                    "the packs do not load; run `juece workflows check`".to_string()
                })?;
                if packs.latest(p).is_none() {
                    return Err(format!(
                        "--pack: no pack {p} in {}",
                        data.workflows.display()
                    ));
                }
            }
            let id = store::new_id();
            store::insert_organ(
                &mut conn,
                &rows::Organ {
                    id: id.clone(),
                    name,
                    kind,
                    parent_id: parent,
                    legality_unit_id: legality_unit,
                    pack_id: pack,
                    created_at: now,
                },
            )
            .map_err(|e| e.to_string())?;
            println!("{id}");
        }
        Admin::Organs { data } => {
            let db = Db::open(&data.database_url)?;
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            for o in store::all_organs(&mut conn).map_err(|e| e.to_string())? {
                println!(
                    "{}  {:<22} {}  legality unit: {}",
                    o.id,
                    o.kind,
                    o.name,
                    o.legality_unit_id.unwrap_or_else(|| "-".into())
                );
            }
        }
        Admin::UserAdd {
            data,
            username,
            display_name,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| e.to_string())?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.chars().count() < 10 {
                return Err(
                    "the password (first line of standard input) must have at least 10 characters"
                        .into(),
                );
            }
            let db = Db::open(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            if store::user_by_username(&mut conn, &username)
                .map_err(|e| e.to_string())?
                .is_some()
            {
                return Err(format!("user {username} exists"));
            }
            let hash = juece::api::auth::hash_password(password)?;
            let id = store::new_id();
            store::insert_user(
                &mut conn,
                &rows::User {
                    id: id.clone(),
                    username,
                    display_name,
                    password_hash: hash,
                    created_at: now,
                },
            )
            .map_err(|e| e.to_string())?;
            println!("{id}");
        }
        Admin::Grant {
            data,
            username,
            organ,
            role: r,
        } => {
            if !role::ALL.contains(&r.as_str()) {
                return Err(format!("--role must be one of {}", role::ALL.join(", ")));
            }
            let db = Db::open(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            let user = store::user_by_username(&mut conn, &username)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user {username}"))?;
            if store::organ(&mut conn, &organ)
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("no organ {organ}"));
            }
            let roles = store::roles_of(&mut conn, &user.id).map_err(|e| e.to_string())?;
            if !roles.iter().any(|x| x.organ_id == organ && x.role == r) {
                store::grant(&mut conn, &user.id, &organ, &r).map_err(|e| e.to_string())?;
            }
            println!("{username} is {r} of {organ}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn audit_command(command: Audit) -> Result<ExitCode, String> {
    match command {
        Audit::Verify { data, json } => {
            let db = Db::open(&data.database_url)?;
            let mut conn = db.read.get().map_err(|e| e.to_string())?;
            let report = audit::verify(&mut conn).map_err(|e| e.to_string())?;
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
                    "{} decisions, {} events, {} comments, {} daily digests checked; {} finding(s)",
                    report.decisions,
                    report.events,
                    report.comments,
                    report.digests,
                    report.findings.len()
                );
            }
            Ok(if report.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Audit::Seal { data } => {
            let db = Db::open(&data.database_url)?;
            let mut conn = db.write.get().map_err(|e| e.to_string())?;
            let now = chrono::Utc::now();
            let n = audit::seal_days(
                &mut conn,
                juece::procedure::state::china_date(now),
                now.naive_utc(),
            )
            .map_err(|e| e.to_string())?;
            println!("{n} day(s) sealed");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(
    data: DataArgs,
    bind: String,
    demo: Option<PathBuf>,
    simulated_clock: bool,
    workers: Option<usize>,
    (comment_limit, trust_proxy): (u32, bool),
) -> Result<ExitCode, String> {
    let (packs, calendar, db) = open(&data)?;
    if let Some(file) = demo {
        let mut conn = db.write.get().map_err(|e| e.to_string())?;
        if juece::seed::load_demo(&mut conn, &file, &packs, &calendar, chrono::Utc::now())? {
            tracing::info!("demo data loaded from {}", file.display());
        }
    }
    let state = AppState::new(
        db,
        packs,
        calendar,
        if simulated_clock {
            Clock::simulated()
        } else {
            Clock::real()
        },
    )
    .with_comment_limit(comment_limit)
    .with_trusted_proxy(trust_proxy);
    if simulated_clock {
        tracing::warn!(
            "SIMULATED CLOCK: time can be moved forward through POST /api/v1/clock/advance"
        );
    }
    actix_web::rt::System::new()
        .block_on(async move {
            let sealer = state.clone();
            actix_web::rt::spawn(async move {
                let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(600));
                loop {
                    tick.tick().await;
                    let st = sealer.clone();
                    let _ = actix_web::web::block(move || {
                        let now = st.clock.now();
                        if let Ok(mut conn) = st.db.write.get() {
                            if let Err(e) = audit::seal_days(
                                &mut conn,
                                juece::procedure::state::china_date(now),
                                now.naive_utc(),
                            ) {
                                tracing::error!("sealing daily digests failed: {e}");
                            }
                        }
                    })
                    .await;
                }
            });
            tracing::info!("juece listening on http://{bind}");
            let mut server = actix_web::HttpServer::new(move || app::app(state.clone()));
            if let Some(w) = workers {
                server = server.workers(w);
            }
            server.bind(&bind)?.run().await
        })
        .map_err(|e| format!("server: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn workflows(command: Workflows) -> ExitCode {
    match command {
        Workflows::Check { dir } => match juece::files::load_packs(&dir) {
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
            let d = juece::procedure::diff::diff(&a, &b);
            if json {
                println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
            } else {
                print!("{}", d.to_text());
            }
            ExitCode::SUCCESS
        }
        Workflows::Graph { pack, dir } => {
            let (set_dir, name) = resolve_pack_arg(&pack, &dir);
            let set = match juece::files::load_packs(&set_dir) {
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
fn find_pack(dir: &std::path::Path, name: &str) -> Option<juece::procedure::Pack> {
    let set = match juece::files::load_packs(dir) {
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
