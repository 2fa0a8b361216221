//! Execution on the pages: the public decision page shows where a decision stands and takes the
//! public's views (CSRF, errors beside the field); the console's decision page shows the
//! timeline, with what the public wrote as text.

use juece::procedure::state::{Command, Fact};

use super::*;
use crate::api::{walk_until, TestApp, Tokens};

#[actix_web::test]
async fn the_public_page_takes_views_on_a_decision_in_execution_and_the_console_shows_them_as_text()
{
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::ExecutionReport { .. }
            }
        )
    })
    .await;
    let page = get(&app, &format!("/decisions/{id}"), "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("决策执行"));
    assert!(
        page.body.contains(r#"<b id="execution-status">执行中</b>"#),
        "{}",
        page.body
    );
    assert!(page.body.contains("市城市管理局"), "the execution unit");
    assert!(page.body.contains("第一季度完成试点"), "the milestone");
    assert!(page
        .body
        .contains(&format!(r#"action="/decisions/{id}/feedback""#)));
    let cookie = page.cookie("juece_csrf").unwrap();
    let uri = format!("/decisions/{id}/feedback");

    // Without the token: refused, nothing stored.
    let res = post(&app, &uri, &cookie, &[("csrf", ""), ("body", "意见")]).await;
    assert_eq!(res.status, 403, "{}", res.body);
    let empty = post(
        &app,
        &uri,
        &cookie,
        &[("csrf", &page.csrf()), ("body", " ")],
    )
    .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty
        .body
        .contains(r#"<span class="field-error">此项不能为空。</span>"#));

    let script = "<script>alert(1)</script>建议延长投放时间";
    let res = post(
        &app,
        &uri,
        &cookie,
        &[("csrf", &page.csrf()), ("body", script)],
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(res.body.contains("意见建议已收到"));
    assert!(res.body.contains(r#"id="feedback-seq""#));

    // The public page counts it and never shows it (the public's words may name people).
    let page = get(&app, &format!("/decisions/{id}"), &cookie).await;
    assert!(
        page.body.contains("已收到公众意见建议 1 条"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("建议延长投放时间"));

    // Staff see it in the timeline, as text.
    let session = sign_in(&app, "staff").await;
    let console = get(&app, &format!("/console/decisions/{id}"), &session).await;
    assert_eq!(console.status, 200, "{}", console.body);
    assert!(console.body.contains(r#"<h2 id="execution">决策执行</h2>"#));
    assert!(console.body.contains("公众意见建议"));
    assert!(console
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;建议延长投放时间"));
    assert!(!console.body.contains("<script>alert(1)"));
    assert!(console.body.contains("第一季度完成试点"));
    assert!(console.body.contains("决策后评估情形"));
}
