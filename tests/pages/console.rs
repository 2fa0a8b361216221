//! The staff console through HTTP.

use super::*;
use crate::api::{walk_until, TestApp, Tokens};

fn until_hearing(c: &Command) -> bool {
    matches!(c, Command::StartStage { stage } if stage.as_str() == "hearing")
}

#[actix_web::test]
async fn sign_in_sets_a_strict_http_only_session_cookie_for_the_console_only() {
    let t = TestApp::new();
    let app = t.service().await;
    let form = get(&app, "/console/sign-in", "").await;
    let csrf_cookie = form.cookie("juece_csrf").unwrap();
    let wrong = post(
        &app,
        "/console/sign-in",
        &csrf_cookie,
        &[
            ("csrf", &form.csrf()),
            ("username", "unit"),
            ("password", "nope"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("用户名或密码错误"));
    let no_token = post(
        &app,
        "/console/sign-in",
        &csrf_cookie,
        &[("username", "unit"), ("password", "secret")],
    )
    .await;
    assert_eq!(no_token.status, 403, "sign-in needs its CSRF token too");
    let res = post(
        &app,
        "/console/sign-in",
        &csrf_cookie,
        &[
            ("csrf", &form.csrf()),
            ("username", "unit"),
            ("password", "secret"),
        ],
    )
    .await;
    assert_eq!(res.status, 303);
    let c = res.set_cookie("juece_session").unwrap();
    assert!(c.contains("HttpOnly"), "{c}");
    assert!(c.contains("SameSite=Strict"), "{c}");
    assert!(c.contains("Path=/console"), "{c}");
    assert!(!c.contains("Secure"), "plain HTTP: {c}");

    let session = res.cookie("juece_session").unwrap();
    let dash = get(&app, "/console/", &session).await;
    assert_eq!(dash.status, 200, "{}", dash.body);
    assert!(dash.body.contains("我的决策事项"));
    // Signing out needs the session's token, then the session is gone.
    let out = post(&app, "/console/sign-out", &session, &[("csrf", "x")]).await;
    assert_eq!(out.status, 403);
    let out = post(
        &app,
        "/console/sign-out",
        &session,
        &[("csrf", &dash.csrf())],
    )
    .await;
    assert_eq!(out.status, 303);
    let after = get(&app, "/console/", &session).await;
    assert_eq!(after.status, 303);
    assert_eq!(after.headers.get("location").unwrap(), "/console/sign-in");
}

#[actix_web::test]
async fn the_dashboard_shows_fifty_decisions_a_page_and_links_the_next_with_its_filters() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let mut ids = Vec::new();
    for _ in 0..55 {
        let (status, body) = crate::api::send(
            &app,
            test::TestRequest::post()
                .uri("/api/v1/decisions")
                .insert_header(crate::api::bearer(&tokens.staff))
                .set_json(serde_json::json!({ "organ_id": crate::api::GOV,
                    "lead_unit_id": crate::api::DEPT, "initiation": crate::api::initiation(&t) })),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    let staff = sign_in(&app, "staff").await;
    let rows = |body: &str| body.matches("href=\"/console/decisions/").count();
    let first = get(&app, "/console/?status=in_procedure", &staff).await;
    assert_eq!(first.status, 200);
    assert_eq!(rows(&first.body), 50, "{}", first.body);
    // Newest first: the last made is on the first page, the first made is not.
    assert!(first.body.contains(&ids[54]));
    assert!(!first.body.contains(&ids[0]));
    let next = first
        .body
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&").replace("&#x3D;", "="))
        .find(|h| h.contains("before="))
        .expect("a link to the next page");
    assert!(
        next.contains("status=in_procedure"),
        "the filter kept: {next}"
    );
    let second = get(&app, &next, &staff).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(rows(&second.body), 5, "{}", second.body);
    assert!(second.body.contains(&ids[0]));
    assert!(!second.body.contains(&ids[54]));
    // A cursor that is not one is refused with a message, not a 500.
    let bad = get(&app, "/console/?before=yesterday", &staff).await;
    assert_eq!(bad.status, 400);
}

#[actix_web::test]
async fn the_dashboard_shows_the_users_decisions_with_what_blocks_them_and_no_one_elses() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let unit = sign_in(&app, "unit").await;
    let dash = get(&app, "/console/", &unit).await;
    assert_eq!(dash.status, 200);
    assert!(
        dash.body.contains(&format!("/console/decisions/{id}")),
        "{}",
        dash.body
    );
    assert!(dash.body.contains("公众参与"), "the stage in progress");
    assert!(
        dash.body.contains("participation.period_not_ended"),
        "what blocks completing it: {}",
        dash.body
    );
    assert!(dash.body.contains("第十五条"), "with its article");
    assert!(dash.body.contains("个工作日"), "deadlines in working days");
    // Filters by query string.
    let filtered = get(&app, "/console/?stage=legality_review", &unit).await;
    assert_eq!(filtered.status, 200);
    assert!(!filtered.body.contains(&format!("/console/decisions/{id}")));
    let kept = get(
        &app,
        "/console/?stage=public_participation&status=in_procedure",
        &unit,
    )
    .await;
    assert!(kept.body.contains(&format!("/console/decisions/{id}")));

    // The legality review unit sees the decisions of the organ it reviews for.
    let reviewer = sign_in(&app, "reviewer").await;
    let reviews = get(&app, "/console/", &reviewer).await;
    assert!(
        reviews.body.contains(&format!("/console/decisions/{id}")),
        "{}",
        reviews.body
    );

    let outsider = sign_in(&app, "outsider").await;
    let theirs = get(&app, "/console/", &outsider).await;
    assert!(
        !theirs.body.contains(&id),
        "another organ's decision on the dashboard"
    );
    let page = get(&app, &format!("/console/decisions/{id}"), &outsider).await;
    assert_eq!(page.status, 404, "as the API: not found for outsiders");
    assert!(page.content_type().starts_with("text/html"));
    let anonymous = get(&app, &format!("/console/decisions/{id}"), "").await;
    assert_eq!(anonymous.status, 303);
}

#[actix_web::test]
async fn a_command_through_the_console_form_is_judged_by_the_engine_and_the_graph_changes() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, until_hearing).await;
    let unit = sign_in(&app, "unit").await;
    let uri = format!("/console/decisions/{id}");
    let page = get(&app, &uri, &unit).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<svg"), "the stage graph");
    assert!(
        page.body
            .contains(r#"id="stage-hearing" data-status="not_required""#),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"class="return""#),
        "return edges, dashed"
    );
    assert!(page.body.contains("事件记录"), "the record");
    assert!(page.body.contains(r#"id="step-start-hearing""#));
    let csrf = page.csrf();
    let commands = format!("{uri}/commands");
    let v = version.to_string();

    // Without the token: refused, nothing happens.
    let forged = post(
        &app,
        &commands,
        &unit,
        &[
            ("expected_version", &v),
            ("kind", "start"),
            ("stage", "hearing"),
        ],
    )
    .await;
    assert_eq!(forged.status, 403);

    // The engine's refusal, on the page: completing the participation before the period ends.
    let refused = post(
        &app,
        &commands,
        &unit,
        &[
            ("csrf", &csrf),
            ("expected_version", &v),
            ("kind", "complete"),
            ("stage", "public_participation"),
        ],
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("程序规则不允许此操作"));
    assert!(
        refused.body.contains("participation."),
        "the rule id: {}",
        refused.body
    );
    assert!(refused.body.contains("第十"), "the article");

    let ok = post(
        &app,
        &commands,
        &unit,
        &[
            ("csrf", &csrf),
            ("expected_version", &v),
            ("kind", "start"),
            ("stage", "hearing"),
        ],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = get(&app, &uri, &unit).await;
    assert!(page
        .body
        .contains(r#"id="stage-hearing" data-status="in_progress""#));
    assert!(
        page.body.contains("start_stage:hearing"),
        "the new event in the record"
    );
    // The hearing's facts now have their forms, generated from the schema.
    assert!(
        page.body.contains(r#"id="fact-hearing_notice""#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"name="f.place""#));

    // The same form sent twice: answered as the first time, written once.
    let twice = post(
        &app,
        &commands,
        &unit,
        &[
            ("csrf", &csrf),
            ("expected_version", &v),
            ("kind", "start"),
            ("stage", "hearing"),
        ],
    )
    .await;
    assert_eq!(twice.status, 303, "{}", twice.body);
    let page = get(&app, &uri, &unit).await;
    assert_eq!(page.body.matches("start_stage:hearing").count(), 1);
    // Another command at a stale version is named, not applied.
    let stale = post(
        &app,
        &commands,
        &unit,
        &[
            ("csrf", &csrf),
            ("expected_version", &v),
            ("kind", "start"),
            ("stage", "expert_review"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("已被他人更新"));

    // A fact form with a field missing names the field.
    let next = (version + 1).to_string();
    let missing = post(
        &app,
        &commands,
        &unit,
        &[
            ("csrf", &csrf),
            ("expected_version", &next),
            ("kind", "fact"),
            ("fact_type", "hearing_notice"),
        ],
    )
    .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing.body.contains("必填"));

    // Another role does not see the undertaking unit's forms.
    let mayor = sign_in(&app, "mayor").await;
    let theirs = get(&app, &uri, &mayor).await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains(r#"id="fact-hearing_notice""#));
}

#[actix_web::test]
async fn a_new_draft_through_the_console_shows_its_diff_against_the_last() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::DepartmentConsultation { .. }
            }
        )
    })
    .await;
    let unit = sign_in(&app, "unit").await;
    let uri = format!("/console/decisions/{id}");
    let page = get(&app, &uri, &unit).await;
    assert!(
        page.body.contains(&format!(r#"action="{uri}/drafts""#)),
        "{}",
        page.body
    );
    let res = post(
        &app,
        &format!("{uri}/drafts"),
        &unit,
        &[
            ("csrf", &page.csrf()),
            ("expected_version", &version.to_string()),
            ("content", "第一条 新增的一行<b>\n"),
            ("legal_basis", "《重大行政决策程序暂行条例》"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = get(&app, &uri, &unit).await;
    assert!(
        page.body
            .contains(r#"<span class="add">+ 第一条 新增的一行&lt;b&gt;</span>"#),
        "{}",
        page.body
    );
}

#[actix_web::test]
async fn comments_are_handled_one_by_one_or_as_a_group_from_the_console() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    // Three comments from the portal.
    let page = get(&app, &format!("/consultations/{id}"), "").await;
    let cookie = page.cookie("juece_csrf").unwrap();
    for n in 0..3 {
        let body = format!("第{n}条意见<script>x</script>");
        let res = post(
            &app,
            &format!("/consultations/{id}/comments"),
            &cookie,
            &[("csrf", &page.csrf()), ("body", &body)],
        )
        .await;
        assert_eq!(res.status, 201);
    }
    let unit = sign_in(&app, "unit").await;
    let uri = format!("/console/decisions/{id}");
    let page = get(&app, &uri, &unit).await;
    assert!(page.body.contains("意见处理"), "{}", page.body);
    assert!(
        !page.body.contains("<script>x</script>"),
        "comments shown as text"
    );
    // Each comment has two forms (dispose, hide): its id twice, one after the other.
    let mut ids: Vec<String> = page
        .body
        .match_indices(r#"name="f.comment_id" value=""#)
        .map(|(i, m)| page.body[i + m.len()..i + m.len() + 36].to_string())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three open comments");
    assert!(
        page.body
            .contains(r#"name="fact_type" value="comment_hidden""#),
        "hide with a reason"
    );
    let version = {
        let at = page
            .body
            .find(r#"name="expected_version" value=""#)
            .unwrap()
            + 31;
        page.body[at..].split('"').next().unwrap().to_string()
    };
    let csrf = page.csrf();
    let one = post(
        &app,
        &format!("{uri}/commands"),
        &unit,
        &[
            ("csrf", &csrf),
            ("expected_version", &version),
            ("kind", "fact"),
            ("fact_type", "comment_disposed"),
            ("f.comment_id", &ids[0]),
            ("f.disposition", "adopted"),
            ("f.reason", "已吸收"),
        ],
    )
    .await;
    assert_eq!(one.status, 303, "{}", one.body);
    let next = (version.parse::<i64>().unwrap() + 1).to_string();
    let group = post(
        &app,
        &format!("{uri}/commands"),
        &unit,
        &[
            ("csrf", &csrf),
            ("expected_version", &next),
            ("kind", "fact"),
            ("fact_type", "comments_disposed"),
            ("f.comment_ids", &ids[1]),
            ("f.comment_ids", &ids[2]),
            ("f.disposition", "not_adopted"),
            ("f.reason", "与上位法不符"),
        ],
    )
    .await;
    assert_eq!(group.status, 303, "{}", group.body);
    let page = get(&app, &uri, &unit).await;
    assert!(page.body.contains("没有待处理的意见"));
    let handled = get(&app, &format!("{uri}?show=handled"), &unit).await;
    assert!(handled.body.contains("采纳：已吸收"), "{}", handled.body);
    assert!(handled.body.contains("不予采纳：与上位法不符"));
    let public = get(&app, &format!("/consultations/{id}"), "").await;
    assert!(
        public.body.contains("处理结果：采纳（已吸收）"),
        "{}",
        public.body
    );
    assert!(public.body.contains("处理结果：不予采纳（与上位法不符）"));
}

#[actix_web::test]
async fn the_hearing_draw_is_made_from_the_console_and_published_with_its_seed() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::HearingParticipants { .. }
            }
        )
    })
    .await;
    // Two residents apply through the portal.
    let hearing = get(&app, &format!("/hearings/{id}"), "").await;
    let cookie = hearing.cookie("juece_csrf").unwrap();
    for (n, name) in ["王五", "赵六"].iter().enumerate() {
        let key = format!("k{n}");
        let res = post(
            &app,
            &format!("/hearings/{id}/applications"),
            &cookie,
            &[
                ("csrf", &hearing.csrf()),
                ("key", &key),
                ("name", name),
                ("contact", "13700000000"),
                ("interest_group", "居民"),
                ("statement", "关心"),
            ],
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let unit = sign_in(&app, "unit").await;
    let uri = format!("/console/decisions/{id}");
    let page = get(&app, &uri, &unit).await;
    assert!(page.body.contains("听证参加人随机抽选"), "{}", page.body);
    assert!(page.body.contains("居民（报名 2 人）"));
    assert!(
        !page.body.contains("13700000000"),
        "no contacts in the panel"
    );
    let version = {
        let at = page
            .body
            .find(r#"name="expected_version" value=""#)
            .unwrap()
            + 31;
        page.body[at..].split('"').next().unwrap().to_string()
    };
    let bad = post(
        &app,
        &format!("{uri}/hearing/draw"),
        &unit,
        &[
            ("csrf", &page.csrf()),
            ("expected_version", &version),
            ("seats.居民", "abc"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("seats.居民"));
    let res = post(
        &app,
        &format!("{uri}/hearing/draw"),
        &unit,
        &[
            ("csrf", &page.csrf()),
            ("expected_version", &version),
            ("seats.居民", "1"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let public = get(&app, &format!("/hearings/{id}"), "").await;
    assert!(
        public.body.contains(r#"<code id="seed">"#),
        "the seed is published"
    );
    let page = get(&app, &uri, &unit).await;
    assert!(!page.body.contains("听证参加人随机抽选"), "drawn once");
    assert!(page.body.contains("record:hearing_participants"));
}

#[actix_web::test]
async fn a_deadline_past_with_its_stage_not_done_is_overdue_in_red() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::LegalityOpinion { .. }
            }
        )
    })
    .await;
    let reviewer = sign_in(&app, "reviewer").await;
    let dash = get(&app, "/console/", &reviewer).await;
    assert!(dash.body.contains(&format!("/console/decisions/{id}")));
    assert!(dash.body.contains("合法性审查期限"), "{}", dash.body);
    assert!(!dash.body.contains("已逾期"), "not yet");
    crate::api::clock_to(&t.state, t.state.clock.now() + chrono::Duration::days(90));
    let dash = get(&app, "/console/", &reviewer).await;
    assert!(
        dash.body.contains(r#"<p class="overdue">合法性审查期限"#),
        "{}",
        dash.body
    );
    assert!(dash.body.contains("已逾期"));
}

#[actix_web::test]
async fn behind_a_trusted_https_proxy_the_session_cookie_is_secure() {
    let t = TestApp::new();
    let state = t.state.clone().with_trusted_proxy(true);
    let app = actix_web::test::init_service(juece::server::app(state)).await;
    let form = get(&app, "/console/sign-in", "").await;
    let csrf_cookie = form.cookie("juece_csrf").unwrap();
    let body = format!("csrf={}&username=unit&password=secret", form.csrf());
    let req = actix_web::test::TestRequest::post()
        .uri("/console/sign-in")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header(("x-forwarded-proto", "https"))
        .insert_header(("cookie", csrf_cookie))
        .set_payload(body);
    let res = actix_web::test::call_service(&app, req.to_request()).await;
    assert_eq!(res.status(), 303);
    let c = res
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("juece_session="))
        .unwrap()
        .to_string();
    assert!(c.contains("Secure"), "{c}");
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Strict"),
        "{c}"
    );
}

#[actix_web::test]
async fn while_experts_are_chosen_the_decision_page_lists_the_usable_registry() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::ExpertSelected { .. }
            }
        )
    })
    .await;
    let unit = sign_in(&app, "unit").await;
    let page = get(&app, &format!("/console/decisions/{id}"), &unit).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("可选专家"), "{}", page.body);
    assert!(page.body.contains("专家1") && page.body.contains("研究院1"));
    assert!(page.body.contains(r#"id="fact-expert_selected""#));
}

#[actix_web::test]
async fn the_console_pages_through_many_comments_a_hundred_at_a_time() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    for n in 0..105 {
        let (s, _) = crate::api::send(
            &app,
            actix_web::test::TestRequest::post()
                .uri(&format!("/api/v1/public/decisions/{id}/comments"))
                .set_json(serde_json::json!({ "body": format!("意见{n}") })),
        )
        .await;
        assert_eq!(s, 201);
    }
    let unit = sign_in(&app, "unit").await;
    let uri = format!("/console/decisions/{id}");
    let first = get(&app, &uri, &unit).await;
    let rows = |body: &str| {
        body.matches(r#"form="group-dispose" name="f.comment_ids""#)
            .count()
    };
    assert_eq!(rows(&first.body), 100);
    // The link as the browser reads it (the page escapes & and =).
    let body = first.body.replace("&amp;", "&").replace("&#x3D;", "=");
    let at = body.find("?show=open&after=").expect("a next page");
    let link: String = body[at..].split('#').next().unwrap().to_string();
    let second = get(&app, &format!("{uri}{link}"), &unit).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(rows(&second.body), 5);
    assert!(!second.body.contains("下一页"));
}

#[actix_web::test]
async fn the_decision_page_links_its_dossier_which_a_reader_downloads_and_an_outsider_cannot() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let inspector = sign_in(&app, "inspector").await;
    let page = get(&app, &format!("/console/decisions/{id}"), &inspector).await;
    assert_eq!(page.status, 200);
    let link = format!("/console/decisions/{id}/dossier.zip");
    assert!(page.body.contains(&link), "{}", page.body);
    let zip = get(&app, &link, &inspector).await;
    assert_eq!(zip.status, 200);
    assert_eq!(zip.content_type(), "application/zip");
    assert!(zip.body.starts_with("PK"), "a zip archive");
    let outsider = sign_in(&app, "outsider").await;
    assert_eq!(get(&app, &link, &outsider).await.status, 404);
    // Not signed in: to the sign-in page.
    assert_eq!(get(&app, &link, "").await.status, 303);
}
