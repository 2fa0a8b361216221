//! Execution tracking in the pure engine: the milestone rules of `execution_assigned` and
//! `execution_report`, and the timeline (`procedure::execution::timeline`) on a day passed in —
//! milestones due, late on the right working day around a holiday, done; dated entries; status
//! through suspension; the evaluation grounds the record shows.

use chrono::NaiveDate;
use juece::procedure::execution::{timeline, EntryKind, ExecutionStatus, MilestoneState};
use juece::procedure::state::{
    stage, EvaluationGround, Fact, Milestone, MilestoneOutcome, MilestoneReport, SuspensionGround,
};
use juece::procedure::Command;

use crate::support::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn is_assignment(c: &Command) -> bool {
    matches!(
        c,
        Command::Record {
            fact: Fact::ExecutionAssigned { .. }
        }
    )
}

fn assignment(milestones: Vec<Milestone>) -> Command {
    record(Fact::ExecutionAssigned {
        unit: "市城市管理局".into(),
        targets: Vec::new(),
        deadline: ymd(2026, 12, 31),
        milestones,
    })
}

fn milestone(title: &str, due_on: NaiveDate) -> Milestone {
    Milestone {
        title: title.into(),
        due_on,
    }
}

fn report(title: &str, outcome: MilestoneOutcome, problems: Option<&str>) -> Command {
    record(Fact::ExecutionReport {
        summary: "执行情况".into(),
        problems: problems.map(str::to_string),
        milestone: Some(MilestoneReport {
            title: title.into(),
            outcome,
        }),
    })
}

/// A national decision in execution, before its unit is assigned.
fn in_execution() -> Run<'static> {
    run_until(national(), &all_on(), is_assignment).0
}

#[test]
fn milestones_need_a_title_once_each_and_a_due_day_within_the_deadline_citing_article_34() {
    let mut run = in_execution();
    let v = run.refused(&assignment(vec![milestone(" ", ymd(2026, 10, 1))]));
    assert_rule(&v, "execution.milestone_untitled", "第三十四条");
    let v = run.refused(&assignment(vec![
        milestone("试点", ymd(2026, 10, 1)),
        milestone("试点", ymd(2026, 11, 1)),
    ]));
    assert_rule(&v, "execution.milestone_duplicate", "第三十四条");
    let v = run.refused(&assignment(vec![milestone("全面推开", ymd(2027, 1, 4))]));
    assert_rule(&v, "execution.milestone_after_deadline", "第三十四条");
    run.ok(&assignment(vec![
        milestone("试点", ymd(2026, 10, 1)),
        milestone("全面推开", ymd(2026, 12, 31)),
    ]));
}

#[test]
fn a_report_names_an_assigned_milestone_and_states_its_problem_citing_articles_34_and_35() {
    let mut run = in_execution();
    run.ok(&assignment(vec![milestone("试点", ymd(2026, 10, 1))]));
    let v = run.refused(&report("不存在的节点", MilestoneOutcome::Done, None));
    assert_rule(&v, "execution.milestone_unknown", "第三十四条");
    let v = run.refused(&report("试点", MilestoneOutcome::Problem, Some("  ")));
    assert_rule(&v, "execution.problem_missing", "第三十五条第一款");
    run.ok(&report(
        "试点",
        MilestoneOutcome::Problem,
        Some("场地未落实"),
    ));
    run.ok(&report("试点", MilestoneOutcome::Done, None));
}

#[test]
fn in_zhejiang_a_milestone_is_an_execution_target_and_nothing_at_all_is_refused() {
    let z = packs().latest("zhejiang").unwrap();
    let (mut run, _) = run_until(
        z,
        &juece::procedure::state::Attributes::new(juece::procedure::state::Category::PublicPolicy),
        is_assignment,
    );
    let v = run.refused(&assignment(Vec::new()));
    assert_rule(&v, "execution.targets_missing", "五、（十七）");
    run.ok(&assignment(vec![milestone("试点", ymd(2026, 10, 1))]));
}

#[test]
fn execution_facts_recorded_before_milestones_existed_still_read() {
    let old: Fact = serde_json::from_value(serde_json::json!({
        "type": "execution_assigned", "unit": "市城市管理局", "targets": ["覆盖率90%"],
        "deadline": "2026-12-31"
    }))
    .unwrap();
    assert!(matches!(old, Fact::ExecutionAssigned { ref milestones, .. } if milestones.is_empty()));
    let old: Fact = serde_json::from_value(serde_json::json!({
        "type": "execution_report", "summary": "进展", "problems": null
    }))
    .unwrap();
    assert!(matches!(
        old,
        Fact::ExecutionReport {
            milestone: None,
            ..
        }
    ));
    // And they are written as before: no new keys in the record of a fact without them.
    let text = serde_json::to_string(&old).unwrap();
    assert!(!text.contains("milestone"), "{text}");
}

#[test]
fn a_milestone_due_on_a_national_day_holiday_is_late_only_after_the_first_working_day_after_it() {
    let mut run = in_execution();
    // 2026-10-01 to 10-07 are the National Day holiday (国办发明电〔2025〕7号); 10-08 is the
    // first working day after it. 2026-10-10 (a Saturday) is a make-up working day.
    run.ok(&assignment(vec![
        milestone("国庆节前后完成试点", ymd(2026, 10, 1)),
        milestone("调休日验收", ymd(2026, 10, 10)),
    ]));
    let on = |d| timeline(national(), calendar(), &run.state, d);

    let t = on(ymd(2026, 10, 8));
    assert_eq!(t.status, ExecutionStatus::InExecution);
    let m = &t.milestones[0];
    assert_eq!((m.due_on, m.due_by), (ymd(2026, 10, 1), ymd(2026, 10, 8)));
    assert_eq!(m.state, MilestoneState::Due);
    assert_eq!(m.working_days_left, Some(0));
    assert!(t.late.is_empty(), "{:?}", t.late);
    // A make-up working day is a working day: due on the Saturday itself.
    assert_eq!(t.milestones[1].due_by, ymd(2026, 10, 10));

    let t = on(ymd(2026, 10, 9));
    assert_eq!(t.milestones[0].state, MilestoneState::Late);
    assert_eq!(t.late.len(), 1);
    assert_eq!(t.late[0].title, "国庆节前后完成试点");
    assert_eq!(t.late[0].working_days_late, 1);
    assert_eq!(t.milestones[1].state, MilestoneState::Due);

    // Nor is it late on a holiday day before: 10-05 is inside the holiday.
    assert_eq!(
        on(ymd(2026, 10, 5)).milestones[0].state,
        MilestoneState::Due
    );
}

#[test]
fn a_milestone_reported_done_is_done_and_late_work_is_marked() {
    let mut run = in_execution();
    run.ok(&assignment(vec![milestone("试点", ymd(2026, 10, 1))]));
    run.try_at(
        morning(ymd(2026, 10, 12)),
        &report("试点", MilestoneOutcome::Done, None),
    )
    .unwrap();
    let t = timeline(national(), calendar(), &run.state, ymd(2026, 11, 1));
    let m = &t.milestones[0];
    assert_eq!(m.state, MilestoneState::Done);
    assert_eq!(m.done_on, Some(ymd(2026, 10, 12)));
    assert!(m.done_late);
    assert!(t.late.is_empty());
}

#[test]
fn the_timeline_has_the_dated_entries_and_the_evaluation_grounds_with_their_counts() {
    let mut run = Run::new(national());
    run.steps(&juece::procedure::script::full_walk(
        national(),
        &all_on(),
        t0(),
    ));
    let today = juece::procedure::state::china_date(run.now);
    let t = timeline(national(), calendar(), &run.state, today);
    let kinds: Vec<EntryKind> = t.entries.iter().map(|e| e.kind).collect();
    for k in [
        EntryKind::Adopted,
        EntryKind::Published,
        EntryKind::Assigned,
        EntryKind::Report,
        EntryKind::PublicFeedback,
        EntryKind::EvaluationCommissioned,
        EntryKind::EvaluationReport,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    assert!(t.entries.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(t.units, vec!["市城市管理局".to_string()]);
    assert_eq!(t.milestones[0].state, MilestoneState::Done);
    let many = &t.evaluation_triggers[0];
    assert_eq!(many.ground, EvaluationGround::ManyObjections);
    assert_eq!(many.count, 1);
    assert!(
        many.basis.contains("第三十六条第一款第（二）项"),
        "{}",
        many.basis
    );
    // The walk's evaluation was on the organ's own ground, not on this one.
    assert!(!many.commissioned);

    // Two more views: counted, and no number decides anything.
    for n in 0..2 {
        run.ok(&record(Fact::PublicFeedback {
            summary: format!("意见{n}"),
        }));
    }
    let t = timeline(national(), calendar(), &run.state, today);
    assert_eq!(t.evaluation_triggers[0].count, 3);
}

#[test]
fn a_suspended_decision_shows_suspended_and_nothing_late_and_resumes_in_execution() {
    let mut run = in_execution();
    run.ok(&assignment(vec![milestone("试点", ymd(2026, 10, 1))]));
    run.ok(&record(Fact::Suspended {
        ground: SuspensionGround::MajorChange,
        reason: "客观情况发生重大变化".into(),
    }));
    let t = timeline(national(), calendar(), &run.state, ymd(2026, 11, 2));
    assert_eq!(t.status, ExecutionStatus::Suspended);
    assert_eq!(t.milestones[0].state, MilestoneState::Late);
    assert!(
        t.late.is_empty(),
        "nothing is due while suspended: {:?}",
        t.late
    );
    assert_eq!(t.entries.last().unwrap().kind, EntryKind::Suspended);
    run.ok(&record(Fact::Resumed {
        reason: "决策机关决定恢复执行".into(),
    }));
    let t = timeline(national(), calendar(), &run.state, ymd(2026, 11, 2));
    assert_eq!(t.status, ExecutionStatus::InExecution);
    assert_eq!(t.late.len(), 1);
    assert_eq!(t.entries.last().unwrap().kind, EntryKind::Resumed);
    assert!(run.state.status(stage::EXECUTION) == juece::procedure::state::StageStatus::InProgress);
}
