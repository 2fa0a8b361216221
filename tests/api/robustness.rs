//! Nothing a client sends yields a 500: commands from the scripted walk, mutated at random (a
//! leaf replaced by another type or an extreme value, a key dropped, an unknown key added), are
//! sent at a decision in the middle of its procedure. Every answer is below 500, and every error
//! is problem+json (`send` checks that).

use actix_web::test;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use super::*;

fn leaves(v: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let mut p = path.clone();
                p.push(k.clone());
                out.push(p.clone());
                leaves(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut p = path.clone();
                p.push(i.to_string());
                out.push(p.clone());
                leaves(x, p, out);
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut cur = v;
    for k in path {
        cur = match cur {
            Value::Object(m) => m.get_mut(k)?,
            Value::Array(a) => a.get_mut(k.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn weird() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(-1)),
        Just(json!("9999-12-31")),
        Just(json!("0000-01-01")),
        Just(json!("2026-02-30")),
        Just(json!("")),
        Just(json!("\u{0000}\u{202e}<script>")),
        "\\PC{0,40}".prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!([[[[[[1]]]]]])),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, Value),
    Drop(usize),
    AddKey(String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), weird()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        any::<usize>().prop_map(Mutation::Drop),
        ("[a-z_]{1,12}", weird()).prop_map(|(k, v)| Mutation::AddKey(k, v)),
    ]
}

fn mutate(mut v: Value, ms: &[Mutation]) -> Value {
    for m in ms {
        let mut paths = Vec::new();
        leaves(&v, Vec::new(), &mut paths);
        match m {
            Mutation::Replace(i, x) if !paths.is_empty() => {
                if let Some(slot) = at(&mut v, &paths[i % paths.len()]) {
                    *slot = x.clone();
                }
            }
            Mutation::Drop(i) if !paths.is_empty() => {
                let p = &paths[i % paths.len()];
                let (last, parent) = p.split_last().unwrap();
                if let Some(Value::Object(m)) = at(&mut v, parent) {
                    m.remove(last);
                }
            }
            Mutation::AddKey(k, x) => {
                if let Value::Object(m) = &mut v {
                    m.insert(k.clone(), x.clone());
                }
            }
            _ => {}
        }
    }
    v
}

#[actix_web::test]
async fn mutated_commands_never_get_a_server_error() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, mut version, rest) = walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "legality_review"),
    )
    .await;
    let pack = t.state.packs.latest("national").unwrap();
    let everything: Vec<Value> =
        juece::procedure::script::full_walk(pack, &crate::support::all_on(), t.state.clock.now())
            .into_iter()
            .chain(rest)
            .map(|s| serde_json::to_value(&s.command).unwrap())
            .collect();
    let strategy = (
        0..everything.len(),
        proptest::collection::vec(mutation(), 1..3),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    let mut cases: Vec<(usize, Vec<Mutation>, bool)> = Vec::new();
    for _ in 0..300 {
        let tree = strategy.new_tree(&mut runner).unwrap();
        cases.push(tree.current());
    }
    let tokens_all = [&tokens.unit, &tokens.staff, &tokens.reviewer, &tokens.mayor];
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for (n, (i, ms, as_draft)) in cases.into_iter().enumerate() {
        // Every tenth command goes unmutated (out of order, as another role): now that unknown
        // fields are refused by the parser, these are the ones that reach the engine for sure.
        let command = if n % 10 == 0 {
            everything[i].clone()
        } else {
            mutate(everything[i].clone(), &ms)
        };
        let token = tokens_all[n % tokens_all.len()];
        let req = if as_draft {
            test::TestRequest::post()
                .uri(&format!("/api/v1/decisions/{id}/drafts"))
                .set_json(json!({ "expected_version": version, "content": command.to_string(), "legal_basis": command.get("fact").cloned().unwrap_or_default() }))
        } else {
            test::TestRequest::post()
                .uri(&format!("/api/v1/decisions/{id}/commands"))
                .set_json(json!({ "expected_version": version, "command": command }))
        };
        let (s, b) = send(&app, req.insert_header(bearer(token))).await;
        assert!(s < 500, "{s} for {command}: {b}");
        *statuses.entry(s).or_default() += 1;
        if s < 300 {
            version = b["version"].as_i64().unwrap();
        }
    }
    // The mutations reach past the JSON parser: the engine and the role checks answer too.
    assert!(
        statuses.contains_key(&422) && statuses.contains_key(&409) && statuses.contains_key(&403),
        "{statuses:?}"
    );
    // The record is intact whatever was accepted.
    let mut conn = t.state.db.read.get().unwrap();
    assert!(juece::audit::verify(&mut conn).unwrap().findings.is_empty());
}

#[actix_web::test]
async fn the_nul_character_is_refused_before_it_reaches_the_database() {
    // PostgreSQL cannot store or compare NUL; a NUL anywhere is refused with 4xx on both backends,
    // and a bad comment does not fail anyone else's.
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (s, b) = send(
        &app,
        test::TestRequest::get().uri("/api/v1/public/decisions/%00/consultation"),
    )
    .await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/decisions?before=x%00y")
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/session")
            .set_json(json!({ "username": "st\u{0}aff", "password": "secret" })),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("NUL"), "{b}");
    let (id, _, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::Record { fact } if fact.kind() == "comments_received"),
    )
    .await;
    let comment = |body: &str| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            .set_json(json!({ "body": body }))
    };
    let (s, _) = send(&app, comment("x\u{0}y")).await;
    assert_eq!(s, 422);
    let (s, b) = send(&app, comment("一条正常的意见")).await;
    assert_eq!(s, 201, "{b}");
}

#[actix_web::test]
async fn tokens_are_not_cached_the_scheme_is_case_insensitive_and_content_is_not_sniffed() {
    let t = TestApp::new();
    let app = t.service().await;
    let res = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/session")
            .set_json(json!({ "username": "staff", "password": "secret" }))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(
        res.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    let body: Value = test::read_body_json(res).await;
    let token = body["token"].as_str().unwrap().to_string();
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(("authorization", format!("bearer {token}"))),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["username"], "staff");
}

// ---- issue 13: reliability and security defects -------------------------------------------

fn until_comments(c: &juece::procedure::state::Command) -> bool {
    matches!(
        c,
        juece::procedure::state::Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

fn sign_in_from(address: &str, username: &str, password: &str) -> test::TestRequest {
    test::TestRequest::post()
        .uri("/api/v1/session")
        .peer_addr(format!("{address}:5000").parse().unwrap())
        .set_json(json!({ "username": username, "password": password }))
}

#[actix_web::test]
async fn a_sign_in_whose_storage_fails_is_503_not_500() {
    let t = TestApp::new();
    let app = t.service().await;
    {
        let mut conn = t.state.db.write.get().unwrap();
        diesel::sql_query("DROP TABLE sessions")
            .execute(&mut *conn)
            .unwrap();
    }
    let (s, b) = send(&app, sign_in_from("192.0.2.1", "staff", "secret")).await;
    assert_eq!(s, 503, "{b}");
    // The failure was the storage's: the user is not a step closer to a lockout.
    for _ in 0..juece::throttle::SignInLimiter::PER_ADDRESS {
        let (s, _) = send(&app, sign_in_from("192.0.2.1", "staff", "secret")).await;
        assert_eq!(s, 503);
    }
}

#[actix_web::test]
async fn a_preflight_gets_204_and_no_cross_origin_permission() {
    let t = TestApp::new();
    let app = t.service().await;
    for path in [
        "/api/v1/session",
        "/api/v1/decisions",
        "/api/v1/no/such/route",
    ] {
        let res = test::call_service(
            &app,
            test::TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri(path)
                .insert_header(("origin", "https://evil.example"))
                .insert_header(("access-control-request-method", "POST"))
                .to_request(),
        )
        .await;
        assert_eq!(res.status(), 204, "{path}");
        assert!(res.headers().get("access-control-allow-origin").is_none());
        assert!(res.headers().get("allow").is_some());
    }
    // Nor does an ordinary answer to another origin grant anything.
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/clock")
            .insert_header(("origin", "https://evil.example"))
            .to_request(),
    )
    .await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn a_bad_idempotency_key_is_400_and_a_reused_one_422() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let post = |key: &str, body: &str| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            .insert_header(("idempotency-key", key.to_string()))
            .set_json(json!({ "body": body }))
    };
    let (s, b) = send(&app, post(&"k".repeat(201), "意见")).await;
    assert_eq!(s, 400, "{b}");
    assert!(
        b["detail"].as_str().unwrap().contains("Idempotency-Key"),
        "{b}"
    );
    // Not ASCII: the header cannot be read as text; refused, not ignored (a retry would store twice).
    let res = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            .insert_header((
                "idempotency-key",
                actix_web::http::header::HeaderValue::from_bytes("键-1".as_bytes()).unwrap(),
            ))
            .set_json(json!({ "body": "意见" }))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 400);
    let b: Value = test::read_body_json(res).await;
    assert!(
        b["detail"].as_str().unwrap().contains("Idempotency-Key"),
        "{b}"
    );
    let (s, b) = send(&app, post("key-1", "第一条意见")).await;
    assert_eq!(s, 201, "{b}");
    let (s, again) = send(&app, post("key-1", "第一条意见")).await;
    assert_eq!((s, &again["id"]), (200, &b["id"]), "{again}");
    let (s, b) = send(&app, post("key-1", "另一条意见")).await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["detail"].as_str().unwrap().contains("Idempotency-Key"),
        "{b}"
    );
}

#[actix_web::test]
async fn blank_passwords_are_refused() {
    use juece::service::accounts::check_new_password;
    for p in ["", "          ", "\t\t\t\t\t\t\t\t\t\t\t", "short"] {
        assert!(check_new_password(p).is_err(), "{p:?}");
    }
    assert!(check_new_password("a real passphrase").is_ok());
    let db = TestDb::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_juece"))
        .args(["admin", "user-add", "--database-url", &db.url])
        .args(["--username", "blank", "--display-name", "空白"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"            \n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("whitespace"));
}

#[actix_web::test]
async fn only_staff_move_the_simulated_clock_and_each_move_is_recorded() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let advance = |tok: &str| {
        test::TestRequest::post()
            .uri("/api/v1/clock/advance")
            .insert_header(bearer(tok))
            .set_json(json!({ "days": 2 }))
    };
    for tok in [
        &tokens.inspector,
        &tokens.reviewer,
        &tokens.mayor,
        &tokens.unit,
    ] {
        let (s, b) = send(&app, advance(tok)).await;
        assert_eq!(s, 403, "{b}");
    }
    let (s, _) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/clock/advance")
            .set_json(json!({ "days": 2 })),
    )
    .await;
    assert_eq!(s, 401);
    let before = t.state.clock.now();
    let (s, b) = send(&app, advance(&tokens.staff)).await;
    assert_eq!(s, 200, "{b}");
    assert!(t.state.clock.now() - before >= chrono::Duration::days(2));
    let mut conn = t.state.db.read.get().unwrap();
    let moves = juece::db::clock_advances::all(&mut conn).unwrap();
    let staff = accounts::user_by_username(&mut conn, "staff")
        .unwrap()
        .unwrap();
    assert_eq!(moves.len(), 1, "{moves:?}");
    assert_eq!(
        (
            moves[0].user_id.as_str(),
            moves[0].organ_id.as_str(),
            moves[0].seconds
        ),
        (staff.id.as_str(), GOV, 2 * 86_400)
    );
}

#[actix_web::test]
async fn parallel_guesses_cannot_overrun_the_sign_in_limit() {
    let t = TestApp::new();
    let app = t.service().await;
    let guesses = (0..60).map(|_| send(&app, sign_in_from("192.0.2.9", "staff", "wrong")));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, refused),
        (juece::throttle::SignInLimiter::PER_ADDRESS as usize, 50),
        "{statuses:?}"
    );
}

#[actix_web::test]
async fn made_up_usernames_from_one_address_are_throttled() {
    let t = TestApp::new();
    let app = t.service().await;
    for n in 0..juece::throttle::SignInLimiter::PER_ADDRESS {
        let (s, _) = send(&app, sign_in_from("192.0.2.10", &format!("nobody{n}"), "x")).await;
        assert_eq!(s, 401);
    }
    let (s, b) = send(&app, sign_in_from("192.0.2.10", "nobody-else", "x")).await;
    assert_eq!(s, 429, "{b}");
    // Another address is not held back by that one.
    let (s, _) = send(&app, sign_in_from("192.0.2.11", "staff", "secret")).await;
    assert_eq!(s, 200);
}

#[actix_web::test]
async fn a_wrong_password_is_checked_without_the_writer() {
    let t = TestApp::new();
    let app = t.service().await;
    // Another writer holds the (on SQLite, only) write connection throughout.
    let _writer = t.state.db.write.get().unwrap();
    let started = std::time::Instant::now();
    let (s, b) = send(&app, sign_in_from("192.0.2.12", "staff", "wrong")).await;
    assert_eq!(s, 401, "{b}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[actix_web::test]
async fn a_forged_left_most_forwarded_address_does_not_bypass_the_comment_limit() {
    let mut t = TestApp::new();
    t.state = t
        .state
        .clone()
        .with_comment_limit(1)
        .with_trusted_proxy(true);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let from = |forged: &str, n: u32| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            // The client wrote the first entry; our proxy appended the address it saw.
            .insert_header(("x-forwarded-for", format!("{forged}, 203.0.113.50")))
            .set_json(json!({ "body": format!("意见{n}") }))
    };
    let (s, b) = send(&app, from("198.51.100.1", 1)).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = send(&app, from("198.51.100.2", 2)).await;
    assert_eq!(s, 429, "{b}");
    // Two proxies of ours: the client is the hop before the last one.
    t.state = t.state.clone().with_trusted_proxies(2);
    let app = t.service().await;
    let two = |forged: &str| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            .insert_header((
                "x-forwarded-for",
                format!("{forged}, 203.0.113.60, 10.0.0.1"),
            ))
            .set_json(json!({ "body": "再一条" }))
    };
    let (s, b) = send(&app, two("198.51.100.3")).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = send(&app, two("198.51.100.4")).await;
    assert_eq!(s, 429, "{b}");
}
