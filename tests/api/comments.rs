//! Public participation through HTTP: comments without login, moderation, dispositions, the
//! adoption report, export, and their place in the tamper-evident record.

use actix_web::test;
use juece::procedure::state::Command;
use serde_json::json;

use super::*;

fn until_comments(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

fn comment(id: &str, body: serde_json::Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/public/decisions/{id}/comments"))
        .set_json(body)
}

async fn count<S, B>(app: &S, tokens: &Tokens, id: &str) -> usize
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (_, page) = send(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments?limit=1000"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    page["items"].as_array().unwrap().len()
}

#[actix_web::test]
async fn the_public_comments_without_login_and_a_retry_is_stored_once() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let (s, consultation) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/consultation")),
    )
    .await;
    assert_eq!(s, 200, "{consultation}");
    assert_eq!(consultation["period"]["open"], true);
    assert!(consultation["draft"]["content"]
        .as_str()
        .unwrap()
        .contains("垃圾分类"));
    let (s, first) = send(
        &app,
        comment(
            &id,
            json!({ "body": "建议延长试点期", "idempotency_key": "k-1" }),
        ),
    )
    .await;
    assert_eq!(s, 201, "{first}");
    let (s, again) = send(
        &app,
        comment(
            &id,
            json!({ "body": "建议延长试点期", "idempotency_key": "k-1" }),
        ),
    )
    .await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["id"], first["id"]);
    let (s, _) = send(
        &app,
        comment(
            &id,
            json!({ "name": "李女士", "contact": "138****", "body": "支持" }),
        )
        .insert_header(("idempotency-key", "k-2")),
    )
    .await;
    assert_eq!(s, 201);
    assert_eq!(count(&app, &tokens, &id).await, 2);
    // The public sees the comments, never the contacts.
    let (_, public) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/comments")),
    )
    .await;
    let items = public["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|c| c.get("contact").is_none()));
}

#[actix_web::test]
async fn comments_outside_the_period_or_on_unknown_or_secret_matters_are_refused() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    // Before any consultation: not found to the public.
    let (id, _, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "public_participation"),
    )
    .await;
    let (s, _) = send(&app, comment(&id, json!({ "body": "早到的意见" }))).await;
    assert_eq!(s, 409);
    let (s, _) = send(
        &app,
        comment(
            "00000000-0000-4000-8000-00000000dead",
            json!({ "body": "x" }),
        ),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/consultation")),
    )
    .await;
    assert_eq!(s, 404);
    // After the period: refused citing 第十五条.
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    t.state.clock.advance(40 * 86_400).unwrap();
    let (s, b) = send(&app, comment(&id, json!({ "body": "迟到的意见" }))).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(
        b["violations"][0]["rule"],
        "participation.comment_outside_period"
    );
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第十五条"));
    assert_eq!(count(&app, &tokens, &id).await, 0);
}

#[actix_web::test]
async fn comment_size_and_rate_limits() {
    let mut t = TestApp::new();
    t.state = t.state.clone().with_comment_limit(3);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let (s, _) = send(&app, comment(&id, json!({ "body": "   " }))).await;
    assert_eq!(s, 422);
    let (s, b) = send(&app, comment(&id, json!({ "body": "长".repeat(5001) }))).await;
    assert_eq!(s, 422);
    assert!(b["detail"].as_str().unwrap().contains("body"));
    let (s, _) = send(
        &app,
        comment(&id, json!({ "body": "x", "name": "名".repeat(101) })),
    )
    .await;
    assert_eq!(s, 422);
    let (s, _) = send(&app, comment(&id, json!({ "body": "x", "extra": 1 }))).await;
    assert_eq!(s, 422);
    for n in 0..3 {
        let (s, _) = send(&app, comment(&id, json!({ "body": format!("意见{n}") }))).await;
        // Refused bodies do not count against the limit; these three are accepted.
        assert_eq!(s, 201);
    }
    let (s, b) = send(&app, comment(&id, json!({ "body": "第四条" }))).await;
    assert_eq!(s, 429, "{b}");
}

#[actix_web::test]
async fn moderation_hides_but_never_deletes_and_every_comment_needs_a_disposition() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    for body in ["建议一", "辱骂内容", "建议三"] {
        let (s, _) = send(&app, comment(&id, json!({ "body": body }))).await;
        assert_eq!(s, 201);
    }
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
    let (_, d) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    let mut version = d["version"].as_i64().unwrap();
    let cmd = |v: i64, fact: serde_json::Value| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
            .set_json(
                json!({ "expected_version": v, "command": { "command": "record", "fact": fact } }),
            )
    };
    let hidden = ids
        .iter()
        .find(|i| {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| &c["id"] == *i && c["body"] == "辱骂内容")
        })
        .unwrap()
        .clone();
    let (s, b) = send(
        &app,
        cmd(
            version,
            json!({ "type": "comment_hidden", "comment_id": hidden, "reason": "含有辱骂内容" }),
        ),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    version = b["version"].as_i64().unwrap();
    // Hidden from the public, kept for the record.
    let (_, public) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/comments")),
    )
    .await;
    assert_eq!(public["items"].as_array().unwrap().len(), 2);
    assert_eq!(count(&app, &tokens, &id).await, 3);
    // A hidden comment cannot be disposed; an unknown one neither.
    let (s, b) = send(&app, cmd(version, json!({ "type": "comment_disposed", "comment_id": hidden, "disposition": "adopted", "reason": "x" }))).await;
    assert_eq!(s, 409);
    assert_eq!(b["violations"][0]["rule"], "participation.comment_hidden");
    let (s, b) = send(&app, cmd(version, json!({ "type": "comment_disposed", "comment_id": "nope", "disposition": "adopted", "reason": "x" }))).await;
    assert_eq!(s, 409);
    assert_eq!(b["violations"][0]["rule"], "participation.comment_unknown");
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第十八条"));
    let others: Vec<&String> = ids.iter().filter(|i| **i != hidden).collect();
    let (s, b) = send(&app, cmd(version, json!({ "type": "comment_disposed", "comment_id": others[0], "disposition": "adopted", "reason": "已吸收" }))).await;
    assert_eq!(s, 200, "{b}");
    version = b["version"].as_i64().unwrap();
    let (s, b) = send(&app, cmd(version, json!({ "type": "comment_disposed", "comment_id": others[0], "disposition": "not_adopted", "reason": "改主意" }))).await;
    assert_eq!(s, 409, "a comment is disposed once");
    assert_eq!(
        b["violations"][0]["rule"],
        "participation.comment_already_disposed"
    );
    // The report is generated from the dispositions: not while a comment is open (第十八条),
    // by the report route as by `/commands`.
    let report = |v: i64| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/comments/report"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": v }))
    };
    let (s, b) = send(&app, report(version)).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(
        b["violations"][0]["rule"],
        "participation.comments_undisposed"
    );
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第十八条"));
    let (s, b) = send(
        &app,
        cmd(
            version,
            json!({ "type": "participation_report", "summary": "手写的报告" }),
        ),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(
        b["violations"][0]["rule"],
        "participation.comments_undisposed"
    );
    // Closing the participation with a comment still open is refused (第十八条).
    t.state.clock.advance(31 * 86_400).unwrap();
    let complete = json!({ "expected_version": version, "command": { "command": "complete_stage", "stage": "public_participation" } });
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
            .set_json(complete),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert!(b["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["rule"] == "participation.comments_undisposed"
            && v["basis"].as_str().unwrap().contains("第十八条")));
    // Once the last comment is disposed, the report is made from the dispositions.
    let (s, b) = send(&app, cmd(version, json!({ "type": "comment_disposed", "comment_id": others[1], "disposition": "not_adopted", "reason": "与上位法不符" }))).await;
    assert_eq!(s, 200, "{b}");
    version = b["version"].as_i64().unwrap();
    let (s, b) = send(&app, report(version)).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["counts"]["adopted"], 1);
    assert_eq!(b["counts"]["not_adopted"], 1);
    assert_eq!(b["counts"]["hidden"], 1);
    assert_eq!(b["counts"]["open"], 0);
    let (_, public) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/decisions/{id}/comments")),
    )
    .await;
    assert!(public["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["disposition"] == "adopted" && c["disposition_reason"] == "已吸收"));
}

#[actix_web::test]
async fn staff_commands_are_not_stale_because_comments_came_in() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let (_, d) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    let read_at = d["version"].as_i64().unwrap();
    for n in 0..3 {
        send(&app, comment(&id, json!({ "body": format!("意见{n}") }))).await;
    }
    let activity = json!({ "expected_version": read_at, "command": { "command": "record", "fact": {
        "type": "participation_activity", "kind": "symposium", "held_on": juece::procedure::state::china_date(t.state.clock.now()), "minutes": "座谈会纪要" } } });
    let req = || {
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
    };
    let (s, b) = send(&app, req().set_json(activity.clone())).await;
    assert_eq!(s, 200, "{b}");
    // But a staff command in between still makes the older version stale (another command: the
    // same one again is a retry, answered as the first time — api::decisions).
    let mut other = activity;
    other["command"]["fact"]["minutes"] = json!("第二次座谈会纪要");
    let (s, b) = send(&app, req().set_json(other)).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["type"], "/problems/stale");
}

#[actix_web::test]
async fn comments_export_as_json_pages_and_streamed_csv() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    for n in 0..25 {
        let body = if n == 0 {
            "=HYPERLINK(\"x\")".to_string()
        } else {
            format!("意见\"{n}\"，含逗号")
        };
        let (s, _) = send(&app, comment(&id, json!({ "body": body }))).await;
        assert_eq!(s, 201);
    }
    let mut seen = 0;
    let mut after: Option<String> = None;
    loop {
        let uri = match &after {
            Some(c) => format!(
                "/api/v1/decisions/{id}/comments?limit=10&after={}",
                urlencode(c)
            ),
            None => format!("/api/v1/decisions/{id}/comments?limit=10"),
        };
        let (s, page) = send(
            &app,
            test::TestRequest::get()
                .uri(&uri)
                .insert_header(bearer(&tokens.unit)),
        )
        .await;
        assert_eq!(s, 200, "{page}");
        seen += page["items"].as_array().unwrap().len();
        match page["next"].as_str() {
            Some(c) => after = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, 25);
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments?format=csv"))
            .insert_header(bearer(&tokens.unit))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    assert_eq!(csv.matches("\r\n").count(), 26, "{csv}");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "formulas are neutralised: {csv}"
    );
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments?format=xml"))
            .insert_header(bearer(&tokens.unit)),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/comments"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(s, 404);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[actix_web::test]
async fn an_edited_or_deleted_comment_is_found_by_the_audit() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    for n in 0..3 {
        send(&app, comment(&id, json!({ "body": format!("意见{n}") }))).await;
    }
    let findings = |t: &TestApp| {
        let mut conn = t.state.db.read.get().unwrap();
        juece::audit::verify(&mut conn).unwrap().findings
    };
    assert!(findings(&t).is_empty());
    {
        let mut conn = t.state.db.write.get().unwrap();
        diesel::sql_query(format!(
            "UPDATE comments SET body = '被改过' WHERE decision_id = '{id}' AND body = '意见1'"
        ))
        .execute(&mut *conn)
        .unwrap();
    }
    assert!(
        findings(&t)
            .iter()
            .any(|f| f.decision_id == id && f.kind == "comment_edited"),
        "{:?}",
        findings(&t)
    );
    {
        let mut conn = t.state.db.write.get().unwrap();
        diesel::sql_query(format!(
            "DELETE FROM comments WHERE decision_id = '{id}' AND body = '意见2'"
        ))
        .execute(&mut *conn)
        .unwrap();
    }
    assert!(
        findings(&t)
            .iter()
            .any(|f| f.decision_id == id && f.kind == "comments_altered"),
        "{:?}",
        findings(&t)
    );
}

#[actix_web::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    for trust in [false, true] {
        let mut t = TestApp::new();
        t.state = t
            .state
            .clone()
            .with_comment_limit(1)
            .with_trusted_proxy(trust);
        let app = t.service().await;
        let tokens = Tokens::get(&app).await;
        let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
        let from = |addr: &str, n: u32| {
            comment(&id, json!({ "body": format!("意见{n}") }))
                .insert_header(("x-forwarded-for", addr.to_string()))
        };
        let (s, _) = send(&app, from("203.0.113.1", 1)).await;
        assert_eq!(s, 201);
        // A client that claims another address is the same client unless a proxy vouches for it.
        let (s, _) = send(&app, from("203.0.113.2", 2)).await;
        assert_eq!(s, if trust { 201 } else { 429 }, "trust_proxy = {trust}");
        let (s, _) = send(&app, from("203.0.113.1", 3)).await;
        assert_eq!(s, 429);
    }
}
