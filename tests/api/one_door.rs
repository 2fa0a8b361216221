//! One door: the guarantees of the dedicated routes hold on every route that could carry the
//! same fact — `/commands` above all — and server-owned values are never taken from a client.

use actix_web::test;
use juece::procedure::state::Command;
use serde_json::{json, Value};

use super::*;

fn is_record(kind: &'static str) -> impl Fn(&Command) -> bool {
    move |c| matches!(c, Command::Record { fact } if fact.kind() == kind)
}

fn rules(body: &Value) -> Vec<String> {
    body["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|v| v["rule"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn command(id: &str, token: &str, version: i64, fact: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/decisions/{id}/commands"))
        .insert_header(bearer(token))
        .set_json(json!({ "expected_version": version, "command": { "command": "record", "fact": fact } }))
}

/// The fact of the decision's last event, as the record holds it.
async fn last_fact<S, B>(app: &S, id: &str, token: &str) -> Value
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let (_, events) = send(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(token)),
    )
    .await;
    events["items"].as_array().unwrap().last().unwrap()["payload"]["command"]["fact"].clone()
}

#[actix_web::test]
async fn the_pack_follows_the_organ_and_a_client_cannot_pick_another() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let init = initiation(&t);
    let create = |body: Value| {
        test::TestRequest::post()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.staff))
            .set_json(body)
    };
    for other in ["gansu", "zhejiang", "zhejiang@2021.1"] {
        let (s, b) = send(
            &app,
            create(
                json!({ "organ_id": GOV, "lead_unit_id": DEPT, "pack": other, "initiation": init }),
            ),
        )
        .await;
        assert_eq!(s, 422, "{other}: {b}");
        assert!(b["detail"].as_str().unwrap().starts_with("pack:"), "{b}");
    }
    for own in ["national", "national@2019.1"] {
        let (s, b) = send(
            &app,
            create(
                json!({ "organ_id": GOV, "lead_unit_id": DEPT, "pack": own, "initiation": init }),
            ),
        )
        .await;
        assert_eq!(s, 201, "{own}: {b}");
        assert_eq!(b["pack"]["id"], "national");
    }
}

#[actix_web::test]
async fn the_lead_unit_is_a_department_or_designated_citing_article_11() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let init = initiation(&t);
    let create = |body: Value| {
        test::TestRequest::post()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.staff))
            .set_json(body)
    };
    // Another city's government, or the decision organ itself, without a designation.
    for unit in [OTHER_GOV, GOV] {
        let (s, b) = send(
            &app,
            create(json!({ "organ_id": GOV, "lead_unit_id": unit, "initiation": init })),
        )
        .await;
        assert_eq!(s, 409, "{b}");
        assert_eq!(rules(&b), ["initiation.lead_unit_ineligible"]);
        assert!(b["violations"][0]["basis"]
            .as_str()
            .unwrap()
            .contains("第十一条"));
    }
    // A blank designation is no designation.
    let (s, b) = send(&app, create(json!({ "organ_id": GOV, "lead_unit_id": OTHER_GOV, "lead_unit_designation": "  ", "initiation": init }))).await;
    assert_eq!(s, 409, "{b}");
    // Designated by the organ, with the designation recorded in the initiation.
    let (s, b) = send(&app, create(json!({ "organ_id": GOV, "lead_unit_id": OTHER_GOV, "lead_unit_designation": "测试市人民政府办公室〔2026〕12号", "initiation": init }))).await;
    assert_eq!(s, 201, "{b}");
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!(
                "/api/v1/decisions/{}/events",
                b["id"].as_str().unwrap()
            ))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    let recorded = &events["items"][0]["payload"]["command"];
    assert_eq!(
        recorded["lead_unit_designation"],
        "测试市人民政府办公室〔2026〕12号"
    );
    assert_eq!(
        recorded["lead_unit"], "另一市人民政府",
        "the name comes from the register"
    );
    // The department: no designation needed.
    let (s, b) = send(
        &app,
        create(json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": init })),
    )
    .await;
    assert_eq!(s, 201, "{b}");
}

#[actix_web::test]
async fn hearing_participants_through_commands_come_from_the_applicants_or_the_draw() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) =
        walk_until(&app, &t.state, &tokens, is_record("hearing_participants")).await;
    let hand_picked = |seed: Option<&str>, reason: Option<&str>| {
        json!({ "type": "hearing_participants", "selection_seed": seed,
                "participants": [{ "name": "我的朋友", "interest_group": "居民", "invitation_reason": reason }] })
    };
    // A hand-picked list with a made-up seed: no draw was made, and nobody applied.
    let (s, b) = send(
        &app,
        command(
            &id,
            &tokens.unit,
            version,
            hand_picked(Some("chosen-by-hand"), None),
        ),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    let r = rules(&b);
    assert!(
        r.contains(&"hearing.seed_without_draw".to_string()),
        "{r:?}"
    );
    assert!(
        r.contains(&"hearing.participant_not_applicant".to_string()),
        "{r:?}"
    );
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第十六条第三款"));
    // Without a seed, still not an applicant.
    let (s, b) = send(
        &app,
        command(&id, &tokens.unit, version, hand_picked(None, None)),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), ["hearing.participant_not_applicant"]);
    // Once someone applies, a draw is made; a list other than the draw's is refused.
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/hearing/applications"))
            .insert_header(("idempotency-key", "one-door-1"))
            .set_json(json!({ "name": "赵六", "contact": "13900000000", "interest_group": "居民", "statement": "申请" })),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/hearing/selection"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": version, "seats": { "居民": 1 } })),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let version = b["version"].as_i64().unwrap();
    let (s, b) = send(
        &app,
        command(&id, &tokens.unit, version, hand_picked(None, Some("邀请"))),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), ["hearing.participants_not_drawn"]);
}

#[actix_web::test]
async fn invited_participants_are_accepted_with_a_recorded_reason_and_shown_as_invited() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) =
        walk_until(&app, &t.state, &tokens, is_record("hearing_participants")).await;
    let fact = json!({ "type": "hearing_participants", "participants": [
        { "name": "居委会代表", "interest_group": "居民", "invitation_reason": "按利益群体邀请：社区居委会推荐" }
    ] });
    let (s, b) = send(&app, command(&id, &tokens.unit, version, fact)).await;
    assert_eq!(s, 200, "{b}");
    let (_, public) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/hearing")),
    )
    .await;
    assert_eq!(public["participants"]["list"][0]["name"], "居委会代表");
    assert_eq!(
        public["participants"]["list"][0]["invitation_reason"],
        "按利益群体邀请：社区居委会推荐"
    );
    assert_eq!(public["participants"]["list"][0]["chosen_by"], "invitation");
    // 第十六条第二款: the notice published the draft and its explanation.
    assert!(
        !public["draft"]["content"].as_str().unwrap().is_empty(),
        "{public}"
    );
    assert_eq!(public["explanation"], "关于决策草案的起草说明");
}

#[actix_web::test]
async fn an_expert_chosen_through_commands_carries_the_registry_identity() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, is_record("expert_selected")).await;
    let expert = |name: &str, organisation: Option<&str>| {
        json!({ "type": "expert_selected", "expert_id": "e1", "name": name, "field": "",
                "organisation": organisation, "direct_interest": false, "declaration": "无直接利害关系" })
    };
    let (s, b) = send(
        &app,
        command(
            &id,
            &tokens.unit,
            version,
            expert("冒名专家", Some("伪造研究院")),
        ),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), ["expert_review.registry_mismatch"]);
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第二十一条"));
    let (s, b) = send(&app, command(&id, &tokens.unit, version, expert("", None))).await;
    assert_eq!(s, 200, "{b}");
    let fact = last_fact(&app, &id, &tokens.unit).await;
    assert_eq!(fact["name"], "专家1");
    assert_eq!(fact["organisation"], "研究院1");
    assert_eq!(fact["field"], "环境工程");
}

#[actix_web::test]
async fn a_circulated_paper_is_not_a_meeting_citing_article_30() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, rest) =
        walk_until(&app, &t.state, &tokens, is_record("meeting_convened")).await;
    let Command::Record { fact } = &rest[0].command else {
        panic!("the walk stops at the meeting");
    };
    let mut fact = serde_json::to_value(fact).unwrap();
    fact["kind"] = json!("circulation");
    let (s, b) = send(&app, command(&id, &tokens.staff, version, fact)).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), ["collective_decision.not_a_meeting"]);
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第三十条第一款"));
}

#[actix_web::test]
async fn unknown_fields_are_refused_naming_the_field() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, |_| false).await;
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({ "expexted_version": version, "command": { "command": "start_stage", "stage": "adjustment" } })),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["detail"].as_str().unwrap().contains("expexted_version"),
        "{b}"
    );
    let (s, b) = send(
        &app,
        command(
            &id,
            &tokens.staff,
            version,
            json!({ "type": "execution_report", "summary": "进展", "opens_at": "2026-01-01" }),
        ),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("opens_at"), "{b}");
}

#[actix_web::test]
async fn contacts_go_to_those_who_handle_them_and_every_read_is_recorded() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        is_record("hearing_materials_delivered"),
    )
    .await;
    let export = |token: &str| {
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/hearing/applications"))
            .insert_header(bearer(token))
    };
    let reads = || {
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/personal-data-reads"))
            .insert_header(bearer(&tokens.inspector))
    };
    let (_, before) = send(&app, reads()).await;
    let before = before.as_array().unwrap().len();
    for token in [&tokens.reviewer, &tokens.mayor, &tokens.inspector] {
        let (s, items) = send(&app, export(token)).await;
        assert_eq!(s, 200, "{items}");
        for a in items.as_array().unwrap() {
            assert_eq!(a["contact_redacted"], true);
            assert_ne!(a["contact"], "13800000000");
        }
    }
    let (_, after) = send(&app, reads()).await;
    assert_eq!(
        after.as_array().unwrap().len(),
        before,
        "redacted reads show nothing to record"
    );
    let (s, items) = send(&app, export(&tokens.unit)).await;
    assert_eq!(s, 200);
    assert!(!items.as_array().unwrap().is_empty());
    assert_eq!(items[0]["contact"], "13800000000");
    let (_, after) = send(&app, reads()).await;
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), before + 1);
    assert_eq!(after.last().unwrap()["what"], "hearing_applications");
}

#[actix_web::test]
async fn commenters_contacts_go_to_the_undertaking_unit_and_staff_only() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, is_record("comments_received")).await;
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/public/decisions/{id}/comments"))
            .set_json(json!({ "name": "市民甲", "contact": "citizen@example.cn", "body": "请公开选址依据" })),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let comments = |token: &str, format: &str| {
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments?format={format}"))
            .insert_header(bearer(token))
    };
    for token in [&tokens.reviewer, &tokens.mayor, &tokens.inspector] {
        let (s, page) = send(&app, comments(token, "json")).await;
        assert_eq!(s, 200);
        assert_eq!(page["items"][0]["contact"], "（已隐去 / redacted）");
        let (_, csv) = send(&app, comments(token, "csv")).await;
        assert!(!csv.as_str().unwrap().contains("citizen@example.cn"));
    }
    for token in [&tokens.unit, &tokens.staff] {
        let (_, page) = send(&app, comments(token, "json")).await;
        assert_eq!(page["items"][0]["contact"], "citizen@example.cn");
    }
    let (_, reads) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/personal-data-reads"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    let whats: Vec<&str> = reads
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        whats,
        ["comments", "comments"],
        "the unit's and the staff's reads, not the redacted ones"
    );
}

#[actix_web::test]
async fn facts_md_is_generated_from_the_types() {
    let generated = juece::api::facts::markdown(crate::support::packs());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FACTS.md");
    if std::env::var("JUECE_BLESS").is_ok() {
        std::fs::write(path, &generated).unwrap();
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == generated,
        "docs/FACTS.md is out of date: run `JUECE_BLESS=1 cargo test facts_md`"
    );
    // Every fact is there, with who records it.
    assert!(generated.contains("## `legality_opinion`"));
    assert!(generated.contains("`legality_reviewer` of the 合法性审查部门 legality unit"));
    assert!(generated.contains("## `expert_selected`"));
}

#[actix_web::test]
async fn similar_comments_are_disposed_as_a_group_and_each_row_shows_it() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, is_record("comment_disposed")).await;
    let (_, page) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    let ids: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 2, "{page}");
    let group = |ids: &[String]| json!({ "type": "comments_disposed", "comment_ids": ids, "disposition": "partly_adopted", "reason": "同类意见：增设投放点，已部分吸收" });
    // A group naming a comment that is not there is refused whole (第十八条).
    let mut with_stranger = ids.clone();
    with_stranger.push("no-such-comment".into());
    let (s, b) = send(
        &app,
        command(&id, &tokens.unit, version, group(&with_stranger)),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert!(
        rules(&b).contains(&"participation.comment_unknown".to_string()),
        "{b}"
    );
    let (s, b) = send(&app, command(&id, &tokens.unit, version, group(&ids))).await;
    assert_eq!(s, 200, "{b}");
    let version = b["version"].as_i64().unwrap();
    let (_, page) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    for c in page["items"].as_array().unwrap() {
        assert_eq!(c["disposition"], "partly_adopted", "{c}");
    }
    // Disposed once: the same group again is refused.
    let (s, b) = send(&app, command(&id, &tokens.unit, version, group(&ids[..1]))).await;
    assert_eq!(s, 409, "{b}");
    assert!(
        rules(&b).contains(&"participation.comment_already_disposed".to_string()),
        "{b}"
    );
}

#[actix_web::test]
async fn an_expert_from_outside_the_registry_is_recorded_as_such_with_the_reason() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, is_record("expert_selected")).await;
    let outside = |reason: &str, organisation: &str| {
        json!({ "type": "expert_selected", "expert_id": "outside-1", "name": "外省专家", "field": "固体废物处理",
                "organisation": organisation, "direct_interest": false, "declaration": "无直接利害关系",
                "outside_registry": reason })
    };
    // 第二十一条 "可以": lawful, but recorded with its reason and the expert named in full.
    let (s, b) = send(&app, command(&id, &tokens.unit, version, outside(" ", ""))).await;
    assert_eq!(s, 409, "{b}");
    assert!(
        rules(&b)
            .iter()
            .all(|r| r == "expert_review.outside_expert_incomplete"),
        "{b}"
    );
    assert_eq!(rules(&b).len(), 2, "no reason, no organisation: {b}");
    let (s, b) = send(
        &app,
        command(
            &id,
            &tokens.unit,
            version,
            outside("本市专家库无固废焚烧专业专家", "某省环境科学研究院"),
        ),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let fact = last_fact(&app, &id, &tokens.unit).await;
    assert_eq!(fact["outside_registry"], "本市专家库无固废焚烧专业专家");
    assert_eq!(fact["name"], "外省专家");
}

#[actix_web::test]
async fn a_shortened_legality_review_is_lawful_with_its_reason_and_the_package_shows_it() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, rest) =
        walk_until(&app, &t.state, &tokens, is_record("legality_submission")).await;
    let Command::Record { fact } = &rest[0].command else {
        panic!("the walk stops at the submission");
    };
    let mut fact = serde_json::to_value(fact).unwrap();
    let today = juece::procedure::state::china_date(t.state.clock.now());
    fact["due_on"] = json!(today + chrono::Duration::days(2));
    fact["shortening_reason"] = json!("汛期临近，情况紧急，需在三日内审查完毕");
    let (s, b) = send(&app, command(&id, &tokens.unit, version, fact)).await;
    assert_eq!(s, 200, "{b}");
    let (_, view) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.reviewer)),
    )
    .await;
    let due = view["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "legality_review_due")
        .cloned()
        .unwrap();
    assert_eq!(
        due["shortening_reason"],
        "汛期临近，情况紧急，需在三日内审查完毕"
    );
    assert!(due["date"].as_str().unwrap() < due["statutory_minimum"].as_str().unwrap());
}

#[actix_web::test]
async fn a_department_follows_its_governments_pack() {
    // 第四十二条 (参照) and 浙江337号第二条: a department with no pack of its own decides under its
    // government's rules — here 浙江's, which require a catalog item.
    let t = TestApp::new();
    {
        let mut conn = t.state.db.write.get().unwrap();
        let at = juece::db::stored_time(chrono::Utc::now());
        for (id, name, kind, pack) in [
            (
                "20000000-0000-4000-8000-000000000001",
                "浙江某市人民政府",
                "decision_organ",
                Some("zhejiang"),
            ),
            (
                "20000000-0000-4000-8000-000000000002",
                "浙江某市交通运输局",
                "department",
                None,
            ),
        ] {
            accounts::insert_organ(
                &mut conn,
                &Organ {
                    id: id.into(),
                    name: name.into(),
                    kind: kind.into(),
                    parent_id: None,
                    legality_unit_id: None,
                    pack_id: pack.map(str::to_string),
                    created_at: at,
                },
            )
            .unwrap();
        }
        accounts::link_organ(
            &mut conn,
            "20000000-0000-4000-8000-000000000002",
            Some("20000000-0000-4000-8000-000000000001"),
            None,
        )
        .unwrap();
        let staff = accounts::user_by_username(&mut conn, "staff")
            .unwrap()
            .unwrap();
        accounts::grant(
            &mut conn,
            &staff.id,
            "20000000-0000-4000-8000-000000000002",
            "organ_staff",
        )
        .unwrap();
    }
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({
                "organ_id": "20000000-0000-4000-8000-000000000002",
                "lead_unit_id": DEPT,
                "lead_unit_designation": "交通运输局局务会议纪要〔2026〕3号",
                "initiation": initiation(&t),
            })),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    let catalog = b["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "initiation.catalog_item_missing")
        .cloned()
        .unwrap_or_else(|| panic!("the zhejiang catalog rule applies: {b}"));
    assert!(
        catalog["basis"].as_str().unwrap().contains("浙江"),
        "{catalog}"
    );
}
