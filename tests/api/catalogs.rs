//! The annual decision catalog (第三条第三款) through HTTP, on both backends: its lifecycle
//! accepted and refused, links from decisions, the 浙江 deadline on both sides of 31 March, the
//! exports read back, and the audit over its chain.

use actix_web::test;
use chrono::{Datelike, TimeZone, Utc};
use serde_json::{json, Value};

use super::{bearer, clock_to, send, TestApp, Tokens, DEPT, GOV, OTHER_GOV};
use juece::db::accounts;
use juece::db::rows::Organ;

const ART3: &str = "《重大行政决策程序暂行条例》第三条第三款";
pub const ZJ: &str = "30000000-0000-4000-8000-000000000001";

pub fn item(title: &str) -> Value {
    json!({
        "title": title,
        "undertaking_unit": "测试市城市管理局",
        "attributes": { "category": "public_policy", "technical": true },
        "planned_by": "2026-12-31"
    })
}

pub fn open(token: &str, organ: &str, year: i32) -> test::TestRequest {
    test::TestRequest::post()
        .uri("/api/v1/catalogs")
        .insert_header(bearer(token))
        .set_json(json!({ "organ_id": organ, "year": year }))
}

pub fn cmd(id: &str, token: &str, version: i64, command: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(&format!("/api/v1/catalogs/{id}/commands"))
        .insert_header(bearer(token))
        .set_json(json!({ "expected_version": version, "command": command }))
}

pub fn consent(on: &str) -> Value {
    json!({ "command": "record_consent", "body": "中共测试市委员会", "consented_on": on, "document_number": "测委〔2026〕1号" })
}

fn rules(b: &Value) -> Vec<String> {
    b["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| x["rule"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn today(t: &TestApp) -> String {
    juece::procedure::state::china_date(t.state.clock.now()).to_string()
}

/// Open, fill, consent and publish a catalog of `titles` for `organ`; returns (id, view).
pub async fn published<S, B>(
    app: &S,
    t: &TestApp,
    token: &str,
    organ: &str,
    year: i32,
    titles: &[&str],
) -> (String, Value)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let (s, b) = send(app, open(token, organ, year)).await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let mut v = b["version"].as_i64().unwrap();
    let mut last = b;
    for title in titles {
        let (s, b) = send(
            app,
            cmd(
                &id,
                token,
                v,
                json!({ "command": "add_item", "item": item(title) }),
            ),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        v = b["version"].as_i64().unwrap();
    }
    for c in [consent(&today(t)), json!({ "command": "publish" })] {
        let (s, b) = send(app, cmd(&id, token, v, c)).await;
        assert_eq!(s, 200, "{b}");
        v = b["version"].as_i64().unwrap();
        last = b;
    }
    (id, last)
}

#[actix_web::test]
async fn a_catalog_is_drafted_consented_published_and_adjusted_with_its_history_readable() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let year = t.state.clock.now().year();

    // Only the organ's staff open it, once per year.
    for (token, status) in [
        (&tokens.mayor, 403),
        (&tokens.outsider, 403),
        (&tokens.inspector, 403),
    ] {
        let (s, b) = send(&app, open(token, GOV, year)).await;
        assert_eq!(s, status, "{b}");
    }
    let (s, b) = send(&app, open(&tokens.staff, DEPT, 2018)).await;
    assert_eq!(s, 422, "a year before the regulation: {b}");
    let (s, b) = send(&app, open(&tokens.staff, GOV, year)).await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    assert_eq!(b["status"], "draft");
    let (s, b) = send(&app, open(&tokens.staff, GOV, year)).await;
    assert_eq!(
        (s, b["type"].as_str()),
        (409, Some("/problems/conflict")),
        "{b}"
    );

    let (s, b) = send(
        &app,
        cmd(
            &id,
            &tokens.staff,
            1,
            json!({ "command": "add_item", "item": item("垃圾分类实施意见") }),
        ),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let item_id = b["items"][0]["id"].as_str().unwrap().to_string();
    let procedures: Vec<&str> = b["items"][0]["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stage"].as_str().unwrap())
        .collect();
    assert!(
        procedures.contains(&"expert_review"),
        "technical → 第十九条: {procedures:?}"
    );
    assert_eq!(b["items"][0]["procedures"][0]["required"], true);
    // Not the staff of another organ; not at a stale version; not an unknown field.
    let (s, _) = send(
        &app,
        cmd(&id, &tokens.outsider, 2, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(s, 403);
    let (s, b) = send(
        &app,
        cmd(&id, &tokens.staff, 1, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(
        (s, b["type"].as_str()),
        (409, Some("/problems/stale")),
        "{b}"
    );
    let (s, b) = send(
        &app,
        cmd(
            &id,
            &tokens.staff,
            2,
            json!({ "command": "publish", "when": "now" }),
        ),
    )
    .await;
    assert_eq!(s, 422, "{b}");

    // Publishing before the party committee consents is refused, with the article.
    let (s, b) = send(
        &app,
        cmd(&id, &tokens.staff, 2, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(rules(&b), ["catalog.not_consented"]);
    assert_eq!(b["violations"][0]["basis"], ART3);
    // Not published: the public does not see it.
    let (s, _) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs/{id}")),
    )
    .await;
    assert_eq!(s, 404);

    let (s, b) = send(&app, cmd(&id, &tokens.staff, 2, consent(&today(&t)))).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("consented")), "{b}");
    let (s, b) = send(
        &app,
        cmd(&id, &tokens.staff, 3, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(
        (s, b["status"].as_str(), b["revision"].as_i64()),
        (200, Some("published"), Some(1)),
        "{b}"
    );

    // The public reads it, no login.
    let (s, b) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs/{id}")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["items"][0]["title"], "垃圾分类实施意见");
    assert_eq!(b["consent"]["document_number"], "测委〔2026〕1号");
    let (s, b) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs?year={year}")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert!(
        b.as_array()
            .unwrap()
            .iter()
            .any(|l| l["catalog_id"] == id.as_str()),
        "{b}"
    );

    // An adjustment states its reason; until published, the public sees the first revision.
    let (s, b) = send(&app, cmd(&id, &tokens.staff, 4, json!({ "command": "change_item", "item_id": item_id, "item": item("垃圾分类实施意见（修订）") }))).await;
    assert_eq!(
        (s, rules(&b)),
        (409, vec!["catalog.adjustment_reason_missing".to_string()]),
        "{b}"
    );
    let (s, b) = send(&app, cmd(&id, &tokens.staff, 4, json!({ "command": "change_item", "item_id": item_id, "item": item("垃圾分类实施意见（修订）"), "reason": "上级出台新规定" }))).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("adjusting")), "{b}");
    let (_, b) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs/{id}")),
    )
    .await;
    assert_eq!(b["items"][0]["title"], "垃圾分类实施意见");
    let (s, b) = send(
        &app,
        cmd(&id, &tokens.staff, 5, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(
        (s, b["status"].as_str(), b["revision"].as_i64()),
        (200, Some("adjusted"), Some(2)),
        "{b}"
    );
    assert_eq!(b["revisions"][1]["changes"][0]["reason"], "上级出台新规定");

    // The history stays readable: revision 1 as it was published.
    let (s, b) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs/{id}/revisions/1")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["items"][0]["title"], "垃圾分类实施意见");
    assert_eq!(b["revision"]["revision"], 1);
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/catalogs/{id}/revisions/2"))
            .insert_header(bearer(&tokens.reviewer)),
    )
    .await;
    assert_eq!(
        (s, b["items"][0]["title"].as_str()),
        (200, Some("垃圾分类实施意见（修订）")),
        "the legality unit reads it: {b}"
    );
    for uri in [
        format!("/api/v1/public/catalogs/{id}/revisions/3"),
        format!("/api/v1/public/catalogs/{id}/revisions/x"),
    ] {
        let (s, _) = send(&app, test::TestRequest::get().uri(&uri)).await;
        assert_eq!(s, 404, "{uri}");
    }
    // The legality unit's reviewers find it in their list; another organ's staff do not.
    let (_, b) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/catalogs")
            .insert_header(bearer(&tokens.reviewer)),
    )
    .await;
    assert!(
        b.as_array().unwrap().iter().any(|c| c["id"] == id.as_str()),
        "{b}"
    );
    let (_, b) = send(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/catalogs")
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert!(
        b.as_array().unwrap().iter().all(|c| c["id"] != id.as_str()),
        "{b}"
    );
    // Another organ's staff do not see it as staff.
    let (s, _) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/catalogs/{id}"))
            .insert_header(bearer(&tokens.outsider)),
    )
    .await;
    assert_eq!(s, 404);

    // Every change is in the hash chain, and the audit walks it clean.
    let mut conn = t.state.db.read.get().unwrap();
    let report = juece::audit::verify(&mut conn).unwrap();
    assert_eq!(report.catalogs, 1);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[actix_web::test]
async fn the_audit_names_a_catalog_edited_behind_the_record() {
    use diesel::prelude::*;
    use juece::db::schema::{catalog_items, catalogs};
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (s, b) = send(&app, open(&tokens.staff, GOV, 2026)).await;
    assert_eq!(s, 201);
    let id = b["id"].as_str().unwrap().to_string();
    let (_, b) = send(
        &app,
        cmd(
            &id,
            &tokens.staff,
            1,
            json!({ "command": "add_item", "item": item("a") }),
        ),
    )
    .await;
    let item_id = b["items"][0]["id"].as_str().unwrap().to_string();
    let mut conn = t.state.db.write.get().unwrap();
    // An item marked published in the table, so that a decision could link to it.
    diesel::update(catalog_items::table.find(&item_id))
        .set(catalog_items::status.eq("published"))
        .execute(&mut *conn)
        .unwrap();
    diesel::update(catalogs::table.find(&id))
        .set(catalogs::state.eq("{}"))
        .execute(&mut *conn)
        .unwrap();
    let report = juece::audit::verify(&mut conn).unwrap();
    let kinds: Vec<&str> = report.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&"catalog_item_altered"), "{kinds:?}");
    assert!(kinds.contains(&"catalog_altered"), "{kinds:?}");
}

#[actix_web::test]
async fn a_decision_links_only_to_a_published_item_of_its_own_organs_catalog_and_only_once() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let init = super::initiation(&t);
    let start = |item: &str| {
        test::TestRequest::post()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({ "organ_id": GOV, "lead_unit_id": DEPT, "catalog_item_id": item, "initiation": init }))
    };
    // A draft item (not published) cannot be linked.
    let (s, b) = send(&app, open(&tokens.staff, GOV, 2026)).await;
    assert_eq!(s, 201);
    let id = b["id"].as_str().unwrap().to_string();
    let (_, b) = send(
        &app,
        cmd(
            &id,
            &tokens.staff,
            1,
            json!({ "command": "add_item", "item": item("停车收费管理办法") }),
        ),
    )
    .await;
    let draft_item = b["items"][0]["id"].as_str().unwrap().to_string();
    let (s, b) = send(&app, start(&draft_item)).await;
    assert_eq!(
        (s, rules(&b)),
        (409, vec!["initiation.catalog_item_unknown".to_string()]),
        "{b}"
    );
    // An item of another organ's published catalog cannot be linked.
    let (_, other) = published(
        &app,
        &t,
        &tokens.outsider,
        OTHER_GOV,
        2026,
        &["另一市的事项"],
    )
    .await;
    let other_item = other["items"][0]["id"].as_str().unwrap().to_string();
    let (s, b) = send(&app, start(&other_item)).await;
    assert_eq!(
        (s, rules(&b)),
        (409, vec!["initiation.catalog_item_unknown".to_string()]),
        "{b}"
    );
    assert!(
        b["violations"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("another organ"),
        "{b}"
    );
    // Published: linked, once.
    let (s, b) = send(&app, cmd(&id, &tokens.staff, 2, consent(&today(&t)))).await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = send(
        &app,
        cmd(&id, &tokens.staff, 3, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(s, 200);
    let (s, b) = send(&app, start(&draft_item)).await;
    assert_eq!(s, 201, "{b}");
    let decision = b["id"].as_str().unwrap().to_string();
    assert_eq!(b["catalog_item_id"], draft_item.as_str());
    let (s, b) = send(&app, start(&draft_item)).await;
    assert_eq!(
        (s, rules(&b)),
        (409, vec!["initiation.catalog_item_unknown".to_string()]),
        "{b}"
    );
    // The item shows where its decision stands, to staff and public.
    let (_, b) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/catalogs/{id}"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    assert_eq!(b["items"][0]["decision"]["id"], decision.as_str(), "{b}");
    assert_eq!(b["items"][0]["decision"]["status"], "in_procedure");
    let (_, b) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs/{id}")),
    )
    .await;
    assert_eq!(b["items"][0]["decision"]["status"], "in_procedure", "{b}");
    // Coverage: one item, started; no decision outside the catalog.
    let (s, b) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/catalogs/{id}/coverage"))
            .insert_header(bearer(&tokens.reviewer)),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (
            b["items"].as_u64(),
            b["started"].as_u64(),
            b["not_started"].as_u64()
        ),
        (Some(1), Some(1), Some(0)),
        "{b}"
    );
    // A decision outside the catalog is counted as such.
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/decisions")
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": init })),
    )
    .await;
    assert_eq!(s, 201, "nationally a catalog is optional (可以): {b}");
    let outside = b["id"].as_str().unwrap().to_string();
    let (_, b) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/catalogs/{id}/coverage"))
            .insert_header(bearer(&tokens.staff)),
    )
    .await;
    if b["year"].as_i64() == Some(i64::from(t.state.clock.now().year())) {
        assert_eq!(b["decisions_outside_catalog"], json!([outside]), "{b}");
        assert_eq!(b["share_in_catalog"], 50.0);
    }
    // A withdrawn item cannot be linked any more.
    let (s, b) = send(
        &app,
        cmd(
            &id,
            &tokens.staff,
            4,
            json!({ "command": "add_item", "item": item("新增事项"), "reason": "年中增列" }),
        ),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let second = b["items"][1]["id"].as_str().unwrap().to_string();
    let (s, _) = send(
        &app,
        cmd(&id, &tokens.staff, 5, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = send(&app, cmd(&id, &tokens.staff, 6, json!({ "command": "withdraw_item", "item_id": second, "reason": "不再作为重大行政决策事项" }))).await;
    assert_eq!(s, 200);
    let (s, _) = send(
        &app,
        cmd(&id, &tokens.staff, 7, json!({ "command": "publish" })),
    )
    .await;
    assert_eq!(s, 200);
    let (s, b) = send(&app, start(&second)).await;
    assert_eq!(
        (s, rules(&b)),
        (409, vec!["initiation.catalog_item_unknown".to_string()]),
        "{b}"
    );
}

/// A 浙江 government with the test staff as its staff.
pub fn zhejiang_organ(t: &TestApp) {
    let mut conn = t.state.db.write.get().unwrap();
    accounts::insert_organ(
        &mut conn,
        &Organ {
            id: ZJ.into(),
            name: "浙江某县人民政府".into(),
            kind: "decision_organ".into(),
            parent_id: None,
            legality_unit_id: None,
            pack_id: Some("zhejiang".into()),
            created_at: juece::db::stored_time(Utc::now()),
        },
    )
    .unwrap();
    let staff = accounts::user_by_username(&mut conn, "staff")
        .unwrap()
        .unwrap();
    accounts::grant(&mut conn, &staff.id, ZJ, "organ_staff").unwrap();
}

#[actix_web::test]
async fn a_zhejiang_organ_is_overdue_after_31_march_without_a_published_catalog() {
    let t = TestApp::new();
    zhejiang_organ(&t);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let next = t.state.clock.now().year() + 1;
    let listing = |body: &Value| -> Value {
        body.as_array()
            .unwrap()
            .iter()
            .find(|l| l["organ"]["id"] == ZJ)
            .cloned()
            .unwrap_or_else(|| panic!("the 浙江 organ is listed as obliged: {body}"))
    };
    let list = format!("/api/v1/public/catalogs?year={next}");
    let (s, b) = send(&app, test::TestRequest::get().uri(&list)).await;
    assert_eq!(s, 200, "{b}");
    let l = listing(&b);
    assert_eq!(l["standing"]["deadline"], format!("{next}-03-31"));
    assert_eq!(
        (
            l["standing"]["obliged"].as_bool(),
            l["standing"]["overdue"].as_bool()
        ),
        (Some(true), Some(false))
    );
    // The national organs keep no obligation: not listed without a catalog.
    assert!(
        b.as_array()
            .unwrap()
            .iter()
            .all(|l| l["organ"]["id"] != GOV),
        "{b}"
    );

    // 31 March, late in the evening, China time: still in time.
    clock_to(
        &t.state,
        chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(next, 3, 31, 23, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
    );
    let (_, b) = send(&app, test::TestRequest::get().uri(&list)).await;
    assert_eq!(listing(&b)["standing"]["overdue"], false, "{b}");
    // 1 April: overdue, with the basis.
    clock_to(
        &t.state,
        chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(next, 4, 1, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc),
    );
    let (_, b) = send(&app, test::TestRequest::get().uri(&list)).await;
    let l = listing(&b);
    assert_eq!(l["standing"]["overdue"], true, "{b}");
    assert!(
        l["standing"]["basis"].to_string().contains("五、（十五）"),
        "{l}"
    );

    // A 浙江 decision must name a catalog item; published late, the catalog says so.
    let (id, view) = published(&app, &t, &tokens.staff, ZJ, next, &["某县城乡供水一体化"]).await;
    assert_eq!(view["standing"]["overdue"], false);
    assert_eq!(view["standing"]["published_late"], true, "{view}");
    let (_, b) = send(&app, test::TestRequest::get().uri(&list)).await;
    assert_eq!(listing(&b)["catalog_id"], id.as_str());
}

#[actix_web::test]
async fn exports_are_real_spreadsheets_that_read_back_as_the_json() {
    use calamine::{Data, DataType, Reader, Xlsx};
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let titles = ["=HYPERLINK(\"http://x\")", "垃圾分类实施意见", "@SUM(1)"];
    let (id, _) = published(&app, &t, &tokens.staff, GOV, 2026, &titles).await;
    let (s, json) = send(
        &app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs/{id}/export")),
    )
    .await;
    assert_eq!(s, 200, "{json}");

    let app = &app;
    let raw = |uri: String| async move {
        let res = test::call_service(app, test::TestRequest::get().uri(&uri).to_request()).await;
        let ctype = res
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        (ctype, test::read_body(res).await.to_vec())
    };
    let (ctype, csv) = raw(format!("/api/v1/public/catalogs/{id}/export?format=csv")).await;
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel and WPS");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "formula neutralised: {csv}"
    );
    assert!(csv.contains("\"'@SUM(1)\""), "{csv}");

    let (ctype, bytes) = raw(format!("/api/v1/public/catalogs/{id}/export?format=xlsx")).await;
    assert_eq!(ctype, juece::api::catalogs::XLSX);
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a real workbook");
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows[0][0], Data::String("序号".into()));
    let items = json["items"].as_array().unwrap();
    assert_eq!(rows.len(), items.len() + 1);
    for (row, item) in rows[1..].iter().zip(items) {
        assert_eq!(row[0].as_f64(), item["number"].as_f64());
        assert_eq!(
            row[1],
            Data::String(item["title"].as_str().unwrap().into()),
            "text stays text, never a formula"
        );
        // The planned date is a date, not text.
        let Data::DateTime(d) = &row[5] else {
            panic!("a date cell, not {:?}", row[5]);
        };
        let serial = d.as_f64();
        let date = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
            + chrono::Duration::days(serial as i64);
        assert_eq!(date.to_string(), item["planned_by"].as_str().unwrap());
        assert_eq!(row[9], Data::String(item["id"].as_str().unwrap().into()));
    }

    // The coverage and the report come as workbooks too.
    let (ctype, _) = raw(format!("/api/v1/catalogs/{id}/coverage?format=xlsx")).await;
    assert_eq!(ctype, "application/problem+json", "staff only");
    let res = test::call_service(
        app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/catalogs/{id}/coverage?format=xlsx"))
            .insert_header(bearer(&tokens.staff))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let bytes = test::read_body(res).await.to_vec();
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a real workbook");
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.rows().count(), 4);
    let (s, b) = send(
        app,
        test::TestRequest::get().uri(&format!("/api/v1/public/catalogs/{id}/export?format=pdf")),
    )
    .await;
    assert_eq!(s, 400, "{b}");
}
