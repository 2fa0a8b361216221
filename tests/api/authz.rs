//! The authorization matrix, generated from the route table (`api::ROUTES`): every route ×
//! every role (organ_staff, undertaking, legality_reviewer, head, inspector) × own organ / other
//! organ, and anonymous. The expected answer of each cell is in [`WHO_MAY`]: the principals who
//! get past authorization (any answer but 401/403/404). Every other principal must be refused:
//! an unexpected allow fails the test, and so does a route without a row.

use actix_web::test;
use juece::procedure::state::Command;
use serde_json::{json, Value};

use super::*;

/// Principals at the decision's organs (the city government GOV, its department DEPT as lead
/// unit, its legality unit SFJ) …
const OWN: [&str; 5] = ["staff", "unit", "reviewer", "head", "inspector"];
/// … the same roles at another government (OTHER_GOV), and no one signed in.
const OTHER: [&str; 5] = [
    "other_staff",
    "other_unit",
    "other_reviewer",
    "other_head",
    "other_inspector",
];
const ANONYMOUS: &str = "anonymous";

/// Every signed-in principal.
const SIGNED_IN: &[&str] = &[
    "staff",
    "unit",
    "reviewer",
    "head",
    "inspector",
    "other_staff",
    "other_unit",
    "other_reviewer",
    "other_head",
    "other_inspector",
];
/// Everyone, signed in or not.
const EVERYONE: &[&str] = &[
    "staff",
    "unit",
    "reviewer",
    "head",
    "inspector",
    "other_staff",
    "other_unit",
    "other_reviewer",
    "other_head",
    "other_inspector",
    ANONYMOUS,
];
/// Those who may read the decision: any role at one of its organs (access::can_read).
const READERS: &[&str] = &["staff", "unit", "reviewer", "head", "inspector"];
/// Those who may read GOV's expert registry: a role at GOV or an organ below it.
const REGISTRY_READERS: &[&str] = READERS;
/// Those who may read GOV's catalog as staff, its coverage and its report: a role at GOV, and
/// the reviewers of its legality unit (access::can_read_catalog) — not a department's staff.
const CATALOG_READERS: &[&str] = &["staff", "reviewer", "head", "inspector"];

/// THE TABLE: (method, route, who may). A new route needs a row here.
const WHO_MAY: &[(&str, &str, &[&str])] = &[
    // Each principal signs in with its own name; "anonymous" has none (401).
    ("post", "/api/v1/session", SIGNED_IN),
    ("delete", "/api/v1/session", SIGNED_IN),
    ("get", "/api/v1/me", SIGNED_IN),
    ("get", "/api/v1/packs", SIGNED_IN),
    ("get", "/api/v1/packs/{id}", SIGNED_IN),
    // Initiation at GOV: GOV's organ_staff only.
    ("post", "/api/v1/decisions", &["staff"]),
    // The list is filtered to the caller's organs.
    ("get", "/api/v1/decisions", SIGNED_IN),
    ("get", "/api/v1/decisions/{id}", READERS),
    // Drafting: the lead undertaking unit.
    ("post", "/api/v1/decisions/{id}/drafts", &["unit"]),
    ("get", "/api/v1/decisions/{id}/drafts/{number}", READERS),
    // The command sent is `start expert_review`: the lead undertaking unit.
    ("post", "/api/v1/decisions/{id}/commands", &["unit"]),
    ("get", "/api/v1/decisions/{id}/events", READERS),
    ("get", "/api/v1/decisions/{id}/personal-data-reads", READERS),
    // The dossier holds what the events and drafts routes show (no contacts of the public):
    // the same readers (access::can_read).
    ("get", "/api/v1/decisions/{id}/dossier", READERS),
    ("get", "/api/v1/decisions/{id}/execution", READERS),
    // Sent to a third decision, in execution.
    ("post", "/api/v1/public/decisions/{id}/feedback", EVERYONE),
    // Contacts are redacted for readers who do not handle personal data, but all may export.
    ("get", "/api/v1/decisions/{id}/comments", READERS),
    // The adoption report is recorded by the lead undertaking unit.
    ("post", "/api/v1/decisions/{id}/comments/report", &["unit"]),
    (
        "get",
        "/api/v1/public/decisions/{id}/consultation",
        EVERYONE,
    ),
    ("post", "/api/v1/public/decisions/{id}/comments", EVERYONE),
    ("get", "/api/v1/public/decisions/{id}/comments", EVERYONE),
    ("get", "/api/v1/clock", EVERYONE),
    // organ_staff somewhere, and no inspector role anywhere.
    ("post", "/api/v1/clock/advance", &["staff", "other_staff"]),
    ("get", "/api/openapi.json", EVERYONE),
    // Hearing routes are sent to a second decision whose hearing notice is published.
    ("get", "/api/v1/public/decisions/{id}/hearing", EVERYONE),
    (
        "post",
        "/api/v1/public/decisions/{id}/hearing/applications",
        EVERYONE,
    ),
    (
        "get",
        "/api/v1/decisions/{id}/hearing/applications",
        READERS,
    ),
    (
        "post",
        "/api/v1/decisions/{id}/hearing/selection",
        &["unit"],
    ),
    // GOV's registry is kept by GOV's organ_staff, read by anyone at GOV or below it.
    ("post", "/api/v1/experts", &["staff"]),
    ("get", "/api/v1/experts", REGISTRY_READERS),
    ("get", "/api/v1/experts/{id}", REGISTRY_READERS),
    ("post", "/api/v1/experts/{id}/deactivate", &["staff"]),
    ("post", "/api/v1/decisions/{id}/experts", &["unit"]),
    // GOV's catalog (published, revision 1): kept by GOV's organ_staff.
    ("post", "/api/v1/catalogs", &["staff"]),
    // The list is filtered to the caller's organs.
    ("get", "/api/v1/catalogs", SIGNED_IN),
    ("get", "/api/v1/catalogs/{id}", CATALOG_READERS),
    ("post", "/api/v1/catalogs/{id}/commands", &["staff"]),
    (
        "get",
        "/api/v1/catalogs/{id}/revisions/{revision}",
        CATALOG_READERS,
    ),
    ("get", "/api/v1/catalogs/{id}/coverage", CATALOG_READERS),
    ("get", "/api/v1/reports", CATALOG_READERS),
    ("get", "/api/v1/public/catalogs", EVERYONE),
    ("get", "/api/v1/public/digests", EVERYONE),
    ("get", "/api/v1/public/catalogs/{id}", EVERYONE),
    (
        "get",
        "/api/v1/public/catalogs/{id}/revisions/{revision}",
        EVERYONE,
    ),
    ("get", "/api/v1/public/catalogs/{id}/export", EVERYONE),
    // Filtered to the decisions the caller may read.
    ("get", "/api/v1/deadlines", SIGNED_IN),
    // GOV's endpoints are managed by GOV's organ_staff; the list is filtered to the caller's
    // organs where they are staff. The delete comes last (it removes the endpoint).
    ("post", "/api/v1/webhooks", &["staff"]),
    ("get", "/api/v1/webhooks", SIGNED_IN),
    ("get", "/api/v1/webhooks/{id}/deliveries", &["staff"]),
    ("delete", "/api/v1/webhooks/{id}", &["staff"]),
];

fn until_draw(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::HearingParticipants { .. }
        }
    )
}

fn until_comments(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::CommentsReceived { .. }
        }
    )
}

/// The same five roles at OTHER_GOV.
fn add_other_organ_users(t: &TestApp) {
    let mut conn = t.state.db.write.get().unwrap();
    let hash = juece::service::accounts::hash_password("secret").unwrap();
    for (name, role) in [
        ("other_unit", "undertaking"),
        ("other_reviewer", "legality_reviewer"),
        ("other_head", "head"),
        ("other_inspector", "inspector"),
    ] {
        let id = new_id();
        accounts::insert_user(
            &mut conn,
            &User {
                id: id.clone(),
                username: name.into(),
                display_name: name.into(),
                password_hash: hash.clone(),
                created_at: stored_time(Utc::now()),
            },
        )
        .unwrap();
        accounts::grant(&mut conn, &id, OTHER_GOV, role).unwrap();
    }
}

/// The username a principal signs in with.
fn username(principal: &str) -> &str {
    match principal {
        "head" => "mayor",
        "other_staff" => "outsider",
        other => other,
    }
}

/// A request for the route with its path filled and a body that is valid for it, so that only
/// authorization decides whether it gets through.
fn request(
    method: &str,
    route: &str,
    id: &str,
    version: i64,
    principal: &str,
) -> test::TestRequest {
    let path = route
        .replace("/api/v1/experts/{id}", "/api/v1/experts/e1")
        .replace("/api/v1/packs/{id}", "/api/v1/packs/national")
        .replace("{id}", id)
        .replace("{number}", "1")
        .replace("{revision}", "1")
        + match (method, route) {
            ("get", "/api/v1/experts") => "?organ_id=10000000-0000-4000-8000-000000000001",
            ("get", "/api/v1/reports") => {
                "?organ_id=10000000-0000-4000-8000-000000000001&year=2026"
            }
            _ => "",
        };
    let pack = juece::procedure::script::full_walk(
        crate::support::packs().latest("national").unwrap(),
        &crate::support::all_on(),
        Utc::now(),
    );
    let body: Value = match (method, route) {
        ("post", "/api/v1/session") => {
            json!({ "username": username(principal), "password": "secret" })
        }
        ("post", "/api/v1/decisions") => {
            let Command::Initiate(mut init) = pack[0].command.clone() else {
                panic!("the walk starts with the initiation")
            };
            init.catalog_item = None;
            json!({ "organ_id": GOV, "lead_unit_id": DEPT, "initiation": init })
        }
        ("post", "/api/v1/decisions/{id}/drafts") => json!({
            "expected_version": version, "content": "草案文本", "legal_basis": [], "options": []
        }),
        ("post", "/api/v1/decisions/{id}/commands") => json!({
            "expected_version": version,
            "command": Command::StartStage { stage: juece::procedure::state::StageId("expert_review".into()) }
        }),
        ("post", "/api/v1/decisions/{id}/comments/report") => {
            json!({ "expected_version": version })
        }
        ("post", "/api/v1/public/decisions/{id}/comments") => json!({ "body": "一条意见" }),
        ("post", "/api/v1/public/decisions/{id}/feedback") => json!({ "body": "一条意见建议" }),
        ("post", "/api/v1/clock/advance") => json!({ "seconds": 1 }),
        ("post", "/api/v1/public/decisions/{id}/hearing/applications") => json!({
            "name": "张三", "contact": "13800000000", "interest_group": "居民", "statement": "申请"
        }),
        ("post", "/api/v1/decisions/{id}/hearing/selection") => {
            json!({ "expected_version": version, "seats": { "居民": 1 } })
        }
        ("post", "/api/v1/experts") => {
            json!({ "organ_id": GOV, "name": "新专家", "fields": ["环境工程"] })
        }
        ("post", "/api/v1/experts/{id}/deactivate") => json!({ "reason": "退休" }),
        ("post", "/api/v1/catalogs") => json!({ "organ_id": GOV, "year": 2027 }),
        ("post", "/api/v1/catalogs/{id}/commands") => json!({
            "expected_version": version,
            "command": { "command": "add_item", "item": super::catalogs::item("增列事项"), "reason": "年中增列" }
        }),
        ("post", "/api/v1/webhooks") => json!({
            "organ_id": GOV, "url": "http://127.0.0.1:9/hook", "kinds": ["stage_started"]
        }),
        ("post", "/api/v1/decisions/{id}/experts") => json!({
            "expected_version": version, "expert_id": "e2", "field": "环境工程",
            "direct_interest": false, "declaration": "本人与该决策无直接利害关系"
        }),
        _ => Value::Null,
    };
    let req = match method {
        "get" => test::TestRequest::get(),
        "post" => test::TestRequest::post(),
        "delete" => test::TestRequest::delete(),
        other => panic!("method {other}: teach the authorization test to send it"),
    }
    .uri(&path)
    .insert_header(("idempotency-key", format!("authz-{principal}")));
    if body.is_null() {
        req
    } else {
        req.set_json(body)
    }
}

#[actix_web::test]
async fn every_route_refuses_every_principal_the_table_does_not_allow() {
    let t = TestApp::new();
    add_other_organ_users(&t);
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    // First a decision in execution (it stays there), then the one in its hearing
    // (applications open), then the one in its comment period: each walk moves the clock on,
    // not back.
    let (executed, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(
            c,
            Command::Record {
                fact: Fact::ExecutionReport { .. }
            }
        )
    })
    .await;
    let (heard, _, _) = walk_until(&app, &t.state, &tokens, until_draw).await;
    let (consulted, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    // GOV's 2026 catalog, published.
    let (catalog, _) =
        super::catalogs::published(&app, &t, &tokens.staff, GOV, 2026, &["某事项"]).await;
    // An endpoint of GOV's.
    let (_, created) = send(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/webhooks")
            .insert_header(bearer(&tokens.staff))
            .set_json(json!({ "organ_id": GOV, "url": "http://127.0.0.1:9/a", "kinds": ["stage_started"] })),
    )
    .await;
    let hook = created["id"].as_str().unwrap().to_string();
    let missing: Vec<String> = juece::api::ROUTES
        .iter()
        .filter(|(m, p, _, _)| !WHO_MAY.iter().any(|(wm, wp, _)| wm == m && wp == p))
        .map(|(m, p, _, _)| {
            format!("    (\"{m}\", \"{p}\", &[/* the principals who may: {OWN:?} {OTHER:?} or \"{ANONYMOUS}\" */]),")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in tests/api/authz.rs WHO_MAY; add (and fill in):\n{}",
        missing.join("\n")
    );
    let mut held = std::collections::HashMap::new();
    for principal in SIGNED_IN {
        held.insert(*principal, token(&app, username(principal)).await);
    }
    let mut unexpected_allows = Vec::new();
    let mut unexpected_refusals = Vec::new();
    for (method, route, _, _) in juece::api::ROUTES {
        let allowed = WHO_MAY
            .iter()
            .find(|(m, p, _)| m == method && p == route)
            .map(|(_, _, who)| *who)
            .unwrap_or_default();
        let id = if route.contains("/feedback") {
            &executed
        } else if route.contains("/hearing") {
            &heard
        } else if route.contains("/webhooks/") {
            &hook
        } else if route.contains("/catalogs/") {
            &catalog
        } else {
            &consulted
        };
        for principal in EVERYONE {
            let of = if route.contains("/catalogs/") {
                "catalogs"
            } else {
                "decisions"
            };
            let (_, d) = send(
                &app,
                test::TestRequest::get()
                    .uri(&format!("/api/v1/{of}/{id}"))
                    .insert_header(bearer(&tokens.staff)),
            )
            .await;
            let version = d["version"].as_i64().unwrap_or(0);
            let mut req = request(method, route, id, version, principal);
            let signs_in = *method == "post" && *route == "/api/v1/session";
            if *principal != ANONYMOUS && !signs_in {
                // Signing out gets a token of its own: the others must outlive this row.
                let tok = if *method == "delete" {
                    token(&app, username(principal)).await
                } else {
                    held[principal].clone()
                };
                req = req.insert_header(bearer(&tok));
            }
            let (status, body) = send(&app, req).await;
            let refused = matches!(status, 401 | 403 | 404);
            let expected = allowed.contains(principal);
            if expected && refused {
                unexpected_refusals.push(format!("{method} {route} {principal}: {status} {body}"));
            }
            if !expected && !refused {
                unexpected_allows.push(format!("{method} {route} {principal}: {status} {body}"));
            }
        }
    }
    assert!(
        unexpected_allows.is_empty(),
        "{} unexpected allow(s):\n{}",
        unexpected_allows.len(),
        unexpected_allows.join("\n")
    );
    assert!(
        unexpected_refusals.is_empty(),
        "{} unexpected refusal(s):\n{}",
        unexpected_refusals.len(),
        unexpected_refusals.join("\n")
    );
}
