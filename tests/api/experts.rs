//! The expert registry (专家库, 第二十一条) through HTTP: kept by its organ's staff, searched by
//! field, used by lower organs; a selection outside it is refused.

use actix_web::test;
use juece::db::rows::{Organ, User};

use juece::procedure::state::{Command, Fact};
use serde_json::{json, Value};

use super::*;

pub const PROVINCE: &str = "10000000-0000-4000-8000-000000000010";

/// A provincial government above the city government, with a staff user `prov`.
fn add_province(t: &TestApp) {
    let mut conn = t.state.db.write.get().unwrap();
    let at = juece::db::stored_time(chrono::Utc::now());
    juece::db::accounts::insert_organ(
        &mut conn,
        &Organ {
            id: PROVINCE.into(),
            name: "测试省人民政府".into(),
            kind: "decision_organ".into(),
            parent_id: None,
            legality_unit_id: None,
            pack_id: Some("national".into()),
            created_at: at,
        },
    )
    .unwrap();
    juece::db::accounts::link_organ(&mut conn, GOV, Some(PROVINCE), Some(SFJ)).unwrap();
    let id = juece::db::new_id();
    juece::db::accounts::insert_user(
        &mut conn,
        &User {
            id: id.clone(),
            username: "prov".into(),
            display_name: "prov".into(),
            password_hash: super::password_hash().into(),
            created_at: at,
        },
    )
    .unwrap();
    juece::db::accounts::grant(&mut conn, &id, PROVINCE, "organ_staff").unwrap();
}

fn add_req(token: &str, key: Option<&str>, body: Value) -> test::TestRequest {
    let mut r = test::TestRequest::post()
        .uri("/api/v1/experts")
        .insert_header(bearer(token))
        .set_json(body);
    if let Some(k) = key {
        r = r.insert_header(("idempotency-key", k.to_string()));
    }
    r
}

fn expert(organ: &str, name: &str, fields: &[&str]) -> Value {
    json!({ "organ_id": organ, "name": name, "fields": fields, "organisation": "省环境科学研究院" })
}

fn select_req(
    id: &str,
    token: &str,
    version: i64,
    expert_id: &str,
    direct: bool,
) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/decisions/{id}/experts"))
        .insert_header(bearer(token))
        .set_json(json!({
            "expected_version": version,
            "expert_id": expert_id,
            "direct_interest": direct,
            "declaration": "与本决策事项无直接利害关系",
        }))
}

fn is_expert_selected(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::ExpertSelected { .. }
        }
    )
}

#[actix_web::test]
async fn an_expert_of_the_superior_registry_is_chosen_and_one_outside_it_is_refused_with_422() {
    let t = TestApp::new();
    add_province(&t);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let prov = token(&app, "prov").await;

    // The province's staff keep the province's registry; a retry is stored once.
    let (s, a) = send(
        &app,
        add_req(
            &prov,
            Some("e-1"),
            expert(PROVINCE, "王教授", &["环境工程", "固体废物处理"]),
        ),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let (s, again) = send(
        &app,
        add_req(
            &prov,
            Some("e-1"),
            expert(PROVINCE, "王教授", &["环境工程", "固体废物处理"]),
        ),
    )
    .await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["id"], a["id"]);
    let (s, b) = send(
        &app,
        add_req(&prov, None, expert(PROVINCE, "李研究员", &["城市规划"])),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let (s, c) = send(
        &app,
        add_req(&prov, None, expert(PROVINCE, "赵工", &["环境监测"])),
    )
    .await;
    assert_eq!(s, 201, "{c}");
    // Another government's registry is not in the city's chain.
    let (s, x) = send(
        &app,
        add_req(
            &tokens.outsider,
            None,
            expert(OTHER_GOV, "外省专家", &["环境工程"]),
        ),
    )
    .await;
    assert_eq!(s, 201, "{x}");

    let (id, mut version, _) = walk_until(&app, &t.state, &tokens, is_expert_selected).await;

    // The undertaking unit finds the experts it may use by field.
    let (s, found) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!(
                "/api/v1/experts?decision_id={id}&field=%E7%8E%AF%E5%A2%83"
            ))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(s, 200, "{found}");
    let names: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    // The city's own registry (the fixture's 专家1–5) and the province's two.
    assert_eq!(names.len(), 7, "{found}");
    assert!(names.contains(&"王教授") && names.contains(&"赵工"));
    assert!(!names.contains(&"外省专家"));

    // Accepted: an active expert of the superior organ's registry.
    let (s, body) = send(
        &app,
        select_req(&id, &tokens.unit, version, a["id"].as_str().unwrap(), false),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["version"], version + 1);
    version += 1;
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["command"], "record:expert_selected");
    let fact = &last["payload"]["command"]["fact"];
    assert_eq!(fact["name"], "王教授", "the name comes from the registry");
    assert_eq!(fact["field"], "环境工程、固体废物处理");
    assert_eq!(fact["organisation"], "省环境科学研究院");

    // Refused: an expert of a registry outside the chain, an unknown one.
    for other in [x["id"].as_str().unwrap(), "no-such-expert"] {
        let (s, body) = send(&app, select_req(&id, &tokens.unit, version, other, false)).await;
        assert_eq!(s, 409, "{body}");
        assert_eq!(
            body["violations"][0]["rule"],
            "expert_review.not_in_registry"
        );
        let basis = body["violations"][0]["basis"].as_str().unwrap();
        assert!(basis.contains("第二十一条第三款"), "{basis}");
    }
    // Refused: a deactivated expert.
    let (s, d) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!(
                "/api/v1/experts/{}/deactivate",
                c["id"].as_str().unwrap()
            ))
            .insert_header(bearer(&prov))
            .set_json(json!({ "reason": "退休" })),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["active"], false);
    let (s, body) = send(
        &app,
        select_req(&id, &tokens.unit, version, c["id"].as_str().unwrap(), false),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(
        body["violations"][0]["rule"],
        "expert_review.expert_withdrawn"
    );
    // Refused by the engine: a direct interest (第二十条).
    let (s, body) = send(
        &app,
        select_req(&id, &tokens.unit, version, b["id"].as_str().unwrap(), true),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(
        body["violations"][0]["rule"],
        "expert_review.direct_interest"
    );
    // A field the expert does not have.
    let (s, body) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/experts"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({
                "expected_version": version, "expert_id": b["id"], "field": "核物理",
                "direct_interest": false, "declaration": "无利害关系",
            })),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(
        body["violations"][0]["rule"],
        "expert_review.registry_mismatch"
    );
    // Only the undertaking unit chooses.
    let (s, body) = send(
        &app,
        select_req(
            &id,
            &tokens.staff,
            version,
            b["id"].as_str().unwrap(),
            false,
        ),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    // Nothing of the refused ones was written.
    let (_, d) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    assert_eq!(d["version"], version);
}

#[actix_web::test]
async fn the_registry_is_kept_by_its_organ_staff_and_bad_input_is_refused() {
    let t = TestApp::new();
    add_province(&t);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let prov = token(&app, "prov").await;

    // Not the registry's organ_staff: the city's staff, the undertaking unit. No token: 401.
    for tok in [&tokens.staff, &tokens.unit] {
        let (s, b) = send(&app, add_req(tok, None, expert(PROVINCE, "甲", &["法学"]))).await;
        assert_eq!(s, 403, "{b}");
    }
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/experts")
            .set_json(expert(PROVINCE, "甲", &["法学"])),
    )
    .await;
    assert_eq!(s, 401, "{b}");
    // Bad input names the field.
    let (s, b) = send(&app, add_req(&prov, None, expert(PROVINCE, "甲", &[]))).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().starts_with("fields"), "{b}");
    let (s, b) = send(&app, add_req(&prov, None, expert(PROVINCE, "", &["法学"]))).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().starts_with("name"), "{b}");
    let (s, b) = send(
        &app,
        add_req(&prov, None, expert("no-such-organ", "甲", &["法学"])),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().starts_with("organ_id"), "{b}");
    let mut wrong = expert(PROVINCE, "甲", &["法学"]);
    wrong["fields"] = json!("法学");
    let (s, b) = send(&app, add_req(&prov, None, wrong)).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().starts_with("fields"), "{b}");
    let (s, b) = send(
        &app,
        add_req(&prov, Some("k"), expert(PROVINCE, "甲", &["法学"])),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let (s, b) = send(
        &app,
        add_req(&prov, Some("k"), expert(PROVINCE, "乙", &["法学"])),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("Idempotency-Key"));

    // The city's staff may read the superior registry (第二十一条第三款) but not keep it; another
    // government may not read it.
    let search = |tok: &str, q: &str| {
        test::TestRequest::get()
            .uri(&format!("/api/v1/experts?{q}"))
            .insert_header(bearer(tok))
    };
    let (s, b) = send(&app, search(&tokens.staff, &format!("organ_id={PROVINCE}"))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["items"].as_array().unwrap().len(), 1);
    let (s, b) = send(
        &app,
        search(&tokens.outsider, &format!("organ_id={PROVINCE}")),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    let (s, b) = send(&app, search(&tokens.staff, "")).await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/experts/{id}/deactivate"))
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({ "reason": "退休" })),
    )
    .await;
    assert_eq!(s, 403, "{b}");
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/experts/{id}/deactivate"))
            .insert_header(bearer(&prov))
            .set_json(json!({ "reason": " " })),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().starts_with("reason"));
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/experts/{id}/deactivate"))
            .insert_header(bearer(&prov))
            .set_json(json!({ "reason": "退休" })),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    // Deactivated experts stay in the registry, out of the default search.
    let (_, b) = send(&app, search(&prov, &format!("organ_id={PROVINCE}"))).await;
    assert_eq!(b["items"].as_array().unwrap().len(), 0, "{b}");
    let (_, b) = send(
        &app,
        search(&prov, &format!("organ_id={PROVINCE}&include_inactive=true")),
    )
    .await;
    assert_eq!(b["items"][0]["active"], false, "{b}");
    assert_eq!(b["items"][0]["deactivation_reason"], "退休");
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/experts/{id}"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(s, 404, "{b}");
}
