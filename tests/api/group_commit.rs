//! Group commit (issue 14): staff commands given at once are written by the command writer in
//! batches, one transaction each; each command is judged against the state its batch-mates left,
//! a refused, stale or forbidden command fails none of the others, every sender gets its own
//! answer, and the chain verifies.

use actix_web::test;
use futures::future::join_all;
use juece::access::Principal;
use juece::procedure::state::{Command, StageId};
use juece::service::commands::{self, Order};
use juece::service::decisions::Applied;
use juece::service::ServiceError;
use serde_json::{json, Value};

use super::*;

/// A command the engine refuses on a decision just initiated: a stage that was never started
/// cannot be completed.
fn refused_command() -> Command {
    Command::CompleteStage {
        stage: StageId::new("legality_review"),
    }
}

fn command_at(id: &str, token: &str, version: i64, command: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/decisions/{id}/commands"))
        .insert_header(bearer(token))
        .set_json(json!({ "expected_version": version, "command": command }))
}

fn change(attributes: &Value, reason: &str) -> Value {
    json!({ "command": "change_attributes", "attributes": attributes, "reason": reason })
}

/// Start `n` decisions; returns each one's id, version and attributes.
async fn decisions<S, B>(t: &TestApp, app: &S, staff: &str, n: usize) -> Vec<(String, i64, Value)>
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let init = initiation(t);
    let mut out = Vec::new();
    for _ in 0..n {
        let (s, b) = send(
            app,
            test::TestRequest::post()
                .uri("/api/v1/decisions")
                .insert_header(bearer(staff))
                .set_json(json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": init })),
        )
        .await;
        assert_eq!(s, 201, "{b}");
        out.push((
            b["id"].as_str().unwrap().to_string(),
            b["version"].as_i64().unwrap(),
            b["attributes"].clone(),
        ));
    }
    out
}

fn refusals(t: &TestApp, decision: &str) -> usize {
    let mut conn = t.state.db.read.get().unwrap();
    juece::db::outbox::entries_of(&mut conn, GOV, 10_000)
        .unwrap()
        .iter()
        .filter(|e| e.kind == "command_refused" && e.decision_id.as_deref() == Some(decision))
        .count()
}

fn verifies(t: &TestApp) {
    let mut conn = t.state.db.read.get().unwrap();
    let findings = juece::audit::verify(&mut conn).unwrap().findings;
    assert!(findings.is_empty(), "{findings:?}");
}

fn principal(t: &TestApp, token: &str) -> Principal {
    t.state
        .sessions
        .authenticate(
            &t.state.db,
            &juece::service::accounts::token_hash(token),
            chrono::Utc::now(),
        )
        .unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Change,
    Refused,
    Outsider,
}

#[actix_web::test]
async fn concurrent_commands_on_several_decisions_are_each_answered_and_the_chain_verifies() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let mut ds = decisions(&t, &app, &tokens.staff, 4).await;
    let refused = refused_command();
    let refuser = tokens.for_command(&refused).to_string();
    let refused = serde_json::to_value(&refused).unwrap();
    let mut refusals_answered = vec![0; ds.len()];
    for round in 0..3 {
        // Every client read the same version: of the five changes to one decision exactly one is
        // written, the others are stale; the refused command is refused (or stale, when a change
        // was written before it); the outsider learns nothing.
        let mut requests = Vec::new();
        for (d, (id, version, attrs)) in ds.iter().enumerate() {
            for k in 0..5 {
                let body = change(attrs, &format!("round {round}, client {k}"));
                requests.push((
                    d,
                    Kind::Change,
                    command_at(id, &tokens.staff, *version, body),
                ));
            }
            let body = refused.clone();
            requests.push((d, Kind::Refused, command_at(id, &refuser, *version, body)));
            let body = change(attrs, "not mine");
            requests.push((
                d,
                Kind::Outsider,
                command_at(id, &tokens.outsider, *version, body),
            ));
        }
        let kinds: Vec<(usize, Kind)> = requests.iter().map(|(d, k, _)| (*d, *k)).collect();
        let answers = join_all(requests.into_iter().map(|(_, _, r)| send(&app, r))).await;
        let mut written = vec![0; ds.len()];
        for ((d, kind), (status, body)) in kinds.into_iter().zip(answers) {
            let version = ds[d].1;
            match (kind, status) {
                (Kind::Change, 200) => {
                    assert_eq!(body["version"].as_i64(), Some(version + 1), "{body}");
                    assert!(!body["events"].as_array().unwrap().is_empty(), "{body}");
                    written[d] += 1;
                }
                (Kind::Change, 409) => {
                    assert_eq!(body["type"], "/problems/stale", "{body}");
                    assert_eq!(
                        body["current_version"].as_i64(),
                        Some(version + 1),
                        "{body}"
                    );
                }
                (Kind::Refused, 409) if body["type"] == "/problems/stale" => {}
                (Kind::Refused, 409) => {
                    assert!(!body["violations"].as_array().unwrap().is_empty(), "{body}");
                    refusals_answered[d] += 1;
                }
                (Kind::Outsider, 404) => {}
                other => panic!("decision {d}, {other:?}: {body}"),
            }
        }
        assert_eq!(written, vec![1; ds.len()], "round {round}");
        for d in &mut ds {
            d.1 += 1;
        }
    }
    for (d, (id, version, _)) in ds.iter().enumerate() {
        // Each refusal answered was recorded for the organ's webhooks, and no other.
        assert_eq!(refusals(&t, id), refusals_answered[d], "decision {d}");
        let (s, b) = send(
            &app,
            test::TestRequest::get()
                .uri(&format!("/api/v1/decisions/{id}/events"))
                .insert_header(bearer(&tokens.staff)),
        )
        .await;
        assert_eq!(s, 200);
        let seqs: Vec<i64> = b["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, (1..=*version).collect::<Vec<_>>(), "decision {d}");
    }
    verifies(&t);
}

#[actix_web::test]
async fn a_batch_judges_each_command_after_its_batch_mates_and_a_refusal_fails_none() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let ds = decisions(&t, &app, &tokens.staff, 2).await;
    let ((a, va, attrs), (b, vb, _)) = (ds[0].clone(), ds[1].clone());
    let staff = principal(&t, &tokens.staff);
    let refused = refused_command();
    let refuser = principal(&t, tokens.for_command(&refused));
    let outsider = principal(&t, &tokens.outsider);
    let change = |reason: &str| Command::ChangeAttributes {
        attributes: serde_json::from_value(attrs.clone()).unwrap(),
        reason: reason.into(),
    };
    let order = |who: &Principal, id: &str, version: i64, command: Command| Order {
        who: who.clone(),
        decision_id: id.into(),
        expected_version: version,
        command,
        draft_content: None,
        packs: t.state.packs.clone(),
        calendar: t.state.calendar.clone(),
    };
    let orders = vec![
        order(&staff, &a, va, change("first")),
        // Read the same version as the first: stale once the first is written.
        order(&staff, &a, va, change("second, stale")),
        // Read what the first left: judged after it, in the same transaction.
        order(&staff, &a, va + 1, change("third")),
        order(&refuser, &b, vb, refused),
        // The refusal moved nothing: this one, at the same version, is written.
        order(&staff, &b, vb, change("after the refusal")),
        order(&outsider, &a, va + 2, change("not mine")),
        order(
            &staff,
            &b,
            vb + 1,
            Command::StartStage {
                stage: StageId::new("no_such_stage"),
            },
        ),
        order(
            &staff,
            "00000000-0000-4000-8000-00000000dead",
            1,
            change("none"),
        ),
    ];
    let results = {
        let mut conn = t.state.db.write.get().unwrap();
        commands::write(&mut conn, orders, || t.state.clock.now())
    };
    let version = |r: &Result<Applied, ServiceError>| r.as_ref().map(|a| a.row.version).ok();
    assert_eq!(version(&results[0]), Some(va + 1), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(ServiceError::Stale { expected, actual }) if expected == va && actual == va + 1),
        "{:?}",
        results[1]
    );
    assert_eq!(version(&results[2]), Some(va + 2), "{:?}", results[2]);
    assert!(
        matches!(&results[3], Err(ServiceError::Refused(v)) if !v.is_empty()),
        "{:?}",
        results[3]
    );
    assert_eq!(version(&results[4]), Some(vb + 1), "{:?}", results[4]);
    assert!(
        matches!(results[5], Err(ServiceError::NotFound(_))),
        "{:?}",
        results[5]
    );
    assert!(
        matches!(results[6], Err(ServiceError::Invalid(_))),
        "{:?}",
        results[6]
    );
    assert!(
        matches!(results[7], Err(ServiceError::NotFound(_))),
        "{:?}",
        results[7]
    );
    // What the batch wrote is what it answered.
    let stored = |id: &str| {
        let mut conn = t.state.db.read.get().unwrap();
        juece::db::decisions::decision(&mut conn, id)
            .unwrap()
            .unwrap()
            .version
    };
    assert_eq!(stored(&a), va + 2);
    assert_eq!(stored(&b), vb + 1);
    assert_eq!(refusals(&t, &b), 1);
    assert_eq!(refusals(&t, &a), 0);
    verifies(&t);
}
