//! The same decision under the national pack and under each provincial pack: every provincial
//! difference is shown by a case the national pack accepts and the local pack refuses (or the
//! reverse), with the local basis cited; every pack walks through whole; versions are pinned; the
//! diff of two packs names each change with its basis.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use juece::procedure::condition::Condition;
use juece::procedure::diff::{diff, StageField};
use juece::procedure::pack::ParamValue;
use juece::procedure::script::{self, Step};
use juece::procedure::state::{
    china_date, stage, Attributes, Category, DecisionStatus, Fact, StageId, StageStatus,
};
use juece::procedure::{Command, Pack, PackSet};

use crate::support::*;

/// What the Zhejiang pack cites: 《浙江省法治政府建设实施纲要（2021—2025年）》（种子文件003）.
const ZHEJIANG: &str = "《浙江省法治政府建设实施纲要（2021—2025年）》（种子文件003）";
/// What the Kunming pack cites: 《昆明市法治政府建设实施方案（2021—2025年）》（种子文件001）.
const KUNMING: &str = "《昆明市法治政府建设实施方案（2021—2025年）》（种子文件001）二、（三）2.";
/// What the Guizhou pack cites: 省政府令第197号第三条第三款.
const GUIZHOU: &str = "（贵州省人民政府令第197号）第三条第三款";
/// The national regulation.
const NATIONAL: &str = "《重大行政决策程序暂行条例》";

const PROVINCIAL: [&str; 5] = ["zhejiang", "yunnan", "kunming", "guizhou", "gansu"];

fn pack(id: &str) -> &'static Pack {
    packs()
        .latest(id)
        .unwrap_or_else(|| panic!("no pack {id} in workflows/"))
}

/// The matter described in the terms `pack` knows: `flags` it does not declare are left out
/// (the national pack has no `nimby_project`; the same project is simply not flagged there).
fn attrs(pack: &Pack, flags: &[&str]) -> Attributes {
    let mut a = Attributes::new(Category::PublicPolicy);
    for f in flags {
        if pack.attributes.iter().any(|x| x.id == *f) {
            a = a.with(f, true);
        }
    }
    a
}

/// Every attribute the pack declares switched on, except those that forbid or change stages.
fn all_conditions(pack: &Pack) -> Attributes {
    let flags: Vec<&str> = pack
        .attributes
        .iter()
        .filter(|a| !a.excludes)
        .map(|a| a.id.as_str())
        .filter(|a| {
            !matches!(
                *a,
                "not_public" | "exploratory_reform" | "hearing_equivalent_form"
            )
        })
        .collect();
    attrs(pack, &flags)
}

fn start(id: &str) -> Command {
    Command::StartStage {
        stage: StageId::new(id),
    }
}

fn starts(c: &Command, id: &str) -> bool {
    matches!(c, Command::StartStage { stage } if stage.as_str() == id)
}

/// Whether `fact` is evidence of `id` (for the stages these tests leave out).
fn evidence_of(fact: &Fact, id: &str) -> bool {
    match id {
        stage::HEARING => matches!(
            fact,
            Fact::HearingNotice { .. }
                | Fact::HearingParticipants { .. }
                | Fact::HearingMaterialsDelivered { .. }
                | Fact::HearingHeld { .. }
                | Fact::HearingRecordSigned { .. }
                | Fact::HearingReport { .. }
        ),
        stage::RISK_ASSESSMENT => matches!(fact, Fact::RiskReport { .. }),
        stage::FAIR_COMPETITION_REVIEW => matches!(fact, Fact::FairCompetitionReview { .. }),
        _ => false,
    }
}

/// The scripted walk with stage `id` left out (its start, evidence and completion). A fact
/// that lives in another stage when the pack lacks `id` (the fair-competition record in
/// drafting) is kept.
fn walk_without(pack: &Pack, attrs: &Attributes, id: &str) -> Vec<Step> {
    script::full_walk(pack, attrs, t0())
        .into_iter()
        .filter(|s| match &s.command {
            Command::StartStage { stage } | Command::CompleteStage { stage } => {
                stage.as_str() != id
            }
            Command::Record { fact } => !(pack.has(id) && evidence_of(fact, id)),
            _ => true,
        })
        .collect()
}

/// A run of `steps` up to (not including) the first that matches `stop`; the clock is set to that
/// step's time. Returns the run and the remaining steps.
fn run_until<'a>(
    pack: &'a Pack,
    steps: Vec<Step>,
    stop: impl Fn(&Command) -> bool,
) -> (Run<'a>, Vec<Step>) {
    let i = steps
        .iter()
        .position(|s| stop(&s.command))
        .unwrap_or_else(|| panic!("the walk under {} never reaches the step", pack.key()));
    let mut run = Run::new(pack);
    run.steps(&steps[..i]);
    run.now = steps[i].at;
    (run, steps[i..].to_vec())
}

fn skipped_at<'v>(
    v: &'v [juece::procedure::Violation],
    id: &str,
) -> &'v juece::procedure::Violation {
    v.iter()
        .find(|x| x.rule == "flow.required_stage_skipped" && x.stage == Some(StageId::new(id)))
        .unwrap_or_else(|| panic!("expected {id} to be reported as skipped; got {v:#?}"))
}

// ---------------------------------------------------------------- the catalog

fn initiation_without_catalog_item(pack: &Pack) -> Command {
    let steps = script::full_walk(pack, &attrs(pack, &[]), t0());
    match &steps[0].command {
        Command::Initiate(init) => {
            let mut init = init.clone();
            init.catalog_item = None;
            Command::Initiate(init)
        }
        other => panic!("the walk starts with {other:?}"),
    }
}

#[test]
fn a_decision_outside_the_catalog_is_refused_in_zhejiang_and_guizhou_but_not_nationally_or_in_kunming(
) {
    // 昆明's 力争……到2025年……100%全覆盖 is a target, not a bar: read as gansu reads its plan.
    for id in ["national", "yunnan", "kunming", "gansu"] {
        let p = pack(id);
        Run::new(p).ok(&initiation_without_catalog_item(p));
    }
    for (id, basis) in [
        ("zhejiang", format!("{ZHEJIANG}五、（十五）")),
        ("guizhou", GUIZHOU.to_string()),
    ] {
        let p = pack(id);
        let v = Run::new(p).refused(&initiation_without_catalog_item(p));
        assert_rule(&v, "initiation.catalog_item_missing", &basis);
    }
}

// ---------------------------------------------------------------- exclusions

/// The walk's initiation with `flag` set.
fn initiation_flagged(pack: &Pack, flag: &str) -> Command {
    let steps = script::full_walk(pack, &attrs(pack, &[]), t0());
    match &steps[0].command {
        Command::Initiate(init) => {
            let mut init = init.clone();
            init.attributes = init.attributes.with(flag, true);
            Command::Initiate(init)
        }
        other => panic!("the walk starts with {other:?}"),
    }
}

#[test]
fn matters_another_statute_or_a_local_rule_excludes_are_refused_at_initiation() {
    // 第三条第二款: 法律、行政法规对……决策程序另有规定的，依照其规定 — in every pack.
    for id in [
        "national", "zhejiang", "yunnan", "kunming", "guizhou", "gansu",
    ] {
        let p = pack(id);
        let v = Run::new(p).refused(&initiation_flagged(p, "other_statute_procedure"));
        assert_rule(&v, "scope.excluded_matter", "第三条第二款");
    }
    for (id, flag, basis) in [
        (
            "guizhou",
            "petition_matter",
            "（贵州省人民政府令第197号）第三条第二款",
        ),
        (
            "guizhou",
            "internal_personnel_finance",
            "（贵州省人民政府令第197号）第三条第二款",
        ),
        (
            "yunnan",
            "personnel_internal_foreign",
            "（云南省人民政府令第217号）第二条第三款",
        ),
        (
            "kunming",
            "personnel_internal_foreign",
            "（云南省人民政府令第217号）第二条第三款",
        ),
    ] {
        let p = pack(id);
        let v = Run::new(p).refused(&initiation_flagged(p, flag));
        assert_rule(&v, "scope.excluded_matter", basis);
    }
    // Nationally the local kinds are no attribute at all; the plain matter starts everywhere.
    for id in PROVINCIAL {
        let p = pack(id);
        let steps = script::full_walk(p, &attrs(p, &[]), t0());
        Run::new(p).ok(&steps[0].command);
    }
}

// ---------------------------------------------------------------- legality opinion (昆明)

#[test]
fn kunming_asks_the_legality_opinion_for_subject_and_basis_too() {
    let is_opinion = |c: &Command| {
        matches!(
            c,
            Command::Record {
                fact: Fact::LegalityOpinion { .. }
            }
        )
    };
    for id in ["national", "yunnan", "kunming"] {
        let p = pack(id);
        let (mut run, rest) = run_until(p, script::full_walk(p, &attrs(p, &[]), t0()), is_opinion);
        if id != "kunming" {
            let mut three_points = rest[0].command.clone();
            if let Command::Record {
                fact:
                    Fact::LegalityOpinion {
                        findings: Some(f), ..
                    },
            } = &mut three_points
            {
                f.subject = None;
                f.legal_basis = None;
            }
            run.ok(&three_points);
            continue;
        }
        let mut three_points = rest[0].command.clone();
        if let Command::Record {
            fact: Fact::LegalityOpinion {
                findings: Some(f), ..
            },
        } = &mut three_points
        {
            f.subject = None;
            f.legal_basis = None;
        }
        let v = run.refused(&three_points);
        assert_rule(
            &v,
            "legality_review.opinion_incomplete",
            "（种子文件001）二、（三）3.",
        );
        run.ok(&rest[0].command);
    }
}

// ---------------------------------------------------------------- 云南 hearings

#[test]
fn yunnan_and_kunming_hear_the_listed_matters_with_two_thirds_present() {
    let is_held = |c: &Command| {
        matches!(
            c,
            Command::Record {
                fact: Fact::HearingHeld { .. }
            }
        )
    };
    for id in ["yunnan", "kunming"] {
        let p = pack(id);
        // 41号第四条: a listed matter needs a hearing.
        let a = attrs(p, &["listed_hearing_matter"]);
        let (mut run, _) = run_until(p, walk_without(p, &a, stage::HEARING), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        let v = run.refused(&start(stage::LEGALITY_REVIEW));
        assert!(skipped_at(&v, stage::HEARING)
            .basis
            .contains("41号）第四条"));
        // 第十条: two thirds present.
        let (mut run, rest) = run_until(p, script::full_walk(p, &a, t0()), is_held);
        let mut thin = rest[0].command.clone();
        if let Command::Record {
            fact: Fact::HearingHeld { present, .. },
        } = &mut thin
        {
            present.truncate(1);
        }
        let v = run.refused(&thin);
        assert_rule(&v, "hearing.quorum_not_met", "云政办发〔2009〕41号）第十条");
        run.ok(&rest[0].command);
    }
    // Nationally there is no quorum.
    let n = national();
    let (mut run, rest) = run_until(n, script::full_walk(n, &attrs(n, &[]), t0()), is_held);
    let mut thin = rest[0].command.clone();
    if let Command::Record {
        fact: Fact::HearingHeld { present, .. },
    } = &mut thin
    {
        present.clear();
    }
    run.ok(&thin);
}

// ---------------------------------------------------------------- execution targets

/// The execution assignment as the walk records it, without targets.
fn assignment_without_targets(rest: &[Step]) -> Command {
    match &rest[0].command {
        Command::Record {
            fact: fact @ Fact::ExecutionAssigned { .. },
        } => {
            let mut fact = fact.clone();
            if let Fact::ExecutionAssigned {
                targets,
                milestones,
                ..
            } = &mut fact
            {
                targets.clear();
                milestones.clear();
            }
            Command::Record { fact }
        }
        other => panic!("expected the execution assignment, got {other:?}"),
    }
}

#[test]
fn execution_targets_are_required_in_zhejiang_only_citing_its_plan_not_article_34() {
    let is_assignment = |c: &Command| {
        matches!(
            c,
            Command::Record {
                fact: Fact::ExecutionAssigned { .. }
            }
        )
    };
    // 第三十四条 names the unit, supervision and reports; 贵州 and 昆明 add 执行主体、执行时限、
    // 执行反馈 — no targets either.
    for id in ["national", "yunnan", "kunming", "guizhou", "gansu"] {
        let p = pack(id);
        let (mut run, rest) =
            run_until(p, script::full_walk(p, &attrs(p, &[]), t0()), is_assignment);
        run.ok(&assignment_without_targets(&rest));
    }
    let z = pack("zhejiang");
    let (mut run, rest) = run_until(z, script::full_walk(z, &attrs(z, &[]), t0()), is_assignment);
    let v = run.refused(&assignment_without_targets(&rest));
    assert_rule(
        &v,
        "execution.targets_missing",
        &format!("{ZHEJIANG}五、（十七）"),
    );
    assert!(!v[0].basis.contains("第三十四条"), "{}", v[0].basis);
    run.ok(&rest[0].command);
}

// ---------------------------------------------------------------- 浙江

#[test]
fn a_matter_designated_for_the_standing_committee_is_not_published_before_the_report_in_any_pack() {
    // 第八条第一款: only matters a law or regulation designates are reported; 浙江 003 五、（十六）
    // says 依法依规, so it adds nothing to it.
    for id in ["national", "zhejiang", "kunming", "guizhou", "gansu"] {
        let p = pack(id);
        let plain = attrs(p, &[]);
        let (mut run, _) = run_until(p, script::full_walk(p, &plain, t0()), |c| {
            starts(c, stage::NPC_REPORT)
        });
        run.ok(&start(stage::PUBLICATION));

        let designated = attrs(p, &["npc_report_matter"]);
        let (mut run, rest) = run_until(p, script::full_walk(p, &designated, t0()), |c| {
            starts(c, stage::NPC_REPORT)
        });
        let v = run.refused(&start(stage::PUBLICATION));
        assert!(
            skipped_at(&v, stage::NPC_REPORT).basis.contains("第八条"),
            "{id}: {v:#?}"
        );
        let i = rest
            .iter()
            .position(|s| starts(&s.command, stage::PUBLICATION))
            .expect("the walk publishes");
        run.steps(&rest[..i]);
        assert_eq!(run.state.status(stage::NPC_REPORT), StageStatus::Completed);
        run.ok(&start(stage::PUBLICATION));
    }
}

#[test]
fn an_unpublished_designated_matter_is_not_executed_before_the_standing_committee_report() {
    let p = national();
    let hidden = attrs(p, &["not_public", "npc_report_matter"]);
    let (mut run, _) = run_until(p, script::full_walk(p, &hidden, t0()), |c| {
        starts(c, stage::NPC_REPORT)
    });
    let v = run.refused(&start(stage::EXECUTION));
    assert_rule(&v, "flow.required_stage_skipped", "第八条第一款");
    skipped_at(&v, stage::NPC_REPORT);
}

/// The meeting as the walk convenes it, with its observers changed by `f`.
fn meeting_with(rest: &[Step], f: impl Fn(&mut Fact)) -> Command {
    match &rest[0].command {
        Command::Record {
            fact: fact @ Fact::MeetingConvened { .. },
        } => {
            let mut fact = fact.clone();
            f(&mut fact);
            Command::Record { fact }
        }
        other => panic!("expected the meeting, got {other:?}"),
    }
}

/// The meeting as the walk convenes it, without the legality review unit among the observers.
fn meeting_without_legality_unit(rest: &[Step]) -> Command {
    meeting_with(rest, |fact| {
        if let Fact::MeetingConvened { observers, .. } = fact {
            observers.clear();
        }
    })
}

fn is_meeting(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::MeetingConvened { .. }
        }
    )
}

#[test]
fn zhejiang_refuses_a_meeting_the_justice_department_does_not_attend() {
    for id in ["national", "yunnan", "kunming", "guizhou", "gansu"] {
        let p = pack(id);
        let (mut run, rest) = run_until(p, script::full_walk(p, &attrs(p, &[]), t0()), is_meeting);
        run.ok(&meeting_without_legality_unit(&rest));
    }
    let z = pack("zhejiang");
    let (mut run, rest) = run_until(z, script::full_walk(z, &attrs(z, &[]), t0()), is_meeting);
    let v = run.refused(&meeting_without_legality_unit(&rest));
    assert_rule(
        &v,
        "collective_decision.legality_unit_absent",
        &format!("{ZHEJIANG}五、（十六）"),
    );
}

#[test]
fn zhejiang_asks_the_justice_department_to_state_its_view_at_the_executive_meeting_only() {
    // 003 五、（十六）: 列席政府常务会议并发表意见 — the executive meeting, and a view stated.
    let z = pack("zhejiang");
    let (mut run, rest) = run_until(z, script::full_walk(z, &attrs(z, &[]), t0()), is_meeting);
    let silent = meeting_with(&rest, |fact| {
        if let Fact::MeetingConvened { observers, .. } = fact {
            for o in observers.iter_mut() {
                o.statement = None;
            }
        }
    });
    let v = run.refused(&silent);
    assert_rule(
        &v,
        "collective_decision.legality_unit_silent",
        &format!("{ZHEJIANG}五、（十六）"),
    );
    let plenary = meeting_with(&rest, |fact| {
        if let Fact::MeetingConvened {
            kind, observers, ..
        } = fact
        {
            *kind = juece::procedure::state::MeetingKind::PlenaryMeeting;
            observers.clear();
        }
    });
    run.ok(&plenary);
}

#[test]
fn a_matter_of_public_vital_interest_needs_a_hearing_in_zhejiang_and_kunming_only() {
    for id in ["national", "yunnan", "guizhou", "gansu"] {
        let p = pack(id);
        let a = attrs(p, &["public_interest"]);
        let (mut run, _) = run_until(p, walk_without(p, &a, stage::HEARING), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        run.ok(&start(stage::LEGALITY_REVIEW));
    }
    for (id, basis) in [
        ("zhejiang", format!("{ZHEJIANG}五、（十六）")),
        ("kunming", KUNMING.to_string()),
    ] {
        let p = pack(id);
        let a = attrs(p, &["public_interest"]);
        let (mut run, _) = run_until(p, walk_without(p, &a, stage::HEARING), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        let v = run.refused(&start(stage::LEGALITY_REVIEW));
        let hit = skipped_at(&v, stage::HEARING);
        assert!(hit.basis.contains(&basis), "{id}: {}", hit.basis);
        assert!(hit.basis.contains("第十六条"), "{id}: {}", hit.basis);
    }
}

#[test]
fn zhejiang_and_kunming_accept_another_listed_form_in_place_of_the_hearing() {
    // 通过举办听证会等形式: a hearing, or another form of the list, recorded in the participation.
    for (id, basis) in [
        ("zhejiang", format!("{ZHEJIANG}五、（十六）")),
        ("kunming", KUNMING.to_string()),
    ] {
        let p = pack(id);
        let a = attrs(p, &["public_interest", "hearing_equivalent_form"]);
        let (mut run, _) = run_until(p, walk_without(p, &a, stage::HEARING), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        run.ok(&start(stage::LEGALITY_REVIEW));

        let no_activity: Vec<Step> = walk_without(p, &a, stage::HEARING)
            .into_iter()
            .filter(|s| {
                !matches!(
                    s.command,
                    Command::Record {
                        fact: Fact::ParticipationActivity { .. }
                    }
                )
            })
            .collect();
        let (mut run, rest) = run_until(
            p,
            no_activity,
            |c| matches!(c, Command::CompleteStage { stage } if stage.as_str() == stage::PUBLIC_PARTICIPATION),
        );
        let v = run.refused(&rest[0].command);
        assert_rule(&v, "participation.equivalent_form_missing", &basis);
    }
}

#[test]
fn a_hearing_another_law_requires_is_required_everywhere_and_no_other_form_replaces_it() {
    // 第十六条第一款: 法律、法规、规章对召开听证会另有规定的，依照其规定 — e.g. 《价格法》第二十三条.
    for id in [
        "national", "zhejiang", "yunnan", "kunming", "guizhou", "gansu",
    ] {
        let p = pack(id);
        let plain = attrs(p, &["hearing_equivalent_form"]);
        let (mut run, _) = run_until(p, walk_without(p, &plain, stage::HEARING), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        run.ok(&start(stage::LEGALITY_REVIEW));

        let priced = attrs(p, &["statutory_hearing", "hearing_equivalent_form"]);
        let (mut run, _) = run_until(p, walk_without(p, &priced, stage::HEARING), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        let v = run.refused(&start(stage::LEGALITY_REVIEW));
        let hit = skipped_at(&v, stage::HEARING);
        assert!(hit.basis.contains("第十六条"), "{id}: {}", hit.basis);
    }
    let basis = &national()
        .attributes
        .iter()
        .find(|a| a.id == "statutory_hearing")
        .unwrap()
        .basis;
    assert!(
        basis.contains("《中华人民共和国价格法》第二十三条"),
        "{basis}"
    );
}

#[test]
fn a_matter_lawfully_not_public_needs_no_hearing_even_in_zhejiang() {
    let z = pack("zhejiang");
    let a = attrs(z, &["public_interest", "not_public"]);
    let mut run = Run::new(z);
    run.steps(&script::full_walk(z, &a, t0()));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
    assert_eq!(run.state.status(stage::HEARING), StageStatus::NotStarted);
}

#[test]
fn zhejiang_assesses_the_social_risk_of_nimby_projects_and_livelihood_policies() {
    for flag in ["nimby_project", "livelihood_policy"] {
        // Nationally the same matter, with no stability risk flagged, needs no assessment.
        let n = national();
        let a = attrs(n, &[flag]);
        assert!(!a.get(flag), "the national pack does not know {flag}");
        let (mut run, _) = run_until(n, walk_without(n, &a, stage::RISK_ASSESSMENT), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        run.ok(&start(stage::LEGALITY_REVIEW));

        // In Zhejiang the (optional) fair-competition review comes after the risk assessment
        // too, so stop before whichever comes first.
        let z = pack("zhejiang");
        let a = attrs(z, &[flag]);
        let (mut run, _) = run_until(z, walk_without(z, &a, stage::RISK_ASSESSMENT), |c| {
            starts(c, stage::FAIR_COMPETITION_REVIEW) || starts(c, stage::LEGALITY_REVIEW)
        });
        let v = run.refused(&start(stage::LEGALITY_REVIEW));
        let hit = skipped_at(&v, stage::RISK_ASSESSMENT);
        assert!(
            hit.basis.contains(&format!("{ZHEJIANG}五、（十六）")),
            "{}",
            hit.basis
        );
    }
}

#[test]
fn zhejiang_reviews_fair_competition_as_a_stage_before_the_legality_review() {
    let n = national();
    let a = attrs(n, &["market_activity"]);
    // Nationally the review record sits in the drafting stage; there is no stage to skip.
    let (mut run, _) = run_until(
        n,
        walk_without(n, &a, stage::FAIR_COMPETITION_REVIEW),
        |c| starts(c, stage::LEGALITY_REVIEW),
    );
    run.ok(&start(stage::LEGALITY_REVIEW));

    let z = pack("zhejiang");
    let (mut run, _) = run_until(
        z,
        walk_without(z, &a, stage::FAIR_COMPETITION_REVIEW),
        |c| starts(c, stage::LEGALITY_REVIEW),
    );
    let v = run.refused(&start(stage::LEGALITY_REVIEW));
    let hit = skipped_at(&v, stage::FAIR_COMPETITION_REVIEW);
    assert!(
        hit.basis.contains(&format!("{ZHEJIANG}五、（十五）")),
        "{}",
        hit.basis
    );
    assert!(hit.basis.contains("第二十九条"), "{}", hit.basis);
}

#[test]
fn zhejiang_reviews_fair_competition_without_waiting_for_the_risk_assessment() {
    // No source orders the review after the risk assessment; 《公平竞争审查条例》第十四条 puts it
    // in the drafting phase.
    let z = pack("zhejiang");
    let a = attrs(z, &["market_activity", "stability_risk"]);
    let (mut run, _) = run_until(z, script::full_walk(z, &a, t0()), |c| {
        starts(c, stage::RISK_ASSESSMENT)
    });
    assert_eq!(
        run.state.status(stage::RISK_ASSESSMENT),
        StageStatus::NotStarted
    );
    run.ok(&start(stage::FAIR_COMPETITION_REVIEW));
    // The legality review still waits for both.
    let v = run.refused(&start(stage::LEGALITY_REVIEW));
    skipped_at(&v, stage::RISK_ASSESSMENT);
    let hit = v
        .iter()
        .find(|x| x.stage == Some(StageId::new(stage::FAIR_COMPETITION_REVIEW)))
        .unwrap_or_else(|| panic!("the review in progress blocks the legality review: {v:#?}"));
    assert!(
        hit.basis
            .contains("《公平竞争审查条例》第十四条、第十六条、第十八条"),
        "{v:#?}"
    );
}

#[test]
fn zhejiang_refuses_an_adjustment_without_a_public_hearing() {
    let changed = |hearing: Option<&str>| Command::Record {
        fact: Fact::Changed {
            new_decision: "D-2027-003".into(),
            hearing: hearing.map(str::to_string),
            evaluation_considered: Some("后评估结果据以调整".into()),
        },
    };
    for id in ["national", "yunnan", "kunming", "guizhou", "gansu"] {
        let p = pack(id);
        let mut run = Run::new(p);
        run.steps(&script::full_walk(p, &attrs(p, &[]), t0()));
        run.ok(&start(stage::ADJUSTMENT));
        run.ok(&changed(None));
        // 第三十七条: in force until the new decision is adopted.
        assert_eq!(run.state.status, DecisionStatus::Adopted);
        assert_eq!(run.state.adjustment_pending.as_deref(), Some("D-2027-003"));
    }
    let z = pack("zhejiang");
    let mut run = Run::new(z);
    run.steps(&script::full_walk(z, &attrs(z, &[]), t0()));
    run.ok(&start(stage::ADJUSTMENT));
    let v = run.refused(&changed(None));
    assert_rule(
        &v,
        "adjustment.hearing_missing",
        &format!("{ZHEJIANG}五、（十七）"),
    );
    run.ok(&changed(Some("调整方案听证会（2026年10月12日）")));
    assert_eq!(run.state.adjustment_pending.as_deref(), Some("D-2027-003"));
}

// ---------------------------------------------------------------- what stays national

#[test]
fn gansu_and_guizhou_keep_the_national_legality_gate_before_the_meeting() {
    for id in ["national", "gansu", "guizhou"] {
        let p = pack(id);
        let (mut run, _) = run_until(p, script::full_walk(p, &attrs(p, &[]), t0()), |c| {
            starts(c, stage::LEGALITY_REVIEW)
        });
        let v = run.refused(&start(stage::COLLECTIVE_DECISION));
        let hit = skipped_at(&v, stage::LEGALITY_REVIEW);
        assert!(
            hit.basis.starts_with(&format!("{NATIONAL}第二十五条")),
            "{id}: {}",
            hit.basis
        );
    }
}

#[test]
fn gansu_changes_nothing_and_yunnan_only_what_its_read_articles_say() {
    let d = diff(national(), pack("gansu"));
    assert!(d.is_empty(), "gansu changes something:\n{}", d.to_text());
    let d = diff(national(), pack("yunnan"));
    let added: Vec<&str> = d.attributes_added.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        added,
        ["listed_hearing_matter", "personnel_internal_foreign"]
    );
    assert!(d.stages_added.is_empty());
    let changed: Vec<&str> = d.stages_changed.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(changed, [stage::HEARING]);
    assert!(d.stages_changed[0]
        .new_basis
        .contains("云政办发〔2009〕41号）第四条"));
    let params: Vec<&str> = d.parameters_changed.iter().map(|p| p.name).collect();
    assert_eq!(params, ["hearing_quorum_two_thirds"]);
    assert!(d.parameters_changed[0].new_basis.contains("第十条"));
}

// ---------------------------------------------------------------- whole walks

#[test]
fn every_pack_walks_through_whole_with_every_condition_on() {
    for p in std::iter::once("national").chain(PROVINCIAL).map(pack) {
        let a = all_conditions(p);
        let mut run = Run::new(p);
        run.steps(&script::full_walk(p, &a, t0()));
        assert_eq!(run.state.status, DecisionStatus::Adopted, "{}", p.key());
        for s in &p.stages {
            let expected = match s.id.as_str() {
                stage::EXECUTION => StageStatus::InProgress,
                _ if s.required.eval(&a) => StageStatus::Completed,
                _ => continue,
            };
            assert_eq!(
                run.state.status(s.id.as_str()),
                expected,
                "{} {}",
                p.key(),
                s.id
            );
        }
    }
    let z = pack("zhejiang");
    let a = all_conditions(z);
    assert!(a.get("nimby_project") && a.get("livelihood_policy"));
    for s in [
        stage::FAIR_COMPETITION_REVIEW,
        stage::NPC_REPORT,
        stage::HEARING,
    ] {
        assert!(z.required(s, &a), "{s}");
    }
}

#[test]
fn every_change_a_local_pack_makes_cites_a_local_source() {
    let n = national();
    let local = |basis: &str| {
        basis.contains("种子文件") || basis.contains("人民政府令") || basis.contains("云政办发")
    };
    for id in PROVINCIAL {
        let p = pack(id);
        for s in p.stages.iter().filter(|s| s.defined_in == p.key()) {
            assert!(local(&s.basis), "{} stage {}: {}", p.key(), s.id, s.basis);
            if let Some(old) = n.stage(s.id.as_str()) {
                // A patch replaces the basis: it must still cite the national articles.
                let article = old.basis.split('、').next().unwrap_or_default();
                assert!(
                    s.basis.contains(article),
                    "{} stage {}: {}",
                    p.key(),
                    s.id,
                    s.basis
                );
            }
        }
        let d = diff(n, p);
        for c in &d.parameters_changed {
            assert!(
                local(&c.new_basis),
                "{} parameter {}: {}",
                p.key(),
                c.name,
                c.new_basis
            );
        }
        for a in &d.attributes_added {
            assert!(
                local(&a.basis),
                "{} attribute {}: {}",
                p.key(),
                a.id,
                a.basis
            );
        }
    }
}

// ---------------------------------------------------------------- versions

fn source(name: &str) -> (PathBuf, String) {
    let path = root().join("workflows").join(name);
    let text = std::fs::read_to_string(&path).expect("pack file");
    (path, text)
}

/// Zhejiang's pack as a hypothetical later version: in force from `from`, requiring five experts.
/// The number is invented for the test; no rule says so.
fn hypothetical_zhejiang(version: &str, from: &str) -> (PathBuf, String) {
    let (_, text) = source("zhejiang.json");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["version"] = version.into();
    v["effective_from"] = from.into();
    v["parameters"]["expert_minimum"] = serde_json::json!({
        "value": 5,
        "basis": "测试用假设版本（hypothetical version for a test）"
    });
    (
        PathBuf::from(format!("zhejiang-{version}.json")),
        v.to_string(),
    )
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn a_decision_keeps_the_pack_version_in_force_on_the_day_it_started() {
    let set = PackSet::from_sources(&[
        source("national.json"),
        source("zhejiang.json"),
        hypothetical_zhejiang("2027.1", "2027-01-01"),
    ])
    .expect("packs load");
    assert!(set.in_force("zhejiang", date(2021, 12, 10)).is_none());
    let version = |d| set.in_force("zhejiang", d).map(|p| p.version.as_str());
    assert_eq!(version(date(2021, 12, 11)), Some("2021.1"));
    assert_eq!(version(date(2026, 12, 31)), Some("2021.1"));
    assert_eq!(version(date(2027, 1, 1)), Some("2027.1"));
    assert_eq!(
        set.latest("zhejiang").map(|p| p.version.as_str()),
        Some("2027.1")
    );

    // Started on 31 December 2026; its expert review ends on 1 January 2027, under the new
    // version's date but still under the rules it started with.
    let start_at: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 12, 31, 1, 0, 0).unwrap();
    let pinned = set
        .in_force("zhejiang", china_date(start_at))
        .expect("in force");
    assert_eq!(pinned.key(), "zhejiang@2021.1");
    let a = attrs(pinned, &["technical"]);
    let steps = script::full_walk(pinned, &a, start_at);
    let i = steps
        .iter()
        .position(|s| matches!(&s.command, Command::CompleteStage { stage } if stage.as_str() == stage::EXPERT_REVIEW))
        .expect("the walk completes the expert review");
    assert!(china_date(steps[i].at) >= date(2027, 1, 1));

    let mut run = Run::new(pinned);
    run.steps(&steps[..=i]);
    assert_eq!(
        run.state.status(stage::EXPERT_REVIEW),
        StageStatus::Completed
    );

    // Applied retroactively, the later version would refuse the same panel of three.
    let newer = set.get("zhejiang", "2027.1").expect("2027.1");
    let mut run = Run::new(newer);
    run.steps(&steps[..i]);
    run.now = steps[i].at;
    let v = run.refused(&steps[i].command);
    assert_rule(&v, "expert_review.too_few_experts", "测试用假设版本");

    // A decision started under the new version walks through with its five experts.
    let mut run = Run::new(newer);
    run.steps(&script::full_walk(
        newer,
        &a,
        Utc.with_ymd_and_hms(2027, 1, 4, 1, 0, 0).unwrap(),
    ));
    assert_eq!(run.state.status, DecisionStatus::Adopted);
}

#[test]
fn a_pack_binds_to_the_parent_version_in_force_on_its_date_whatever_the_file_order() {
    let (_, national_text) = source("national.json");
    let mut later: serde_json::Value = serde_json::from_str(&national_text).expect("json");
    later["version"] = "2027.1".into();
    later["effective_from"] = "2027-01-01".into();
    let later = (PathBuf::from("national-2027.json"), later.to_string());
    let child = hypothetical_zhejiang("2028.1", "2028-01-01");
    // The child comes before the parent version it must bind to.
    let set = PackSet::from_sources(&[source("national.json"), child, later]).expect("load");
    let z = set.get("zhejiang", "2028.1").expect("zhejiang@2028.1");
    assert_eq!(z.extends.as_deref(), Some("national@2027.1"));
}

// ---------------------------------------------------------------- the diff

#[test]
fn the_diff_of_national_and_zhejiang_names_every_change_with_its_basis() {
    let d = diff(national(), pack("zhejiang"));
    let ids = |v: Vec<&StageId>| {
        let mut v: Vec<String> = v.into_iter().map(ToString::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(
        ids(d.stages_added.iter().map(|s| &s.id).collect()),
        ["fair_competition_review"]
    );
    assert!(d.stages_removed.is_empty());
    assert_eq!(
        ids(d.stages_changed.iter().map(|c| &c.id).collect()),
        ["hearing", "legality_review", "risk_assessment"]
    );
    for s in &d.stages_added {
        assert!(s.basis.contains(ZHEJIANG), "{}: {}", s.id, s.basis);
    }
    for c in &d.stages_changed {
        assert!(c.new_basis.contains(ZHEJIANG), "{}: {}", c.id, c.new_basis);
        assert!(
            c.old_basis.starts_with(NATIONAL),
            "{}: {}",
            c.id,
            c.old_basis
        );
        assert!(!c.old_basis.contains(ZHEJIANG));
    }
    let hearing = d
        .stages_changed
        .iter()
        .find(|c| c.id.as_str() == stage::HEARING)
        .expect("hearing changed");
    assert!(matches!(
        &hearing.changes[..],
        [StageField::Required {
            old: Condition::All(_),
            new: Condition::All(_)
        }]
    ));
    let review = d
        .stages_changed
        .iter()
        .find(|c| c.id.as_str() == stage::LEGALITY_REVIEW)
        .expect("legality review changed");
    match &review.changes[..] {
        [StageField::After { added, removed, .. }] => {
            assert_eq!(added, &[StageId::new(stage::FAIR_COMPETITION_REVIEW)]);
            assert!(removed.is_empty());
        }
        other => panic!("{other:?}"),
    }

    let params: Vec<(&str, ParamValue, ParamValue)> = d
        .parameters_changed
        .iter()
        .map(|p| (p.name, p.old.clone(), p.new.clone()))
        .collect();
    assert_eq!(
        params,
        [
            (
                "catalog_organ_kinds",
                ParamValue::Text("[]".into()),
                ParamValue::Text("[government, department]".into())
            ),
            (
                "catalog_required",
                ParamValue::Flag(false),
                ParamValue::Flag(true)
            ),
            (
                "catalog_publish_by",
                ParamValue::Text("null".into()),
                ParamValue::Text("03-31".into())
            ),
            (
                "legality_unit_attends_meeting",
                ParamValue::Flag(false),
                ParamValue::Flag(true)
            ),
            (
                "adjustment_requires_hearing",
                ParamValue::Flag(false),
                ParamValue::Flag(true)
            ),
            (
                "execution_targets_required",
                ParamValue::Flag(false),
                ParamValue::Flag(true)
            ),
        ]
    );
    for (p, item, national_article) in [
        (&d.parameters_changed[0], "五、（十五）", "第三条第三款"),
        (&d.parameters_changed[1], "五、（十五）", "第三条第三款"),
        (&d.parameters_changed[2], "五、（十五）", "第三条第三款"),
        (&d.parameters_changed[3], "五、（十六）", "第三十条"),
        (&d.parameters_changed[4], "五、（十七）", "第三十七条"),
        (&d.parameters_changed[5], "五、（十七）", "第三十四条"),
    ] {
        assert_eq!(p.new_basis, format!("{ZHEJIANG}{item}"));
        assert_eq!(p.old_basis, format!("{NATIONAL}{national_article}"));
        assert_eq!(p.defined_in, "zhejiang@2021.1");
    }
    let attrs: Vec<&str> = d.attributes_added.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        attrs,
        [
            "hearing_equivalent_form",
            "nimby_project",
            "livelihood_policy"
        ]
    );
    assert!(d.attributes_removed.is_empty());
    assert!(d.returns_added.is_empty() && d.returns_removed.is_empty());
    assert!(d.anchors_changed.is_empty() && d.bases_changed.is_empty());

    let text = d.to_text();
    for line in [
        "national@2019.1",
        "zhejiang@2021.1",
        "参数 legality_unit_attends_meeting：false → true（依据：《浙江省法治政府建设实施纲要（2021—2025年）》（种子文件003）五、（十六）；原依据：《重大行政决策程序暂行条例》第三十条）",
        "+ 环节 fair_competition_review（公平竞争审查 / Fair competition review）",
        "前置环节 after：增加 added 公平竞争审查 fair_competition_review",
        "何时必经 required when：「法律、法规、规章规定应当召开听证会的事项」（statutory_hearing）且非「依法不予公开」（not_public） → 非「依法不予公开」（not_public）且（「法律、法规、规章规定应当召开听证会的事项」（statutory_hearing）或（「直接涉及公民、法人、其他组织切身利益」（public_interest）且非「以听证会以外的其他形式（座谈会、实地走访等）加大公众参与力度」（hearing_equivalent_form））） / statutory_hearing and not not_public → not not_public and (statutory_hearing or (public_interest and not hearing_equivalent_form))",
        "+ 属性 nimby_project（环保邻避类重大项目",
    ] {
        assert!(text.contains(line), "the report lacks {line:?}:\n{text}");
    }

    let json = serde_json::to_value(&d).expect("serialise");
    assert_eq!(json["to"]["key"], "zhejiang@2021.1");
    assert_eq!(
        json["parameters_changed"][3]["name"],
        "legality_unit_attends_meeting"
    );
    assert_eq!(json["parameters_changed"][3]["new"], true);
    assert_eq!(json["parameters_changed"][2]["new"], "03-31");
    assert_eq!(json["stages_changed"][0]["changes"][0]["field"], "required");
}

#[test]
fn the_diff_reads_both_ways_and_between_city_and_province() {
    let back = diff(pack("zhejiang"), national());
    let mut removed: Vec<&str> = back.stages_removed.iter().map(|s| s.id.as_str()).collect();
    removed.sort_unstable();
    assert_eq!(removed, ["fair_competition_review"]);
    assert_eq!(back.attributes_removed.len(), 3);
    assert!(back.to_text().contains("删除环节 / Stages removed"));

    let city = diff(pack("yunnan"), pack("kunming"));
    assert_eq!(
        city.stages_changed
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        [stage::HEARING]
    );
    assert_eq!(
        city.parameters_changed
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>(),
        ["catalog_coverage_target", "legality_review_five_points"]
    );
    assert!(city.parameters_changed[0]
        .new_basis
        .contains("（种子文件001）二、（三）2."));
    assert!(city.parameters_changed[1]
        .new_basis
        .contains("（种子文件001）二、（三）3."));

    let guizhou = diff(national(), pack("guizhou"));
    assert!(guizhou.stages_added.is_empty() && guizhou.stages_changed.is_empty());
    assert_eq!(
        guizhou
            .parameters_changed
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>(),
        ["catalog_organ_kinds", "catalog_required"]
    );
    assert!(guizhou.parameters_changed[0].new_basis.contains(GUIZHOU));
    assert!(diff(national(), national())
        .to_text()
        .contains("无差异 / No differences"));
}

#[test]
fn juece_workflows_diff_prints_the_differences_with_their_basis_as_text_and_json() {
    let bin = env!("CARGO_BIN_EXE_juece");
    let dir = crate::support::root().join("workflows");
    let out = std::process::Command::new(bin)
        .args(["workflows", "diff", "national", "zhejiang", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fair_competition_review") && text.contains("种子文件003"),
        "{text}"
    );
    assert!(text.contains("legality_unit_attends_meeting"), "{text}");
    let out = std::process::Command::new(bin)
        .args([
            "workflows",
            "diff",
            "national",
            "zhejiang",
            "--json",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.to_string().contains("fair_competition_review"));
    let out = std::process::Command::new(bin)
        .args(["workflows", "diff", "national", "atlantis", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("atlantis"));
}
