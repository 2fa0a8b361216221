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
