//! Hearing applications and draws against the record (issue 13, defect 5): an application
//! edited, added or moved after the draw, or a draw's row changed, is named by `audit verify`.

use actix_web::test;
use diesel::RunQueryDsl;
use juece::procedure::state::{Command, Fact};
use serde_json::json;

use super::*;

/// A decision whose hearing round drew 2 of 4 residents and 1 of 2 businesses; its id.
async fn drawn(t: &TestApp) -> String {
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
    for (i, (name, group)) in [
        ("居民甲", "居民"),
        ("居民乙", "居民"),
        ("居民丙", "居民"),
        ("居民丁", "居民"),
        ("企业甲", "企业"),
        ("企业乙", "企业"),
    ]
    .iter()
    .enumerate()
    {
        let (s, b) = send(
            &app,
            test::TestRequest::post()
                .uri(&format!(
                    "/api/v1/public/decisions/{id}/hearing/applications"
                ))
                .insert_header(("idempotency-key", format!("k{i}")))
                .set_json(json!({
                    "name": name, "contact": format!("{i}@example.cn"), "interest_group": group,
                    "statement": "希望陈述意见", "civil_servant": false,
                })),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/hearing/selection"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": version, "seats": { "居民": 2, "企业": 1 } })),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    id
}

fn hearing_findings(t: &TestApp) -> Vec<juece::audit::Finding> {
    let mut conn = t.state.db.read.get().unwrap();
    juece::audit::verify(&mut conn)
        .unwrap()
        .findings
        .into_iter()
        .filter(|f| f.kind == "hearing_altered")
        .collect()
}

fn sql(t: &TestApp, q: &str) {
    let mut conn = t.state.db.write.get().unwrap();
    diesel::sql_query(q)
        .execute(&mut *conn)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
}

#[actix_web::test]
async fn an_untouched_draw_verifies() {
    let t = TestApp::new();
    drawn(&t).await;
    let mut conn = t.state.db.read.get().unwrap();
    let report = juece::audit::verify(&mut conn).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[actix_web::test]
async fn an_application_edited_after_the_draw_is_named() {
    for edit in [
        // An applicant not chosen rewrites their statement: only the sealed digest shows it.
        "UPDATE hearing_applications SET statement = '改过的陈述' WHERE name = '居民丁'",
        // A chosen applicant's name is changed.
        "UPDATE hearing_applications SET name = '冒名者' WHERE id IN (SELECT id FROM hearing_applications WHERE interest_group = '企业')",
        // An application moved to another group.
        "UPDATE hearing_applications SET interest_group = '企业' WHERE name = '居民甲'",
        // One removed.
        "DELETE FROM hearing_applications WHERE name = '居民乙'",
    ] {
        let t = TestApp::new();
        let id = drawn(&t).await;
        sql(&t, edit);
        let f = hearing_findings(&t);
        assert_eq!(f.len(), 1, "{edit}: {f:?}");
        assert_eq!(f[0].decision_id, id, "{edit}");
        assert!(f[0].detail.contains("round 1"), "{edit}: {}", f[0].detail);
    }
}

#[actix_web::test]
async fn a_draw_whose_row_no_longer_matches_its_event_is_named() {
    let t = TestApp::new();
    drawn(&t).await;
    sql(
        &t,
        "UPDATE hearing_selections SET seed = '0000000000000000000000000000000000000000000000000000000000000000'",
    );
    let f = hearing_findings(&t);
    assert!(f.iter().any(|x| x.detail.contains("seed")), "{f:?}");

    let t = TestApp::new();
    drawn(&t).await;
    sql(&t, "UPDATE hearing_selections SET chosen = '[]'");
    let f = hearing_findings(&t);
    assert!(
        f.iter()
            .any(|x| x.detail.contains("no longer give the recorded draw")),
        "{f:?}"
    );
}
