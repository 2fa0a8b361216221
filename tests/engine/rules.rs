//! One test per rule: each rule id of the engine is shown refusing the unlawful step, with its
//! id and the article it comes from, and (where there is one) the lawful step is shown accepted.
//! States are built by running the scripted full walk up to a point. The last test keeps the
//! catalogue honest: every rule id in `src/` must be named by some test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::Duration;
use juece::procedure::admission::LinkedDecision;
use juece::procedure::script::{self, Step};
use juece::procedure::state::{
    china_date, stage, Attributes, Category, Command, DecisionStatus, DraftHash, Fact,
    LegalityOutcome, MeetingOutcome, Position, Proposer, StageId, SuspensionGround,
};
use juece::procedure::{judge, Context, Pack};

use crate::support::*;

/// The full walk for `attrs` on `pack`, stopped before the first step matching `at`. That step,
/// a `Record`, with its fact changed by `spoil`, must be refused with `rule` citing `basis`; the
/// step as scripted is then accepted. Returns the run after the lawful step.
fn spoiled<'a>(
    pack: &'a Pack,
    attrs: &Attributes,
    at: impl Fn(&Command) -> bool,
    spoil: impl FnOnce(&mut Fact),
    rule: &str,
    basis: &str,
) -> Run<'a> {
    let (mut run, rest) = run_until(pack, attrs, at);
    let Some(step) = rest.first() else {
        panic!("the walk has no step to spoil for {rule}");
    };
    let good = step.command.clone();
    let mut bad = good.clone();
    match &mut bad {
        Command::Record { fact } => spoil(fact),
        other => panic!("expected a Record, got {other:?}"),
    }
    let v = run.refused(&bad);
    assert_rule(&v, rule, basis);
    run.ok(&good);
    run
}

/// `spoiled` on the national pack with every condition on.
fn spoil(at: impl Fn(&Command) -> bool, f: impl FnOnce(&mut Fact), rule: &str, basis: &str) {
    spoiled(national(), &all_on(), at, f, rule, basis);
}

/// The step the walk would take next (the first of `rest`).
fn next(rest: &[Step]) -> Command {
    match rest.first() {
        Some(s) => s.command.clone(),
        None => panic!("the walk is over"),
    }
}

/// The first scripted step matching `p` among `rest`.
fn find(rest: &[Step], p: impl Fn(&Command) -> bool) -> Command {
    match rest.iter().find(|s| p(&s.command)) {
        Some(s) => s.command.clone(),
        None => panic!("no such step in the walk"),
    }
}

fn full_run() -> Run<'static> {
    let mut run = Run::new(national());
    run.steps(&script::full_walk(national(), &all_on(), t0()));
    run
}

/// The national pack with `edit` applied to its JSON.
fn national_with(edit: impl FnOnce(&mut serde_json::Value)) -> Pack {
    let mut v = national_json();
    edit(&mut v);
    pack_from(&v)
}

fn initiation() -> Command {
    next(&script::full_walk(national(), &all_on(), t0()))
}

fn spoiled_initiation(f: impl FnOnce(&mut juece::procedure::state::Initiation)) -> Command {
    let mut c = initiation();
    match &mut c {
        Command::Initiate(init) => f(init),
        other => panic!("expected Initiate, got {other:?}"),
    }
    c
}

fn pack_title() -> String {
    national().title.zh.clone()
}

// ---- initiation (第三条、第十条、第十一条)

#[test]
fn an_initiation_without_a_title_is_refused_citing_article_10() {
    let mut run = Run::new(national());
    let v = run.refused(&spoiled_initiation(|i| i.title = " ".into()));
    assert_rule(&v, "initiation.title_missing", "第十条");
    run.ok(&initiation());
}

#[test]
fn a_departments_proposal_without_its_proposer_is_refused_citing_article_10_item_2() {
    let mut run = Run::new(national());
    let v = run.refused(&spoiled_initiation(|i| {
        if let Proposer::Department { name, .. } = &mut i.proposer {
            *name = String::new();
        }
    }));
    assert_rule(&v, "initiation.proposer_missing", "第十条第（二）项");
    run.ok(&initiation());
}

#[test]
fn a_departments_proposal_without_the_problem_it_solves_is_refused_citing_article_10_item_2() {
    let mut run = Run::new(national());
    let v = run.refused(&spoiled_initiation(|i| {
        if let Proposer::Department { problem, .. } = &mut i.proposer {
            *problem = String::new();
        }
    }));
    assert_rule(&v, "initiation.proposal_incomplete", "第十条第（二）项");
    run.ok(&initiation());
}

#[test]
fn a_leaders_proposal_nobody_studied_is_refused_citing_article_10_item_1() {
    let leader = |studied: &str| {
        spoiled_initiation(|i| {
            i.proposer = Proposer::Leader {
                name: "副市长甲".into(),
                studied_by: studied.into(),
            }
        })
    };
    let mut run = Run::new(national());
    let v = run.refused(&leader(""));
    assert_rule(&v, "initiation.proposal_not_studied", "第十条第（一）项");
    run.ok(&leader("市政府研究室"));
}

#[test]
fn an_initiation_no_organ_decided_is_refused_citing_article_10() {
    let mut run = Run::new(national());
    let v = run.refused(&spoiled_initiation(|i| i.started_by = String::new()));
    assert_rule(&v, "initiation.no_organ_decision", "第十条");
    run.ok(&initiation());
}

#[test]
fn an_initiation_without_an_undertaking_unit_is_refused_citing_article_11() {
    let mut run = Run::new(national());
    let v = run.refused(&spoiled_initiation(|i| i.lead_unit = " ".into()));
    assert_rule(&v, "initiation.no_undertaking_unit", "第十一条");
    run.ok(&initiation());
}

#[test]
fn a_decision_cannot_be_initiated_twice_citing_article_11() {
    let mut run = Run::new(national());
    run.ok(&initiation());
    let v = run.refused(&initiation());
    assert_rule(&v, "initiation.already_initiated", "第十一条");
}

#[test]
fn an_attribute_the_pack_does_not_declare_is_refused_citing_the_pack() {
    let mut run = Run::new(national());
    let v = run.refused(&spoiled_initiation(|i| {
        i.attributes = i.attributes.clone().with("no_such_attribute", true)
    }));
    assert_rule(&v, "scope.unknown_attribute", &pack_title());
    run.ok(&initiation());
}

#[test]
fn attributes_cannot_change_once_the_decision_is_made_citing_article_37() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::PARTY_REPORT));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
    let v = run.refused(&Command::ChangeAttributes {
        attributes: all_on().with("exploratory_reform", true),
        reason: "改为探索性改革事项".into(),
    });
    assert_rule(&v, "attributes.after_decision", "第三十七条");
}

// ---- flow

#[test]
fn starting_a_stage_the_pack_lacks_is_refused_citing_the_pack() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::DRAFTING));
    let v = run.refused(&start("no_such_stage"));
    assert_rule(&v, "flow.unknown_stage", &pack_title());
    run.ok(&start(stage::DRAFTING));
}

#[test]
fn starting_a_stage_already_in_progress_is_refused_citing_its_article() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::Draft { .. })),
    );
    let v = run.refused(&start(stage::DRAFTING));
    assert_rule(&v, "flow.stage_already_started", "第十二条");
}

#[test]
fn starting_a_finished_stage_again_is_refused_citing_its_article() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::PUBLIC_PARTICIPATION));
    let v = run.refused(&start(stage::DRAFTING));
    assert_rule(&v, "flow.stage_already_done", "第十二条");
    run.ok(&start(stage::PUBLIC_PARTICIPATION));
}

#[test]
fn waiving_a_risk_assessment_already_done_is_refused() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::LEGALITY_REVIEW));
    let v = run.refused(&Command::WaiveStage {
        stage: StageId::new(stage::RISK_ASSESSMENT),
        reference: "《既有评估报告》".into(),
    });
    assert_rule(&v, "flow.stage_already_done", "第二十二条");
}

#[test]
fn public_participation_in_a_matter_lawfully_not_public_is_refused_citing_article_14() {
    let attrs = Attributes::new(Category::Plan).with("not_public", true);
    let (mut run, _) = run_until(national(), &attrs, completes(stage::DRAFTING));
    run.ok(&complete(stage::DRAFTING));
    let v = run.refused(&start(stage::PUBLIC_PARTICIPATION));
    assert_rule(&v, "flow.stage_not_allowed", "第十四条");
    run.ok(&start(stage::LEGALITY_REVIEW));
}

// ---- drafting (第十二条、第十三条)

#[test]
fn a_draft_hash_that_is_not_sha256_is_refused_citing_article_12() {
    spoil(
        records(|f| matches!(f, Fact::Draft { .. })),
        |f| {
            if let Fact::Draft { hash, .. } = f {
                *hash = DraftHash("not-a-hash".into());
            }
        },
        "drafting.bad_hash",
        "第十二条",
    );
}

#[test]
fn recording_the_current_draft_again_is_refused_citing_article_12() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::DepartmentConsultation { .. })),
    );
    let same = find(
        &script::full_walk(national(), &all_on(), t0()),
        records(|f| matches!(f, Fact::Draft { .. })),
    );
    let v = run.refused(&same);
    assert_rule(&v, "drafting.unchanged_draft", "第十二条");
    run.ok(&next(&rest));
}

#[test]
fn a_disagreement_with_a_department_left_unreported_is_refused_citing_article_13() {
    let run = spoiled(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::DepartmentConsultation { .. })),
        |f| {
            if let Fact::DepartmentConsultation { agreed, .. } = f {
                *agreed = false;
            }
        },
        "drafting.disagreement_unreported",
        "第十三条",
    );
    let mut run = run;
    run.ok(&record(Fact::DepartmentConsultation {
        department: "市发展改革委".into(),
        agreed: false,
        disagreement_reported: Some("收费标准分歧，已报市政府".into()),
    }));
}

#[test]
fn drafting_cannot_finish_without_a_draft_citing_article_12() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::Draft { .. })),
    );
    let v = run.refused(&complete(stage::DRAFTING));
    assert_rule(&v, "drafting.no_draft", "第十二条");
    run.ok(&next(&rest));
    // The walk consults the department the initiation names (第十三条) before drafting ends.
    run.steps(
        &rest[1..]
            .iter()
            .take_while(|s| !completes(stage::DRAFTING)(&s.command))
            .cloned()
            .collect::<Vec<_>>(),
    );
    run.ok(&complete(stage::DRAFTING));
}

#[test]
fn a_draft_without_its_legal_basis_cannot_finish_drafting_citing_article_12_2() {
    let (mut run, _) = run_until(national(), &all_on(), completes(stage::DRAFTING));
    run.ok(&record(Fact::Draft {
        hash: draft(2),
        legal_basis: vec![" ".into()],
        options: vec![],
    }));
    let v = run.refused(&complete(stage::DRAFTING));
    assert_rule(&v, "drafting.no_legal_basis", "第十二条第二款");
    run.ok(&record(Fact::Draft {
        hash: draft(3),
        legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
        options: vec![],
    }));
    run.ok(&complete(stage::DRAFTING));
}

#[test]
fn a_draft_that_is_not_a_version_of_this_decision_is_refused_citing_article_12() {
    spoil(
        records(|f| matches!(f, Fact::CommentPeriodOpened { .. })),
        |f| {
            if let Fact::CommentPeriodOpened { draft: d, .. } = f {
                *d = draft(9);
            }
        },
        "drafting.unknown_draft",
        "第十二条",
    );
}

// ---- public participation (第十四条、第十五条、第十八条)

fn is_period(f: &Fact) -> bool {
    matches!(f, Fact::CommentPeriodOpened { .. })
}

#[test]
fn a_comment_period_of_no_days_is_refused_citing_article_15() {
    spoil(
        records(is_period),
        |f| {
            if let Fact::CommentPeriodOpened { days, .. } = f {
                *days = 0;
            }
        },
        "participation.no_period",
        "第十五条第一款",
    );
}

#[test]
fn a_second_comment_period_while_one_is_open_is_refused_citing_article_15() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_period));
    let open = next(&rest);
    run.ok(&open);
    let v = run.refused(&open);
    assert_rule(&v, "participation.period_already_open", "第十五条第一款");
}

#[test]
fn an_empty_batch_of_comments_is_refused_citing_article_18() {
    spoil(
        records(|f| matches!(f, Fact::CommentsReceived { .. })),
        |f| {
            if let Fact::CommentsReceived { count, .. } = f {
                *count = 0;
            }
        },
        "participation.empty_batch",
        "第十八条",
    );
}

#[test]
fn hiding_a_comment_without_a_reason_is_refused_citing_article_18() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::CommentDisposed { .. })),
    );
    let hide = |reason: &str| {
        record(Fact::CommentHidden {
            comment_id: "c1".into(),
            reason: reason.into(),
        })
    };
    let v = run.refused(&hide(" "));
    assert_rule(&v, "participation.hiding_reason_missing", "第十八条");
    run.ok(&hide("含有侮辱性内容"));
}

#[test]
fn disposing_of_a_comment_without_a_reason_is_refused_citing_article_18() {
    spoil(
        records(|f| matches!(f, Fact::CommentDisposed { .. })),
        |f| {
            if let Fact::CommentDisposed { reason, .. } = f {
                *reason = String::new();
            }
        },
        "participation.disposition_reason_missing",
        "第十八条",
    );
}

#[test]
fn a_participation_activity_without_minutes_is_refused_citing_article_14_2() {
    spoil(
        records(|f| matches!(f, Fact::ParticipationActivity { .. })),
        |f| {
            if let Fact::ParticipationActivity { minutes, .. } = f {
                *minutes = String::new();
            }
        },
        "participation.minutes_missing",
        "第十四条第二款",
    );
}

#[test]
fn an_activity_dated_in_the_future_is_refused_citing_article_33() {
    spoil(
        records(|f| matches!(f, Fact::ParticipationActivity { .. })),
        |f| {
            if let Fact::ParticipationActivity { held_on, .. } = f {
                *held_on = date(200);
            }
        },
        "record.date_in_future",
        "第三十三条",
    );
}

#[test]
fn an_empty_adoption_report_is_refused_citing_article_18() {
    spoil(
        records(|f| matches!(f, Fact::ParticipationReport { .. })),
        |f| {
            if let Fact::ParticipationReport { summary } = f {
                *summary = " ".into();
            }
        },
        "participation.report_missing",
        "第十八条",
    );
}

#[test]
fn participation_cannot_close_without_the_adoption_report_citing_article_29() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ParticipationReport { .. })),
    );
    let v = run.refused(&complete(stage::PUBLIC_PARTICIPATION));
    assert_rule(&v, "participation.report_missing", "第二十九条第（二）项");
    run.ok(&next(&rest));
    run.ok(&complete(stage::PUBLIC_PARTICIPATION));
}

#[test]
fn participation_cannot_close_without_hearing_the_public_citing_article_14() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_period));
    let v = run.refused(&complete(stage::PUBLIC_PARTICIPATION));
    assert_rule(&v, "participation.no_activity", "第十四条");
    run.ok(&next(&rest));
}

// ---- group consultation (第十四条第三款)

fn is_group(f: &Fact) -> bool {
    matches!(f, Fact::GroupConsultation { .. })
}

#[test]
fn a_group_consultation_naming_no_group_is_refused_citing_article_14_3() {
    spoil(
        records(is_group),
        |f| {
            if let Fact::GroupConsultation { groups, .. } = f {
                groups.clear();
            }
        },
        "group_consultation.groups_missing",
        "第十四条第三款",
    );
}

#[test]
fn a_group_consultation_naming_no_representative_is_refused_citing_article_14_3() {
    spoil(
        records(is_group),
        |f| {
            if let Fact::GroupConsultation {
                representatives, ..
            } = f
            {
                representatives.clear();
            }
        },
        "group_consultation.representatives_missing",
        "第十四条第三款",
    );
}

#[test]
fn a_group_consultation_without_minutes_is_refused_citing_article_14_3() {
    spoil(
        records(is_group),
        |f| {
            if let Fact::GroupConsultation { minutes, .. } = f {
                *minutes = String::new();
            }
        },
        "group_consultation.minutes_missing",
        "第十四条第三款",
    );
}

#[test]
fn the_group_consultation_cannot_finish_without_consulting_citing_article_14_3() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_group));
    let v = run.refused(&complete(stage::GROUP_CONSULTATION));
    assert_rule(&v, "group_consultation.missing", "第十四条第三款");
    run.ok(&next(&rest));
    run.ok(&complete(stage::GROUP_CONSULTATION));
}

// ---- hearing (第十六条、第十七条)

fn is_notice(f: &Fact) -> bool {
    matches!(f, Fact::HearingNotice { .. })
}

fn is_participants(f: &Fact) -> bool {
    matches!(f, Fact::HearingParticipants { .. })
}

#[test]
fn a_hearing_notice_without_a_place_is_refused_citing_article_16_2() {
    spoil(
        records(is_notice),
        |f| {
            if let Fact::HearingNotice { place, .. } = f {
                *place = String::new();
            }
        },
        "hearing.place_missing",
        "第十六条第二款",
    );
}

#[test]
fn participants_before_the_hearing_is_announced_are_refused_citing_article_16_2() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_notice));
    let participants = find(&rest, records(is_participants));
    let v = run.refused(&participants);
    assert_rule(&v, "hearing.no_notice", "第十六条第二款");
    run.ok(&next(&rest));
    run.ok(&participants);
}

#[test]
fn an_empty_list_of_hearing_participants_is_refused_citing_article_16_3() {
    spoil(
        records(is_participants),
        |f| {
            if let Fact::HearingParticipants { participants, .. } = f {
                participants.clear();
            }
        },
        "hearing.no_participants",
        "第十六条第三款",
    );
}

#[test]
fn a_hearing_notice_publishes_the_current_draft_and_its_explanation_citing_article_16_2() {
    let (mut run, _) = run_until(national(), &all_on(), records(is_notice));
    let on = china_date(run.now) + Duration::days(10);
    let notice = |draft: Option<juece::procedure::state::DraftHash>, explanation: &str| {
        record(Fact::HearingNotice {
            hearing_on: on,
            place: "市民中心听证室".into(),
            selection_method: "随机抽取".into(),
            draft,
            explanation: Some(explanation.into()),
        })
    };
    let v = run.refused(&notice(None, "起草说明"));
    assert_rule(&v, "hearing.draft_not_published", "第十六条第二款");
    let v = run.refused(&notice(Some(draft(9)), "起草说明"));
    assert_rule(&v, "hearing.draft_not_published", "第十六条第二款");
    let current = run.state.current_draft().cloned();
    let v = run.refused(&notice(current.clone(), " "));
    assert_rule(&v, "hearing.explanation_not_published", "第十六条第二款");
    run.ok(&notice(current, "起草说明"));
}

#[test]
fn participants_named_on_the_day_of_the_hearing_are_refused_citing_article_16_3() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_notice));
    let participants = find(&rest, records(is_participants));
    let today = china_date(run.now);
    run.ok(&record(Fact::HearingNotice {
        hearing_on: today + Duration::days(1),
        place: "市民中心听证室".into(),
        selection_method: "随机抽取".into(),
        draft: run.state.current_draft().cloned(),
        explanation: Some("起草说明".into()),
    }));
    let later = run.now + Duration::days(1);
    let v = match run.try_at(later, &participants) {
        Ok(()) => panic!("participants named on the hearing day were accepted"),
        Err(v) => v,
    };
    assert_rule(&v, "hearing.participants_late", "第十六条第三款");
}

#[test]
fn a_civil_servant_as_participant_is_refused_where_the_pack_bars_it() {
    let pack = national_with(|v| {
        v["parameters"]["hearing_bars_civil_servants"]["value"] = serde_json::json!(true);
    });
    spoiled(
        &pack,
        &all_on(),
        records(is_participants),
        |f| {
            if let Fact::HearingParticipants { participants, .. } = f {
                participants[0].civil_servant = true;
            }
        },
        "hearing.civil_servant_participant",
        "第十六条第三款",
    );
}

#[test]
fn materials_delivered_to_someone_not_a_participant_are_refused_citing_article_16_3() {
    spoil(
        records(|f| matches!(f, Fact::HearingMaterialsDelivered { .. })),
        |f| {
            if let Fact::HearingMaterialsDelivered { participant, .. } = f {
                *participant = "赵六".into();
            }
        },
        "hearing.unknown_participant",
        "第十六条第三款",
    );
}

#[test]
fn a_hearing_held_before_its_participants_are_published_is_refused_citing_article_16_3() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_participants));
    let held = find(&rest, records(|f| matches!(f, Fact::HearingHeld { .. })));
    let v = run.refused(&held);
    assert_rule(&v, "hearing.participants_unpublished", "第十六条第三款");
    let rest = run.until(rest, records(|f| matches!(f, Fact::HearingHeld { .. })));
    run.ok(&next(&rest));
}

#[test]
fn a_hearing_record_signed_before_the_hearing_is_refused_citing_article_17() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::HearingHeld { .. })),
    );
    let signed = find(
        &rest,
        records(|f| matches!(f, Fact::HearingRecordSigned { .. })),
    );
    let v = run.refused(&signed);
    assert_rule(&v, "hearing.not_held", "第十七条");
    let v = run.refused(&complete(stage::HEARING));
    assert_rule(&v, "hearing.not_held", "第十七条");
    run.ok(&next(&rest));
    run.ok(&signed);
}

#[test]
fn an_empty_hearing_report_is_refused_citing_article_18() {
    spoil(
        records(|f| matches!(f, Fact::HearingReport { .. })),
        |f| {
            if let Fact::HearingReport { summary } = f {
                *summary = String::new();
            }
        },
        "hearing.report_missing",
        "第十八条",
    );
}

// ---- expert review (第十九条至第二十一条)

fn expert(id: &str) -> Command {
    record(Fact::ExpertSelected {
        expert_id: id.into(),
        name: format!("专家{id}"),
        field: "环境工程".into(),
        organisation: Some("研究院".into()),
        direct_interest: false,
        declaration: "与本决策事项无直接利害关系".into(),
        outside_registry: None,
    })
}

fn opinion(id: &str) -> Command {
    record(Fact::ExpertOpinion {
        expert_id: id.into(),
        draft: draft(1),
        signed: true,
        summary: "方案可行".into(),
    })
}

#[test]
fn the_same_expert_selected_twice_is_refused_citing_article_20() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertOpinion { .. })),
    );
    let v = run.refused(&expert("e1"));
    assert_rule(&v, "expert_review.duplicate_expert", "第二十条");
    run.ok(&expert("e9"));
}

#[test]
fn an_opinion_of_an_expert_not_selected_is_refused_citing_article_20() {
    spoil(
        records(|f| matches!(f, Fact::ExpertOpinion { .. })),
        |f| {
            if let Fact::ExpertOpinion { expert_id, .. } = f {
                *expert_id = "e99".into();
            }
        },
        "expert_review.unknown_expert",
        "第二十条",
    );
}

#[test]
fn an_empty_expert_opinion_is_refused_citing_article_19_2() {
    spoil(
        records(|f| matches!(f, Fact::ExpertOpinion { .. })),
        |f| {
            if let Fact::ExpertOpinion { summary, .. } = f {
                *summary = String::new();
            }
        },
        "expert_review.opinion_empty",
        "第十九条第二款",
    );
}

#[test]
fn an_empty_expert_report_is_refused_citing_article_29_1_3() {
    spoil(
        records(|f| matches!(f, Fact::ExpertReport { .. })),
        |f| {
            if let Fact::ExpertReport { summary } = f {
                *summary = String::new();
            }
        },
        "expert_review.report_missing",
        "第二十九条第（三）项",
    );
}

#[test]
fn the_expert_review_cannot_finish_without_a_report_citing_article_29_1_3() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertReport { .. })),
    );
    let v = run.refused(&complete(stage::EXPERT_REVIEW));
    assert_rule(&v, "expert_review.report_missing", "第二十九条第（三）项");
    run.ok(&next(&rest));
    run.ok(&complete(stage::EXPERT_REVIEW));
}

#[test]
fn an_even_panel_is_refused_where_the_pack_wants_an_odd_one() {
    let pack = national_with(|v| {
        v["parameters"]["expert_odd_number"]["value"] = serde_json::json!(true);
    });
    let (mut run, _) = run_until(&pack, &all_on(), completes(stage::EXPERT_REVIEW));
    run.ok(&expert("e4"));
    run.ok(&opinion("e4"));
    let v = run.refused(&complete(stage::EXPERT_REVIEW));
    assert_rule(&v, "expert_review.even_panel", "第二十条");
    run.ok(&expert("e5"));
    run.ok(&opinion("e5"));
    run.ok(&complete(stage::EXPERT_REVIEW));
}

// ---- risk assessment (第二十二条至第二十四条)

fn is_risk(f: &Fact) -> bool {
    matches!(f, Fact::RiskReport { .. })
}

#[test]
fn a_risk_report_without_its_assessor_is_refused_citing_article_22() {
    spoil(
        records(is_risk),
        |f| {
            if let Fact::RiskReport { assessor, .. } = f {
                *assessor = String::new();
            }
        },
        "risk_assessment.assessor_missing",
        "第二十二条第一款",
    );
}

#[test]
fn a_risk_report_naming_no_risk_point_is_refused_citing_article_23_2() {
    spoil(
        records(is_risk),
        |f| {
            if let Fact::RiskReport { risk_points, .. } = f {
                risk_points.clear();
            }
        },
        "risk_assessment.report_incomplete",
        "第二十三条第二款",
    );
}

#[test]
fn the_risk_assessment_cannot_finish_without_a_report_citing_article_23_2() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_risk));
    let v = run.refused(&complete(stage::RISK_ASSESSMENT));
    assert_rule(&v, "risk_assessment.report_missing", "第二十三条第二款");
    run.ok(&next(&rest));
    run.ok(&complete(stage::RISK_ASSESSMENT));
}

// ---- fair competition review (第二十九条第（一）项)

fn is_fair(f: &Fact) -> bool {
    matches!(f, Fact::FairCompetitionReview { .. })
}

#[test]
fn a_fair_competition_review_without_its_reviewer_is_refused() {
    spoil(
        records(is_fair),
        |f| {
            if let Fact::FairCompetitionReview { reviewer, .. } = f {
                *reviewer = String::new();
            }
        },
        "fair_competition.reviewer_missing",
        "第二十九条第（一）项",
    );
}

#[test]
fn a_fair_competition_review_without_its_conclusion_is_refused() {
    spoil(
        records(is_fair),
        |f| {
            if let Fact::FairCompetitionReview { conclusion, .. } = f {
                *conclusion = " ".into();
            }
        },
        "fair_competition.conclusion_missing",
        "第二十九条第（一）项",
    );
}

#[test]
fn a_fair_competition_stage_cannot_finish_without_a_review_where_the_pack_has_one() {
    let Some(pack) = packs().latest("zhejiang") else {
        panic!("zhejiang pack");
    };
    let (mut run, rest) = run_until(pack, &all_on(), records(is_fair));
    let v = run.refused(&complete(stage::FAIR_COMPETITION_REVIEW));
    assert_rule(
        &v,
        "fair_competition.record_missing",
        "第二十九条第（一）项",
    );
    run.ok(&next(&rest));
    run.ok(&complete(stage::FAIR_COMPETITION_REVIEW));
}

// ---- legality review (第二十五条至第二十八条)

fn is_submission(f: &Fact) -> bool {
    matches!(f, Fact::LegalitySubmission { .. })
}

fn is_counsel(f: &Fact) -> bool {
    matches!(f, Fact::LegalCounselOpinion { .. })
}

fn is_opinion(f: &Fact) -> bool {
    matches!(f, Fact::LegalityOpinion { .. })
}

#[test]
fn a_second_submission_while_one_is_under_review_is_refused_citing_article_26() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_submission));
    let submit = next(&rest);
    run.ok(&submit);
    let v = run.refused(&submit);
    assert_rule(&v, "legality_review.already_submitted", "第二十六条");
}

#[test]
fn submitting_a_draft_that_is_not_the_current_one_is_refused_citing_article_25_1() {
    spoil(
        records(is_submission),
        |f| {
            if let Fact::LegalitySubmission { draft: d, .. } = f {
                *d = draft(2);
            }
        },
        "legality_review.not_current_draft",
        "第二十五条第一款",
    );
}

#[test]
fn a_submission_without_an_account_of_the_procedures_is_refused_citing_article_26_1() {
    spoil(
        records(is_submission),
        |f| {
            if let Fact::LegalitySubmission {
                procedures_account, ..
            } = f
            {
                *procedures_account = String::new();
            }
        },
        "legality_review.submission_incomplete",
        "第二十六条第一款",
    );
}

#[test]
fn returning_a_submission_without_a_reason_is_refused_citing_article_26_1() {
    let (mut run, _) = run_until(national(), &all_on(), records(is_counsel));
    let back = |reason: &str| {
        record(Fact::LegalityReturned {
            reason: reason.into(),
        })
    };
    let v = run.refused(&back(""));
    assert_rule(
        &v,
        "legality_review.return_reason_missing",
        "第二十六条第一款",
    );
    run.ok(&back("缺少风险评估报告"));
}

#[test]
fn a_counsel_opinion_before_any_submission_is_refused_citing_article_26_1() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_submission));
    let counsel = find(&rest, records(is_counsel));
    let v = run.refused(&counsel);
    assert_rule(&v, "legality_review.no_submission", "第二十六条第一款");
    run.ok(&next(&rest));
    run.ok(&counsel);
}

#[test]
fn a_counsel_opinion_on_another_draft_is_refused_citing_article_28() {
    spoil(
        records(is_counsel),
        |f| {
            if let Fact::LegalCounselOpinion { draft: d, .. } = f {
                *d = draft(2);
            }
        },
        "legality_review.counsel_on_other_draft",
        "第二十八条",
    );
}

#[test]
fn a_counsel_opinion_naming_no_counsel_is_refused_citing_article_28() {
    spoil(
        records(is_counsel),
        |f| {
            if let Fact::LegalCounselOpinion { by, .. } = f {
                *by = String::new();
            }
        },
        "legality_review.counsel_missing",
        "第二十八条",
    );
}

#[test]
fn an_empty_counsel_opinion_is_refused_citing_article_28() {
    spoil(
        records(is_counsel),
        |f| {
            if let Fact::LegalCounselOpinion { summary, .. } = f {
                *summary = String::new();
            }
        },
        "legality_review.counsel_opinion_empty",
        "第二十八条",
    );
}

#[test]
fn a_legality_opinion_without_reasons_is_refused_citing_article_28() {
    spoil(
        records(is_opinion),
        |f| {
            if let Fact::LegalityOpinion { reasons, .. } = f {
                *reasons = String::new();
            }
        },
        "legality_review.reasons_missing",
        "第二十八条",
    );
}

#[test]
fn the_legality_review_cannot_finish_without_an_opinion_citing_article_25_1() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_opinion));
    let v = run.refused(&complete(stage::LEGALITY_REVIEW));
    assert_rule(&v, "legality_review.opinion_missing", "第二十五条第一款");
    run.ok(&next(&rest));
    run.ok(&complete(stage::LEGALITY_REVIEW));
}

#[test]
fn the_legality_review_cannot_finish_on_a_draft_changed_after_review_citing_article_25() {
    let (mut run, _) = run_until(national(), &all_on(), completes(stage::LEGALITY_REVIEW));
    run.ok(&record(Fact::Draft {
        hash: draft(2),
        legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
        options: vec![],
    }));
    let v = run.refused(&complete(stage::LEGALITY_REVIEW));
    assert_rule(
        &v,
        "legality_review.draft_changed_after_review",
        "第二十五条",
    );
    // The changed draft, reviewed again (with its own fair-competition review), may finish.
    let due = china_date(run.now) + Duration::days(30);
    for fact in [
        Fact::FairCompetitionReview {
            draft: draft(2),
            reviewer: "市市场监督管理局".into(),
            passes: true,
            conclusion: "未发现排除、限制竞争的内容".into(),
            market_regulator: Some("市市场监督管理局".into()),
            stakeholders_heard: vec!["市再生资源行业协会".into()],
            exception: None,
        },
        Fact::LegalitySubmission {
            draft: draft(2),
            legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
            procedures_account: "已履行法定程序".into(),
            due_on: due,
            shortening_reason: None,
        },
        Fact::LegalCounselOpinion {
            by: "市政府法律顾问".into(),
            role: juece::procedure::state::CounselRole::LegalCounsel,
            draft: draft(2),
            summary: "无法律障碍".into(),
        },
        Fact::LegalityOpinion {
            draft: draft(2),
            outcome: LegalityOutcome::Lawful,
            reasons: "符合法定权限和程序".into(),
            legal_risks: None,
            findings: Some(juece::procedure::state::LegalityFindings::new(
                "符合法定权限",
                "已履行法定程序",
                "内容合法",
            )),
            revision_required: None,
        },
    ] {
        run.ok(&record(fact));
    }
    run.ok(&complete(stage::LEGALITY_REVIEW));
}

#[test]
fn an_unlawful_draft_cannot_finish_the_review_where_the_pack_has_no_return_citing_article_25_2() {
    let pack = national_with(|v| {
        if let Some(rs) = v["returns"].as_array_mut() {
            rs.retain(|r| r["on"] != "legality_unlawful");
        }
    });
    let (mut run, _) = run_until(&pack, &all_on(), records(is_opinion));
    run.ok(&record(Fact::LegalityOpinion {
        draft: draft(1),
        outcome: LegalityOutcome::Unlawful,
        reasons: "超越法定权限".into(),
        legal_risks: None,
        findings: Some(juece::procedure::state::LegalityFindings::new(
            "超越法定权限",
            "已履行法定程序",
            "内容不合法",
        )),
        revision_required: None,
    }));
    let v = run.refused(&complete(stage::LEGALITY_REVIEW));
    assert_rule(&v, "legality_review.unlawful", "第二十五条第二款");
}

#[test]
fn an_expert_meeting_without_its_experts_is_refused_citing_article_20() {
    let (mut run, _) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExpertOpinion { .. })),
    );
    let held_on = china_date(run.now);
    let meeting = |attendees: Vec<String>| {
        record(Fact::ExpertMeeting {
            held_on,
            attendees,
            minutes: "论证会纪要".into(),
        })
    };
    let v = run.refused(&meeting(Vec::new()));
    assert_rule(&v, "expert_review.meeting_without_experts", "第二十条");
    let ids: Vec<String> = run
        .state
        .all_facts()
        .filter_map(|f| match f {
            Fact::ExpertSelected { expert_id, .. } => Some(expert_id.clone()),
            _ => None,
        })
        .collect();
    run.ok(&meeting(ids));
}

// ---- collective decision (第二十九条、第三十条)

fn is_convened(f: &Fact) -> bool {
    matches!(f, Fact::MeetingConvened { .. })
}

fn is_statement(f: &Fact) -> bool {
    matches!(f, Fact::MeetingStatement { .. })
}

fn statement(member: &str, text: &str) -> Command {
    record(Fact::MeetingStatement {
        member: member.into(),
        position: Position::Support,
        text: text.into(),
    })
}

#[test]
fn a_draft_never_legality_reviewed_cannot_go_to_the_meeting_citing_article_25_2() {
    // Only a pack that does not require the legality review lets the meeting start without one.
    let pack = national_with(|v| {
        stage_json(v, stage::LEGALITY_REVIEW)["required"] = serde_json::json!(false);
    });
    let (mut run, _) = run_until(&pack, &all_on(), starts(stage::LEGALITY_REVIEW));
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule(&v, "collective_decision.not_reviewed", "第二十五条第二款");
}

#[test]
fn a_new_draft_without_a_fair_competition_review_cannot_go_to_the_meeting() {
    let (mut run, _) = run_until(national(), &all_on(), starts(stage::COLLECTIVE_DECISION));
    run.ok(&record(Fact::Draft {
        hash: draft(2),
        legal_basis: vec!["《中华人民共和国固体废物污染环境防治法》".into()],
        options: vec![],
    }));
    let v = run.refused(&start(stage::COLLECTIVE_DECISION));
    assert_rule(
        &v,
        "collective_decision.fair_competition_missing",
        "第二十九条第（一）项",
    );
}

#[test]
fn a_statement_with_no_meeting_in_session_is_refused_citing_article_30_1() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_convened));
    let v = run.refused(&statement("m1", "同意"));
    assert_rule(&v, "collective_decision.no_meeting", "第三十条第一款");
    run.ok(&next(&rest));
    run.ok(&statement("m1", "同意"));
}

#[test]
fn a_second_meeting_while_one_is_undecided_is_refused_citing_article_30() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_convened));
    let convene = next(&rest);
    run.ok(&convene);
    let v = run.refused(&convene);
    assert_rule(&v, "collective_decision.meeting_open", "第三十条");
}

#[test]
fn a_meeting_without_one_head_is_refused_citing_article_30_1() {
    spoil(
        records(is_convened),
        |f| {
            if let Fact::MeetingConvened { members, .. } = f {
                for m in members.iter_mut() {
                    m.head = false;
                }
            }
        },
        "collective_decision.no_head",
        "第三十条第一款",
    );
}

#[test]
fn a_meeting_of_the_head_alone_is_refused_citing_article_30_1() {
    spoil(
        records(is_convened),
        |f| {
            if let Fact::MeetingConvened { members, .. } = f {
                members.retain(|m| m.head);
            }
        },
        "collective_decision.not_collective",
        "第三十条第一款",
    );
}

#[test]
fn a_statement_by_someone_not_a_member_is_refused_citing_article_30_2() {
    spoil(
        records(is_statement),
        |f| {
            if let Fact::MeetingStatement { member, .. } = f {
                *member = "x".into();
            }
        },
        "collective_decision.not_a_member",
        "第三十条第二款",
    );
}

#[test]
fn an_empty_statement_is_refused_citing_article_30_3() {
    spoil(
        records(is_statement),
        |f| {
            if let Fact::MeetingStatement { text, .. } = f {
                *text = " ".into();
            }
        },
        "collective_decision.statement_empty",
        "第三十条第三款",
    );
}

#[test]
fn a_return_for_revision_is_refused_where_the_pack_has_no_such_return() {
    let pack = national_with(|v| {
        if let Some(rs) = v["returns"].as_array_mut() {
            rs.retain(|r| r["on"] != "meeting_returned");
        }
    });
    let (mut run, _) = run_until(
        &pack,
        &all_on(),
        records(|f| matches!(f, Fact::HeadDecision { .. })),
    );
    let v = run.refused(&record(Fact::HeadDecision {
        outcome: MeetingOutcome::ReturnedForRevision,
        deviation_reason: None,
    }));
    assert_rule(&v, "collective_decision.no_return_edge", &pack.title.zh);
    run.ok(&record(Fact::HeadDecision {
        outcome: MeetingOutcome::Adopted,
        deviation_reason: None,
    }));
}

#[test]
fn the_meeting_stage_cannot_finish_before_the_head_adopts_citing_article_30_1() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::HeadDecision { .. })),
    );
    let v = run.refused(&complete(stage::COLLECTIVE_DECISION));
    assert_rule(&v, "collective_decision.not_adopted", "第三十条第一款");
    run.ok(&next(&rest));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

// ---- reports, publication, archiving (第三十一条至第三十三条)

#[test]
fn the_party_report_stage_cannot_finish_without_a_report_citing_article_31() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::PartyReport { .. })),
    );
    let v = run.refused(&complete(stage::PARTY_REPORT));
    assert_rule(&v, "report.missing", "第三十一条");
    run.ok(&next(&rest));
    run.ok(&complete(stage::PARTY_REPORT));
}

#[test]
fn a_publication_naming_no_channel_is_refused_citing_article_32() {
    spoil(
        records(|f| matches!(f, Fact::Publication { .. })),
        |f| {
            if let Fact::Publication { channels, .. } = f {
                *channels = vec![" ".into()];
            }
        },
        "publication.no_channel",
        "第三十二条",
    );
}

#[test]
fn the_publication_stage_cannot_finish_unpublished_citing_article_32() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::Publication { .. })),
    );
    let v = run.refused(&complete(stage::PUBLICATION));
    assert_rule(&v, "publication.missing", "第三十二条");
    run.ok(&next(&rest));
    run.ok(&complete(stage::PUBLICATION));
}

#[test]
fn an_archive_without_its_seal_is_refused_citing_article_33() {
    spoil(
        records(|f| matches!(f, Fact::ArchiveSealed { .. })),
        |f| {
            if let Fact::ArchiveSealed { seal } = f {
                *seal = String::new();
            }
        },
        "archiving.seal_missing",
        "第三十三条",
    );
}

// ---- execution (第三十四条、第三十五条)

fn is_assigned(f: &Fact) -> bool {
    matches!(f, Fact::ExecutionAssigned { .. })
}

#[test]
fn an_execution_assignment_without_a_unit_is_refused_citing_article_34() {
    spoil(
        records(is_assigned),
        |f| {
            if let Fact::ExecutionAssigned { unit, .. } = f {
                *unit = String::new();
            }
        },
        "execution.unit_missing",
        "第三十四条",
    );
}

#[test]
fn an_empty_execution_report_is_refused_citing_article_34() {
    spoil(
        records(|f| matches!(f, Fact::ExecutionReport { .. })),
        |f| {
            if let Fact::ExecutionReport { summary, .. } = f {
                *summary = String::new();
            }
        },
        "execution.report_empty",
        "第三十四条",
    );
}

#[test]
fn empty_public_feedback_is_refused_citing_article_35_2() {
    spoil(
        records(|f| matches!(f, Fact::PublicFeedback { .. })),
        |f| {
            if let Fact::PublicFeedback { summary } = f {
                *summary = String::new();
            }
        },
        "execution.feedback_empty",
        "第三十五条第二款",
    );
}

#[test]
fn execution_cannot_finish_without_a_report_citing_article_34() {
    let (mut run, rest) = run_until(
        national(),
        &all_on(),
        records(|f| matches!(f, Fact::ExecutionReport { .. })),
    );
    let v = run.refused(&complete(stage::EXECUTION));
    assert_rule(&v, "execution.no_report", "第三十四条");
    run.ok(&next(&rest));
    run.ok(&complete(stage::EXECUTION));
}

// ---- post-decision evaluation (第三十六条)

fn is_commissioned(f: &Fact) -> bool {
    matches!(f, Fact::EvaluationCommissioned { .. })
}

fn is_evaluation(f: &Fact) -> bool {
    matches!(f, Fact::EvaluationReport { .. })
}

#[test]
fn an_evaluation_without_an_evaluator_is_refused_citing_article_36_1() {
    spoil(
        records(is_commissioned),
        |f| {
            if let Fact::EvaluationCommissioned { evaluator, .. } = f {
                *evaluator = String::new();
            }
        },
        "post_evaluation.evaluator_missing",
        "第三十六条第一款",
    );
}

#[test]
fn an_evaluation_without_a_ground_is_refused_citing_article_36_1() {
    spoil(
        records(is_commissioned),
        |f| {
            if let Fact::EvaluationCommissioned { grounds, .. } = f {
                grounds.clear();
            }
        },
        "post_evaluation.no_ground",
        "第三十六条第一款",
    );
}

#[test]
fn an_evaluation_report_nobody_was_commissioned_for_is_refused_citing_article_36_1() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_commissioned));
    let report = find(&rest, records(is_evaluation));
    let v = run.refused(&report);
    assert_rule(&v, "post_evaluation.not_commissioned", "第三十六条第一款");
    run.ok(&next(&rest));
    run.ok(&report);
}

#[test]
fn an_evaluation_that_did_not_hear_the_public_is_refused_citing_article_36_3() {
    spoil(
        records(is_evaluation),
        |f| {
            if let Fact::EvaluationReport { public_heard, .. } = f {
                *public_heard = false;
            }
        },
        "post_evaluation.public_not_heard",
        "第三十六条第三款",
    );
}

#[test]
fn an_empty_evaluation_report_is_refused_citing_article_36() {
    spoil(
        records(is_evaluation),
        |f| {
            if let Fact::EvaluationReport { summary, .. } = f {
                *summary = String::new();
            }
        },
        "post_evaluation.report_empty",
        "第三十六条",
    );
}

#[test]
fn the_evaluation_cannot_finish_without_a_report_citing_article_36() {
    let (mut run, rest) = run_until(national(), &all_on(), records(is_evaluation));
    let v = run.refused(&complete(stage::POST_EVALUATION));
    assert_rule(&v, "post_evaluation.report_missing", "第三十六条");
    run.ok(&next(&rest));
    run.ok(&complete(stage::POST_EVALUATION));
}

// ---- adjustment (第三十七条)

#[test]
fn resuming_a_decision_that_is_not_suspended_is_refused_citing_article_37() {
    let mut run = full_run();
    let resume = record(Fact::Resumed {
        reason: "市政府常务会议决定恢复执行".into(),
    });
    let v = run.refused(&resume);
    assert_rule(&v, "adjustment.not_suspended", "第三十七条");
    run.ok(&record(Fact::Suspended {
        ground: SuspensionGround::ForceMajeure,
        reason: "台风灾害".into(),
    }));
    run.ok(&resume);
}

#[test]
fn suspending_without_saying_why_it_is_urgent_is_refused_citing_article_37() {
    let mut run = full_run();
    let v = run.refused(&record(Fact::Suspended {
        ground: SuspensionGround::ForceMajeure,
        reason: " ".into(),
    }));
    assert_rule(&v, "adjustment.reason_missing", "第三十七条");
    run.ok(&record(Fact::Suspended {
        ground: SuspensionGround::ForceMajeure,
        reason: "台风灾害，投放点损毁".into(),
    }));
}

#[test]
fn an_adjustment_cannot_finish_without_an_outcome_citing_article_37() {
    let mut run = full_run();
    run.ok(&start(stage::ADJUSTMENT));
    let v = run.refused(&complete(stage::ADJUSTMENT));
    assert_rule(&v, "adjustment.no_outcome", "第三十七条");
    run.ok(&record(Fact::Stopped {
        meeting: "市政府第12次常务会议".into(),
        reason: "客观情况发生重大变化".into(),
    }));
}

#[test]
fn stopping_a_decision_not_yet_made_is_refused_citing_article_37() {
    // Every shipped pack puts the adjustment after the adopted meeting; a pack that lets it
    // start straight after drafting still may not stop or change a decision not yet made.
    let pack = national_with(|v| {
        stage_json(v, stage::ADJUSTMENT)["after"] = serde_json::json!([stage::DRAFTING]);
    });
    let (mut run, _) = run_until(&pack, &all_on(), starts(stage::PUBLIC_PARTICIPATION));
    run.ok(&start(stage::ADJUSTMENT));
    let v = run.refused(&record(Fact::Stopped {
        meeting: "市政府第12次常务会议".into(),
        reason: "客观情况发生重大变化".into(),
    }));
    assert_rule(&v, "adjustment.not_adopted", "第三十七条");
}

#[test]
fn superseding_by_a_new_decision_not_yet_adopted_is_refused_citing_article_37() {
    let mut run = full_run();
    run.ok(&start(stage::ADJUSTMENT));
    run.ok(&record(Fact::Changed {
        new_decision: "2027-03".into(),
        hearing: None,
        evaluation_considered: Some("后评估结果据以调整".into()),
    }));
    let by = Command::Supersede {
        by: "2027-03".into(),
    };
    let linked = |status| Context {
        decisions: BTreeMap::from([(
            "2027-03".to_string(),
            LinkedDecision {
                id: "2027-03".into(),
                same_organ: true,
                status,
            },
        )]),
        ..Context::default()
    };
    let refused = judge(
        national(),
        calendar(),
        &run.state,
        &linked(DecisionStatus::InProcedure),
        by.clone(),
        run.now,
    );
    match refused {
        Ok(_) => panic!("a supersession by an unadopted decision was admitted"),
        Err(v) => assert_rule(&v, "adjustment.new_decision_not_adopted", "第三十七条"),
    }
    if let Err(v) = judge(
        national(),
        calendar(),
        &run.state,
        &linked(DecisionStatus::Adopted),
        by,
        run.now,
    ) {
        panic!("refused: {v:#?}");
    }
}

// ---- the catalogue

/// Rule ids no test names yet, each with why. The catalogue test fails if one of these becomes
/// tested or leaves `src/`, so this list can only shrink.
const NOT_YET_TESTED: &[&str] = &[
    // (none: every rule id in src/ is named by a test.) Add an id here only with a `//` line
    // saying why it cannot be triggered yet.
];

/// File extensions a `"word.word"` literal may end in without being a rule id.
const FILE_EXTENSIONS: &[&str] = &[
    "json", "rs", "md", "sqlite", "toml", "sql", "txt", "html", "csv", "yaml", "yml", "js", "css",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Every string literal of the form `"family.rule"` (lower-case words joined by one dot) that
/// is not a file name. Rule ids are passed as such literals to `Violation::new` and to the
/// helpers that build violations (`required_text`, `current_draft`, `unlawful`…).
fn rule_literals(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (i, _) in text.match_indices('"') {
        let rest = &text[i + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        if !rest[len..].starts_with('"') {
            continue;
        }
        let word = &rest[..len];
        let Some((family, name)) = word.split_once('.') else {
            continue;
        };
        let is_word = |w: &str| w.starts_with(|c: char| c.is_ascii_lowercase()) && !w.contains('.');
        if is_word(family) && is_word(name) && !FILE_EXTENSIONS.contains(&name) {
            ids.insert(word.to_string());
        }
    }
    ids
}

#[test]
fn every_rule_id_in_src_is_named_by_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut ids = BTreeSet::new();
    for f in &files {
        ids.extend(rule_literals(&read(f)));
    }
    assert!(
        ids.len() > 100,
        "found only {} rule ids: {ids:?}",
        ids.len()
    );

    // The tests' text, without the list above (naming an id there does not test it).
    let mut tests = Vec::new();
    rust_files(&root.join("tests"), &mut tests);
    let marker = concat!("const ", "NOT_YET_TESTED");
    let mut text = String::new();
    for f in &tests {
        let t = read(f);
        match t.find(marker) {
            Some(start) => {
                let end = t[start..].find("\n];").map_or(t.len(), |e| start + e);
                text.push_str(&t[..start]);
                text.push_str(&t[end..]);
            }
            None => text.push_str(&t),
        }
    }
    let named = |id: &str| text.contains(&format!("\"{id}\""));

    let untested: Vec<&String> = ids
        .iter()
        .filter(|id| !named(id) && !NOT_YET_TESTED.contains(&id.as_str()))
        .collect();
    let now_tested: Vec<&&str> = NOT_YET_TESTED.iter().filter(|id| named(id)).collect();
    let gone: Vec<&&str> = NOT_YET_TESTED
        .iter()
        .filter(|id| !ids.contains(**id))
        .collect();
    assert!(
        untested.is_empty() && now_tested.is_empty() && gone.is_empty(),
        "rule ids no test names: {untested:#?}\n\
         in NOT_YET_TESTED but now tested (remove them): {now_tested:#?}\n\
         in NOT_YET_TESTED but no longer in src/ (remove them): {gone:#?}"
    );
}

// ---- accountability (第三十八条至第四十一条)

#[test]
fn an_accountability_record_without_who_decided_it_is_refused_citing_article_38() {
    use juece::procedure::state::AccountabilityGround;
    let (mut run, _) = run_until(national(), &all_on(), |_| false);
    let record_of = |decided_by: &str| {
        record(Fact::AccountabilityRecord {
            ground: AccountabilityGround::OrganViolation,
            decided_by: decided_by.into(),
            findings: "未按规定履行决策程序，责令改正".into(),
            responsible: vec!["市长".into()],
            exempted: Vec::new(),
        })
    };
    let v = run.refused(&record_of(" "));
    assert_rule(&v, "accountability.decided_by_missing", "第三十八条");
    run.ok(&record_of("省人民政府"));
}

#[test]
fn stored_status_names_are_the_json_names() {
    // The store writes statuses with strum's names; the API and the state with serde's.
    use juece::procedure::state::{Disposition, StageStatus};
    fn same<T: serde::Serialize + Copy>(values: &[T])
    where
        &'static str: From<T>,
    {
        for v in values {
            let json = serde_json::to_value(v).unwrap();
            assert_eq!(json.as_str().unwrap(), <&'static str>::from(*v));
        }
    }
    same(&[
        DecisionStatus::New,
        DecisionStatus::InProcedure,
        DecisionStatus::Adopted,
        DecisionStatus::NotAdopted,
        DecisionStatus::Suspended,
        DecisionStatus::Stopped,
        DecisionStatus::Superseded,
    ]);
    same(&[
        StageStatus::NotStarted,
        StageStatus::InProgress,
        StageStatus::Completed,
        StageStatus::Waived,
    ]);
    same(&[
        Disposition::Adopted,
        Disposition::PartlyAdopted,
        Disposition::NotAdopted,
    ]);
}

// ---- who decides (第二条, 第四十二条)

#[test]
fn only_a_government_its_departments_or_a_township_government_decide_citing_articles_2_and_42() {
    use juece::procedure::admission::{Context, InitiationContext, UnitStanding};
    use juece::procedure::state::OrganKind;
    let steps = script::full_walk(national(), &all_on(), t0());
    let Command::Initiate(mut init) = steps[0].command.clone() else {
        panic!("the walk starts with its initiation");
    };
    init.catalog_item = None;
    let context = |kind: Option<OrganKind>| Context {
        initiation: Some(InitiationContext {
            lead_unit: UnitStanding {
                name: "市城市管理局".into(),
                subordinate: true,
                is_decision_organ: false,
                party_committee: false,
            },
            designation: None,
            catalog_item: None,
            organ_kind: kind,
            organ_name: "市司法局".into(),
        }),
        ..Context::default()
    };
    let judge = |kind| {
        juece::procedure::judge(
            national(),
            calendar(),
            &juece::procedure::Decision::default(),
            &context(kind),
            Command::Initiate(init.clone()),
            steps[0].at,
        )
    };
    let Err(v) = judge(None) else {
        panic!("an organ that makes no major decisions started one");
    };
    assert_rule(&v, "initiation.not_a_deciding_organ", "第二条、第四十二条");
    for kind in [
        OrganKind::Government,
        OrganKind::Department,
        OrganKind::Township,
    ] {
        let Ok((Command::Initiate(admitted), _)) = judge(Some(kind)) else {
            panic!("{kind:?} may decide");
        };
        assert_eq!(
            admitted.organ_kind,
            Some(kind),
            "recorded from the register"
        );
    }
}

#[test]
fn a_departments_own_measure_is_reviewed_without_the_market_regulator_citing_fcr_13() {
    // 《公平竞争审查条例》第十四条 (the market-regulation department reviews with the drafting unit)
    // is for measures the government issues; a department's measure (第四十二条 参照) is reviewed
    // by the drafting unit itself (第十三条).
    use juece::procedure::state::OrganKind;
    let is_review = |c: &Command| {
        matches!(
            c,
            Command::Record {
                fact: Fact::FairCompetitionReview { .. }
            }
        )
    };
    for (kind, refused) in [
        (OrganKind::Government, true),
        (OrganKind::Department, false),
    ] {
        let mut steps = script::full_walk(national(), &all_on(), t0());
        if let Command::Initiate(init) = &mut steps[0].command {
            init.organ_kind = Some(kind);
        }
        let mut run = Run::new(national());
        let rest = run.until(steps, is_review);
        let mut review = rest[0].command.clone();
        if let Command::Record {
            fact: Fact::FairCompetitionReview {
                market_regulator, ..
            },
        } = &mut review
        {
            *market_regulator = None;
        }
        let at = rest[0].at;
        match (run.try_at(at, &review), refused) {
            (Err(v), true) => assert_rule(
                &v,
                "fair_competition.market_regulator_missing",
                "《公平竞争审查条例》第十四条",
            ),
            (Ok(()), false) => {}
            (other, _) => panic!("{kind:?}: {other:?}"),
        }
    }
}
