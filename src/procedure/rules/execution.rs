//! 决策执行 (第三十四条、第三十五条): an execution unit (with targets where the pack's
//! `execution_targets_required` says so — 第三十四条 itself does not ask for them); progress
//! reports, problems and objective changes reported; the public's views received.

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact, Milestone, MilestoneOutcome, MilestoneReport};
use crate::procedure::violation::law;

fn assigned(ctx: &Ctx) -> bool {
    ctx.state
        .round_facts(stage::EXECUTION)
        .any(|d| matches!(d.fact, Fact::ExecutionAssigned { .. }))
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::ExecutionAssigned {
            unit,
            targets,
            deadline,
            milestones,
        } => {
            required_text(
                unit,
                "execution.unit_missing",
                law("第三十四条"),
                "决策执行单位",
                "the execution unit",
                out,
            );
            // 第三十四条 names the unit, supervision and reports, not targets: only a pack
            // whose local rule asks for 执行目标 refuses an assignment without them.
            let p = &ctx.pack.parameters.execution_targets_required;
            // A milestone is a target with its own due date (执行目标 with 执行时限).
            if p.value
                && targets.iter().all(|t| t.trim().is_empty())
                && milestones.iter().all(|m| m.title.trim().is_empty())
            {
                out.push(Violation::new(
                    "execution.targets_missing",
                    p.basis.clone(),
                    "本地区要求在决策中明确执行目标，尚未明确",
                    "this jurisdiction requires the decision to set execution targets; none is set",
                ));
            }
            check_milestones(milestones, *deadline, out);
        }
        Fact::ExecutionReport {
            summary,
            problems,
            milestone,
        } => {
            if !assigned(ctx) {
                out.push(Violation::new(
                    "execution.unit_missing",
                    law("第三十四条"),
                    "尚未明确决策执行单位",
                    "no execution unit has been named",
                ));
            }
            required_text(
                summary,
                "execution.report_empty",
                law("第三十四条"),
                "执行情况",
                "the progress",
                out,
            );
            if let Some(m) = milestone {
                milestone_report(ctx, m, problems.as_deref(), out);
            }
        }
        Fact::PublicFeedback { summary } => {
            required_text(
                summary,
                "execution.feedback_empty",
                law("第三十五条第二款"),
                "意见建议内容",
                "the view",
                out,
            );
        }
        _ => {}
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    if !assigned(ctx) {
        out.push(Violation::new(
            "execution.unit_missing",
            law("第三十四条"),
            "尚未明确决策执行单位",
            "no execution unit has been named",
        ));
    }
    if !ctx
        .state
        .round_facts(stage::EXECUTION)
        .any(|d| matches!(d.fact, Fact::ExecutionReport { .. }))
    {
        out.push(Violation::new(
            "execution.no_report",
            law("第三十四条"),
            "决策执行单位尚未报告执行情况",
            "the execution unit has not reported on execution",
        ));
    }
}

/// Each milestone has a title (reports name it by its title), once, and is due by the deadline.
fn check_milestones(
    milestones: &[Milestone],
    deadline: chrono::NaiveDate,
    out: &mut Vec<Violation>,
) {
    let mut seen = std::collections::BTreeSet::new();
    for m in milestones {
        let title = m.title.trim();
        if title.is_empty() {
            out.push(Violation::new(
                "execution.milestone_untitled",
                law("第三十四条"),
                format!("{} 到期的执行节点缺少名称", m.due_on),
                format!("the milestone due on {} has no title", m.due_on),
            ));
        } else if !seen.insert(title) {
            out.push(Violation::new(
                "execution.milestone_duplicate",
                law("第三十四条"),
                format!("执行节点“{title}”重复，报告无法区分"),
                format!(
                    "the milestone \"{title}\" is named twice; reports could not tell them apart"
                ),
            ));
        }
        if m.due_on > deadline {
            out.push(Violation::new(
                "execution.milestone_after_deadline",
                law("第三十四条"),
                format!(
                    "执行节点“{title}”的期限 {} 晚于决策执行期限 {deadline}",
                    m.due_on
                ),
                format!(
                    "the milestone \"{title}\" is due on {}, after the execution deadline {deadline}",
                    m.due_on
                ),
            ));
        }
    }
}

/// A report on a milestone names one that was assigned; a problem is stated (第三十五条第一款:
/// 及时向决策机关报告).
fn milestone_report(
    ctx: &Ctx,
    m: &MilestoneReport,
    problems: Option<&str>,
    out: &mut Vec<Violation>,
) {
    let assigned = ctx.state.all_facts().any(|f| match f {
        Fact::ExecutionAssigned { milestones, .. } => {
            milestones.iter().any(|x| x.title.trim() == m.title.trim())
        }
        _ => false,
    });
    if !assigned {
        out.push(Violation::new(
            "execution.milestone_unknown",
            law("第三十四条"),
            format!("没有名为“{}”的执行节点", m.title),
            format!("no milestone \"{}\" was assigned", m.title),
        ));
    }
    if m.outcome == MilestoneOutcome::Problem && problems.is_none_or(|p| p.trim().is_empty()) {
        out.push(Violation::new(
            "execution.problem_missing",
            law("第三十五条第一款"),
            "报告执行节点存在问题的，须说明问题",
            "a report of a problem with a milestone must state the problem",
        ));
    }
}
