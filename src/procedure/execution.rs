//! 决策执行的跟踪 (第三十四条至第三十七条): one timeline per decision after adoption — where it
//! stands (in execution, suspended, stopped, superseded, a major adjustment pending), who executes
//! it by when, its milestones and their state, the dated entries of the record (reports, problems,
//! the public's views, evaluation, suspension and resumption, adjustment), what is late, and the
//! grounds of a post-decision evaluation the record can see. Pure: the day is passed in.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::calendar::Calendar;
use super::pack::Pack;
use super::state::{
    china_date, stage, Decision, DecisionStatus, EvaluationGround, Fact, MeetingOutcome,
    MilestoneOutcome, MilestoneReport, StageStatus,
};
use super::violation::law;

/// How a due day that is not a working day is counted: 713号 sets no rule of its own, so the
/// general rule of periods is read by analogy.
pub const DUE_DAY_RULE: &str =
    "《中华人民共和国民法典》第二百零三条第一款（期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日），参照适用";

/// Where a decision stands after (or before) adoption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionStatus {
    /// Not yet decided: still in the procedure.
    NotDecided,
    /// Not adopted: nothing to execute.
    NotAdopted,
    /// Adopted; execution not started yet.
    Adopted,
    /// 执行中
    InExecution,
    /// Execution finished (the execution stage is complete).
    Executed,
    /// 中止执行 (第三十七条)
    Suspended,
    /// 停止执行
    Stopped,
    /// 已被新决策调整替代
    Superseded,
    /// A major adjustment is going through the procedure as a new decision; this one stays in
    /// force until it is adopted (第三十七条).
    AdjustmentPending,
}

/// A milestone's state on the day asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Reported done.
    Done,
    /// Not done and its due day (rolled to a working day) has passed.
    Late,
    /// Not done, not yet late.
    Due,
}

/// A milestone as the timeline shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MilestoneView {
    /// Its title.
    pub title: String,
    /// The due day as assigned.
    pub due_on: NaiveDate,
    /// The day it is due by: `due_on`, or the next working day where `due_on` is not one
    /// ([`DUE_DAY_RULE`]).
    pub due_by: NaiveDate,
    /// The calendar does not cover a day the count needed: `due_by` is not rolled over it.
    pub provisional: bool,
    /// Done, late or due.
    pub state: MilestoneState,
    /// The day it was reported done.
    pub done_on: Option<NaiveDate>,
    /// Reported done after `due_by`.
    pub done_late: bool,
    /// For a milestone not done: working days left until `due_by` (0 on the day itself).
    pub working_days_left: Option<u32>,
    /// The latest problem reported on it, if it is not done.
    pub problem: Option<String>,
}

/// The execution deadline as the timeline shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExecutionDeadline {
    /// The deadline as assigned (the latest assignment's).
    pub deadline: NaiveDate,
    /// Rolled to a working day ([`DUE_DAY_RULE`]).
    pub due_by: NaiveDate,
    /// Passed without the execution stage complete.
    pub late: bool,
}

/// What kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// The meeting adopted the decision.
    Adopted,
    /// Published.
    Published,
    /// An execution unit (and targets, deadline, milestones) assigned.
    Assigned,
    /// A progress report.
    Report,
    /// A progress report stating problems (第三十五条第一款).
    Problem,
    /// A view of the public (第三十五条第二款).
    PublicFeedback,
    /// A post-decision evaluation commissioned.
    EvaluationCommissioned,
    /// The evaluation's report.
    EvaluationReport,
    /// Suspended by the head.
    Suspended,
    /// Resumed.
    Resumed,
    /// Stopped by the organ.
    Stopped,
    /// A major adjustment, through a new decision.
    Changed,
}

/// One dated entry of the timeline.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimelineEntry {
    /// Server time of recording.
    pub at: DateTime<Utc>,
    /// Its day (China time).
    pub on: NaiveDate,
    /// What.
    pub kind: EntryKind,
    /// The text recorded (a report's progress, a view, a reason…).
    pub text: String,
    /// The problems stated, for a report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<String>,
    /// The milestone a report is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<MilestoneReport>,
    /// The new decision, for a major adjustment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_decision: Option<String>,
}

/// Something late on the day asked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LateItem {
    /// `milestone` or `deadline`.
    pub what: &'static str,
    /// The milestone's title, or the unit(s) for the deadline.
    pub title: String,
    /// The day it was due by.
    pub due_by: NaiveDate,
    /// Working days past it.
    pub working_days_late: u32,
    /// The basis.
    pub basis: String,
}

/// A ground of 第三十六条第一款 as far as the record shows it. Nothing here is a bar: the law
/// sets no number for 较多意见, and the other grounds are the organ's judgement.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvaluationTrigger {
    /// The ground.
    pub ground: EvaluationGround,
    /// What the record counts for it: the public's views (较多意见), or problems reported and
    /// milestones late (未达到预期效果).
    pub count: u32,
    /// Where the ground is written.
    pub basis: String,
    /// How the count is to be read, in Chinese.
    pub note_zh: String,
    /// The same in English.
    pub note_en: String,
    /// An evaluation was commissioned on this ground.
    pub commissioned: bool,
}

/// One decision's execution timeline.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExecutionTimeline {
    /// The day it was computed for (China time, the server's clock).
    pub today: NaiveDate,
    /// Where the decision stands.
    pub status: ExecutionStatus,
    /// The day it was adopted.
    pub adopted_on: Option<NaiveDate>,
    /// The new decision of a major adjustment: pending, or the one that superseded this one.
    pub new_decision: Option<String>,
    /// The execution units, in the order assigned.
    pub units: Vec<String>,
    /// The targets assigned (without a due date of their own).
    pub targets: Vec<String>,
    /// The execution deadline.
    pub deadline: Option<ExecutionDeadline>,
    /// The milestones, in the order assigned.
    pub milestones: Vec<MilestoneView>,
    /// The dated entries, oldest first.
    pub entries: Vec<TimelineEntry>,
    /// What is late today (nothing while execution is suspended, stopped or superseded).
    pub late: Vec<LateItem>,
    /// The grounds of a post-decision evaluation the record can see.
    pub evaluation_triggers: Vec<EvaluationTrigger>,
    /// How a due day on a rest day is counted.
    pub due_day_rule: String,
    /// The basis of execution in the decision's pack.
    pub basis: String,
}

/// `d`, or the first working day after it; and whether a year without a calendar was involved
/// (there, only weekends are taken as rest days).
fn roll_to_working_day(cal: &Calendar, d: NaiveDate) -> (NaiveDate, bool) {
    match d.pred_opt() {
        Some(before) => {
            let next = cal.add_working_days(before, 1);
            (next.date, next.provisional)
        }
        None => (d, true),
    }
}

fn status_of(state: &Decision) -> ExecutionStatus {
    match state.status {
        DecisionStatus::New | DecisionStatus::InProcedure => ExecutionStatus::NotDecided,
        DecisionStatus::NotAdopted => ExecutionStatus::NotAdopted,
        DecisionStatus::Suspended => ExecutionStatus::Suspended,
        DecisionStatus::Stopped => ExecutionStatus::Stopped,
        DecisionStatus::Superseded => ExecutionStatus::Superseded,
        DecisionStatus::Adopted if state.adjustment_pending.is_some() => {
            ExecutionStatus::AdjustmentPending
        }
        DecisionStatus::Adopted => match state.status(stage::EXECUTION) {
            StageStatus::NotStarted => ExecutionStatus::Adopted,
            StageStatus::InProgress => ExecutionStatus::InExecution,
            StageStatus::Completed | StageStatus::Waived => ExecutionStatus::Executed,
        },
    }
}

/// The timeline of `state` on `today` (China time).
pub fn timeline(
    pack: &Pack,
    cal: &Calendar,
    state: &Decision,
    today: NaiveDate,
) -> ExecutionTimeline {
    let status = status_of(state);
    let mut units: Vec<String> = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    let mut deadline = None;
    // (title, due_on, done_on, problem)
    let mut milestones: Vec<(String, NaiveDate, Option<NaiveDate>, Option<String>)> = Vec::new();
    let mut entries = Vec::new();
    let mut adopted_on = None;
    let mut new_decision = state.adjustment_pending.clone();
    let (mut feedback, mut problems) = (0u32, 0u32);
    let mut commissioned: Vec<EvaluationGround> = Vec::new();
    for d in &state.facts {
        let on = china_date(d.at);
        let entry = |kind, text: String| TimelineEntry {
            at: d.at,
            on,
            kind,
            text,
            problems: None,
            milestone: None,
            new_decision: None,
        };
        match &d.fact {
            Fact::HeadDecision {
                outcome: MeetingOutcome::Adopted,
                ..
            } => {
                adopted_on = Some(on);
                entries.push(entry(EntryKind::Adopted, "集体讨论决定通过".into()));
            }
            Fact::Publication { channels, .. } => entries.push(entry(
                EntryKind::Published,
                format!("公布：{}", channels.join("、")),
            )),
            Fact::ExecutionAssigned {
                unit,
                targets: t,
                deadline: dl,
                milestones: ms,
            } => {
                let unit = unit.trim().to_string();
                if !units.contains(&unit) {
                    units.push(unit.clone());
                }
                targets.extend(t.iter().filter(|x| !x.trim().is_empty()).cloned());
                deadline = Some(*dl);
                for m in ms {
                    let title = m.title.trim().to_string();
                    match milestones.iter_mut().find(|x| x.0 == title) {
                        Some(x) => x.1 = m.due_on,
                        None => milestones.push((title, m.due_on, None, None)),
                    }
                }
                entries.push(entry(
                    EntryKind::Assigned,
                    format!("执行单位：{unit}；执行期限：{dl}"),
                ));
            }
            Fact::ExecutionReport {
                summary,
                problems: p,
                milestone,
            } => {
                let p = p.clone().filter(|x| !x.trim().is_empty());
                if let Some(m) = milestone {
                    if let Some(x) = milestones.iter_mut().find(|x| x.0 == m.title.trim()) {
                        match m.outcome {
                            MilestoneOutcome::Done => x.2 = x.2.or(Some(on)),
                            MilestoneOutcome::Problem => x.3 = p.clone(),
                        }
                    }
                }
                let kind = if p.is_some() {
                    problems += 1;
                    EntryKind::Problem
                } else {
                    EntryKind::Report
                };
                entries.push(TimelineEntry {
                    problems: p,
                    milestone: milestone.clone(),
                    ..entry(kind, summary.clone())
                });
            }
            Fact::PublicFeedback { summary } => {
                feedback += 1;
                entries.push(entry(EntryKind::PublicFeedback, summary.clone()));
            }
            Fact::EvaluationCommissioned { evaluator, grounds } => {
                commissioned.extend(grounds.iter().copied());
                entries.push(entry(
                    EntryKind::EvaluationCommissioned,
                    format!("评估单位：{evaluator}"),
                ));
            }
            Fact::EvaluationReport { summary, .. } => {
                entries.push(entry(EntryKind::EvaluationReport, summary.clone()))
            }
            Fact::Suspended { reason, .. } => {
                entries.push(entry(EntryKind::Suspended, reason.clone()))
            }
            Fact::Resumed { reason } => entries.push(entry(EntryKind::Resumed, reason.clone())),
            Fact::Stopped { reason, .. } => entries.push(entry(EntryKind::Stopped, reason.clone())),
            Fact::Changed {
                new_decision: n, ..
            } => {
                if new_decision.is_none() && status == ExecutionStatus::Superseded {
                    new_decision = Some(n.clone());
                }
                entries.push(TimelineEntry {
                    new_decision: Some(n.clone()),
                    ..entry(
                        EntryKind::Changed,
                        "重大调整，作为新决策履行法定程序".into(),
                    )
                });
            }
            _ => {}
        }
    }
    if status == ExecutionStatus::Superseded {
        // The last change is the one whose new decision was adopted.
        new_decision = state.facts.iter().rev().find_map(|d| match &d.fact {
            Fact::Changed { new_decision, .. } => Some(new_decision.clone()),
            _ => None,
        });
    }
    // Late counts only while the decision is being carried out (or stays in force during an
    // adjustment): a suspended, stopped or superseded decision has nothing due.
    let running = matches!(
        status,
        ExecutionStatus::InExecution | ExecutionStatus::AdjustmentPending
    );
    let late_by = |due_by: NaiveDate| cal.working_days_between(due_by, today).0;
    let mut late = Vec::new();
    let milestones: Vec<MilestoneView> = milestones
        .into_iter()
        .map(|(title, due_on, done_on, problem)| {
            let (due_by, provisional) = roll_to_working_day(cal, due_on);
            let st = match done_on {
                Some(_) => MilestoneState::Done,
                None if today > due_by => MilestoneState::Late,
                None => MilestoneState::Due,
            };
            if st == MilestoneState::Late && running {
                late.push(LateItem {
                    what: "milestone",
                    title: title.clone(),
                    due_by,
                    working_days_late: late_by(due_by),
                    basis: pack
                        .stage(stage::EXECUTION)
                        .map(|s| s.basis.clone())
                        .unwrap_or_else(|| law("第三十四条")),
                });
            }
            MilestoneView {
                working_days_left: (st == MilestoneState::Due)
                    .then(|| cal.working_days_between(today, due_by).0),
                problem: problem.filter(|_| done_on.is_none()),
                done_late: done_on.is_some_and(|d| d > due_by),
                title,
                due_on,
                due_by,
                provisional,
                state: st,
                done_on,
            }
        })
        .collect();
    let executed = state.status(stage::EXECUTION).done();
    let deadline = deadline.map(|dl| {
        let due_by = roll_to_working_day(cal, dl).0;
        let is_late = !executed && today > due_by;
        if is_late && running {
            late.push(LateItem {
                what: "deadline",
                title: units.join("、"),
                due_by,
                working_days_late: late_by(due_by),
                basis: law("第三十四条"),
            });
        }
        ExecutionDeadline {
            deadline: dl,
            due_by,
            late: is_late,
        }
    });
    let late_milestones = milestones
        .iter()
        .filter(|m| m.state == MilestoneState::Late)
        .count() as u32;
    let evaluation_triggers = triggers(feedback, problems + late_milestones, &commissioned);
    ExecutionTimeline {
        today,
        status,
        adopted_on,
        new_decision,
        units,
        targets,
        deadline,
        milestones,
        entries,
        late,
        evaluation_triggers,
        due_day_rule: DUE_DAY_RULE.into(),
        basis: pack
            .stage(stage::EXECUTION)
            .map(|s| s.basis.clone())
            .unwrap_or_else(|| law("第三十四条、第三十五条")),
    }
}

/// The two grounds of 第三十六条第一款 the record has something to count for. The third
/// (决策机关认为有必要) is the organ's alone.
fn triggers(
    feedback: u32,
    shortfalls: u32,
    commissioned: &[EvaluationGround],
) -> Vec<EvaluationTrigger> {
    vec![
        EvaluationTrigger {
            ground: EvaluationGround::ManyObjections,
            count: feedback,
            basis: law("第三十六条第一款第（二）项"),
            note_zh: format!(
                "已记录公众意见建议{feedback}条。条例未规定“较多意见”的数量，是否组织决策后评估由决策机关判断"
            ),
            note_en: format!(
                "{feedback} views of the public recorded. The regulation gives no number for \"many\"; the organ judges whether to evaluate"
            ),
            commissioned: commissioned.contains(&EvaluationGround::ManyObjections),
        },
        EvaluationTrigger {
            ground: EvaluationGround::ShortOfExpectedEffect,
            count: shortfalls,
            basis: law("第三十六条第一款第（一）项"),
            note_zh: format!(
                "报告的问题和逾期的执行节点共{shortfalls}项。是否“明显未达到预期效果”由决策机关判断"
            ),
            note_en: format!(
                "{shortfalls} problems reported and milestones late. Whether the effect falls clearly short is the organ's judgement"
            ),
            commissioned: commissioned.contains(&EvaluationGround::ShortOfExpectedEffect),
        },
    ]
}
