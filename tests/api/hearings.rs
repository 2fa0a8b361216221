//! Hearings through HTTP (第十六条、第十七条): public applications, the reproducible draw per
//! interest group, the published list; refusals.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::test;
use diesel::prelude::*;
use juece::procedure::selection::{self, Applicant};
use juece::procedure::state::{Command, Fact};
use juece::procedure::PackSet;
use serde_json::{json, Value};

use super::*;

fn is_participants(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::HearingParticipants { .. }
        }
    )
}

fn application(name: &str, group: &str, civil_servant: bool) -> Value {
    json!({
        "name": name,
        "contact": format!("{name}@example.cn"),
        "interest_group": group,
        "statement": "本人居住在项目周边，希望陈述意见",
        "civil_servant": civil_servant,
    })
}

fn apply_req(id: &str, key: &str, body: &Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!(
            "/api/v1/public/decisions/{id}/hearing/applications"
        ))
        .insert_header(("idempotency-key", key.to_string()))
        .set_json(body)
}

fn public_req(id: &str) -> test::TestRequest {
    test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/hearing"))
}

fn select_req(id: &str, token: &str, version: i64, seats: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/decisions/{id}/hearing/selection"))
        .insert_header(bearer(token))
        .set_json(json!({ "expected_version": version, "seats": seats }))
}

async fn version_of<S, B>(app: &S, tokens: &Tokens, id: &str) -> i64
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let (s, b) = send(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    b["version"].as_i64().unwrap()
}

#[actix_web::test]
async fn hearing_participants_are_drawn_per_interest_group_and_anyone_can_rerun_the_draw() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, is_participants).await;

    // The notice is public, without login.
    let (s, b) = send(&app, public_req(&id)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["applications_open"], true);
    assert_eq!(b["place"], "市民中心听证室");
    assert!(b["random_selection_method"]["zh"]
        .as_str()
        .unwrap()
        .contains("SHA-256"));
    assert!(b["selection"].is_null());

    // Applications from the public, no login.
    let mut ids = Vec::new();
    for i in 0..6 {
        let (s, b) = send(
            &app,
            apply_req(
                &id,
                &format!("key-r{i}"),
                &application(&format!("居民{i}"), "居民", i == 0),
            ),
        )
        .await;
        assert_eq!(s, 201, "{b}");
        ids.push(b["id"].as_str().unwrap().to_string());
    }
    for i in 0..3 {
        let (s, b) = send(
            &app,
            apply_req(
                &id,
                &format!("key-b{i}"),
                &application(&format!("企业{i}"), "企业", false),
            ),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    // A retried application is stored once.
    let (s, b) = send(
        &app,
        apply_req(&id, "key-r1", &application("居民1", "居民", false)),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["id"], ids[1].as_str());
    assert_eq!(b["replayed"], true);
    // The same key with another application is refused.
    let (s, b) = send(
        &app,
        apply_req(&id, "key-r1", &application("冒名者", "居民", false)),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("Idempotency-Key"));

    // The undertaking unit draws with a server-generated seed.
    let (s, drawn) = send(
        &app,
        select_req(&id, &tokens.unit, version, json!({ "居民": 3, "企业": 1 })),
    )
    .await;
    assert_eq!(s, 201, "{drawn}");
    assert_eq!(drawn["version"], version + 1);
    let seed = drawn["seed"].as_str().unwrap().to_string();
    assert_eq!(seed.len(), 64);
    assert_eq!(drawn["chosen"].as_array().unwrap().len(), 4);

    // Published: applicants (id and group, no contact), seats, seed and list.
    let (s, b) = send(&app, public_req(&id)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["applications_open"], false);
    let applicants = b["applicants"].as_array().unwrap();
    assert_eq!(applicants.len(), 9, "a retried application counts once");
    assert!(applicants.iter().all(|a| a.get("contact").is_none()));
    assert_eq!(b["selection"]["seed"], seed.as_str());
    assert_eq!(b["participants"]["selection_seed"], seed.as_str());

    // Anyone can re-run the draw from what is published and get the same list.
    let published: Vec<Applicant> = applicants
        .iter()
        .map(|a| Applicant {
            id: a["id"].as_str().unwrap().into(),
            interest_group: a["interest_group"].as_str().unwrap().into(),
        })
        .collect();
    let seats: BTreeMap<String, u32> =
        serde_json::from_value(b["selection"]["seats"].clone()).unwrap();
    assert_eq!(seats.get("居民"), Some(&3));
    let rerun: Vec<String> = selection::draw(&published, &seats, &seed)
        .into_iter()
        .map(|c| c.id)
        .collect();
    let chosen: Vec<String> = b["selection"]["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["applicant_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rerun, chosen);
    // The list the engine holds is the drawn one, in order.
    let names: Vec<&str> = b["participants"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let drawn_names: Vec<&str> = b["selection"]["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, drawn_names);
    assert_eq!(names.iter().filter(|n| n.starts_with("企业")).count(), 1);

    // The record holds the fact with the seed, entered by the undertaking unit.
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["command"], "record:hearing_participants");
    assert_eq!(last["actor"]["role"], "undertaking");
    assert_eq!(
        last["payload"]["command"]["fact"]["selection_seed"],
        seed.as_str()
    );

    // The unit sees contacts, to deliver the materials.
    let (s, full) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/hearing/applications"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(s, 200, "{full}");
    assert_eq!(full.as_array().unwrap().len(), 9);
    assert!(full[0]["contact"].as_str().unwrap().contains("@example.cn"));

    // After the draw: no more applications, no second draw.
    let (s, b) = send(
        &app,
        apply_req(&id, "key-late", &application("迟到者", "居民", false)),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["violations"][0]["rule"], "hearing.applications_closed");
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第十六条"));
    let (s, b) = send(
        &app,
        select_req(&id, &tokens.unit, version + 1, json!({ "居民": 3 })),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["violations"][0]["rule"], "hearing.selection_already_made");
    assert_eq!(version_of(&app, &tokens, &id).await, version + 1);
}

#[actix_web::test]
async fn a_draw_is_refused_to_other_roles_and_for_seats_nobody_applied_for_and_stores_nothing() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, is_participants).await;
    for i in 0..2 {
        let (s, b) = send(
            &app,
            apply_req(
                &id,
                &format!("k{i}"),
                &application(&format!("居民{i}"), "居民", false),
            ),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    // Outsiders do not learn the decision exists; the organ's staff is not the undertaking unit.
    let (s, b) = send(
        &app,
        select_req(&id, &tokens.outsider, version, json!({ "居民": 1 })),
    )
    .await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = send(
        &app,
        select_req(&id, &tokens.staff, version, json!({ "居民": 1 })),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/hearing/selection"))
            .set_json(json!({ "expected_version": version, "seats": { "居民": 1 } })),
    )
    .await;
    assert_eq!(s, 401, "{b}");
    // Seats for a group nobody applied for, or zero seats: 422 naming the field.
    let (s, b) = send(
        &app,
        select_req(&id, &tokens.unit, version, json!({ "居民": 1, "企业": 1 })),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["detail"].as_str().unwrap().starts_with("seats.企业"),
        "{b}"
    );
    let (s, b) = send(
        &app,
        select_req(&id, &tokens.unit, version, json!({ "居民": 0 })),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = send(&app, select_req(&id, &tokens.unit, version, json!({}))).await;
    assert_eq!(s, 422, "{b}");
    // A stale version writes nothing.
    let (s, b) = send(
        &app,
        select_req(&id, &tokens.unit, version - 1, json!({ "居民": 1 })),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["type"], "/problems/stale");
    assert_eq!(version_of(&app, &tokens, &id).await, version);
    let (_, b) = send(&app, public_req(&id)).await;
    assert!(b["selection"].is_null(), "{b}");
    assert_eq!(b["applications_open"], true);
}

#[actix_web::test]
async fn bad_applications_are_refused_naming_what_is_wrong_and_nothing_is_stored() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, is_participants).await;
    let uri = format!("/api/v1/public/decisions/{id}/hearing/applications");
    // No idempotency key.
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&uri)
            .set_json(application("甲", "居民", false)),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("Idempotency-Key"));
    // Too large.
    let mut big = application("甲", "居民", false);
    big["statement"] = json!("很".repeat(10_000));
    let (s, b) = send(&app, apply_req(&id, "big", &big)).await;
    assert_eq!(s, 413, "{b}");
    // A statement over the limit but within the body size.
    let mut long = application("甲", "居民", false);
    long["statement"] = json!("x".repeat(5001));
    let (s, b) = send(&app, apply_req(&id, "long", &long)).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().starts_with("statement"));
    // Empty name, wrong type, unknown field, malformed JSON.
    let (s, b) = send(
        &app,
        apply_req(&id, "empty", &application(" ", "居民", false)),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().starts_with("name"));
    let mut wrong = application("甲", "居民", false);
    wrong["civil_servant"] = json!("no");
    let (s, b) = send(&app, apply_req(&id, "wrong", &wrong)).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("civil_servant"));
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&uri)
            .insert_header(("idempotency-key", "bad"))
            .insert_header(("content-type", "application/json"))
            .set_payload("{\"name\":"),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    // No such decision, or a decision without a hearing notice.
    let (s, b) = send(
        &app,
        apply_req(
            "00000000-0000-4000-8000-00000000dead",
            "x",
            &application("甲", "居民", false),
        ),
    )
    .await;
    assert_eq!(s, 404, "{b}");
    let (other, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(c, Command::StartStage { .. })
    })
    .await;
    let (s, b) = send(&app, public_req(&other)).await;
    assert_eq!(s, 404, "{b}");
    // Nothing was stored.
    let (_, b) = send(&app, public_req(&id)).await;
    assert_eq!(b["applicants"].as_array().unwrap().len(), 0, "{b}");
}

/// The repository's packs plus one that bars civil servants from hearings.
fn packs_barring_civil_servants() -> PackSet {
    let dir = crate::support::root().join("workflows");
    let national = std::fs::read_to_string(dir.join("national.json")).unwrap();
    let bar = json!({
        "id": "testbar",
        "version": "2019.1",
        "effective_from": "2019-09-01",
        "title": { "zh": "测试省", "en": "Test province" },
        "sources": [{ "title": "《测试省重大行政决策程序规定》" }],
        "extends": "national",
        "parameters": {
            "hearing_bars_civil_servants": { "value": true, "basis": "《测试省重大行政决策程序规定》第十八条" }
        }
    });
    PackSet::from_sources(&[
        (PathBuf::from("national.json"), national),
        (PathBuf::from("testbar.json"), bar.to_string()),
    ])
    .unwrap()
}

#[actix_web::test]
async fn a_civil_servant_applicant_is_refused_where_the_pack_bars_civil_servants() {
    let mut t = TestApp::new();
    t.state.packs = Arc::new(packs_barring_civil_servants());
    {
        use juece::db::schema::organs;
        let mut conn = t.state.db.write.get().unwrap();
        diesel::update(organs::table.find(GOV))
            .set(organs::pack_id.eq("testbar"))
            .execute(&mut *conn)
            .unwrap();
    }
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, is_participants).await;
    let (s, b) = send(
        &app,
        apply_req(&id, "cs", &application("公务员甲", "居民", true)),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(
        b["violations"][0]["rule"],
        "hearing.civil_servant_applicant"
    );
    assert_eq!(
        b["violations"][0]["basis"],
        "《测试省重大行政决策程序规定》第十八条"
    );
    let (s, b) = send(
        &app,
        apply_req(&id, "ok", &application("居民甲", "居民", false)),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let (_, b) = send(&app, public_req(&id)).await;
    assert_eq!(b["applicants"].as_array().unwrap().len(), 1, "{b}");
}

#[actix_web::test]
async fn a_hearing_is_not_shown_once_its_matter_is_marked_not_public() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, is_participants).await;
    let (s, b) = send(&app, public_req(&id)).await;
    assert_eq!(s, 200, "{b}");

    // The engine refuses to mark the matter not public once its hearing has begun
    // (`attributes.drops_started_stage`); a record that says so all the same — written by an
    // earlier version, or by hand — shows the public nothing of the hearing either, as its
    // consultation, publication and execution pages do (第十四条第一款).
    let (_, view) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    let mut attributes = view["attributes"].clone();
    attributes["not_public"] = json!(true);
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": view["version"], "command": {
                "command": "change_attributes", "attributes": attributes,
                "reason": "经保密审查，属于依法不予公开的事项" } })),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert!(
        b.to_string().contains("attributes.drops_started_stage"),
        "{b}"
    );
    {
        use juece::db::schema::decisions;
        let mut conn = t.state.db.write.get().unwrap();
        let stored: String = decisions::table
            .find(&id)
            .select(decisions::state)
            .first(&mut *conn)
            .unwrap();
        let mut state: Value = serde_json::from_str(&stored).unwrap();
        state["attributes"]["not_public"] = json!(true);
        diesel::update(decisions::table.find(&id))
            .set(decisions::state.eq(state.to_string()))
            .execute(&mut *conn)
            .unwrap();
    }
    let (s, b) = send(&app, public_req(&id)).await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = send(
        &app,
        apply_req(&id, "after-secret", &application("甲", "居民", false)),
    )
    .await;
    assert_eq!(
        s, 404,
        "no application to a hearing the public cannot see: {b}"
    );
    let page = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/hearings/{id}"))
            .to_request(),
    )
    .await;
    assert_eq!(page.status(), 404);
}
