//! The console's expert registry (add, take out of service; errors beside the field, what was
//! typed kept), the catalog editor's change and withdraw forms kept filled when refused, and the
//! service's messages shown in Chinese on the pages.

use chrono::Datelike;

use super::catalogs::{give, item, item_after, location, open, today};
use super::*;
use crate::api::{bearer, send, token, TestApp, GOV, OTHER_GOV};

const XSS: &str = "<script>alert(1)</script>";

#[actix_web::test]
async fn the_registry_staff_add_and_take_experts_out_of_service_through_the_console() {
    let t = TestApp::new();
    let app = t.service().await;
    let staff = sign_in(&app, "staff").await;
    let page = get(&app, "/console/experts", &staff).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("测试市人民政府专家库"), "{}", page.body);
    assert!(page.body.contains("专家1") && page.body.contains("研究院1"));
    assert!(page.body.contains(r#"id="add-expert""#));
    assert!(page.body.contains("/console/experts/e1/deactivate"));
    let csrf = page.csrf();

    // Without the token: refused, nothing added.
    let add = |name: &'static str, fields: &'static str| {
        vec![
            ("organ_id", GOV),
            ("name", name),
            ("organisation", "省水利研究院"),
            ("fields", fields),
        ]
    };
    let res = post(&app, "/console/experts", &staff, &add("孙工", "水利")).await;
    assert_eq!(res.status, 403, "{}", res.body);

    // An empty name: 422, the error beside the field in Chinese, what was typed kept.
    let mut form = add("  ", "水利工程、防洪");
    form.push(("csrf", &csrf));
    let res = post(&app, "/console/experts", &staff, &form).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("请填写姓名"), "{}", res.body);
    assert!(!res.body.contains("must not be empty"), "{}", res.body);
    assert!(
        res.body.contains(r#"value="水利工程、防洪""#),
        "{}",
        res.body
    );
    assert!(res.body.contains(r#"value="省水利研究院""#), "{}", res.body);

    // Added (the name as text), listed, and found by the API as well.
    let mut form = add(XSS, "水利工程，防洪");
    form.push(("csrf", &csrf));
    let res = post(&app, "/console/experts", &staff, &form).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(location(&res).starts_with(&format!("/console/experts?organ_id={GOV}#expert-")));
    let page = get(&app, &format!("/console/experts?organ_id={GOV}"), &staff).await;
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains(XSS), "escaped");
    assert!(page.body.contains("水利工程、防洪"), "{}", page.body);
    let api = token(&app, "staff").await;
    let (s, list) = send(
        &app,
        actix_web::test::TestRequest::get()
            .uri(&format!("/api/v1/experts?organ_id={GOV}"))
            .insert_header(bearer(&api)),
    )
    .await;
    assert_eq!(s, 200);
    let added = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == XSS)
        .expect("the API lists the expert added by the page");
    assert_eq!(added["fields"], serde_json::json!(["水利工程", "防洪"]));

    // Taken out of service: the reason is required (beside the field), then recorded.
    let res = post(
        &app,
        "/console/experts/e1/deactivate",
        &staff,
        &[("csrf", &csrf), ("organ_id", GOV), ("reason", "")],
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("请填写停用理由"), "{}", res.body);
    let res = post(
        &app,
        "/console/experts/e1/deactivate",
        &staff,
        &[("csrf", &csrf), ("organ_id", GOV), ("reason", "调离本省")],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = get(&app, &format!("/console/experts?organ_id={GOV}"), &staff).await;
    assert!(page.body.contains("已停用"), "{}", page.body);
    assert!(page.body.contains("调离本省"));
    assert!(!page.body.contains("/console/experts/e1/deactivate"));
    let (_, e1) = send(
        &app,
        actix_web::test::TestRequest::get()
            .uri("/api/v1/experts/e1")
            .insert_header(bearer(&api)),
    )
    .await;
    assert_eq!(e1["active"], false);
    assert_eq!(e1["deactivation_reason"], "调离本省");
}

#[actix_web::test]
async fn only_the_registry_staff_see_and_use_its_forms() {
    let t = TestApp::new();
    let app = t.service().await;
    // The head of the same organ reads the registry, without forms; a form is refused.
    let mayor = sign_in(&app, "mayor").await;
    let page = get(&app, "/console/experts", &mayor).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("专家1"));
    assert!(!page.body.contains(r#"id="add-expert""#));
    assert!(!page.body.contains("/deactivate"));
    let csrf = page.csrf();
    let res = post(
        &app,
        "/console/experts",
        &mayor,
        &[
            ("csrf", &csrf),
            ("organ_id", GOV),
            ("name", "钱工"),
            ("fields", "交通"),
        ],
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("无权管理该专家库"), "{}", res.body);
    assert!(
        !res.body.contains("organ_staff"),
        "Chinese only: {}",
        res.body
    );
    let res = post(
        &app,
        "/console/experts/e2/deactivate",
        &mayor,
        &[("csrf", &csrf), ("reason", "x")],
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    // Another government's staff: not their registry (not found), nor one they may add to.
    let outsider = sign_in(&app, "outsider").await;
    let page = get(&app, &format!("/console/experts?organ_id={GOV}"), &outsider).await;
    assert_eq!(page.status, 404, "{}", page.body);
    let own = get(&app, "/console/experts", &outsider).await;
    assert_eq!(own.status, 200);
    assert!(!own.body.contains("专家1"));
    let res = post(
        &app,
        "/console/experts/e2/deactivate",
        &outsider,
        &[("csrf", &own.csrf()), ("reason", "x")],
    )
    .await;
    assert_eq!(res.status, 404, "{}", res.body);
    let res = post(
        &app,
        "/console/experts",
        &outsider,
        &[
            ("csrf", &own.csrf()),
            ("organ_id", GOV),
            ("name", "钱工"),
            ("fields", "交通"),
        ],
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    let res = post(
        &app,
        "/console/experts",
        &outsider,
        &[
            ("csrf", &own.csrf()),
            ("organ_id", OTHER_GOV),
            ("name", "钱工"),
            ("fields", "交通"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // Signed out: to the sign-in page.
    assert_eq!(get(&app, "/console/experts", "").await.status, 303);
}

#[actix_web::test]
async fn refused_change_and_withdraw_forms_come_back_filled_with_chinese_errors() {
    let t = TestApp::new();
    let app = t.service().await;
    let year = t.state.clock.now().year();
    let staff = sign_in(&app, "staff").await;
    let path = open(&app, &staff, GOV, year).await;
    let res = give(&app, &staff, &path, &item("垃圾分类实施意见", &[])).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let on = today(&t);
    for form in [
        vec![
            ("kind", "record_consent"),
            ("body", "中共测试市委员会"),
            ("consented_on", on.as_str()),
            ("document_number", "测委〔2026〕1号"),
        ],
        vec![("kind", "publish")],
    ] {
        let res = give(&app, &staff, &path, &form).await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let page = get(&app, &path, &staff).await;
    let item_id = item_after(&page, "垃圾分类实施意见");

    // A change without its reason: the engine refuses; the form comes back open with the
    // title, unit, note and procedures typed.
    let mut change = item(
        "垃圾分类实施意见（修订稿）",
        &[("note", "扩大到全市"), ("proc:hearing", "on")],
    );
    change[0] = ("kind", "change_item");
    change.push(("item_id", &item_id));
    let refused = give(&app, &staff, &path, &change).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("catalog.adjustment_reason_missing"));
    assert!(
        refused.body.contains("<details open><summary>调整第 1 项"),
        "{}",
        refused.body
    );
    assert!(refused
        .body
        .contains(r#"value="垃圾分类实施意见（修订稿）""#));
    assert!(refused.body.contains(r#"value="扩大到全市""#));
    assert!(
        refused.body.contains(r#"name="proc:hearing" checked"#),
        "{}",
        refused.body
    );
    // The add form stays blank.
    let add_at = refused.body.find(r#"id="add-item""#).unwrap();
    assert!(refused.body[add_at..].contains(r#"name="title" value="""#));

    // A withdrawal whose reason is too long: 422 in Chinese only, the reason typed kept.
    let long = "理".repeat(1001);
    let refused = give(
        &app,
        &staff,
        &path,
        &[
            ("kind", "withdraw_item"),
            ("item_id", &item_id),
            ("reason", &long),
        ],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("理由最多 1000 个字"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("at most"), "{}", refused.body);
    assert!(refused.body.contains("<details open><summary>撤出第 1 项"));
    assert!(refused.body.contains(&format!(">{long}</textarea>")));

    // The head's form: refused with the service's reason, in Chinese.
    let mayor = sign_in(&app, "mayor").await;
    let mayor_page = get(&app, &path, &mayor).await;
    let res = post(
        &app,
        &format!("{path}/commands"),
        &mayor,
        &[
            ("csrf", &mayor_page.csrf()),
            ("expected_version", "3"),
            ("kind", "publish"),
        ],
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(
        res.body.contains("决策事项目录由决策机关工作人员编制"),
        "{}",
        res.body
    );
    assert!(!res.body.contains("kept by"), "{}", res.body);
}

#[::core::prelude::v1::test]
fn a_page_shows_the_chinese_half_of_a_message() {
    use juece::pages::render::zh;
    assert_eq!(
        zh("reason: at most 1000 characters / 理由最多 1000 个字", "x"),
        "理由最多 1000 个字"
    );
    assert_eq!(
        zh("year: 请填写年度 / the year is missing", "x"),
        "请填写年度"
    );
    assert_eq!(
        zh(
            "organ_id: 测试局 (department) does not decide / 该机关不作重大行政决策",
            "x"
        ),
        "该机关不作重大行政决策"
    );
    assert_eq!(
        zh("the database is unavailable", "服务暂不可用"),
        "服务暂不可用"
    );
}
