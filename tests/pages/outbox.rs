//! The console's deadlines page (overdue in red) and webhooks page (register with the secret
//! shown once, refusal of a bad URL, deliveries, delete).

use super::*;
use crate::api::{clock_to, walk_until, TestApp, Tokens};

#[actix_web::test]
async fn the_deadlines_page_lists_a_comment_period_and_shows_it_overdue_in_red() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let cookie = sign_in(&app, "unit").await;
    let all = get(&app, "/console/deadlines?due_before=2100-01-01", &cookie).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert!(
        all.body.contains(&format!("/console/decisions/{id}")),
        "{}",
        all.body
    );
    assert!(all.body.contains("征求意见期限届满"));
    assert!(!all.body.contains(r#"class="overdue""#));
    // Sixty days on, the period's end has passed.
    let later = t.state.clock.now() + chrono::Duration::days(60);
    clock_to(&t.state, later);
    let page = get(&app, "/console/deadlines", &cookie).await;
    assert!(
        page.body.contains(r#"<tr class="overdue">"#),
        "{}",
        page.body
    );
    assert!(page.body.contains("已逾期"));
    // Another government's staff see nothing of it.
    let theirs = get(&app, "/console/deadlines", &sign_in(&app, "outsider").await).await;
    assert!(theirs.body.contains("no-deadlines"), "{}", theirs.body);
    assert_eq!(
        get(&app, "/console/deadlines?due_before=x", &cookie)
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn the_webhooks_page_registers_an_endpoint_shows_its_secret_once_and_deletes_it() {
    let t = TestApp::new();
    let app = t.service().await;
    let cookie = sign_in(&app, "staff").await;
    let page = get(&app, "/console/webhooks", &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let bad = post(
        &app,
        "/console/webhooks",
        &cookie,
        &[
            ("csrf", &csrf),
            ("organ_id", crate::api::GOV),
            ("url", "ftp://x"),
            ("kinds", "stage_started"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("form-error"));
    let made = post(
        &app,
        "/console/webhooks",
        &cookie,
        &[
            ("csrf", &csrf),
            ("organ_id", crate::api::GOV),
            ("url", "https://receiver.example/hook"),
            ("kinds", "stage_started"),
            ("kinds", "deadline_overdue"),
        ],
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert!(made.body.contains("whsec_"), "the secret is shown once");
    let again = get(&app, "/console/webhooks", &cookie).await;
    assert!(!again.body.contains("whsec_"), "and never again");
    assert!(again.body.contains("环节开始、期限已过"), "{}", again.body);
    let at = again.body.find("/console/webhooks/").unwrap() + "/console/webhooks/".len();
    let hook = &again.body[at..at + 36];
    let deliveries = get(&app, &format!("/console/webhooks/{hook}"), &cookie).await;
    assert_eq!(deliveries.status, 200, "{}", deliveries.body);
    // Without the CSRF token nothing is deleted; with it, the endpoint goes.
    let forged = post(
        &app,
        &format!("/console/webhooks/{hook}/delete"),
        &cookie,
        &[],
    )
    .await;
    assert_eq!(forged.status, 403);
    let gone = post(
        &app,
        &format!("/console/webhooks/{hook}/delete"),
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(gone.status, 303);
    assert!(!get(&app, "/console/webhooks", &cookie)
        .await
        .body
        .contains(hook));
}
