//! Whole walks through the national pack.

use juece::procedure::script;
use juece::procedure::state::{stage, Category, DecisionStatus, StageStatus};

use crate::support::*;

#[test]
fn a_decision_with_every_conditional_stage_walks_from_initiation_to_evaluation() {
    let pack = national();
    let mut run = Run::new(pack);
    run.steps(&script::full_walk(pack, &all_on(), t0()));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
    for s in [
        stage::INITIATION,
        stage::DRAFTING,
        stage::PUBLIC_PARTICIPATION,
        stage::GROUP_CONSULTATION,
        stage::HEARING,
        stage::EXPERT_REVIEW,
        stage::RISK_ASSESSMENT,
        stage::LEGALITY_REVIEW,
        stage::COLLECTIVE_DECISION,
        stage::PARTY_REPORT,
        stage::PUBLICATION,
        stage::ARCHIVING,
        stage::POST_EVALUATION,
    ] {
        assert_eq!(run.state.status(s), StageStatus::Completed, "{s}");
    }
    assert_eq!(run.state.status(stage::EXECUTION), StageStatus::InProgress);
}

#[test]
fn a_plain_decision_walks_through_without_the_conditional_stages() {
    let pack = national();
    let attrs = juece::procedure::state::Attributes::new(Category::Plan);
    let mut run = Run::new(pack);
    run.steps(&script::full_walk(pack, &attrs, t0()));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

#[test]
fn replaying_the_events_rebuilds_the_same_state() {
    let pack = national();
    let mut state = juece::procedure::Decision::default();
    let mut events = Vec::new();
    for s in script::full_walk(pack, &all_on(), t0()) {
        let ev = juece::procedure::evaluate(pack, calendar(), &state, &s.command, s.at)
            .expect("accepted");
        for e in &ev {
            state.apply(e);
        }
        events.extend(ev);
    }
    // Events round-trip through JSON, as the store keeps them.
    let json = serde_json::to_string(&events).expect("serialise");
    let back: Vec<juece::procedure::Event> = serde_json::from_str(&json).expect("parse");
    assert_eq!(juece::procedure::Decision::replay(&back), state);
}

fn start(stage: &str) -> juece::procedure::Command {
    juece::procedure::Command::StartStage {
        stage: juece::procedure::state::StageId::new(stage),
    }
}

fn complete(stage: &str) -> juece::procedure::Command {
    juece::procedure::Command::CompleteStage {
        stage: juece::procedure::state::StageId::new(stage),
    }
}

fn record(fact: juece::procedure::Fact) -> juece::procedure::Command {
    juece::procedure::Command::Record { fact }
}

#[test]
fn a_stage_completed_after_the_legality_opinion_needs_a_new_review() {
    use juece::procedure::state::{Attributes, CounselRole, DraftHash, LegalityOutcome};
    use juece::procedure::Fact;
    let pack = national();
    let attrs = Attributes::new(Category::Plan);
    let (before, _) = walk_until(
        pack,
        &attrs,
        |c| matches!(c, juece::procedure::Command::StartStage { stage } if stage.as_str() == stage::COLLECTIVE_DECISION),
    );
    // The scripted walk performs every allowed stage; leave the (not yet required) expert review out.
    let before: Vec<_> = before
        .into_iter()
        .filter(|s| !matches!(&s.command,
            juece::procedure::Command::StartStage { stage } | juece::procedure::Command::CompleteStage { stage } if stage.as_str() == stage::EXPERT_REVIEW)
            && !matches!(&s.command, juece::procedure::Command::Record { fact: Fact::ExpertSelected { .. } | Fact::ExpertOpinion { .. } | Fact::ExpertReport { .. } }))
        .collect();
    let mut run = Run::new(pack);
    run.steps(&before);
    let draft = DraftHash::of(&script::draft_text(1));
    // The matter turns out to be technical: expert review becomes required and is done now.
    run.ok(&juece::procedure::Command::ChangeAttributes {
        attributes: attrs.clone().with("technical", true),
        reason: "涉及专业技术问题".into(),
    });
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule(&v, "flow.required_stage_skipped", "第十九条");
    run.ok(&start(stage::EXPERT_REVIEW));
    run.ok(&record(Fact::ExpertSelected {
        expert_id: "e1".into(),
        name: "专家甲".into(),
        field: "规划".into(),
        organisation: None,
        direct_interest: false,
        declaration: "无利害关系".into(),
        outside_registry: None,
    }));
    run.ok(&record(Fact::ExpertOpinion {
        expert_id: "e1".into(),
        draft: draft.clone(),
        signed: true,
        summary: "可行".into(),
    }));
    run.ok(&record(Fact::ExpertReport {
        summary: "已采纳".into(),
    }));
    run.now += chrono::Duration::minutes(1);
    run.ok(&complete(stage::EXPERT_REVIEW));
    // The legality opinion predates the expert review: the meeting is refused until a new review.
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule(
        &v,
        "collective_decision.review_predates_procedure",
        "第二十七条",
    );
    run.ok(&start(stage::LEGALITY_REVIEW));
    let due = juece::procedure::state::china_date(run.now) + chrono::Duration::days(30);
    run.ok(&record(Fact::LegalitySubmission {
        draft: draft.clone(),
        legal_basis: vec!["《城乡规划法》".into()],
        procedures_account: "已补充专家论证".into(),
        due_on: due,
        shortening_reason: None,
    }));
    run.ok(&record(Fact::LegalCounselOpinion {
        by: "法律顾问".into(),
        role: CounselRole::PublicLawyer,
        draft: draft.clone(),
        summary: "无异议".into(),
    }));
    run.ok(&record(Fact::LegalityOpinion {
        draft,
        outcome: LegalityOutcome::Lawful,
        reasons: "合法".into(),
        legal_risks: None,
        findings: Some(juece::procedure::state::LegalityFindings::new(
            "符合法定权限",
            "已履行法定程序",
            "内容合法",
        )),
        revision_required: None,
    }));
    run.ok(&complete(stage::LEGALITY_REVIEW));
    run.ok(&start(stage::COLLECTIVE_DECISION));
}

#[test]
fn a_hearing_cannot_be_held_before_its_announced_date() {
    use juece::procedure::Fact;
    let pack = national();
    let (before, _) = walk_until(pack, &all_on(), |c| {
        matches!(
            c,
            juece::procedure::Command::Record {
                fact: Fact::HearingHeld { .. }
            }
        )
    });
    let mut run = Run::new(pack);
    run.steps(&before);
    let announced = run
        .state
        .facts
        .iter()
        .find_map(|d| match &d.fact {
            Fact::HearingNotice { hearing_on, .. } => Some(*hearing_on),
            _ => None,
        })
        .unwrap();
    let early = announced - chrono::Duration::days(1);
    let v = run.refused(&record(Fact::HearingHeld {
        held_on: early,
        public: true,
        proceedings: proceedings(),
        present: vec![],
    }));
    assert_rule(&v, "hearing.held_before_announced_date", "第十六条");
    run.now = t0() + chrono::Duration::days(30);
    run.ok(&record(Fact::HearingHeld {
        held_on: announced,
        public: true,
        proceedings: proceedings(),
        present: vec![],
    }));
}

fn proceedings() -> Option<juece::procedure::state::HearingProceedings> {
    Some(juece::procedure::state::HearingProceedings {
        presentation: "介绍草案".into(),
        statements_and_debate: "陈述、询问、质证和辩论".into(),
    })
}
