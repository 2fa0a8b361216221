//! Setting up an office without the demo: `juece admin` adds organs, users and roles.

use std::io::Write;
use std::process::{Command as Process, Stdio};

use actix_web::test;
use serde_json::json;

use super::*;

fn juece(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Process::new(env!("CARGO_BIN_EXE_juece"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run juece");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[actix_web::test]
async fn an_office_sets_up_organs_users_and_roles_from_the_command_line() {
    let db = TestDb::new();
    let url = db.url.as_str();
    let (ok, sfj, err) = juece(
        &[
            "admin",
            "organ-add",
            "--database-url",
            url,
            "--name",
            "某县司法局",
            "--kind",
            "legality_review_unit",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, gov, err) = juece(
        &[
            "admin",
            "organ-add",
            "--database-url",
            url,
            "--name",
            "某县人民政府",
            "--kind",
            "decision_organ",
            "--legality-unit",
            &sfj,
            "--pack",
            "national",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = juece(
        &[
            "admin",
            "organ-add",
            "--database-url",
            url,
            "--name",
            "x",
            "--kind",
            "department",
            "--parent",
            "nope",
        ],
        None,
    );
    assert!(!ok && err.contains("--parent"), "{err}");
    let (ok, _, err) = juece(
        &[
            "admin",
            "user-add",
            "--database-url",
            url,
            "--username",
            "wang",
            "--display-name",
            "王科长",
        ],
        Some("short\n"),
    );
    assert!(!ok && err.contains("10 characters"), "{err}");
    let (ok, _, err) = juece(
        &[
            "admin",
            "user-add",
            "--database-url",
            url,
            "--username",
            "wang",
            "--display-name",
            "王科长",
        ],
        Some("a long enough password\n"),
    );
    assert!(ok, "{err}");
    let (ok, _, err) = juece(
        &[
            "admin",
            "grant",
            "--database-url",
            url,
            "--username",
            "wang",
            "--organ",
            &gov,
            "--role",
            "mayor",
        ],
        None,
    );
    assert!(!ok && err.contains("--role"), "{err}");
    let (ok, _, err) = juece(
        &[
            "admin",
            "grant",
            "--database-url",
            url,
            "--username",
            "wang",
            "--organ",
            &gov,
            "--role",
            "organ_staff",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, list, _) = juece(&["admin", "organs", "--database-url", url], None);
    assert!(ok && list.contains("某县人民政府") && list.contains(&sfj));

    // The new user signs in and holds the role.
    let state = AppState::new(
        Db::open(url).unwrap(),
        packs().clone(),
        calendar().clone(),
        Clock::real(),
    );
    let app = test::init_service(juece::server::app(state)).await;
    let (s, body) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/session")
            .set_json(json!({"username": "wang", "password": "a long enough password"})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["roles"][0]["organ_id"], gov.as_str());
    assert_eq!(body["roles"][0]["role"], "organ_staff");
    let token = body["token"].as_str().unwrap().to_string();
    let me = || {
        test::TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(bearer(&token))
    };
    let (s, kept) = send(&app, me()).await;
    assert_eq!(s, 200, "{kept}");
    assert_eq!(kept["roles"][0]["role"], "organ_staff", "{kept}");

    // Who holds what; a role taken from someone who left the post.
    let (ok, users, err) = juece(&["admin", "users", "--database-url", url], None);
    assert!(ok, "{err}");
    assert!(
        users.contains(&format!("wang  王科长  {gov}:organ_staff")),
        "{users}"
    );
    let revoke = |role: &str| {
        juece(
            &[
                "admin",
                "revoke",
                "--database-url",
                url,
                "--username",
                "wang",
                "--organ",
                &gov,
                "--role",
                role,
            ],
            None,
        )
    };
    let (ok, _, err) = revoke("mayor");
    assert!(!ok && err.contains("--role"), "{err}");
    let (ok, _, err) = revoke("head");
    assert!(!ok && err.contains("is not head of"), "{err}");
    let (ok, out, err) = revoke("organ_staff");
    assert!(ok, "{err}");
    assert!(out.contains("no longer organ_staff"), "{out}");
    let (_, users, _) = juece(&["admin", "users", "--database-url", url], None);
    assert!(users.contains("wang  王科长  -"), "{users}");
    // The session signed in before answers with the roles left: the server keeps signed-in
    // users in memory and reads the revocations at most a second apart (`sessions::POLL`).
    actix_web::rt::time::sleep(
        juece::service::sessions::POLL + std::time::Duration::from_millis(100),
    )
    .await;
    let (s, after) = send(&app, me()).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["roles"], json!([]), "{after}");
    let (ok, _, err) = revoke("organ_staff");
    assert!(!ok && err.contains("is not organ_staff"), "{err}");
}

#[actix_web::test]
async fn the_demo_loads_through_the_one_door_and_its_record_verifies() {
    // `juece serve --demo` / `juece seed`: every demo step goes through the service (comments by
    // the intake, hearing participants by applications and the draw, experts from the registry).
    let db = TestDb::new();
    let database = Db::open(&db.url).unwrap();
    let mut conn = database.write.get().unwrap();
    let file = crate::support::root().join("seeds/demo/demo.json");
    let loaded = juece::seed::load_demo(&mut conn, &file, packs(), calendar(), chrono::Utc::now())
        .unwrap_or_else(|e| panic!("the demo loads: {e}"));
    assert!(loaded);
    let decisions = juece::db::decisions::list_decisions(
        &mut conn,
        &["00000000-0000-4000-8000-000000000001".to_string()],
        None,
        100,
    )
    .unwrap();
    assert!(decisions.len() >= 3, "{} demo decisions", decisions.len());
    assert!(decisions.iter().any(|d| d.status == "adopted"));
    let report = juece::audit::verify(&mut conn).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    // A second load changes nothing.
    assert!(
        !juece::seed::load_demo(&mut conn, &file, packs(), calendar(), chrono::Utc::now()).unwrap()
    );
}

#[actix_web::test]
async fn an_organ_of_an_unknown_kind_is_refused_naming_the_kinds() {
    let db = TestDb::new();
    let (ok, _, err) = juece(
        &[
            "admin",
            "organ-add",
            "--database-url",
            &db.url,
            "--name",
            "某县人民政府",
            "--kind",
            "governmnet",
        ],
        None,
    );
    assert!(!ok);
    assert!(
        err.contains("--kind") && err.contains("decision_organ"),
        "{err}"
    );
}

#[actix_web::test]
async fn offices_script_the_catalog_and_the_report_from_the_command_line() {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _) =
        super::catalogs::published(&app, &t, &tokens.staff, GOV, 2026, &["=CMD()", "某事项"]).await;
    let url = t.db.url.as_str();
    let (ok, out, err) = juece(&["catalog", "list", "--database-url", url], None);
    assert!(ok, "{err}");
    assert!(out.contains(&id) && out.contains("published"), "{out}");
    let (ok, out, err) = juece(
        &[
            "catalog",
            "export",
            &id,
            "--format",
            "csv",
            "--database-url",
            url,
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.starts_with('\u{feff}') && out.contains("\"'=CMD()\""),
        "{out}"
    );
    let (ok, _, err) = juece(
        &[
            "catalog",
            "export",
            &id,
            "--format",
            "xlsx",
            "--database-url",
            url,
        ],
        None,
    );
    assert!(
        !ok && err.contains("--out"),
        "a workbook is not written to a terminal: {err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.xlsx");
    let (ok, _, err) = juece(
        &[
            "catalog",
            "coverage",
            &id,
            "--format",
            "xlsx",
            "--out",
            file.to_str().unwrap(),
            "--database-url",
            url,
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(std::fs::metadata(&file).unwrap().len() > 1000);
    let (ok, out, err) = juece(
        &[
            "report",
            "--organ",
            GOV,
            "--year",
            "2026",
            "--database-url",
            url,
        ],
        None,
    );
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["year"], 2026);
    assert!(report["figures"].as_array().unwrap().len() >= 10);
    let (ok, _, err) = juece(
        &[
            "report",
            "--organ",
            "nope",
            "--year",
            "2026",
            "--database-url",
            url,
        ],
        None,
    );
    assert!(!ok && err.contains("organ nope"), "{err}");
}

#[core::prelude::v1::test]
fn serve_refuses_a_change_poll_out_of_range_naming_the_option() {
    let (ok, _, err) = juece(&["serve", "--change-poll-ms", "5000"], None);
    assert!(!ok);
    assert!(err.contains("--change-poll-ms"), "{err}");
    assert!(err.contains("1000"), "the range: {err}");
}
