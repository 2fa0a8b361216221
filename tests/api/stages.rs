//! Each statutory stage refuses through HTTP with its rule and article (the engine tests cover
//! every guard; these show the API carries them): walk the scripted decision to a point, send the
//! wrong step, expect 409 with the rule and the article, and nothing written.

use actix_web::test;
use juece::procedure::state::{china_date, Command, StageId};
use serde_json::json;

use super::*;

/// Walk until `stop`, send `command` with the token its role needs, expect a 409 citing
/// `rule` and `article`, and check the decision did not move.
async fn refused(
    stop: impl Fn(&Command) -> bool,
    make: impl Fn(&TestApp) -> Command,
    rule: &str,
    article: &str,
) {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(&app, &t.state, &tokens, stop).await;
    let command = make(&t);
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(tokens.for_command(&command)))
            .set_json(json!({ "expected_version": version, "command": command })),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    let v = b["violations"].as_array().unwrap();
    let hit = v
        .iter()
        .find(|x| x["rule"] == rule)
        .unwrap_or_else(|| panic!("expected {rule}: {b}"));
    assert!(hit["basis"].as_str().unwrap().contains(article), "{hit}");
    let (_, after) = send(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/decisions/{id}"))
            .insert_header(bearer(&tokens.inspector)),
    )
    .await;
    assert_eq!(after["version"], version, "nothing written");
}

fn record(fact: Fact) -> Command {
    Command::Record { fact }
}

fn stage_cmd(start: bool, stage: &str) -> Command {
    let stage = StageId::new(stage);
    if start {
        Command::StartStage { stage }
    } else {
        Command::CompleteStage { stage }
    }
}

fn is_record(pred: fn(&Fact) -> bool) -> impl Fn(&Command) -> bool {
    move |c| matches!(c, Command::Record { fact } if pred(fact))
}

fn draft(t: &TestApp) -> juece::procedure::state::DraftHash {
    let _ = t;
    juece::procedure::state::DraftHash::of(&juece::procedure::script::draft_text(1))
}

#[actix_web::test]
async fn a_comment_period_under_thirty_days_without_a_reason_is_refused_citing_article_15() {
    refused(
        is_record(|f| matches!(f, Fact::CommentPeriodOpened { .. })),
        |t| {
            record(Fact::CommentPeriodOpened {
                draft: draft(t),
                days: 10,
                notice: "征求意见".into(),
                channels: vec!["政府网站".into()],
                shortening_reason: None,
            })
        },
        "participation.comment_period_too_short",
        "第十五条",
    )
    .await;
}

#[actix_web::test]
async fn a_hearing_closes_only_when_every_participant_signed_the_record_citing_article_17() {
    refused(
        is_record(|f| matches!(f, Fact::HearingRecordSigned { .. })),
        |_| stage_cmd(false, "hearing"),
        "hearing.record_unsigned",
        "第十七条",
    )
    .await;
}

#[actix_web::test]
async fn an_uncontrollable_risk_completes_the_risk_stage_and_leaves_the_judgement_to_the_organ_article_24(
) {
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        is_record(|f| matches!(f, Fact::RiskReport { .. })),
    )
    .await;
    let report = record(Fact::RiskReport {
        draft: draft(&t),
        assessor: "评估中心".into(),
        risk_points: vec!["群体性事件".into()],
        mitigation: vec!["分步实施".into()],
        contingency_plan: "应急预案".into(),
        level: juece::procedure::state::RiskLevel::High,
        controllable: false,
        measures_taken: None,
        departments_heard: vec!["市公安局".into(), "市信访局".into()],
        third_party: None,
    });
    let post = |v: i64, c: &Command| {
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": v, "command": c }))
    };
    let (s, b) = send(&app, post(version, &report)).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = send(
        &app,
        post(version + 1, &stage_cmd(false, "risk_assessment")),
    )
    .await;
    // 第二十四条: 决策机关认为 — the meeting judges controllability, not the assessor.
    assert_eq!(s, 200, "{b}");
}

#[actix_web::test]
async fn a_market_matter_needs_a_fair_competition_review_of_the_submitted_draft_citing_article_29()
{
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, version, _) = walk_until(
        &app,
        &t.state,
        &tokens,
        is_record(|f| matches!(f, Fact::LegalitySubmission { .. })),
    )
    .await;
    // A revised draft has had no fair-competition review.
    let (s, b) = send(&app, test::TestRequest::post().uri(&format!("/api/v1/decisions/{id}/drafts")).insert_header(bearer(&tokens.unit))
        .set_json(json!({ "expected_version": version, "content": "修改后的草案", "legal_basis": ["《固体废物污染环境防治法》"] }))).await;
    assert_eq!(s, 201, "{b}");
    let submission = record(Fact::LegalitySubmission {
        draft: juece::procedure::state::DraftHash::of("修改后的草案"),
        legal_basis: vec!["《固体废物污染环境防治法》".into()],
        procedures_account: "已履行".into(),
        due_on: china_date(t.state.clock.now()) + chrono::Duration::days(30),
        shortening_reason: None,
    });
    let (s, b) = send(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/decisions/{id}/commands"))
            .insert_header(bearer(&tokens.unit))
            .set_json(json!({ "expected_version": version + 1, "command": submission })),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    let v = b["violations"].as_array().unwrap();
    assert!(
        v.iter()
            .any(|x| x["rule"] == "legality_review.fair_competition_missing"
                && x["basis"].as_str().unwrap().contains("第二十九条")),
        "{b}"
    );
}

#[actix_web::test]
async fn a_legality_review_with_fewer_than_seven_working_days_is_refused_citing_article_26() {
    refused(
        is_record(|f| matches!(f, Fact::LegalitySubmission { .. })),
        |t| {
            record(Fact::LegalitySubmission {
                draft: draft(t),
                legal_basis: vec!["《固体废物污染环境防治法》".into()],
                procedures_account: "已履行".into(),
                due_on: china_date(t.state.clock.now()) + chrono::Duration::days(2),
                shortening_reason: None,
            })
        },
        "legality_review.review_time_too_short",
        "第二十六条",
    )
    .await;
}

#[actix_web::test]
async fn the_head_must_speak_last_citing_article_30() {
    refused(
        |c| matches!(c, Command::Record { fact: Fact::MeetingStatement { member, .. } } if member == "h"),
        |_| record(Fact::HeadDecision { outcome: juece::procedure::state::MeetingOutcome::Adopted, deviation_reason: None }),
        "collective_decision.head_not_last",
        "第三十条",
    )
    .await;
}

#[actix_web::test]
async fn publication_before_the_party_committee_report_is_refused_citing_article_31() {
    refused(
        |c| matches!(c, Command::StartStage { stage } if stage.as_str() == "party_report"),
        |_| stage_cmd(true, "publication"),
        "flow.required_stage_skipped",
        "第三十一条",
    )
    .await;
}

#[actix_web::test]
async fn publishing_a_public_interest_decision_without_explaining_adopted_opinions_is_refused_citing_article_32(
) {
    refused(
        is_record(|f| matches!(f, Fact::Publication { .. })),
        |t| {
            record(Fact::Publication {
                channels: vec!["政府网站".into()],
                published_on: china_date(t.state.clock.now()),
                text_hash: draft(t),
                opinions_explanation: None,
            })
        },
        "publication.explanation_missing",
        "第三十二条",
    )
    .await;
}

#[actix_web::test]
async fn archiving_without_the_sealed_dossier_is_refused_citing_article_33() {
    refused(
        is_record(|f| matches!(f, Fact::ArchiveSealed { .. })),
        |_| stage_cmd(false, "archiving"),
        "archiving.not_sealed",
        "第三十三条",
    )
    .await;
}
