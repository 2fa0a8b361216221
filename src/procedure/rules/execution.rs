//! 决策执行 (第三十四条、第三十五条): an execution unit (with targets where the pack's
//! `execution_targets_required` says so — 第三十四条 itself does not ask for them); progress
//! reports, problems and objective changes reported; the public's views received.

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact};
use crate::procedure::violation::law;

fn assigned(ctx: &Ctx) -> bool {
    ctx.state
        .round_facts(stage::EXECUTION)
        .any(|d| matches!(d.fact, Fact::ExecutionAssigned { .. }))
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::ExecutionAssigned { unit, targets, .. } => {
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
            if p.value && targets.iter().all(|t| t.trim().is_empty()) {
                out.push(Violation::new(
                    "execution.targets_missing",
                    p.basis.clone(),
                    "本地区要求在决策中明确执行目标，尚未明确",
                    "this jurisdiction requires the decision to set execution targets; none is set",
                ));
            }
        }
        Fact::ExecutionReport { summary, .. } => {
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
