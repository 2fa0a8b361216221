//! The catalog's pages through HTTP: the public list, catalog and revision pages, the portal's
//! block, the console's catalog editor (forms through the one door, refusals shown as the
//! engine's), coverage and report downloads, escaping, CSRF and roles.

use chrono::{Datelike, TimeZone, Utc};

use super::*;
use crate::api::catalogs::zhejiang_organ;
use crate::api::{clock_to, TestApp, GOV};

const XSS: &str = "<script>alert(1)</script>";

/// The value of the first `name="…" value="…"` field on the page.
pub(super) fn value_of(page: &Page, name: &str) -> String {
    let key = format!(r#"name="{name}" value=""#);
    let at = page
        .body
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} field on the page: {}", page.body));
    let rest = &page.body[at + key.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The id of the first item form after `text` on the page.
pub(super) fn item_after(page: &Page, text: &str) -> String {
    let at = page
        .body
        .find(text)
        .unwrap_or_else(|| panic!("{text}: {}", page.body));
    let key = r#"name="item_id" value=""#;
    let from = page.body[at..].find(key).unwrap() + at + key.len();
    page.body[from..from + page.body[from..].find('"').unwrap()].to_string()
}

pub(super) fn location(page: &Page) -> String {
    page.headers
        .get("location")
        .unwrap_or_else(|| panic!("no redirect ({}): {}", page.status, page.body))
        .to_str()
        .unwrap()
        .to_string()
}

pub(super) fn today(t: &TestApp) -> String {
    juece::procedure::state::china_date(t.state.clock.now()).to_string()
}

/// Open the catalog of `organ` for `year` through the console's form; its console path.
pub(super) async fn open<S, B>(app: &S, session: &str, organ: &str, year: i32) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let list = get(app, "/console/catalogs", session).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(r#"id="open-catalog""#), "{}", list.body);
    let year = year.to_string();
    let res = post(
        app,
        "/console/catalogs",
        session,
        &[("csrf", &list.csrf()), ("organ_id", organ), ("year", &year)],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    location(&res)
}

/// Post a catalog form from the page at `path` (its CSRF token and version) with `fields`.
pub(super) async fn give<S, B>(app: &S, session: &str, path: &str, fields: &[(&str, &str)]) -> Page
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let page = get(app, path, session).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (csrf, version) = (page.csrf(), value_of(&page, "expected_version"));
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("expected_version", &version)];
    form.extend_from_slice(fields);
    post(app, &format!("{path}/commands"), session, &form).await
}

pub(super) fn item<'a>(title: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("kind", "add_item"),
        ("title", title),
        ("undertaking_unit", "测试市城市管理局"),
        ("category", "public_policy"),
        ("attr:technical", "on"),
        ("planned_by", "2026-12-31"),
    ];
    v.extend_from_slice(extra);
    v
}

#[actix_web::test]
async fn a_catalog_goes_through_the_forms_from_draft_to_a_second_revision_shown_to_the_public() {
    let t = TestApp::new();
    let app = t.service().await;
    let year = t.state.clock.now().year();
    let staff = sign_in(&app, "staff").await;
    let path = open(&app, &staff, GOV, year).await;
    let id = path.rsplit('/').next().unwrap().to_string();
    assert_eq!(path, format!("/console/catalogs/{id}"));

    let res = give(&app, &staff, &path, &item(XSS, &[])).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = give(
        &app,
        &staff,
        &path,
        &item("垃圾分类实施意见", &[("proc:hearing", "on")]),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let draft = get(&app, &path, &staff).await;
    assert!(draft.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!draft.body.contains(XSS), "escaped on the console");
    assert!(draft.body.contains("听证（自定）"), "{}", draft.body);
    assert!(draft.body.contains("专家论证（法定）"), "{}", draft.body);

    // Publishing before the party committee consents: the engine's refusal, on the page.
    let refused = give(&app, &staff, &path, &[("kind", "publish")]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("catalog.not_consented"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("第三条第三款"), "{}", refused.body);
    assert!(get(&app, &format!("/catalogs/{id}"), "").await.status == 404);

    let on = today(&t);
    let res = give(
        &app,
        &staff,
        &path,
        &[
            ("kind", "record_consent"),
            ("body", "中共测试市委员会"),
            ("consented_on", &on),
            ("document_number", "测委〔2026〕1号"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = give(&app, &staff, &path, &[("kind", "publish")]).await;
    assert_eq!(res.status, 303, "{}", res.body);

    // The public page: items, consent, downloads; the title as text.
    let public = get(&app, &format!("/catalogs/{id}"), "").await;
    assert_eq!(public.status, 200, "{}", public.body);
    assert!(public.body.contains("垃圾分类实施意见"));
    assert!(public
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!public.body.contains(XSS), "escaped on the public page");
    assert!(public.body.contains("测委〔2026〕1号"));
    assert!(public.body.contains("中共测试市委员会"));
    for f in ["csv", "xlsx", "json"] {
        assert!(
            public
                .body
                .contains(&format!("/api/v1/public/catalogs/{id}/export?format={f}")),
            "{f}"
        );
    }
    assert!(public.body.contains("法定"));
    let list = get(&app, &format!("/catalogs?year={year}"), "").await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains(&format!("/catalogs/{id}")),
        "{}",
        list.body
    );
    let home = get(&app, "/", "").await;
    assert!(home.body.contains("本年度重大行政决策事项目录"));
    assert!(
        home.body.contains(&format!("/catalogs/{id}")),
        "{}",
        home.body
    );

    // Adjusting a published item: the reason is required (the engine says so), then given.
    let page = get(&app, &path, &staff).await;
    let item_id = item_after(&page, "垃圾分类实施意见");
    let xss_id = item_after(&page, "&lt;script&gt;");
    let change = |reason: &'static str| {
        let mut f = item("垃圾分类实施意见（修订）", &[]);
        f[0] = ("kind", "change_item");
        f.push(("reason", reason));
        f
    };
    let mut no_reason: Vec<(&str, &str)> = change("");
    no_reason.push(("item_id", &item_id));
    let refused = give(&app, &staff, &path, &no_reason).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("catalog.adjustment_reason_missing"));
    let mut with_reason: Vec<(&str, &str)> = change("上级部署调整，实施范围扩大");
    with_reason.push(("item_id", &item_id));
    let res = give(&app, &staff, &path, &with_reason).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = give(
        &app,
        &staff,
        &path,
        &[
            ("kind", "withdraw_item"),
            ("item_id", &xss_id),
            ("reason", "并入第 2 项一并实施"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let pending = get(&app, &path, &staff).await;
    assert!(pending.body.contains("待公布：调整"), "{}", pending.body);
    assert!(pending.body.contains("待公布：撤出"), "{}", pending.body);
    // A form of an older version: refused as stale, nothing changed.
    let stale = post(
        &app,
        &format!("{path}/commands"),
        &staff,
        &[
            ("csrf", &pending.csrf()),
            ("expected_version", "2"),
            ("kind", "publish"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("已被他人更新"), "{}", stale.body);
    let res = give(
        &app,
        &staff,
        &path,
        &[
            ("kind", "record_consent"),
            ("body", "中共测试市委员会"),
            ("consented_on", &on),
            ("document_number", "测委〔2026〕2号"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = give(&app, &staff, &path, &[("kind", "publish")]).await;
    assert_eq!(res.status, 303, "{}", res.body);

    let public = get(&app, &format!("/catalogs/{id}"), "").await;
    assert!(public.body.contains("第 2 版"), "{}", public.body);
    assert!(public.body.contains("上级部署调整，实施范围扩大"));
    assert!(public.body.contains("撤出第 1 项"), "{}", public.body);
    assert!(public.body.contains("并入第 2 项一并实施"));
    assert!(public.body.contains("（已撤出）"));
    assert!(public.body.contains(&format!("/catalogs/{id}/revisions/2")));
    let r1 = get(&app, &format!("/catalogs/{id}/revisions/1"), "").await;
    assert_eq!(r1.status, 200, "{}", r1.body);
    assert!(r1.body.contains("垃圾分类实施意见"));
    assert!(
        !r1.body.contains("（修订）"),
        "revision 1 as it was published"
    );
    let r2 = get(&app, &format!("/catalogs/{id}/revisions/2"), "").await;
    assert_eq!(r2.status, 200);
    assert!(r2.body.contains("垃圾分类实施意见（修订）"));
    assert!(r2.body.contains("上级部署调整，实施范围扩大"));
    assert_eq!(
        get(&app, &format!("/catalogs/{id}/revisions/3"), "")
            .await
            .status,
        404
    );
    assert_eq!(get(&app, "/catalogs/nope", "").await.status, 404);
    assert_eq!(get(&app, "/catalogs?year=abc", "").await.status, 400);

    // The coverage, downloaded with the session.
    let xlsx = get(&app, &format!("{path}/coverage.xlsx"), &staff).await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.content_type().contains("spreadsheetml"));
    let csv = get(&app, &format!("{path}/coverage.csv"), &staff).await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(csv.body.contains("垃圾分类实施意见（修订）"));
    assert_eq!(
        get(&app, &format!("{path}/coverage.xlsx"), "").await.status,
        303
    );
}

#[actix_web::test]
async fn catalog_forms_need_their_token_and_the_organ_staff_role() {
    let t = TestApp::new();
    let app = t.service().await;
    let year = t.state.clock.now().year();
    let staff = sign_in(&app, "staff").await;
    let path = open(&app, &staff, GOV, year).await;
    let commands = format!("{path}/commands");

    // What is wrong with a form is said on the page, next to the forms.
    let list = get(&app, "/console/catalogs", &staff).await;
    let token = list.csrf();
    for (y, status, says) in [
        ("2018", 422, "2019"),
        (&*year.to_string(), 409, "已存在"),
        ("", 422, "请填写年度"),
    ] {
        let res = post(
            &app,
            "/console/catalogs",
            &staff,
            &[("csrf", &token), ("organ_id", GOV), ("year", y)],
        )
        .await;
        assert_eq!(res.status, status, "{y}: {}", res.body);
        assert!(res.body.contains(says), "{y}: {}", res.body);
        assert!(res.body.contains(r#"id="open-catalog""#), "the form again");
    }
    let untitled = give(&app, &staff, &path, &item("", &[])).await;
    assert_eq!(untitled.status, 422, "{}", untitled.body);
    assert!(
        untitled.body.contains("请填写决策事项名称"),
        "{}",
        untitled.body
    );
    let no_category = give(
        &app,
        &staff,
        &path,
        &[
            ("kind", "add_item"),
            ("title", "某事项"),
            ("category", "macro_control"),
        ],
    )
    .await;
    assert_eq!(
        no_category.status, 422,
        "out of scope: {}",
        no_category.body
    );

    // Without the CSRF token, or with another session's: refused.
    let add = item("某事项", &[("expected_version", "1")]);
    assert_eq!(post(&app, &commands, &staff, &add).await.status, 403);
    let mayor = sign_in(&app, "mayor").await;
    let mayor_page = get(&app, &path, &mayor).await;
    assert_eq!(mayor_page.status, 200, "the head reads the catalog");
    let mayor_token = mayor_page.csrf();
    let mut forged = add.clone();
    forged.push(("csrf", &mayor_token));
    assert_eq!(post(&app, &commands, &staff, &forged).await.status, 403);
    assert_eq!(
        post(
            &app,
            "/console/catalogs",
            &staff,
            &[("organ_id", GOV), ("year", "2026")]
        )
        .await
        .status,
        403
    );

    // The head sees no forms, and a form posted with the head's own token is refused.
    for form in [
        r#"id="add-item""#,
        r#"id="record-consent""#,
        r#"id="publish""#,
        "expected_version",
    ] {
        assert!(
            !mayor_page.body.contains(form),
            "{form}: {}",
            mayor_page.body
        );
    }
    let list = get(&app, "/console/catalogs", &mayor).await;
    assert!(!list.body.contains(r#"id="open-catalog""#));
    let refused = post(&app, &commands, &mayor, &forged).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(!get(&app, &path, &staff).await.body.contains("某事项"));
    // The legality unit's reviewer reads it (listed), without forms.
    let reviewer = sign_in(&app, "reviewer").await;
    let list = get(&app, "/console/catalogs", &reviewer).await;
    assert!(list.body.contains(&path), "{}", list.body);
    let page = get(&app, &path, &reviewer).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("expected_version"));
    // Another organ's staff: not found, nor opened for them.
    let outsider = sign_in(&app, "outsider").await;
    assert_eq!(get(&app, &path, &outsider).await.status, 404);
    let page = get(&app, "/console/catalogs", &outsider).await;
    let token = page.csrf();
    let res = post(
        &app,
        "/console/catalogs",
        &outsider,
        &[
            ("csrf", &token),
            ("organ_id", GOV),
            ("year", &year.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(get(&app, "/console/catalogs", "").await.status, 303);
}

#[actix_web::test]
async fn the_public_list_flags_a_zhejiang_organ_overdue_after_31_march() {
    let t = TestApp::new();
    zhejiang_organ(&t);
    let app = t.service().await;
    let next = t.state.clock.now().year() + 1;
    let list = format!("/catalogs?year={next}");
    let page = get(&app, &list, "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("浙江某县人民政府"), "{}", page.body);
    assert!(page.body.contains(&format!("应于 {next}-03-31 前公布")));
    assert!(!page.body.contains("逾期未公布"), "{}", page.body);

    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    clock_to(
        &t.state,
        china
            .with_ymd_and_hms(next, 4, 1, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
    );
    let page = get(&app, &list, "").await;
    assert!(
        page.body
            .contains(&format!("逾期未公布：应于 {next}-03-31 前公布")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("五、（十五）"),
        "the basis: {}",
        page.body
    );
    // The portal's block shows the overdue organ too (now that year is this year).
    let home = get(&app, "/", "").await;
    assert!(home.body.contains("浙江某县人民政府"), "{}", home.body);
    assert!(home.body.contains("逾期未公布"));
}

#[actix_web::test]
async fn the_report_page_shows_figures_with_definitions_and_downloads_the_workbook() {
    let t = TestApp::new();
    let app = t.service().await;
    let year = t.state.clock.now().year();
    let staff = sign_in(&app, "staff").await;
    let choose = get(&app, "/console/reports", &staff).await;
    assert_eq!(choose.status, 200, "{}", choose.body);
    assert!(choose.body.contains("请选择决策机关和年度"));
    let uri = format!("/console/reports?organ_id={GOV}&year={year}");
    let page = get(&app, &uri, &staff).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("作出的重大行政决策"), "{}", page.body);
    assert!(
        page.body.contains("第三十条"),
        "a definition: {}",
        page.body
    );
    assert!(page.body.contains("reports.xlsx"));
    let xlsx = get(
        &app,
        &format!("/console/reports.xlsx?organ_id={GOV}&year={year}"),
        &staff,
    )
    .await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.content_type().contains("spreadsheetml"));
    // The legality unit's reviewer reads the organ's figures (and finds it among the choices).
    let reviewer = sign_in(&app, "reviewer").await;
    let choose = get(&app, "/console/reports", &reviewer).await;
    assert!(
        choose.body.contains(&format!(r#"value="{GOV}""#)),
        "{}",
        choose.body
    );
    assert_eq!(get(&app, &uri, &reviewer).await.status, 200);
    let outsider = sign_in(&app, "outsider").await;
    assert_eq!(get(&app, &uri, &outsider).await.status, 404);
    let choose = get(&app, "/console/reports", &outsider).await;
    assert!(!choose.body.contains(&format!(r#"value="{GOV}""#)));
    let future = format!("/console/reports?organ_id={GOV}&year={}", year + 1);
    assert_eq!(get(&app, &future, &staff).await.status, 400);
    assert_eq!(get(&app, &uri, "").await.status, 303);
}

/// Fill the field `css` of the page with `value`.
async fn fill(c: &fantoccini::Client, css: &str, value: &str) {
    c.find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(value)
        .await
        .unwrap();
}

async fn click(c: &fantoccini::Client, css: &str) {
    c.find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// The text of `css` once it contains `needle` (the page may be reloading while it is read).
async fn until(c: &fantoccini::Client, css: &str, needle: &str) -> String {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(fantoccini::Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                seen = t;
                if seen.contains(needle) {
                    return seen;
                }
            }
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {needle:?}: {seen}");
}

#[actix_web::test]
async fn in_a_browser_a_catalog_is_drafted_refused_consented_and_published() {
    use super::browser::{browser, screenshot, serve};
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let t = TestApp::new();
    let base = serve(t.state.clone());
    c.goto(&format!("{base}/console/catalogs")).await.unwrap();
    fill(&c, "#username", "staff").await;
    fill(&c, "#password", "secret").await;
    click(&c, "#sign-in").await;
    // The click returns before the form's answer has set the cookie: wait for the dashboard it
    // leads to, or the next page is asked for without a session (CI saw the sign-in form again).
    for _ in 0..100 {
        if c.current_url().await.unwrap().path() == "/console/" {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(c.current_url().await.unwrap().path(), "/console/");
    c.goto(&format!("{base}/console/catalogs")).await.unwrap();
    click(&c, "#open-catalog button").await;
    until(&c, "main", "新增事项").await;
    for (title, unit) in [
        ("关于推进城市生活垃圾分类的实施意见", "测试市城市管理局"),
        ("测试市轨道交通3号线建设项目", "测试市发展和改革委员会"),
    ] {
        fill(&c, "#add-item input[name=title]", title).await;
        fill(&c, "#add-item input[name=undertaking_unit]", unit).await;
        click(&c, "#add-item input[name='attr:technical']").await;
        click(&c, "#add-item button").await;
        until(&c, "main", title).await;
    }
    click(&c, "#publish button").await;
    let refusal = until(&c, "main", "catalog.not_consented").await;
    assert!(refusal.contains("第三条第三款"), "{refusal}");
    fill(&c, "#record-consent input[name=body]", "中共测试市委员会").await;
    fill(
        &c,
        "#record-consent input[name=document_number]",
        "测委〔2026〕1号",
    )
    .await;
    click(&c, "#record-consent button").await;
    until(&c, "main", "同意（测委〔2026〕1号）").await;
    click(&c, "#publish button").await;
    until(&c, "main", "公开页面").await;
    let url = c.current_url().await.unwrap();
    let id = url.path().rsplit('/').next().unwrap().to_string();
    c.goto(&format!("{base}/catalogs/{id}")).await.unwrap();
    let items = until(&c, "table.items", "专家论证").await;
    assert!(items.contains("测试市轨道交通3号线建设项目"), "{items}");
    assert!(items.contains("专家论证（法定）"), "{items}");
    c.set_window_size(1280, 1100).await.unwrap();
    screenshot(&c, "catalog").await;
    c.close().await.unwrap();
}
