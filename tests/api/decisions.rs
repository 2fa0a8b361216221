//! Decisions through HTTP: the whole walk, refusals, roles, concurrency.

use actix_web::test;
use juece::procedure::state::{Command, Fact, StageId};
use serde_json::json;

use super::*;

fn is_start(stage: &str) -> impl Fn(&Command) -> bool + '_ {
    move |c| matches!(c, Command::StartStage { stage: s } if s.as_str() == stage)
}

#[actix_web::test]
async fn a_decision_walks_from_initiation_to_adopted_and_archived() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, rest) = walk_until(&app, &t.state, &tokens, |_| false).await;
    assert!(rest.is_empty());
    let (status, body) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "adopted");
    assert_eq!(body["version"], version);
    let stage = |s: &str| {
        body["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == s)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(stage("collective_decision"), "completed");
    assert_eq!(stage("archiving"), "completed");
    assert_eq!(stage("legality_review"), "completed");
    // The record: one event per command, chained.
    let (status, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(status, 200);
    assert!(events["next"].is_null(), "one page: {events}");
    let events = events["items"].as_array().unwrap();
    assert_eq!(events.len() as i64, version);
    for w in events.windows(2) {
        assert_eq!(w[1]["prev_hash"], w[0]["hash"]);
    }
    // The archive is sealed with the chain's head at sealing time, whatever the client sent.
    let sealed = events
        .iter()
        .position(|e| e["command"] == "record:archive_sealed")
        .unwrap();
    assert_eq!(
        events[sealed]["payload"]["command"]["fact"]["seal"],
        events[sealed - 1]["hash"]
    );
    let decision = events
        .iter()
        .find(|e| e["command"] == "record:head_decision")
        .unwrap();
    assert_eq!(decision["actor"]["role"], "head");
    // The chain verifies.
    let mut conn = t.state.db.read.get().unwrap();
    let report = juece::audit::verify(&mut conn).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[actix_web::test]
async fn jumping_to_the_collective_decision_without_legality_review_is_refused_citing_article_25_and_nothing_is_written(
) {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, is_start("legality_review")).await;
    let (status, body) = send(&app, test::TestRequest::post()
        .uri(&format!("/api/v1/decisions/{id}/commands"))
        .insert_header(bearer(&tokens.staff))
        .set_json(json!({ "expected_version": version, "command": { "command": "start_stage", "stage": "collective_decision" } }))).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "/problems/procedure-violation");
    let v = body["violations"].as_array().unwrap();
    let skipped = v
        .iter()
        .find(|x| x["rule"] == "flow.required_stage_skipped" && x["stage"] == "legality_review")
        .expect("legality review named");
    assert!(
        skipped["basis"].as_str().unwrap().contains("第二十五条"),
        "{skipped}"
    );
    assert!(!skipped["message_zh"].as_str().unwrap().is_empty());
    assert!(!skipped["message_en"].as_str().unwrap().is_empty());
    // Nothing written.
    let (_, after) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(after["version"], version);
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(events["items"].as_array().unwrap().len() as i64, version);
    // And the decision page says what blocks the meeting, with the article.
    let next = after["next"].as_array().unwrap();
    assert!(next
        .iter()
        .any(|n| n["stage"] == "legality_review" && n["action"] == "start"));
}

#[actix_web::test]
async fn a_legality_opinion_from_someone_who_is_not_a_reviewer_is_refused_with_403() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, rest) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::LegalityOpinion { .. }
            }
        )
    })
    .await;
    let opinion = rest[0].command.clone();
    clock_to(&t.state, rest[0].at);
    for (who, expected) in [
        (&tokens.unit, 403),
        (&tokens.staff, 403),
        (&tokens.mayor, 403),
        (&tokens.outsider, 404),
    ] {
        let (status, body) = send(
            &app,
            test::TestRequest::post()
                .uri(&format!("/api/v1/decisions/{id}/commands"))
                .insert_header(bearer(who))
                .set_json(json!({ "expected_version": version, "command": opinion })),
        )
        .await;
        // The outsider does not even learn that the decision exists.
        assert_eq!(status, expected, "{body}");
    }
    let (status, body) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.reviewer))
            .set_json(json!({ "expected_version": version, "command": opinion })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(&tokens.reviewer)),
    )
    .await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"]["role"], "legality_reviewer");
    assert_eq!(last["actor"]["organ_id"], SFJ);
}

#[actix_web::test]
async fn two_concurrent_commands_on_one_version_exactly_one_succeeds() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) =
        walk_until(&app, &t.state, &tokens, is_start("public_participation")).await;
    let send_start = |stage: &'static str| {
        let req = test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": version, "command": { "command": "start_stage", "stage": stage } }));
        send(&app, req)
    };
    let (a, b) = futures::join!(
        send_start("public_participation"),
        send_start("expert_review")
    );
    let statuses = [a.0, b.0];
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{a:?} {b:?}"
    );
    let loser = if a.0 == 200 { &b } else { &a };
    assert_eq!(loser.0, 409);
    assert_eq!(loser.1["type"], "/problems/stale");
    assert_eq!(loser.1["current_version"], version + 1);
    let (_, after) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(after["version"], version + 1);
}

#[actix_web::test]
async fn concurrent_commands_from_threads_never_write_twice() {
    // Below HTTP: many threads race on one version through the store; one wins.
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) =
        walk_until(&app, &t.state, &tokens, is_start("public_participation")).await;
    let results: Vec<Result<(), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = [
            "public_participation",
            "expert_review",
            "risk_assessment",
            "hearing",
            "group_consultation",
        ]
        .into_iter()
        .map(|stage| {
            let db = t.state.db.clone();
            let (id, packs, cal) = (id.clone(), t.state.packs.clone(), t.state.calendar.clone());
            let now = t.state.clock.now();
            s.spawn(move || {
                let mut conn = db.write.get().unwrap();
                let actor = juece::access::Actor {
                    user_id: "u".into(),
                    role: "undertaking".into(),
                    organ_id: DEPT.into(),
                };
                let engine = juece::service::Engine {
                    packs: &packs,
                    calendar: &cal,
                };
                match juece::service::decisions::commit(
                    &mut conn,
                    &engine,
                    juece::service::decisions::Submission {
                        decision_id: &id,
                        expected_version: version,
                        command: Command::StartStage {
                            stage: StageId::new(stage),
                        },
                        actor: &actor,
                        draft_content: None,
                    },
                    now,
                ) {
                    Ok(_) => Ok(()),
                    Err(juece::service::ServiceError::Stale { .. }) => Err("stale".to_string()),
                    Err(e) => Err(format!("{e:?}")),
                }
            })
        })
        .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().err().is_none_or(|e| e == "stale")),
        "losers must be stale: {results:?}"
    );
    let mut conn = t.state.db.read.get().unwrap();
    assert_eq!(
        juece::db::decisions::events_of(&mut conn, &id)
            .unwrap()
            .len() as i64,
        version + 1
    );
}

#[actix_web::test]
async fn the_simulated_clock_is_announced_and_moves_only_forward() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let res = test::call_service(
        &app,
        test::TestRequest::get().uri("/api/v1/clock").to_request(),
    )
    .await;
    assert!(res
        .headers()
        .contains_key(juece::server::SIMULATED_CLOCK_HEADER));
    let (status, _) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/clock/advance")
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({"days": 3})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/clock/advance")
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({"days": -3})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
}

#[actix_web::test]
async fn a_real_clock_cannot_be_moved() {
    let mut t = TestApp::new();
    t.state.clock = std::sync::Arc::new(juece::clock::Clock::real());
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let res = test::call_service(
        &app,
        test::TestRequest::get().uri("/api/v1/clock").to_request(),
    )
    .await;
    assert!(!res
        .headers()
        .contains_key(juece::server::SIMULATED_CLOCK_HEADER));
    let (status, _) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/clock/advance")
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({"days": 3})),
    )
    .await;
    assert_eq!(status, 403);
}

#[actix_web::test]
async fn the_clock_and_the_packs_answer_as_the_document_says() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (status, clock) = send(&app, test::TestRequest::get().uri("/api/v1/clock")).await;
    assert_eq!(status, 200);
    assert_eq!(clock["simulated"], true);
    let (status, packs) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/packs")
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(status, 200);
    assert!(packs
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "national" && p["title"]["zh"].is_string()));
    let (status, pack) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/packs/national")
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(pack["id"], "national");
}

#[actix_web::test]
async fn readers_outside_the_decisions_organs_see_nothing() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, is_start("drafting")).await;
    let (status, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(status, 404);
    let (status, list) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let (_, list) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The legality review unit's reviewer lists the decisions of the organ it reviews for, as it
    // reads each of them (its organ is neither the decision organ nor the lead unit).
    let (status, list) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.reviewer)),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"][0]["id"], id.as_str(), "{list}");
    let (status, _) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/decisions/{id}")),
    )
    .await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn sign_in_refuses_wrong_passwords_and_throttles_guessing() {
    let t = TestApp::new();
    let app = t.service().await;
    for _ in 0..juece::throttle::SignInLimiter::PER_ADDRESS {
        let (status, _) = send(
            &app,
            test::TestRequest::post()
                .uri("/api/v1/session")
                .set_json(json!({"username": "staff", "password": "wrong"})),
        )
        .await;
        assert_eq!(status, 401);
    }
    let (status, body) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/session")
            .set_json(json!({"username": "staff", "password": "secret"})),
    )
    .await;
    assert_eq!(status, 429, "{body}");
    // The guesser's address is stopped, not the user: from elsewhere the user signs in.
    let (status, _) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/session")
            .peer_addr("198.51.100.7:4000".parse().unwrap())
            .set_json(json!({"username": "staff", "password": "secret"})),
    )
    .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn a_signed_out_token_no_longer_works() {
    let t = TestApp::new();
    let app = t.service().await;
    let tok = token(&app, "staff").await;
    let (status, me) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(bearer(&tok)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["roles"][0]["role"], "organ_staff");
    let (status, _) = send(
        &app,
        test::TestRequest::delete()
            .uri("/api/v1/session")
            .insert_header(bearer(&tok)),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(bearer(&tok)),
    )
    .await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn the_openapi_document_lists_exactly_the_routes_and_each_route_exists() {
    let t = TestApp::new();
    let app = t.service().await;
    let (status, doc) = send(&app, test::TestRequest::get().uri("/api/openapi.json")).await;
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = 0;
    for (path, ops) in paths {
        for (method, _) in ops.as_object().unwrap() {
            documented += 1;
            let uri = path
                .replace("{id}", "00000000-0000-4000-8000-00000000dead")
                .replace("{number}", "1");
            let req = match method.as_str() {
                "get" => test::TestRequest::get(),
                "post" => test::TestRequest::post(),
                "delete" => test::TestRequest::delete(),
                m => panic!("unexpected method {m}"),
            };
            let res = test::call_service(&app, req.uri(&uri).to_request()).await;
            let status = res.status().as_u16();
            let body: serde_json::Value =
                serde_json::from_slice(&test::read_body(res).await).unwrap_or_default();
            let no_route = body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("route "));
            assert!(
                !no_route && status != 405,
                "{method} {path} is documented but not routed ({status})"
            );
        }
    }
    assert_eq!(documented, juece::api::ROUTES.len());
    // Public routes need no login; the rest need a bearer token.
    assert!(
        doc["paths"]["/api/v1/public/decisions/{id}/comments"]["post"]
            .get("security")
            .is_none()
    );
    assert!(doc["paths"]["/api/v1/decisions"]["get"]["security"].is_array());
}

#[actix_web::test]
async fn a_major_adjustment_links_a_real_new_decision_of_the_same_organ() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (old, mut version, _) = walk_until(&app, &t.state, &tokens, |_| false).await;
    let post = |id: &str, body: serde_json::Value| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.staff))
            .set_json(body)
    };
    let (s, b) = send(&app, post(&old, json!({ "expected_version": version, "command": { "command": "start_stage", "stage": "adjustment" } }))).await;
    assert_eq!(s, 200, "{b}");
    version += 1;
    let changed = |new: &str, v: i64| json!({ "expected_version": v, "command": { "command": "record", "fact": { "type": "changed", "new_decision": new, "evaluation_considered": "后评估报告建议调整，据此提出" } } });
    let (s, b) = send(
        &app,
        post(
            &old,
            changed("00000000-0000-4000-8000-00000000dead", version),
        ),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(
        b["violations"][0]["rule"],
        "adjustment.new_decision_unknown"
    );
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第三十七条"));
    let (s, b) = send(&app, post(&old, changed(&old, version))).await;
    assert_eq!(s, 409, "{b}");
    // A new decision, started by the same organ, carries the adjustment; it goes through the
    // procedure up to the head's decision.
    let (mut new, mut new_version, rest) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::HeadDecision { .. }
            }
        )
    })
    .await;
    let (s, b) = send(&app, post(&old, changed(&new, version))).await;
    assert_eq!(s, 200, "{b}");
    // 第三十七条: the original stays in force until the new decision is adopted; both views
    // show the link.
    assert_eq!(b["status"], "adopted");
    assert_eq!(b["adjustment"]["pending_new_decision"], new.as_str());
    let view = |id: String| {
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.staff))
    };
    let (_, b) = send(&app, view(new.clone())).await;
    assert_eq!(b["adjustment"]["adjusts"], json!([old.clone()]));
    // The link is a row written with the event; a database from before the rows were kept has
    // them filled from the events by the migration (its statement, run again here).
    {
        use diesel::RunQueryDsl;
        let mut conn = t.state.db.write.get().unwrap();
        diesel::sql_query("DELETE FROM decision_links")
            .execute(&mut *conn)
            .unwrap();
        let (_, b) = send(&app, view(new.clone())).await;
        assert_eq!(b["adjustment"]["adjusts"], json!([]));
        let up = if t.db.url.starts_with("postgres") {
            include_str!("../../migrations/postgres/2026-11-29-000014_read_caches/up.sql")
        } else {
            include_str!("../../migrations/sqlite/2026-11-29-000014_read_caches/up.sql")
        };
        let fill = up
            .split(';')
            .find(|s| s.contains("INSERT"))
            .expect("the migration fills the links");
        diesel::sql_query(fill).execute(&mut *conn).unwrap();
    }
    let (_, b) = send(&app, view(new.clone())).await;
    assert_eq!(b["adjustment"]["adjusts"], json!([old.clone()]));
    // No user may supersede it by hand.
    let (s, b) = send(&app, post(&old, json!({ "expected_version": version + 1, "command": { "command": "supersede", "by": new } }))).await;
    assert_eq!(s, 403, "{b}");
    // The head adopts the new decision: the original is superseded in the same transaction.
    let (s, b) = step(
        &app,
        &t.state,
        &tokens,
        &mut new,
        &mut new_version,
        &rest[0],
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "adopted");
    let (_, b) = send(&app, view(old.clone())).await;
    assert_eq!(b["status"], "superseded");
    assert_eq!(b["adjustment"]["pending_new_decision"], Value::Null);
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{old}/events"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["command"], "supersede");
    assert_eq!(last["actor"]["role"], "system");
}

#[actix_web::test]
async fn the_decision_shows_its_deadlines_in_working_days() {
    // A variant of the national pack that counts the archive hand-over (as a local rule may).
    let mut national: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::root().join("workflows/national.json")).unwrap(),
    )
    .unwrap();
    national["parameters"]["archive_within_days"]["value"] = json!(30);
    let packs =
        juece::procedure::PackSet::from_sources(&[("national.json".into(), national.to_string())])
            .unwrap();
    let mut t = TestApp::new();
    t.state.packs = std::sync::Arc::new(packs);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, |_| false).await;
    let (_, d) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    let deadlines = d["deadlines"].as_array().unwrap();
    let kind = |k: &str| {
        deadlines
            .iter()
            .find(|x| x["kind"] == k)
            .unwrap_or_else(|| panic!("no {k}: {d}"))
    };
    assert!(kind("comment_period_end")["basis"]
        .as_str()
        .unwrap()
        .contains("第十五条"));
    assert!(kind("hearing")["date"].is_string());
    let review = kind("legality_review_due");
    assert_eq!(review["working_days"], 7);
    // Provisional exactly when the count runs into a year with no holiday calendar loaded.
    let minimum: chrono::NaiveDate = review["statutory_minimum"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        review["provisional"],
        !crate::support::calendar().covers(minimum),
        "{review}"
    );
    assert!(review["statutory_minimum"].as_str().unwrap() <= review["date"].as_str().unwrap());
    assert!(kind("archive_due")["basis"]
        .as_str()
        .unwrap()
        .contains("第三十三条"));
}

#[actix_web::test]
async fn a_command_sent_again_at_its_version_is_answered_as_the_first_time_and_written_once() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) =
        walk_until(&app, &t.state, &tokens, is_start("public_participation")).await;
    let command = |token: &str, stage: &str| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(token))
            .set_json(json!({ "expected_version": version, "command": { "command": "start_stage", "stage": stage } }))
    };
    let (s, first) = send(&app, command(&tokens.unit, "public_participation")).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["version"], version + 1);
    // The answer was lost; the client sends the same again, at the version it had.
    let res = test::call_service(
        &app,
        command(&tokens.unit, "public_participation").to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true"),
        "told that nothing was written this time"
    );
    let again: Value = test::read_body_json(res).await;
    assert_eq!(again["version"], version + 1, "nothing written again");
    assert_eq!(
        again["events"], first["events"],
        "the first answer's events"
    );
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events?limit=500"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    let started = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["command"] == "start_stage:public_participation")
        .count();
    assert_eq!(started, 1, "{events}");
    // Another command at that version is stale; the same command from someone who may not give
    // it is refused as before (no answer borrowed from another's command).
    let (s, b) = send(&app, command(&tokens.unit, "expert_review")).await;
    assert_eq!(
        (s, b["type"].as_str()),
        (409, Some("/problems/stale")),
        "{b}"
    );
    let (s, b) = send(&app, command(&tokens.staff, "public_participation")).await;
    assert_eq!(s, 403, "{b}");
    // Someone else of the lead unit giving the same command at that version: stale (their
    // command is not the one written).
    let other = {
        let (_, me) = send(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/me")
                .insert_header(bearer(&tokens.outsider)),
        )
        .await;
        me["id"].as_str().unwrap().to_string()
    };
    {
        let mut conn = t.state.db.write.get().unwrap();
        juece::db::accounts::grant(&mut conn, &other, DEPT, "undertaking").unwrap();
    }
    // Kept sessions learn of the role within a poll of the revocations.
    actix_web::rt::time::sleep(
        juece::service::sessions::POLL + std::time::Duration::from_millis(100),
    )
    .await;
    let (s, b) = send(&app, command(&tokens.outsider, "public_participation")).await;
    assert_eq!(
        (s, b["type"].as_str()),
        (409, Some("/problems/stale")),
        "{b}"
    );
}
