//! `juece serve` and `juece seed`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::*;
use crate::app::AppState;
use crate::audit;
use crate::clock::Clock;

/// The server's limits: public comments per address per minute, proxies trusted to name the
/// client, database connections, how often PostgreSQL is asked for changes.
pub(super) struct Limits {
    pub comment_limit: u32,
    pub trusted_proxies: usize,
    pub db_pool: Option<u32>,
    /// How often to ask PostgreSQL whether anything was committed (`None`: never).
    pub change_poll: Option<std::time::Duration>,
    /// The file of the key that signs the seals.
    pub seal_key: PathBuf,
    /// Whether webhooks may be sent to this machine's loopback.
    pub webhook_allow_loopback: bool,
}

pub(super) fn seed(data: DataArgs, demo_file: &std::path::Path) -> Result<ExitCode, String> {
    let (packs, calendar, db) = open(&data, crate::db::PoolSize::CLI)?;
    let mut conn = db.write.get().map_err(|e| e.to_string())?;
    if crate::seed::load_demo(&mut conn, demo_file, &packs, &calendar, chrono::Utc::now())? {
        println!("demo data loaded");
    } else {
        println!("the database already has organs; nothing loaded");
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn serve(
    data: DataArgs,
    bind: String,
    demo: Option<PathBuf>,
    simulated_clock: bool,
    workers: Option<usize>,
    limits: Limits,
) -> Result<ExitCode, String> {
    let pool = limits.db_pool.map_or_else(
        || crate::db::PoolSize::server_default(&data.database_url),
        crate::db::PoolSize,
    );
    let seal_key = std::sync::Arc::new(audit::seal::load_key(&limits.seal_key, true)?);
    let (packs, calendar, db) = open(&data, pool)?;
    backfill(&db, &packs, &calendar)?;
    if let Some(file) = demo {
        let mut conn = db.write.get().map_err(|e| e.to_string())?;
        if crate::seed::load_demo(&mut conn, &file, &packs, &calendar, chrono::Utc::now())? {
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
    .with_comment_limit(limits.comment_limit)
    .with_trusted_proxies(limits.trusted_proxies);
    let state = if limits.change_poll == Some(crate::db::changes::POLL) {
        state
    } else {
        let changes = crate::db::changes::Changes::polling(&state.db, limits.change_poll);
        state.with_changes(changes)
    };
    if simulated_clock {
        tracing::warn!(
            "SIMULATED CLOCK: time can be moved forward through POST /api/v1/clock/advance"
        );
    }
    actix_web::rt::System::new()
        .block_on(async move {
            let sealer = state.clone();
            actix_web::rt::spawn(async move {
                let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(
                    audit::seal::EVERY_SECONDS,
                ));
                loop {
                    tick.tick().await;
                    let st = sealer.clone();
                    let key = seal_key.clone();
                    let _ = actix_web::web::block(move || {
                        let now = st.clock.now();
                        if let Ok(mut conn) = st.db.write.get() {
                            if let Err(e) = audit::seal_days(
                                &mut conn,
                                crate::procedure::state::china_date(now),
                                now.naive_utc(),
                            ) {
                                tracing::error!("sealing daily digests failed: {e}");
                            }
                            if let Err(e) = audit::seal::seal(&mut conn, &key, now.naive_utc()) {
                                tracing::error!("sealing the record failed: {e}");
                            }
                        }
                    })
                    .await;
                }
            });
            // Issue 12: each minute, the deadlines that became due soon or overdue are written
            // to the outbox (once each); the delivery worker sends what the outbox holds.
            // What is due depends only on the decisions, the catalogs and the day: a scan
            // whose day and last changes are those of the one before finds nothing new, and
            // is skipped (at 100,000 decisions a scan reads every open decision's state).
            let scanner = state.clone();
            let scanned = std::sync::Arc::new(std::sync::Mutex::new(None));
            actix_web::rt::spawn(async move {
                let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    let st = scanner.clone();
                    let scanned = scanned.clone();
                    let _ = actix_web::web::block(move || {
                        let stamp = st.db.read.get().ok().and_then(|mut c| {
                            let changes = crate::db::decisions::last_changes(&mut c, None).ok()?;
                            Some((crate::procedure::state::china_date(st.clock.now()), changes))
                        });
                        let mut last = scanned.lock().unwrap_or_else(|e| e.into_inner());
                        if stamp.is_some() && *last == stamp {
                            return;
                        }
                        let engine = crate::service::Engine {
                            packs: &st.packs,
                            calendar: &st.calendar,
                        };
                        // Computed on a reader; only the new entries take the writer.
                        let now = st.clock.now();
                        let scan = || -> Result<usize, String> {
                            let mut read = st.db.read.get().map_err(|e| e.to_string())?;
                            let due = crate::service::deadlines::reminders(&mut read, &engine, now)
                                .map_err(|e| e.to_string())?;
                            drop(read);
                            let mut write = st.db.write.get().map_err(|e| e.to_string())?;
                            crate::service::deadlines::write_reminders(&mut write, due, now)
                                .map_err(|e| e.to_string())
                        };
                        match scan() {
                            Ok(_) => *last = stamp,
                            Err(e) => tracing::error!("the deadline scan failed: {e}"),
                        }
                    })
                    .await;
                }
            });
            crate::delivery::spawn(
                state.db.clone(),
                state.clock.clone(),
                limits.webhook_allow_loopback,
            );
            tracing::info!("juece listening on http://{bind}");
            // The workers' blocking pools hold together about as many threads as the database
            // has connections (the pool is shared by all workers): a thread more only waits for
            // one, and each thread keeps its own stack and allocator heap (issue 14: 256
            // connections took 572 MB with actix's default of 512 threads a worker, and 250 MB
            // on PostgreSQL with 16 a worker).
            let worker_count = workers
                .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
                .unwrap_or(1)
                .max(1);
            let threads = usize::try_from(state.db.max_connections())
                .unwrap_or(8)
                .div_ceil(worker_count)
                .max(2);
            let mut server = actix_web::HttpServer::new(move || crate::server::app(state.clone()))
                .worker_max_blocking_threads(threads);
            if let Some(w) = workers {
                server = server.workers(w);
            }
            server.bind(&bind)?.run().await
        })
        .map_err(|e| format!("server: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Fill what the report reads, and the comment counts the public pages read, for decisions
/// recorded before they were kept (run by `serve` and `migrate`; a no-op once done).
pub(super) fn backfill(
    db: &crate::db::Db,
    packs: &crate::procedure::PackSet,
    calendar: &crate::procedure::Calendar,
) -> Result<(), String> {
    let mut conn = db.write.get().map_err(|e| e.to_string())?;
    let engine = crate::service::Engine { packs, calendar };
    let n = crate::service::decisions::backfill(&mut conn, &engine).map_err(|e| e.to_string())?;
    if n > 0 {
        tracing::info!(
            "report figures filled in for {n} decision(s) recorded before they were kept"
        );
    }
    let n = crate::db::counters::backfill(&mut conn).map_err(|e| e.to_string())?;
    if n > 0 {
        tracing::info!("comment counts kept from now on for {n} decision(s)");
    }
    Ok(())
}
