//! The public portal through HTTP.

use actix_web::test;
use juece::db::comments::NewComment;
use juece::procedure::state::{Command, Fact};

use super::*;
use crate::api::{walk_until, TestApp, Tokens};

#[actix_web::test]
async fn every_template_compiles_and_the_stylesheet_is_served() {
    juece::pages::render::templates_compile().unwrap();
    let t = TestApp::new();
    let app = t.service().await;
    let css = get(&app, "/static/site.css", "").await;
    assert_eq!(css.status, 200);
    assert!(css.content_type().starts_with("text/css"));
    assert!(
        css.body.contains("Noto Sans CJK SC"),
        "the Chinese font stack"
    );
    assert!(css.body.contains("@media print"));
}

#[actix_web::test]
async fn the_home_the_consultation_and_the_process_page_show_an_open_consultation() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let home = get(&app, "/", "").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("目前没有正在征求意见的决策草案"));
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;

    let home = get(&app, "/", "").await;
    assert_eq!(home.status, 200);
    assert!(home.content_type().starts_with("text/html"));
    assert!(
        home.body.contains(&format!("/consultations/{id}")),
        "{}",
        home.body
    );
    assert!(home.body.contains("还剩"), "days left: {}", home.body);
    // Kept with the change stamp read before it was made: until something is committed, the
    // next request is answered from memory (issue 14). SQLite's stamp moves with this database
    // only; PostgreSQL's with any commit on the server (other tests run beside this one).
    if let Some(stamp) = t
        .state
        .changes
        .stamp()
        .filter(|_| t.state.db.url.is_sqlite())
    {
        let now = t.state.clock.now();
        let key = (
            juece::procedure::state::china_date(now),
            now.timestamp() / 60,
        );
        let kept = t.state.caches.home_page.get(stamp, &key);
        assert_eq!(
            kept.as_deref(),
            Some(&home.body),
            "the page as answered is kept"
        );
    }

    let page = get(&app, &format!("/consultations/{id}"), "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("垃圾分类"), "the draft text");
    assert!(page.body.contains("正在征求意见"));
    assert!(
        page.body.contains(r#"<b id="received">0</b>"#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"action="/consultations/"#), "the form");

    let process = get(&app, &format!("/decisions/{id}"), "").await;
    assert_eq!(process.status, 200, "{}", process.body);
    assert!(process.body.contains("公开征求意见"));
    assert!(process.body.contains("已完成的程序"));

    // A hearing not announced yet, a decision not there: not found, as pages.
    for uri in [
        format!("/hearings/{id}"),
        "/decisions/00000000-0000-4000-8000-00000000dead".to_string(),
        "/consultations/nothing".to_string(),
        "/no/such/page".to_string(),
    ] {
        let p = get(&app, &uri, "").await;
        assert_eq!(p.status, 404, "{uri}");
        assert!(
            p.content_type().starts_with("text/html"),
            "{uri}: {}",
            p.content_type()
        );
        assert!(p.body.contains("页面不存在"), "{uri}");
    }
    // The API's own paths keep their problem+json.
    let api = get(&app, "/api/v1/nothing", "").await;
    assert_eq!(api.status, 404);
    assert_eq!(api.content_type(), "application/problem+json");
}

#[actix_web::test]
async fn a_comment_through_the_form_is_counted_and_what_the_public_writes_shows_as_text() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let page = get(&app, &format!("/consultations/{id}"), "").await;
    let cookie = page.cookie("juece_csrf").unwrap();
    let script = "<script>alert(1)</script>";
    let img = "<img src=x onerror=alert(1)>";
    let res = post(
        &app,
        &format!("/consultations/{id}/comments"),
        &cookie,
        &[
            ("csrf", &page.csrf()),
            ("body", script),
            ("name", img),
            ("contact", "13800000000"),
            ("key", "k-1"),
        ],
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(res.body.contains("您的意见已收到"));
    assert!(res.body.contains(r#"id="comment-number""#));
    assert!(
        res.body.contains(r#"<b id="received">1</b>"#),
        "{}",
        res.body
    );

    // The same form sent again (same key, same fields) is stored once.
    let again = post(
        &app,
        &format!("/consultations/{id}/comments"),
        &cookie,
        &[
            ("csrf", &page.csrf()),
            ("body", script),
            ("name", img),
            ("contact", "13800000000"),
            ("key", "k-1"),
        ],
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains("未重复记录"));

    let page = get(&app, &format!("/consultations/{id}"), &cookie).await;
    assert!(page.body.contains(r#"<b id="received">1</b>"#));
    assert!(!page.body.contains(script), "a script tag on the page");
    assert!(!page.body.contains("<img src=x"), "an img tag on the page");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page
        .body
        .contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"));
    assert!(
        !page.body.contains("13800000000"),
        "the contact is never public"
    );
}

#[actix_web::test]
async fn a_public_form_without_its_csrf_token_is_refused_and_errors_stand_next_to_the_field() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let uri = format!("/consultations/{id}/comments");
    let page = get(&app, &format!("/consultations/{id}"), "").await;
    let cookie = page.cookie("juece_csrf").unwrap();
    // No token at all; a token without its cookie; a cookie with another token.
    for (cookie, token) in [
        (cookie.as_str(), ""),
        ("", page.csrf().as_str()),
        (cookie.as_str(), &"0".repeat(64)),
    ] {
        let res = post(&app, &uri, cookie, &[("csrf", token), ("body", "意见")]).await;
        assert_eq!(res.status, 403, "{}", res.body);
        assert!(res.content_type().starts_with("text/html"));
        assert!(res.body.contains("防伪令牌"));
    }
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
    let long = "长".repeat(5001);
    let too_long = post(
        &app,
        &uri,
        &cookie,
        &[("csrf", &page.csrf()), ("body", &long)],
    )
    .await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long.body.contains("最多 5000 个字"),
        "{}",
        too_long.body
    );
    let counted = get(&app, &format!("/consultations/{id}"), &cookie).await;
    assert!(
        counted.body.contains(r#"<b id="received">0</b>"#),
        "nothing stored"
    );
}

#[actix_web::test]
async fn pages_carry_the_security_headers_and_the_csrf_cookie_its_flags() {
    let t = TestApp::new();
    let app = t.service().await;
    for uri in ["/", "/console/sign-in", "/no/such/page"] {
        let p = get(&app, uri, "").await;
        let csp = p
            .headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{uri}: no CSP"))
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(p.headers.get("x-content-type-options").unwrap(), "nosniff");
        assert!(p.headers.get("referrer-policy").is_some());
        assert!(!p.body.contains("<script"), "{uri}: no script at all");
        assert!(!p.body.contains("style="), "{uri}: no inline style");
    }
    let p = get(&app, "/console/sign-in", "").await;
    let c = p.set_cookie("juece_csrf").unwrap();
    assert!(c.contains("HttpOnly"), "{c}");
    assert!(c.contains("SameSite=Strict"), "{c}");
    assert!(!c.contains("Secure"), "plain HTTP: {c}");
}

#[actix_web::test]
async fn the_hearing_page_takes_an_application_and_after_the_draw_shows_the_seed_as_text() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::HearingParticipants { .. }
            }
        )
    })
    .await;
    let uri = format!("/hearings/{id}");
    let page = get(&app, &uri, "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("市民中心听证室"), "the notice");
    assert!(page.body.contains("随机抽选规则"), "how the draw is made");
    assert!(page
        .body
        .contains(&format!(r#"action="/hearings/{id}/applications""#)));
    let cookie = page.cookie("juece_csrf").unwrap();
    let img = "<img src=x onerror=alert(1)>";
    let form = [
        ("csrf", page.csrf()),
        ("key", "apply-1".to_string()),
        ("name", img.to_string()),
        ("contact", "13900000000".to_string()),
        ("interest_group", "居民".to_string()),
        ("statement", "住在附近".to_string()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = post(&app, &format!("{uri}/applications"), &cookie, &form).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(res.body.contains("报名已收到"));
    let again = post(&app, &format!("{uri}/applications"), &cookie, &form).await;
    assert_eq!(again.status, 200, "the same form twice is one application");
    let missing = post(
        &app,
        &format!("{uri}/applications"),
        &cookie,
        &[("csrf", &page.csrf()), ("name", "李四")],
    )
    .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing.body.contains("field-error"));

    // The draw (through the API), then the page shows the seed and the chosen, as text.
    let (s, draw) = crate::api::send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/hearing/selection"))
            .insert_header(crate::api::bearer(&tokens.unit))
            .set_json(serde_json::json!({ "expected_version": version, "seats": { "居民": 1 } })),
    )
    .await;
    assert_eq!(s, 201, "{draw}");
    let page = get(&app, &uri, "").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(draw["seed"].as_str().unwrap()),
        "the seed"
    );
    assert!(page.body.contains("如何复核"), "how to re-run the draw");
    assert!(page
        .body
        .contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"));
    assert!(!page.body.contains("<img src=x"));
    assert!(
        !page.body.contains("13900000000"),
        "no contact on the public page"
    );
}

#[actix_web::test]
async fn the_process_page_shows_the_published_text_and_the_home_lists_it() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "archiving"),
    )
    .await;
    let page = get(&app, &format!("/decisions/{id}"), "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("决策公布"));
    assert!(page.body.contains("公布日期"));
    assert!(
        page.body.contains("决策文本"),
        "the published text: {}",
        page.body
    );
    assert!(page.body.contains("合法性审查"), "a stage done");
    assert!(!page.body.contains("13800000000"), "no personal data");
    let home = get(&app, "/", "").await;
    assert!(
        home.body.contains(&format!("/decisions/{id}")),
        "{}",
        home.body
    );
}

#[actix_web::test]
async fn a_kept_page_is_written_with_each_visitors_own_token_and_a_new_form_key() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let uri = format!("/consultations/{id}");
    let key = |body: &str| {
        let at = body.find(r#"name="key" value=""#).map(|i| i + 18);
        at.map(|i| body[i..].split('"').next().unwrap_or("").to_string())
    };
    // Two visitors: the second is answered from the page kept for the first.
    let first = get(&app, &uri, "").await;
    let second = get(&app, &uri, "").await;
    for page in [&first, &second] {
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("hole-"), "no hole left: {}", page.body);
        let cookie = page.cookie("juece_csrf").expect("a CSRF cookie");
        assert_eq!(
            cookie,
            format!("juece_csrf={}", page.csrf()),
            "the visitor's own token"
        );
    }
    assert_ne!(first.csrf(), second.csrf());
    let (a, b) = (key(&first.body).unwrap(), key(&second.body).unwrap());
    assert_eq!(a.len(), 64, "{a}");
    assert_ne!(a, b, "each form its own key");
    // The second visitor's comment goes through with the token of the kept page.
    let cookie = second.cookie("juece_csrf").unwrap();
    let sent = post(
        &app,
        &format!("/consultations/{id}/comments"),
        &cookie,
        &[
            ("csrf", &second.csrf()),
            ("name", "张三"),
            ("body", "建议增加投放点"),
        ],
    )
    .await;
    assert!(sent.status < 400, "{}", sent.body);
    // The comment moved the decision's version: the next visitor sees it counted.
    let third = get(&app, &uri, "").await;
    assert!(
        third.body.contains(r#"<b id="received">1</b>"#),
        "{}",
        third.body
    );
}

/// A kept page's holes are filled in one pass: each hole by its value, a value that is not a
/// token left out, text that only looks like a hole (a user wrote "hole-csrf-…") left as written.
#[core::prelude::v1::test]
fn a_kept_pages_holes_are_filled_and_nothing_else() {
    use juece::pages::render::{fill, hole};
    let kept = format!(
        "<p>hole-csrf-forged hole-</p><input value=\"{}\"><input value=\"{}\">{}",
        hole("csrf"),
        hole("key"),
        hole("csrf")
    );
    let out = fill(&kept, &[("csrf", "abc-123"), ("key", "k9")]);
    assert_eq!(
        out,
        "<p>hole-csrf-forged hole-</p><input value=\"abc-123\"><input value=\"k9\">abc-123"
    );
    let out = fill(&kept, &[("csrf", "\"><script>"), ("key", "k9")]);
    assert!(
        !out.contains("script") && !out.contains(&hole("csrf")),
        "{out}"
    );
    assert_eq!(fill("plain", &[("csrf", "x")]), "plain");
}

/// The link of the anchor with `id` on `body`, as a request path (entities undone, no fragment).
fn link(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!(r#"id="{id}""#))?;
    let from = body[..at].rfind(r#"href=""#)? + 6;
    let href = &body[from..from + body[from..].find('"')?];
    let href = href.replace("&#x3D;", "=").replace("&amp;", "&");
    Some(href.split('#').next().unwrap_or_default().to_string())
}

#[actix_web::test]
async fn the_consultation_shows_fifty_comments_a_page_and_links_each_next_page_to_the_last() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let items: Vec<NewComment> = (0..120)
        .map(|i| NewComment {
            author_name: None,
            contact: None,
            body: format!("第{i:03}条意见"),
            address_hash: "test".into(),
            idempotency_key: None,
        })
        .collect();
    let s = &t.state;
    let stored = juece::intake::store(&s.db, &s.packs, &s.calendar, &s.clock, &id, &items);
    assert!(stored.iter().all(Result::is_ok), "{stored:?}");

    // Page after page, each shown comment once, until a page without a next link.
    let (mut uri, mut seen, mut sizes) = (format!("/consultations/{id}"), Vec::new(), Vec::new());
    loop {
        let page = get(&app, &uri, "").await;
        assert_eq!(page.status, 200, "{uri}: {}", page.body);
        let bodies: Vec<String> = (0..120)
            .map(|i| format!("第{i:03}条意见"))
            .filter(|b| page.body.contains(b.as_str()))
            .collect();
        assert_eq!(
            bodies.len(),
            page.body.matches(r#"class="comment-body""#).count()
        );
        sizes.push(bodies.len());
        seen.extend(bodies);
        let later = uri.contains("after=");
        assert_eq!(page.body.contains(r#"id="comments-first""#), later, "{uri}");
        match link(&page.body, "comments-next") {
            Some(next) => uri = next,
            None => break,
        }
        assert!(sizes.len() < 5, "the pages do not end");
    }
    assert_eq!(sizes, [50, 50, 20]);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 120, "every comment on one page, none twice");

    // A cursor that no page gave is refused, naming the parameter.
    let bad = get(&app, &format!("/consultations/{id}?after=yesterday"), "").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("after"), "{}", bad.body);
}

#[actix_web::test]
async fn the_home_lists_a_consultation_however_many_decisions_changed_since() {
    use diesel::RunQueryDsl;
    use juece::db::rows::DecisionRow;
    use juece::db::schema::decisions;
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let home = get(&app, "/", "").await;
    assert!(home.body.contains(&format!("/consultations/{id}")));

    // 600 decisions begun and changed after it, none in public participation (more than the
    // 500 the home reads for its publications).
    {
        let mut conn = t.state.db.write.get().unwrap();
        let row: DecisionRow = juece::db::decisions::decision(&mut conn, &id)
            .unwrap()
            .unwrap();
        let later = |i: i64| row.updated_at + chrono::Duration::seconds(60 + i);
        let copies: Vec<DecisionRow> = (0..600)
            .map(|i| DecisionRow {
                id: format!("{}-{i:04}", &row.id[..24]),
                title: format!("后来的决策 {i}"),
                status: "new".into(),
                state: "{}".into(),
                created_at: later(i),
                updated_at: later(i),
                ..row.clone()
            })
            .collect();
        diesel::Connection::transaction(&mut *conn, |conn| {
            for c in &copies {
                diesel::insert_into(decisions::table)
                    .values(c)
                    .execute(conn)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    }
    let home = get(&app, "/", "").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains(&format!("/consultations/{id}")),
        "the open consultation is still listed: {}",
        home.body
    );
    assert!(home.body.contains("还剩"), "days left: {}", home.body);
}

#[actix_web::test]
async fn the_home_shows_the_first_twenty_consultations_and_links_to_all_of_them() {
    use diesel::prelude::*;
    use juece::db::rows::{DecisionRow, StageRow};
    use juece::db::schema::{decisions, stage_records};
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    // 55 more decisions in the same open consultation (copies of its row and stage rows).
    {
        let mut conn = t.state.db.write.get().unwrap();
        let row: DecisionRow = juece::db::decisions::decision(&mut conn, &id)
            .unwrap()
            .unwrap();
        let stages: Vec<StageRow> = stage_records::table
            .filter(stage_records::decision_id.eq(&id))
            .select(StageRow::as_select())
            .load(&mut *conn)
            .unwrap();
        diesel::Connection::transaction(&mut *conn, |conn| {
            for i in 0..55 {
                let copy = format!("{}-{i:04}", &row.id[..24]);
                diesel::insert_into(decisions::table)
                    .values(DecisionRow {
                        id: copy.clone(),
                        title: format!("征求意见的决策 {i}"),
                        ..row.clone()
                    })
                    .execute(conn)?;
                for s in &stages {
                    diesel::insert_into(stage_records::table)
                        .values(StageRow {
                            decision_id: copy.clone(),
                            ..s.clone()
                        })
                        .execute(conn)?;
                }
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    }
    let links = |body: &str| body.matches(r#"<a href="/consultations/"#).count();
    let home = get(&app, "/", "").await;
    assert_eq!(home.status, 200);
    assert_eq!(links(&home.body), 20, "{}", home.body);
    assert!(
        home.body
            .contains(r#"<a href="/consultations">查看全部 56 项"#),
        "{}",
        home.body
    );
    let first = get(&app, "/consultations", "").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(links(&first.body), 50, "{}", first.body);
    assert!(first.body.contains("第 1 / 2 页"), "{}", first.body);
    assert!(first
        .body
        .contains(r#"<a href="/consultations?page=2" rel="next">"#));
    let second = get(&app, "/consultations?page=2", "").await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(links(&second.body), 6, "{}", second.body);
    assert!(second
        .body
        .contains(r#"<a href="/consultations?page=1" rel="prev">"#));
    assert!(
        format!("{}{}", first.body, second.body).contains(&format!("/consultations/{id}\"")),
        "the first consultation is on one of the pages"
    );
    for missing in ["/consultations?page=3", "/consultations?page=0"] {
        assert_eq!(get(&app, missing, "").await.status, 404, "{missing}");
    }
    assert_eq!(get(&app, "/consultations?page=x", "").await.status, 400);
}
