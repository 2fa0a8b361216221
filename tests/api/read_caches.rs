//! Issue 14, reads: what a process keeps in memory is never stale — a decision's view by its
//! version and day (with `ETag` and `304`), the report by the organ's last change, the signed-in
//! users until a sign-out or a role granted reaches every process through the database. A
//! process's own writes are seen by its next read; on PostgreSQL another process's within one
//! poll of the change watcher (`db::changes`), on SQLite at once.

use std::sync::Arc;
use std::time::Duration;

use actix_web::test;
use juece::service::sessions::Sessions;
use serde_json::json;

use super::*;

/// A second process on the test's database that reads the revocations on every request.
fn second_process(t: &TestApp) -> AppState {
    let mut state = AppState::new(
        Db::open(&t.db.url).unwrap(),
        packs().clone(),
        calendar().clone(),
        Clock::simulated(),
    );
    state.sessions = Arc::new(Sessions::with_poll(Duration::ZERO));
    state
}

/// What `read` answers once it shows another process's write: at once on SQLite; on PostgreSQL
/// within a poll of the change watcher (asked again for up to a second, never more than
/// `FRESH` between the tries' answers being kept).
async fn seen_by<F, Fut>(t: &TestApp, read: F) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = (bool, Value)>,
{
    let tries = if t.state.db.url.is_sqlite() { 1 } else { 100 };
    let mut last = Value::Null;
    for _ in 0..tries {
        let (seen, body) = read().await;
        if seen {
            return body;
        }
        last = body;
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    last
}

/// Send a walk's next command through `app`, as the one whose role it is; it must be accepted.
async fn next_command<S, B>(app: &S, tokens: &Tokens, id: &str, version: i64, step: &Step)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (status, after) = send(
        app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(tokens.for_command(&step.command)))
            .set_json(json!({ "expected_version": version, "command": step.command })),
    )
    .await;
    assert_eq!(status, 200, "{after}");
}

async fn me<S, B>(app: &S, token: &str) -> (u16, Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(
        app,
        test::TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(bearer(token)),
    )
    .await
}

#[actix_web::test]
async fn a_sign_out_in_one_process_ends_the_session_in_another() {
    let t = TestApp::new();
    let a = t.service().await;
    let b = test::init_service(juece::server::app(second_process(&t))).await;
    let token = token(&a, "staff").await;
    // Both processes know the session (and keep it).
    assert_eq!(me(&a, &token).await.0, 200);
    assert_eq!(me(&b, &token).await.0, 200);
    assert_eq!(me(&b, &token).await.0, 200);
    let (status, _) = send(
        &a,
        test::TestRequest::delete()
            .uri("/api/v1/session")
            .insert_header(bearer(&token)),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(me(&a, &token).await.0, 401, "the process that signed out");
    assert_eq!(me(&b, &token).await.0, 401, "the other process");
}

#[actix_web::test]
async fn a_role_granted_reaches_a_process_that_keeps_the_session() {
    let t = TestApp::new();
    let a = t.service().await;
    let b = test::init_service(juece::server::app(second_process(&t))).await;
    let token = token(&a, "outsider").await;
    let roles = |v: &Value| v["roles"].as_array().map(Vec::len).unwrap_or(0);
    let (status, before) = me(&b, &token).await;
    assert_eq!(status, 200, "{before}");
    let (_, kept) = me(&a, &token).await;
    let outsider = before["id"].as_str().unwrap().to_string();
    {
        let mut conn = t.state.db.write.get().unwrap();
        accounts::grant(&mut conn, &outsider, GOV, "inspector").unwrap();
    }
    let (_, after) = me(&b, &token).await;
    assert_eq!(roles(&after), roles(&before) + 1, "{after}");
    assert!(after.to_string().contains(GOV), "{after}");
    assert_eq!(roles(&kept), roles(&before));
}

#[actix_web::test]
async fn a_decision_read_is_tagged_and_answers_304_until_the_decision_or_the_day_moves() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, rest) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(c, Command::CompleteStage { .. })
    })
    .await;
    let read = |token: &str, tag: Option<&str>| {
        let mut req = test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(token));
        if let Some(tag) = tag {
            req = req.insert_header(("if-none-match", tag.to_string()));
        }
        req.to_request()
    };
    let res = test::call_service(&app, read(&tokens.staff, None)).await;
    assert_eq!(res.status(), 200);
    let tag = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["version"], version);
    // Asked again with the tag: not modified, whoever may read it.
    for token in [&tokens.staff, &tokens.inspector] {
        let res = test::call_service(&app, read(token, Some(&tag))).await;
        assert_eq!(res.status(), 304);
        assert_eq!(res.headers().get("etag").unwrap().to_str().unwrap(), tag);
        assert!(test::read_body(res).await.is_empty());
    }
    // The tag opens nothing to those who may not read it.
    let res = test::call_service(&app, read(&tokens.outsider, Some(&tag))).await;
    assert_eq!(res.status(), 404);
    // The same view from the cache as built.
    let again: Value =
        test::read_body_json(test::call_service(&app, read(&tokens.staff, None)).await).await;
    assert_eq!(again, body);
    // A command moves the version: the old tag no longer matches.
    next_command(&app, &tokens, &id, version, &rest[0]).await;
    let res = test::call_service(&app, read(&tokens.staff, Some(&tag))).await;
    assert_eq!(res.status(), 200);
    let moved = res
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(moved, tag);
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["version"], version + 1);
    // So does the day: deadlines and what may happen next are counted from it.
    t.state.clock.advance(24 * 3600).unwrap();
    let res = test::call_service(&app, read(&tokens.staff, Some(&moved))).await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn a_report_kept_is_counted_again_after_the_organ_records_something() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let year = juece::procedure::state::china_date(t.state.clock.now()).format("%Y");
    let started = |body: &Value| {
        body["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "decisions_started")
            .unwrap()["value"]
            .as_u64()
            .unwrap()
    };
    let uri = format!("/api/v1/reports?organ_id={GOV}&year={year}");
    let get = || {
        test::TestRequest::get()
            .uri(&uri)
            .insert_header(bearer(&tokens.staff))
    };
    let (status, before) = send(&app, get()).await;
    assert_eq!(status, 200, "{before}");
    let (_, kept) = send(&app, get()).await;
    assert_eq!(kept, before);
    let (status, created) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.staff))
            .set_json(
                json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": initiation(&t) }),
            ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (_, after) = send(&app, get()).await;
    assert_eq!(started(&after), started(&before) + 1);
}

#[core::prelude::v1::test]
fn a_kept_map_stays_within_its_count_and_its_memory() {
    use juece::cache::{Bounded, Weigh};
    let kb = |n: usize| vec![0u8; n * 1024];
    // By count: the eleventh value makes room by dropping the older half.
    let m: Bounded<u32, Vec<u8>> = Bounded::new(10, 1 << 30, Duration::from_secs(60));
    for k in 0..11 {
        m.put(k, kb(1));
    }
    assert!(m.len() <= 10 && m.len() >= 5, "{}", m.len());
    assert!(m.get(&10).is_some(), "the newest is kept");
    assert!(m.get(&0).is_none(), "the oldest went first");
    // By memory: 100 KB of budget holds about ninety 1 KB values, never more than the budget.
    let m: Bounded<u32, Vec<u8>> = Bounded::new(10_000, 100 * 1024, Duration::from_secs(60));
    for k in 0..500 {
        m.put(k, kb(1));
        assert!(m.weight() <= 100 * 1024, "{}", m.weight());
    }
    assert!(m.get(&499).is_some());
    // A value heavier than a quarter of the budget is answered but not kept.
    let big = m.put(9999, kb(30));
    assert_eq!(big.len(), 30 * 1024);
    assert!(m.get(&9999).is_none());
    // Past its time, a value is not answered.
    let m: Bounded<u32, Vec<u8>> = Bounded::new(10, 1 << 20, Duration::ZERO);
    m.put(1, kb(1));
    assert!(m.get(&1).is_none());
    // A JSON value weighs at least its text.
    let v = json!({ "text": "意见".repeat(1000), "list": [1, 2, 3] });
    assert!(v.weight() >= 6000, "{}", v.weight());
}

/// A decision read answered from memory (the user kept, the head read while nothing was committed
/// since) is current after another process writes, and refuses from memory whom the database
/// would refuse.
#[actix_web::test]
async fn a_decision_read_from_memory_sees_another_process_write_and_checks_the_reader() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, rest) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(c, Command::CompleteStage { .. })
    })
    .await;
    let read = |token: &str| {
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(token))
    };
    // Twice each: the second is answered from memory where the backend can tell (SQLite).
    for _ in 0..2 {
        let (status, body) = send(&app, read(&tokens.staff)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["version"], version);
        let (status, body) = send(&app, read(&tokens.outsider)).await;
        assert_eq!(status, 404, "{body}");
    }
    if t.state.db.url.is_sqlite() {
        assert!(!t.state.caches.heads.is_empty(), "the head is kept");
    }
    // Another process moves the decision on.
    let b = test::init_service(juece::server::app(second_process(&t))).await;
    next_command(&b, &tokens, &id, version, &rest[0]).await;
    let body = seen_by(&t, || async {
        let (status, body) = send(&app, read(&tokens.staff)).await;
        assert_eq!(status, 200, "{body}");
        (body["version"] == version + 1, body)
    })
    .await;
    assert_eq!(
        body["version"],
        version + 1,
        "not the view kept before the write"
    );
    let (status, _) = send(&app, read(&tokens.outsider)).await;
    assert_eq!(status, 404);
}

/// The stamp a kept head is checked against moves with every commit of any connection — this
/// process's or another's — and only then (SQLite).
#[core::prelude::v1::test]
fn the_change_stamp_moves_with_every_commit_and_only_then() {
    use diesel::connection::SimpleConnection;
    use juece::db::changes::Changes;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("stamp.sqlite").display());
    let db = Db::open(&url).unwrap();
    let changes = Changes::watch(&db);
    let first = changes.stamp().expect("SQLite can tell");
    assert_eq!(changes.stamp(), Some(first), "nothing committed");
    {
        let mut conn = db.read.get().unwrap();
        let juece::db::DbConn::Sqlite(c) = &mut *conn else {
            unreachable!()
        };
        c.batch_execute("SELECT COUNT(*) FROM decisions").unwrap();
    }
    assert_eq!(changes.stamp(), Some(first), "a read commits nothing");
    let write = |db: &Db| {
        let mut conn = db.write.get().unwrap();
        let juece::db::DbConn::Sqlite(c) = &mut *conn else {
            unreachable!()
        };
        c.batch_execute(
            "INSERT INTO revocations (token_hash, at) VALUES ('x', '2026-01-01 00:00:00')",
        )
        .unwrap();
    };
    write(&db);
    let second = changes.stamp().unwrap();
    assert_ne!(second, first, "this process's writer committed");
    let other = Db::open(&url).unwrap();
    write(&other);
    assert_ne!(
        changes.stamp().unwrap(),
        second,
        "another connection committed"
    );
}

/// On PostgreSQL the stamp moves at once with this process's writes (and cannot tell while one of
/// its write connections is out), within a poll with another's, and cannot tell while the
/// watcher has no answering connection (then every read
/// asks the database); after it connects again the stamp is one never given before.
#[core::prelude::v1::test]
fn the_postgres_stamp_sees_this_process_at_once_another_within_a_poll_and_a_lost_watcher_tells_nothing(
) {
    use juece::db::changes::Changes;
    let tdb = TestDb::new();
    if tdb.url.starts_with("sqlite") {
        return;
    }
    let db = Db::open(&tdb.url).unwrap();
    assert_eq!(
        Changes::polling(&db, None).stamp(),
        None,
        "polling off (--change-poll-ms 0): every read asks the database"
    );
    let changes = Changes::watch(&db);
    let until = |what: &str, f: &dyn Fn() -> bool| {
        for _ in 0..300 {
            if f() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("{what} not within 3 s");
    };
    until("a first answer", &|| changes.stamp().is_some());
    // The stamp now (a loaded machine may leave the watcher's last answer older than it allows:
    // then wait for the next).
    let fresh = || {
        for _ in 0..300 {
            if let Some(s) = changes.stamp() {
                return s;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no fresh answer within 3 s");
    };
    let write = |db: &Db| {
        let mut conn = db.write.get().unwrap();
        diesel::sql_query(
            "INSERT INTO revocations (token_hash, at) VALUES (gen_random_uuid()::text, now())",
        )
        .execute(&mut *conn)
        .unwrap();
    };
    let first = fresh();
    {
        // While a connection taken for writing is held, what it wrote may be committed and not
        // yet counted: cannot tell (a test deleting rows and reading them back holds one so).
        let held = db.write.get().unwrap();
        assert_eq!(changes.stamp(), None, "a write connection is out");
        drop(held);
    }
    assert_ne!(changes.stamp(), Some(first), "given back: counted");
    let first = fresh();
    write(&db);
    let second = fresh();
    assert_ne!(second, first, "this process's write is seen at once");
    let other = Db::open(&tdb.url).unwrap();
    write(&other);
    until("another process's write", &|| {
        changes.stamp().is_some_and(|s| s != second)
    });
    let third = fresh();
    // The watcher's connection is cut: it cannot tell until it is connected again.
    let mut admin = other.write.get().unwrap();
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND query LIKE '%pg_current_snapshot%'",
    )
    .execute(&mut *admin)
    .unwrap();
    drop(admin);
    until("cannot tell", &|| changes.stamp().is_none());
    until("connected again", &|| changes.stamp().is_some());
    assert!(
        fresh() > third,
        "what was committed meanwhile was not seen: a new stamp"
    );
}

/// The public consultation view kept by version answers from memory until a comment — received
/// by this process or another — moves the decision on; then it counts it.
#[actix_web::test]
async fn the_consultation_kept_counts_a_comment_another_process_received() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::CommentsReceived { .. }
            }
        )
    })
    .await;
    let uri = format!("/api/v1/public/decisions/{id}/consultation");
    let received = |v: &Value| v["comments"]["received"].as_u64().unwrap();
    let (status, before) = send(&app, test::TestRequest::get().uri(&uri)).await;
    assert_eq!(status, 200, "{before}");
    let (_, kept) = send(&app, test::TestRequest::get().uri(&uri)).await;
    assert_eq!(kept, before);
    let b = test::init_service(juece::server::app(second_process(&t))).await;
    let (status, r) = send(
        &b,
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            .set_json(json!({ "body": "另一进程收到的意见" })),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let after = seen_by(&t, || async {
        let (_, after) = send(&app, test::TestRequest::get().uri(&uri)).await;
        (received(&after) == received(&before) + 1, after)
    })
    .await;
    assert_eq!(received(&after), received(&before) + 1, "{after}");
    // Unknown or never consulted: not found, from memory or not.
    for _ in 0..2 {
        let (status, _) = send(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/public/decisions/00000000-0000-4000-8000-00000000dead/consultation"),
        )
        .await;
        assert_eq!(status, 404);
    }
}

/// The bundled SQLite is built with the query planner stability guarantee (`.cargo/config.toml`):
/// without it, every statement with `LIMIT ?` is compiled again each time it is bound.
#[core::prelude::v1::test]
fn sqlite_is_built_with_the_query_planner_stability_guarantee() {
    #[derive(diesel::QueryableByName)]
    struct Opt {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&format!(
        "sqlite://{}",
        dir.path().join("q.sqlite").display()
    ))
    .unwrap();
    let mut conn = db.read.get().unwrap();
    let options: Vec<Opt> =
        diesel::RunQueryDsl::load(diesel::sql_query("PRAGMA compile_options"), &mut *conn).unwrap();
    assert!(
        options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
        "{:?}",
        options
            .iter()
            .map(|o| &o.compile_options)
            .collect::<Vec<_>>()
    );
}
