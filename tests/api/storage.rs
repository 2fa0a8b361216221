//! Storage under stress (issue 13): pools sized to the work, a backup taken while writing,
//! a comment the database cannot store, and two processes appending to one chain.

use std::process::Command as Process;
use std::sync::Arc;

use juece::db::comments::NewComment;
use juece::db::{Db, PoolSize};
use juece::procedure::state::Command;

use super::*;

fn until_comments(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

fn juece(args: &[&str]) -> (bool, String) {
    let out = Process::new(env!("CARGO_BIN_EXE_juece"))
        .args(args)
        .output()
        .expect("run juece");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn new_comment(body: String) -> NewComment {
    NewComment {
        author_name: None,
        contact: None,
        body,
        address_hash: "test".into(),
        idempotency_key: None,
    }
}

/// A decision whose comment period is open.
async fn consultation(t: &TestApp) -> String {
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    walk_until(&app, &t.state, &tokens, until_comments).await.0
}

fn store(db: &Db, t: &TestApp, id: &str, items: &[NewComment]) -> Vec<bool> {
    juece::intake::store(
        db,
        &t.state.packs,
        &t.state.calendar,
        &t.state.clock,
        id,
        items,
    )
    .iter()
    .map(Result::is_ok)
    .collect()
}

fn findings(db: &Db) -> Vec<juece::audit::Finding> {
    let mut conn = db.read.get().unwrap();
    juece::audit::verify(&mut conn).unwrap().findings
}

#[actix_web::test]
async fn a_command_holds_one_connection_and_a_server_opens_them_when_needed() {
    let db = TestDb::new();
    let cli = Db::open_cli(&db.url).unwrap();
    assert_eq!(cli.max_connections(), 1);
    assert!(cli.open_connections() <= 1);
    let server = Db::open_with(&db.url, PoolSize(12)).unwrap();
    // Lazily: only the connection the migrations needed, not twelve.
    assert!(
        server.open_connections() <= 1,
        "{}",
        server.open_connections()
    );
    assert!(server.max_connections() >= 12);
}

#[actix_web::test]
async fn a_backup_taken_while_writing_restores_and_verifies() {
    let t = TestApp::new();
    let id = consultation(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.sqlite");
    let copy = copy.to_str().unwrap();
    if !t.db.url.starts_with("sqlite://") {
        let (ok, out) = juece(&["backup", "--database-url", &t.db.url, "--out", copy]);
        assert!(!ok && out.contains("pg_dump"), "{out}");
        return;
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop, id) = (t.state.db.clone(), stop.clone(), id.clone());
        let (packs, calendar, clock) = (
            t.state.packs.clone(),
            t.state.calendar.clone(),
            t.state.clock.clone(),
        );
        std::thread::spawn(move || {
            let mut stored = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let items: Vec<NewComment> = (0..20)
                    .map(|n| new_comment(format!("负载中的意见{n}")))
                    .collect();
                let r = juece::intake::store(&db, &packs, &calendar, &clock, &id, &items);
                stored += r.iter().filter(|r| r.is_ok()).count();
            }
            stored
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (ok, out) = juece(&["backup", "--database-url", &t.db.url, "--out", copy]);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let stored = writer.join().unwrap();
    assert!(ok, "{out}");
    assert!(stored > 0);
    // A second backup to the same file is refused, not overwritten.
    let (ok, _) = juece(&["backup", "--database-url", &t.db.url, "--out", copy]);
    assert!(!ok);
    // Restored into an empty place, it verifies; into a database holding data, it is refused.
    let target = format!("sqlite://{}", dir.path().join("restored.sqlite").display());
    let (ok, out) = juece(&["restore", "--database-url", &target, "--from", copy]);
    assert!(ok, "{out}");
    let (ok, out) = juece(&["audit", "verify", "--database-url", &target]);
    assert!(ok && out.contains("0 finding(s)"), "{out}");
    let (ok, out) = juece(&["restore", "--database-url", &t.db.url, "--from", copy]);
    assert!(!ok && out.contains("holds data"), "{out}");
    // The copy reads read-only, at once, and passes SQLite's integrity check.
    let started = std::time::Instant::now();
    let ro = Db::open_read_only(&format!("sqlite://{copy}")).unwrap();
    assert!(findings(&ro).is_empty());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[actix_web::test]
async fn one_unstorable_comment_never_fails_its_batch_mates() {
    let t = TestApp::new();
    let id = consultation(&t).await;
    // PostgreSQL cannot store a NUL in text (the API refuses it before; the intake must not
    // let it sink the batch anyway). SQLite stores it: there, all three are stored.
    let items = vec![
        new_comment("第一条".into()),
        new_comment("坏\u{0}的".into()),
        new_comment("第三条".into()),
    ];
    let results = juece::intake::store(
        &t.state.db,
        &t.state.packs,
        &t.state.calendar,
        &t.state.clock,
        &id,
        &items,
    );
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    // Alone in its batch, it is answered the same way.
    let alone = juece::intake::store(
        &t.state.db,
        &t.state.packs,
        &t.state.calendar,
        &t.state.clock,
        &id,
        &items[1..2],
    );
    if !t.db.url.starts_with("sqlite://") {
        assert!(
            results[1].is_err() && alone[0].is_err(),
            "{results:?} {alone:?}"
        );
    }
    for e in [&results[1], &alone[0]]
        .into_iter()
        .filter_map(|r| r.as_ref().err())
    {
        // Answered as bad data (422), not as a server fault.
        let e = match e {
            juece::service::ServiceError::Db(d) => juece::api::error::from_db(d),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            actix_web::ResponseError::status_code(&e).as_u16(),
            422,
            "{e:?}"
        );
    }
    assert!(findings(&t.state.db).is_empty());
}

#[actix_web::test]
async fn two_processes_appending_to_one_chain_verify_clean() {
    let t = TestApp::new();
    let id = consultation(&t).await;
    // Two processes: two pools on one database, 64 clients racing.
    let nodes = [Db::open(&t.db.url).unwrap(), Db::open(&t.db.url).unwrap()];
    let t = Arc::new(t);
    let mut clients = Vec::new();
    for c in 0..64 {
        let (t, id, db) = (t.clone(), id.clone(), nodes[c % 2].clone());
        clients.push(std::thread::spawn(move || {
            let mut ok = 0;
            for round in 0..4 {
                let items: Vec<NewComment> = (0..3)
                    .map(|n| new_comment(format!("客户{c}第{round}轮第{n}条")))
                    .collect();
                ok += store(&db, &t, &id, &items).iter().filter(|b| **b).count();
            }
            ok
        }));
    }
    let stored: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(stored, 64 * 4 * 3, "every comment acknowledged");
    let f = findings(&t.state.db);
    assert!(f.is_empty(), "{f:?}");
    let mut conn = t.state.db.read.get().unwrap();
    let rows = juece::db::comments::page(&mut conn, &id, None, 10_000, false).unwrap();
    assert_eq!(rows.len(), stored, "no comment lost or duplicated");
}

/// SQLite: what the writer commits is copied from the log into the database file by a thread of
/// its own soon after, not only when the writer's own checkpoint comes due at 1,000 pages of log
/// (that copy held every write waiting behind it: issue 14).
#[core::prelude::v1::test]
fn what_is_committed_reaches_the_database_file_without_the_writer_copying_it() {
    use diesel::connection::SimpleConnection;
    let t = TestDb::new();
    let Some(path) = t.url.strip_prefix("sqlite://").map(str::to_string) else {
        return; // PostgreSQL keeps its own log.
    };
    let db = Db::open_with(&t.url, PoolSize(2)).unwrap();
    let write = |sql: &str| db.write.get().unwrap().batch_execute(sql).unwrap();
    let size = || std::fs::metadata(&path).unwrap().len();
    let within = |grown: &dyn Fn() -> bool| {
        let started = std::time::Instant::now();
        while !grown() && started.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        grown()
    };
    write("CREATE TABLE scratch (x BLOB)");
    let before = size();
    // Twenty transactions of one 4 KB row each: some twenty pages of log, far below 1,000.
    for _ in 0..20 {
        write("INSERT INTO scratch VALUES (randomblob(4000))");
    }
    assert!(
        within(&|| size() >= before + 20 * 4000),
        "the database file stayed at {} bytes (was {before})",
        size()
    );
    // Every row reads back, from the file and the log together.
    let n: i64 = {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query("SELECT COUNT(*) AS n FROM scratch")
            .get_result::<N>(&mut *db.read.get().unwrap())
            .unwrap()
            .n
    };
    assert_eq!(n, 20);
}

/// A comment's id sorts by when it was received (UUID version 7), so the intake adds each at the
/// end of the comments' primary-key index instead of on a random page of it (issue 14); the
/// receipts of comments sent one after another come back in ascending order.
#[actix_web::test]
async fn comment_ids_sort_in_the_order_the_comments_came() {
    let t = TestApp::new();
    let id = consultation(&t).await;
    let mut ids = Vec::new();
    for n in 0..40 {
        let r = juece::intake::store(
            &t.state.db,
            &t.state.packs,
            &t.state.calendar,
            &t.state.clock,
            &id,
            &[new_comment(format!("按顺序的意见{n}"))],
        );
        ids.push(r[0].as_ref().unwrap().id.clone());
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let v = uuid::Uuid::parse_str(&ids[0]).unwrap().get_version_num();
    assert_eq!(v, 7, "{}", ids[0]);
}
