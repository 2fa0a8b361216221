//! Webhooks from the durable outbox (issue 12): events written with the command that caused them,
//! delivered at least once to a receiver that was down for a while (nothing lost), signed so the
//! receiver can tell a forgery, and never sent twice by two workers claiming at once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{test, web, HttpRequest, HttpResponse};
use hmac::{Hmac, Mac};
use juece::delivery::{self, Worker};
use serde_json::{json, Value};
use sha2::Sha256;

use super::*;

/// What the receiver accepted: (delivery id, event kind, body).
type Seen = Arc<Mutex<Vec<(String, String, Value)>>>;

/// The receiver's own check, as docs/WEBHOOKS.md tells a receiver to write it.
fn receiver_accepts(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (now - t).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

/// A receiver on `port` in a thread of its own, checking each signature with `secret`; each
/// request takes `delay`.
fn start_receiver(port: u16, secret: String, delay: Duration) -> Seen {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                let s = s.clone();
                let secret = secret.clone();
                actix_web::App::new().route(
                    "/hook",
                    web::post().to(move |req: HttpRequest, body: web::Bytes| {
                        let s = s.clone();
                        let secret = secret.clone();
                        async move {
                            actix_web::rt::time::sleep(delay).await;
                            let header = req
                                .headers()
                                .get("x-juece-signature")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("");
                            let now = chrono::Utc::now().timestamp();
                            if !receiver_accepts(&secret, header, &body, now) {
                                return HttpResponse::Unauthorized().finish();
                            }
                            let h = |n: &str| {
                                req.headers()
                                    .get(n)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("")
                                    .to_string()
                            };
                            let value: Value = serde_json::from_slice(&body).unwrap();
                            s.lock().unwrap().push((
                                h("x-juece-delivery"),
                                h("x-juece-event"),
                                value,
                            ));
                            HttpResponse::NoContent().finish()
                        }
                    }),
                )
            })
            .workers(4)
            .bind(("127.0.0.1", port))
            .unwrap()
            .run();
            ready_tx.send(()).unwrap();
            server.await.unwrap();
        });
    });
    ready_rx.recv().unwrap();
    seen
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn worker(name: &str) -> Worker {
    Worker {
        id: name.into(),
        timeout: Duration::from_secs(5),
        lease: Duration::from_secs(60),
        max_attempts: 5,
        base_backoff: Duration::from_secs(60),
        batch: 8,
        // The receivers here listen on the loopback.
        allow_loopback: true,
    }
}

async fn register<S, B>(app: &S, token: &str, url: &str, kinds: &[&str]) -> (u16, Value)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    send(
        app,
        test::TestRequest::post()
            .uri("/api/v1/webhooks")
            .insert_header(bearer(token))
            .set_json(json!({ "organ_id": GOV, "url": url, "kinds": kinds })),
    )
    .await
}

fn until_comments(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

/// Run passes of `w` at `now` until nothing is due; returns how many deliveries were attempted.
async fn drain(t: &TestApp, w: Worker, now: DateTime<Utc>) -> usize {
    let db = t.state.db.clone();
    web::block(move || {
        let mut total = 0;
        loop {
            let n = delivery::run_once(&db, &w, now).unwrap();
            if n == 0 {
                return total;
            }
            total += n;
        }
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn the_outbox_delivers_every_event_signed_to_a_receiver_that_was_down_for_a_while() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let (status, hook) = register(
        &app,
        &tokens.staff,
        &url,
        &["stage_started", "stage_completed", "command_refused"],
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let hook_id = hook["id"].as_str().unwrap().to_string();

    // The record moves: stages start and complete, and one command is refused.
    let (id, version, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let (status, _) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": version, "command": { "command": "complete_stage", "stage": "public_participation" } })),
    )
    .await;
    assert_eq!(
        status, 409,
        "the participation cannot close with comments pending"
    );

    let deliveries = |token: String| {
        let uri = format!("/api/v1/webhooks/{hook_id}/deliveries?limit=500");
        let app = &app;
        async move {
            let (status, body) = send(
                app,
                test::TestRequest::get()
                    .uri(&uri)
                    .insert_header(bearer(&token)),
            )
            .await;
            (status, body)
        }
    };
    let (status, before) = deliveries(tokens.staff.clone()).await;
    assert_eq!(status, 200, "{before}");
    let before = before.as_array().unwrap().clone();
    let kinds: Vec<&str> = before.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"stage_started"), "{kinds:?}");
    assert!(kinds.contains(&"stage_completed"), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "command_refused").count(), 1);
    assert!(before.iter().all(|d| d["status"] == "pending"));
    // Another organ's staff do not see them.
    let (status, _) = deliveries(tokens.outsider.clone()).await;
    assert_eq!(status, 404);

    // The receiver is down: every attempt fails and is kept with its error.
    let now = t.state.clock.now();
    assert_eq!(drain(&t, worker("w1"), now).await, before.len());
    let (_, after) = deliveries(tokens.staff.clone()).await;
    for d in after.as_array().unwrap() {
        assert_eq!(d["status"], "pending", "{d}");
        assert_eq!(d["attempts"], 1, "{d}");
        assert!(!d["last_error"].as_str().unwrap().is_empty(), "{d}");
        assert!(d["next_attempt_at"].is_string(), "{d}");
    }
    // Not yet due again: the backoff holds them.
    assert_eq!(drain(&t, worker("w1"), now).await, 0);

    // The receiver comes up; after the backoff every event arrives, signed, once.
    let seen = start_receiver(port, secret.clone(), Duration::ZERO);
    let later = now + chrono::Duration::seconds(61);
    assert_eq!(drain(&t, worker("w1"), later).await, before.len());
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), before.len(), "nothing lost, nothing twice");
    let mut by_delivery: BTreeMap<String, (String, Value)> = BTreeMap::new();
    for (delivery_id, kind, body) in got {
        assert_eq!(body["kind"], kind.as_str());
        assert_eq!(body["decision_id"], id.as_str());
        assert_eq!(body["organ_id"], GOV);
        assert!(by_delivery.insert(delivery_id, (kind, body)).is_none());
    }
    for d in &before {
        let (kind, body) = &by_delivery[d["id"].as_str().unwrap()];
        assert_eq!(kind, d["kind"].as_str().unwrap());
        assert_eq!(body["id"], d["event_id"]);
    }
    let refusal = by_delivery
        .values()
        .find(|(k, _)| k == "command_refused")
        .unwrap();
    assert!(
        refusal.1["data"]["violations"][0]["rule"].is_string(),
        "{}",
        refusal.1
    );
    let (_, after) = deliveries(tokens.staff.clone()).await;
    for d in after.as_array().unwrap() {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempts"], 2, "{d}");
        assert!(d["delivered_at"].is_string(), "{d}");
    }
    // Delivered ones are not sent again.
    let much_later = later + chrono::Duration::hours(2);
    assert_eq!(drain(&t, worker("w2"), much_later).await, 0);

    // A forged signature, or a genuine one replayed outside the window, is refused.
    let body = r#"{"kind":"decision_adopted"}"#;
    let ts = chrono::Utc::now().timestamp();
    let client = ureq::agent();
    // The receiver's answer to a request signed with `sig`.
    let post = |sig: String| -> u16 {
        match client
            .post(&url)
            .set("x-juece-signature", &sig)
            .send_string(body)
        {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("the receiver is down: {e}"),
        }
    };
    assert_eq!(
        post(delivery::sign("whsec_not_the_secret", ts, body)),
        401,
        "forged"
    );
    assert_eq!(
        post(delivery::sign(&secret, ts - 600, body)),
        401,
        "replayed"
    );
    assert_eq!(
        post(delivery::sign(&secret, ts, r#"{"kind":"other"}"#)),
        401,
        "tampered"
    );
    assert_eq!(post(delivery::sign(&secret, ts, body)), 204);
    assert!(delivery::verify(&secret, &delivery::sign(&secret, ts, body), body, ts).is_ok());
    assert!(delivery::verify("other", &delivery::sign(&secret, ts, body), body, ts).is_err());
}

#[actix_web::test]
async fn two_workers_claiming_at_once_never_deliver_an_entry_twice() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let port = free_port();
    let (status, hook) = register(
        &app,
        &tokens.staff,
        &format!("http://127.0.0.1:{port}/hook"),
        &["catalog_published"],
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    let at = juece::db::stored_time(t.state.clock.now());
    {
        let mut conn = t.state.db.write.get().unwrap();
        for n in 0..40 {
            juece::service::outbox::enqueue(
                &mut conn,
                GOV,
                "catalog_published",
                None,
                None,
                json!({ "n": n }),
                at,
            )
            .unwrap();
        }
    }
    // A slow receiver widens the window in which both workers hold claims.
    let seen = start_receiver(port, secret, Duration::from_millis(30));
    let now = t.state.clock.now();
    let db = t.state.db.clone();
    let passes = web::block(move || {
        let run = |w: Worker| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut n = 0;
                loop {
                    match delivery::run_once(&db, &w, now).unwrap() {
                        0 => return n,
                        k => n += k,
                    }
                }
            })
        };
        let a = run(worker("worker-a"));
        let b = run(worker("worker-b"));
        (a.join().unwrap(), b.join().unwrap())
    })
    .await
    .unwrap();
    assert_eq!(
        passes.0 + passes.1,
        40,
        "each entry attempted once: {passes:?}"
    );
    let got = seen.lock().unwrap().clone();
    let mut ids: Vec<&String> = got.iter().map(|(id, _, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(got.len(), 40, "every entry delivered once");
    assert_eq!(ids.len(), 40, "no delivery sent twice");
}

#[actix_web::test]
async fn an_endpoint_needs_a_web_url_and_known_kinds_and_its_secret_is_shown_once() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    for (url, kinds) in [
        ("ftp://example.org/hook", vec!["stage_started"]),
        ("file:///etc/passwd", vec!["stage_started"]),
        ("http:///no-host", vec!["stage_started"]),
        ("http://exa mple.org/", vec!["stage_started"]),
        // Addresses no webhook is sent to: the cloud's metadata service (link-local), written
        // as IPv4, as IPv4 in IPv6 and with a port; IPv6 link-local; unspecified; multicast.
        (
            "http://169.254.169.254/latest/meta-data/",
            vec!["stage_started"],
        ),
        ("http://[::ffff:169.254.169.254]/", vec!["stage_started"]),
        ("http://169.254.169.254:80/", vec!["stage_started"]),
        ("http://[fe80::1]:8080/hook", vec!["stage_started"]),
        ("http://0.0.0.0:8080/hook", vec!["stage_started"]),
        ("http://224.0.0.1/hook", vec!["stage_started"]),
        ("https://example.org/hook", vec!["no_such_kind"]),
        ("https://example.org/hook", vec![]),
    ] {
        let (status, body) = register(&app, &tokens.staff, url, &kinds).await;
        assert_eq!(status, 422, "{url} {kinds:?}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("url") || detail.starts_with("kinds"),
            "{body}"
        );
    }
    let long = format!("https://example.org/{}", "a".repeat(2000));
    assert_eq!(
        register(&app, &tokens.staff, &long, &["stage_started"])
            .await
            .0,
        422
    );
    // Not GOV's staff: refused.
    for token in [&tokens.unit, &tokens.outsider, &tokens.inspector] {
        let (status, _) =
            register(&app, token, "https://example.org/hook", &["stage_started"]).await;
        assert_eq!(status, 403);
    }
    let (status, created) = register(
        &app,
        &tokens.staff,
        "https://example.org/hook",
        &["decision_adopted", "stage_started"],
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    let (_, list) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/webhooks")
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        list[0]["kinds"],
        json!(["stage_started", "decision_adopted"])
    );
    assert!(
        list[0].get("secret").is_none(),
        "the secret is not shown again"
    );
    // The outsider neither sees nor deletes it.
    let (_, theirs) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/webhooks")
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(theirs, json!([]));
    let del = |token: &str| {
        test::TestRequest::delete()
            .uri(&format!("/api/v1/webhooks/{id}"))
            .insert_header(bearer(token))
    };
    assert_eq!(send(&app, del(&tokens.outsider)).await.0, 404);
    // A pending delivery is cancelled with its endpoint.
    {
        let mut conn = t.state.db.write.get().unwrap();
        let at = juece::db::stored_time(t.state.clock.now());
        juece::service::outbox::enqueue(&mut conn, GOV, "stage_started", None, None, json!({}), at)
            .unwrap();
    }
    assert_eq!(send(&app, del(&tokens.staff)).await.0, 204);
    assert_eq!(send(&app, del(&tokens.staff)).await.0, 404);
    let mut conn = t.state.db.read.get().unwrap();
    let rows = juece::db::outbox::deliveries_of(&mut conn, id, 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.status, "cancelled");
}

#[actix_web::test]
async fn a_webhook_is_sent_to_an_office_network_but_not_to_the_servers_own_loopback() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    // An office's private network is a lawful receiver.
    let (status, body) = register(
        &app,
        &tokens.staff,
        "http://10.12.0.5:8080/hook",
        &["stage_started"],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    send(
        &app,
        test::TestRequest::delete()
            .uri(&format!("/api/v1/webhooks/{id}"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;

    // A receiver on the server's own loopback, named as a host: registered (what a name
    // resolves to is known only when sending), refused by the worker unless the operator allows
    // the loopback (`juece serve --webhook-allow-loopback`).
    let port = free_port();
    let (status, hook) = register(
        &app,
        &tokens.staff,
        &format!("http://localhost:{port}/hook"),
        &["stage_started"],
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let seen = start_receiver(port, secret, Duration::ZERO);
    walk_until(&app, &t.state, &tokens, until_comments).await;
    let now = t.state.clock.now();
    let guarded = Worker {
        allow_loopback: false,
        ..worker("guarded")
    };
    let attempted = drain(&t, guarded, now).await;
    assert!(attempted > 0);
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing reached the loopback"
    );
    let (_, deliveries) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/webhooks/{hook_id}/deliveries?limit=500"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    for d in deliveries.as_array().unwrap() {
        assert_eq!(d["status"], "pending", "{d}");
        let error = d["last_error"].as_str().unwrap();
        assert!(error.contains("loopback"), "{error}");
    }
    // Allowed by the operator, the same deliveries arrive once due again.
    let later = now + chrono::Duration::seconds(61);
    assert_eq!(drain(&t, worker("allowed"), later).await, attempted);
    assert_eq!(seen.lock().unwrap().len(), attempted);
}
