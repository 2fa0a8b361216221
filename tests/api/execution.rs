//! Execution tracking through HTTP: the milestone rules accepted and refused, the timeline
//! (`GET /api/v1/decisions/{id}/execution`) late on the right working day with the simulated
//! clock, its entries and the adjustment link both ways, and the public's views
//! (`POST /api/v1/public/decisions/{id}/feedback`) taken, limited and refused.

use actix_web::test;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use juece::procedure::state::{Command, Fact};
use serde_json::{json, Value};

use super::*;
use crate::support::morning;

fn is_assignment(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::ExecutionAssigned { .. }
        }
    )
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

fn record(id: &str, token: &str, version: i64, fact: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/decisions/{id}/commands"))
        .insert_header(bearer(token))
        .set_json(json!({ "expected_version": version, "command": { "command": "record", "fact": fact } }))
}

fn timeline_of(id: &str, token: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri(&format!("/api/v1/decisions/{id}/execution"))
        .insert_header(bearer(token))
}

fn feedback(id: &str, body: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/public/decisions/{id}/feedback"))
        .set_json(body)
}

fn date(v: &Value) -> NaiveDate {
    v.as_str().unwrap().parse().unwrap()
}

/// The first Saturday at least a week after `d`.
fn saturday_after(d: NaiveDate) -> NaiveDate {
    let mut s = d + Days::new(7);
    while s.weekday() != Weekday::Sat {
        s = s + Days::new(1);
    }
    s
}

#[actix_web::test]
async fn milestone_rules_are_accepted_and_refused_through_http_and_late_on_the_right_working_day() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, mut version, _) = walk_until(&app, &t.state, &tokens, is_assignment).await;
    let (s, before) = send(&app, timeline_of(&id, &tokens.staff)).await;
    assert_eq!(s, 200, "{before}");
    assert_eq!(before["status"], "in_execution");
    assert_eq!(before["milestones"], json!([]));
    let today = date(&before["today"]);
    let sat = saturday_after(today);
    let deadline = today + Days::new(300);
    let assign = |milestones: Value, v: i64, token: &str| {
        record(
            &id,
            token,
            v,
            json!({ "type": "execution_assigned", "unit": "市城市管理局",
            "deadline": deadline.to_string(), "milestones": milestones }),
        )
    };
    // Only the organ's staff name the execution unit (第三十四条: 决策机关应当明确).
    let (s, b) = send(&app, assign(json!([]), version, &tokens.unit)).await;
    assert_eq!(s, 403, "{b}");
    let late = json!([{ "title": "试点", "due_on": (deadline + Days::new(1)).to_string() }]);
    let (s, b) = send(&app, assign(late, version, &tokens.staff)).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), vec!["execution.milestone_after_deadline"]);
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第三十四条"));
    let twice = json!([{ "title": "试点", "due_on": sat.to_string() },
        { "title": "试点", "due_on": sat.to_string() }]);
    let (s, b) = send(&app, assign(twice, version, &tokens.staff)).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), vec!["execution.milestone_duplicate"]);
    let good = json!([{ "title": "周末前完成试点", "due_on": sat.to_string() }]);
    let (s, b) = send(&app, assign(good, version, &tokens.staff)).await;
    assert_eq!(s, 200, "{b}");
    version = b["version"].as_i64().unwrap();

    // Due on a Saturday: due by the first working day after it, on the pack's calendar.
    let expected = if calendar().is_working_day(sat) == Some(true) {
        sat
    } else {
        calendar().add_working_days(sat, 1).date
    };
    let (_, tl) = send(&app, timeline_of(&id, &tokens.staff)).await;
    assert_eq!(tl["milestones"][0]["state"], "due");
    assert_eq!(date(&tl["milestones"][0]["due_by"]), expected);
    assert!(expected > sat);
    clock_to(&t.state, morning(expected));
    let (_, tl) = send(&app, timeline_of(&id, &tokens.inspector)).await;
    assert_eq!(date(&tl["today"]), expected);
    assert_eq!(tl["milestones"][0]["state"], "due", "{tl}");
    assert_eq!(tl["late"], json!([]));
    clock_to(&t.state, morning(expected + Days::new(1)));
    let (_, tl) = send(&app, timeline_of(&id, &tokens.staff)).await;
    assert_eq!(tl["milestones"][0]["state"], "late", "{tl}");
    assert_eq!(tl["late"][0]["what"], "milestone");
    assert_eq!(tl["late"][0]["title"], "周末前完成试点");
    assert_eq!(
        tl["evaluation_triggers"][1]["ground"],
        "short_of_expected_effect"
    );
    assert_eq!(tl["evaluation_triggers"][1]["count"], 1);

    // Reports on milestones: one that was assigned; a problem stated.
    let report = |title: &str, outcome: &str, problems: Value, v: i64| {
        record(
            &id,
            &tokens.unit,
            v,
            json!({ "type": "execution_report", "summary": "执行情况",
            "problems": problems, "milestone": { "title": title, "outcome": outcome } }),
        )
    };
    let (s, b) = send(&app, report("没有的节点", "done", Value::Null, version)).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), vec!["execution.milestone_unknown"]);
    let (s, b) = send(
        &app,
        report("周末前完成试点", "problem", Value::Null, version),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), vec!["execution.problem_missing"]);
    assert!(b["violations"][0]["basis"]
        .as_str()
        .unwrap()
        .contains("第三十五条第一款"));
    let (s, b) = send(
        &app,
        report("周末前完成试点", "problem", json!("场地未落实"), version),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    version = b["version"].as_i64().unwrap();
    let (_, tl) = send(&app, timeline_of(&id, &tokens.staff)).await;
    assert_eq!(tl["milestones"][0]["problem"], "场地未落实");
    assert_eq!(
        tl["entries"].as_array().unwrap().last().unwrap()["kind"],
        "problem"
    );
    let (s, b) = send(&app, report("周末前完成试点", "done", Value::Null, version)).await;
    assert_eq!(s, 200, "{b}");
    let (_, tl) = send(&app, timeline_of(&id, &tokens.staff)).await;
    assert_eq!(tl["milestones"][0]["state"], "done");
    assert_eq!(tl["milestones"][0]["done_late"], true);
    assert_eq!(tl["late"], json!([]));
    assert_eq!(tl["units"], json!(["市城市管理局"]));

    // Not for those outside the decision; not without a sign-in.
    let (s, _) = send(&app, timeline_of(&id, &tokens.outsider)).await;
    assert_eq!(s, 404);
    let (s, _) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/decisions/{id}/execution")),
    )
    .await;
    assert_eq!(s, 401);
}

#[actix_web::test]
async fn the_public_sends_views_on_a_decision_in_execution_limited_and_never_on_one_not_adopted() {
    let t = TestApp::new();
    let walker = t.service().await;
    let tokens = Tokens::get(&walker).await;
    // Before adoption there is nothing to give views on: not found to the public.
    let (early, _, _) = walk_until(
        &walker,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "legality_review"),
    )
    .await;
    let (id, _, _) = walk_until(&walker, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::ExecutionReport { .. }
            }
        )
    })
    .await;
    // The same server with a limit of four views a minute per address.
    let app = test::init_service(juece::server::app(t.state.clone().with_comment_limit(4))).await;
    let (s, b) = send(&app, feedback(&early, json!({ "body": "意见" }))).await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = send(&app, feedback(&id, json!({ "body": "  " }))).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("body"), "{b}");
    let (s, b) = send(&app, feedback(&id, json!({ "body": "太长".repeat(2501) }))).await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = send(
        &app,
        feedback(&id, json!({ "body": "x", "contact": "138" })),
    )
    .await;
    assert!(s == 422 || s == 400, "an unknown field is refused: {s} {b}");
    // An unknown decision: not found (and counted against the limit, as every sent form is).
    let (s, _) = send(
        &app,
        feedback(
            "00000000-0000-4000-8000-00000000dead",
            json!({ "body": "意见" }),
        ),
    )
    .await;
    assert_eq!(s, 404);
    let text = "<script>alert(1)</script>建议延长投放时间";
    let (s, receipt) = send(&app, feedback(&id, json!({ "body": text }))).await;
    assert_eq!(s, 201, "{receipt}");
    assert_eq!(receipt["decision_id"], id.as_str());
    let (s, b) = send(&app, feedback(&id, json!({ "body": "再一条" }))).await;
    assert_eq!(s, 201, "{b}");
    // The limit counts every view that got past the checks of size: the fifth waits.
    let (s, b) = send(&app, feedback(&id, json!({ "body": "第四条" }))).await;
    assert_eq!(s, 429, "{b}");

    let (_, tl) = send(&app, timeline_of(&id, &tokens.staff)).await;
    let entries = tl["entries"].as_array().unwrap();
    let mine = &entries[entries.len() - 2];
    assert_eq!(mine["kind"], "public_feedback");
    assert_eq!(mine["text"], text);
    assert_eq!(tl["evaluation_triggers"][0]["ground"], "many_objections");
    assert_eq!(tl["evaluation_triggers"][0]["count"], 2);
    assert!(tl["evaluation_triggers"][0]["note_zh"]
        .as_str()
        .unwrap()
        .contains("未规定"));
    // In the chain, by the public, at the sequence number the receipt gave.
    let (_, events) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}/events"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    let ev = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["seq"] == receipt["seq"])
        .unwrap()
        .clone();
    assert_eq!(ev["command"], "record:public_feedback");
    assert_eq!(ev["actor"]["role"], "public");
}

#[actix_web::test]
async fn both_timelines_show_the_adjustment_link_and_the_original_stays_in_force_until_adopted() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (old, mut version, _) = walk_until(&app, &t.state, &tokens, |_| false).await;
    let start = json!({ "expected_version": version, "command": { "command": "start_stage", "stage": "adjustment" } });
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{old}/commands"))
            .insert_header(bearer(&tokens.staff))
            .set_json(start),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    version += 1;
    let (mut new, mut new_version, rest) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::HeadDecision { .. }
            }
        )
    })
    .await;
    let (s, b) = send(
        &app,
        record(
            &old,
            &tokens.staff,
            version,
            json!({ "type": "changed", "new_decision": new,
            "evaluation_considered": "后评估报告建议调整，据此提出" }),
        ),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (_, tl) = send(&app, timeline_of(&old, &tokens.staff)).await;
    assert_eq!(tl["status"], "adjustment_pending");
    assert_eq!(tl["new_decision"], new.as_str());
    let changed = tl["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(changed["kind"], "changed");
    assert_eq!(changed["new_decision"], new.as_str());
    let (_, tl) = send(&app, timeline_of(&new, &tokens.staff)).await;
    assert_eq!(tl["status"], "not_decided");
    assert_eq!(tl["adjusts"], json!([old.clone()]));
    // The public pages show the link both ways (the new decision's once it has a public page).
    let page = |id: &str| test::TestRequest::get().uri(&format!("/decisions/{id}"));
    let res = test::call_service(&app, page(&old).to_request()).await;
    let body = String::from_utf8_lossy(&test::read_body(res).await).into_owned();
    assert!(
        body.contains(&format!(r#"<a href="/decisions/{new}">查看新决策</a>"#)),
        "{body}"
    );
    assert!(body.contains("执行中（重大调整作为新决策办理中"), "{body}");
    let res = test::call_service(&app, page(&new).to_request()).await;
    let body = String::from_utf8_lossy(&test::read_body(res).await).into_owned();
    assert!(
        body.contains(&format!(r#"<a href="/decisions/{old}">原决策</a>"#)),
        "{body}"
    );
    // And the console's decision pages.
    let session = crate::pages::sign_in(&app, "staff").await;
    let console = crate::pages::get(&app, &format!("/console/decisions/{old}"), &session).await;
    assert!(
        console.body.contains(r#"id="adjustment-pending""#),
        "{}",
        console.body
    );
    assert!(console
        .body
        .contains(&format!(r#"<a href="/console/decisions/{new}">"#)));
    let console = crate::pages::get(&app, &format!("/console/decisions/{new}"), &session).await;
    assert!(console
        .body
        .contains(&format!(r#"<a href="/console/decisions/{old}">"#)));
    // The head adopts the new decision: the original is superseded, still linked.
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
    let (_, tl) = send(&app, timeline_of(&old, &tokens.staff)).await;
    assert_eq!(tl["status"], "superseded");
    assert_eq!(tl["new_decision"], new.as_str());
    assert_eq!(tl["late"], json!([]));
    // The public gives no views on a superseded decision: the procedure refuses it.
    let (s, b) = send(&app, feedback(&old, json!({ "body": "意见" }))).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), vec!["flow.decision_closed"]);
}
