//! Bad input: a clear 4xx problem+json naming what is wrong, never a 500, nothing stored.

use actix_web::test;
use juece::procedure::state::Command;
use serde_json::json;

use super::*;

#[actix_web::test]
async fn bad_requests_get_problems_and_store_nothing() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "public_participation"),
    )
    .await;
    let commands = format!("/api/v1/decisions/{id}/commands");
    let post = |uri: &str| {
        test::TestRequest::post()
            .uri(uri)
            .insert_header(bearer(&tokens.unit))
    };

    // Malformed JSON.
    let (s, b) = send(
        &app,
        post(&commands)
            .insert_header(("content-type", "application/json"))
            .set_payload("{\"expected_version\": 1,"),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("JSON"), "{b}");
    // Wrong types.
    let (s, b) = send(&app, post(&commands).set_json(json!({ "expected_version": "seven", "command": { "command": "start_stage", "stage": "hearing" } }))).await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["detail"].as_str().unwrap().contains("expected_version")
            || b["detail"].as_str().unwrap().contains("invalid type"),
        "{b}"
    );
    // An unknown command.
    let (s, b) = send(
        &app,
        post(&commands).set_json(
            json!({ "expected_version": version, "command": { "command": "skip_everything" } }),
        ),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    // An unknown stage.
    let (s, b) = send(&app, post(&commands).set_json(json!({ "expected_version": version, "command": { "command": "start_stage", "stage": "bribery" } }))).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("bribery"), "{b}");
    // An oversized body.
    let big = "字".repeat(400_000);
    let (s, b) = send(&app, post(&commands).set_json(json!({ "expected_version": version, "command": { "command": "change_attributes", "attributes": { "category": "plan" }, "reason": big } }))).await;
    assert_eq!(s, 413, "{b}");
    // A draft larger than drafts may be.
    let (s, b) = send(
        &app,
        post(&format!("/api/v1/decisions/{id}/drafts"))
            .set_json(json!({ "expected_version": version, "content": "x".repeat(600_000) })),
    )
    .await;
    assert_eq!(s, 413, "{b}");
    // An empty draft.
    let (s, b) = send(
        &app,
        post(&format!("/api/v1/decisions/{id}/drafts"))
            .set_json(json!({ "expected_version": version, "content": "  " })),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    // Drafts do not go through the command endpoint (their content would be lost).
    let (s, _) = send(&app, post(&commands).set_json(json!({ "expected_version": version, "command": { "command": "record", "fact": { "type": "draft", "hash": "ab", "legal_basis": [] } } }))).await;
    assert_eq!(s, 422);
    // Unknown ids.
    let (s, _) = send(&app, post("/api/v1/decisions/00000000-0000-4000-8000-00000000dead/commands").set_json(json!({ "expected_version": 1, "command": { "command": "start_stage", "stage": "hearing" } }))).await;
    assert_eq!(s, 404);
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/decisions/not-a-uuid")
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/drafts/99"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = send(&app, test::TestRequest::get().uri("/api/v1/nothing-here")).await;
    assert_eq!(s, 404);
    // A stale version.
    let (s, b) = send(&app, post(&commands).set_json(json!({ "expected_version": version - 1, "command": { "command": "start_stage", "stage": "hearing" } }))).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["type"], "/problems/stale");
    // Bad paging.
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/decisions?limit=100000")
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/decisions?before=garbage")
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(s, 400);

    // Nothing of the above was stored.
    let (_, after) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(after["version"], version);
    let mut conn = t.state.db.read.get().unwrap();
    assert_eq!(
        juece::db::decisions::events_of(&mut conn, &id)
            .unwrap()
            .len() as i64,
        version
    );
    assert!(juece::audit::verify(&mut conn).unwrap().findings.is_empty());
}

#[actix_web::test]
async fn creating_a_decision_with_bad_references_or_out_of_scope_is_refused() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let pack = t.state.packs.latest("national").unwrap();
    let steps =
        juece::procedure::script::full_walk(pack, &crate::support::all_on(), t.state.clock.now());
    let Command::Initiate(init) = &steps[0].command else {
        panic!()
    };
    let create = |body: serde_json::Value, token: &str| {
        test::TestRequest::post()
            .uri("/api/v1/decisions")
            .insert_header(bearer(token))
            .set_json(body)
    };
    let (s, b) = send(&app, create(json!({ "organ_id": "00000000-0000-4000-8000-00000000dead", "lead_unit_id": DEPT, "initiation": init }), &tokens.staff)).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("organ_id"));
    let (s, b) = send(&app, create(json!({ "organ_id": GOV, "lead_unit_id": DEPT, "pack": "atlantis", "initiation": init }), &tokens.staff)).await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = send(&app, create(json!({ "organ_id": GOV, "lead_unit_id": DEPT, "catalog_item_id": "00000000-0000-4000-8000-00000000dead", "initiation": init }), &tokens.staff)).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(
        b["violations"][0]["rule"],
        "initiation.catalog_item_unknown"
    );
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第三条第三款"));
    let (s, b) = send(
        &app,
        create(
            json!({ "organ_id": GOV, "lead_unit_id": "x", "initiation": init }),
            &tokens.staff,
        ),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    let (s, _) = send(
        &app,
        create(
            json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": { "title": 5 } }),
            &tokens.staff,
        ),
    )
    .await;
    assert_eq!(s, 422);
    // Only the organ's staff start a decision.
    let (s, _) = send(
        &app,
        create(
            json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": init }),
            &tokens.unit,
        ),
    )
    .await;
    assert_eq!(s, 403);
    let mut emergency = init.clone();
    emergency.attributes.category = juece::procedure::state::Category::EmergencyResponse;
    let (s, b) = send(
        &app,
        create(
            json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": emergency }),
            &tokens.staff,
        ),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    // Every rule broken is reported at once: the out-of-scope category and the free-text
    // catalog link the script carries.
    let rules: Vec<&str> = b["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"scope.out_of_scope_category"), "{rules:?}");
    assert!(
        rules.contains(&"initiation.catalog_item_unknown"),
        "{rules:?}"
    );
    assert!(b["violations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["basis"].as_str().unwrap().contains("第三条")));
    // Nothing stored by any of these.
    let mut conn = t.state.db.read.get().unwrap();
    assert!(
        juece::db::decisions::list_decisions(&mut conn, &[GOV.to_string()], None, 10)
            .unwrap()
            .is_empty()
    );
}

#[actix_web::test]
async fn storage_errors_are_422_for_bad_data_and_503_for_a_failing_storage() {
    use actix_web::ResponseError;
    use diesel::result::{DatabaseErrorKind as Kind, Error};
    let status = |e: Error| juece::api::error::from_db(&e).status_code().as_u16();
    let db = |kind, message: &str| Error::DatabaseError(kind, Box::new(message.to_string()));
    assert_eq!(status(db(Kind::CheckViolation, "check failed")), 422);
    assert_eq!(status(db(Kind::NotNullViolation, "null value")), 422);
    assert_eq!(
        status(db(
            Kind::ForeignKeyViolation,
            "FOREIGN KEY constraint failed"
        )),
        422
    );
    assert_eq!(
        status(db(
            Kind::Unknown,
            "invalid byte sequence for encoding \"UTF8\": 0x00"
        )),
        422
    );
    assert_eq!(
        status(db(
            Kind::Unknown,
            "value too long for type character varying(10)"
        )),
        422
    );
    assert_eq!(status(db(Kind::Unknown, "database or disk is full")), 503);
    assert_eq!(
        status(db(Kind::Unknown, "attempt to write a readonly database")),
        503
    );
    assert_eq!(
        status(db(Kind::SerializationFailure, "could not serialize access")),
        503
    );
    assert_eq!(
        status(db(Kind::ClosedConnection, "server closed the connection")),
        503
    );
    assert_eq!(status(Error::NotFound), 404);
    assert_eq!(status(Error::QueryBuilderError("ours".into())), 500);
}
