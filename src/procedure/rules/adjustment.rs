//! 决策调整 (第三十七条): no change or stop without the statutory procedure; the head may suspend
//! first in an emergency on a situation of 第三十五条; a major adjustment is a new decision.

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, DecisionStatus, Fact};
use crate::procedure::violation::law;

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    let basis = || law("第三十七条");
    match fact {
        Fact::Suspended { reason, .. } => {
            if ctx.state.status != DecisionStatus::Adopted {
                out.push(Violation::new(
                    "adjustment.not_in_execution",
                    basis(),
                    "只有已作出且正在执行的决策才能中止执行",
                    "only an adopted decision in execution can be suspended",
                ));
            }
            required_text(
                reason,
                "adjustment.reason_missing",
                basis(),
                "情况紧急的理由",
                "why it is urgent",
                out,
            );
        }
        Fact::Resumed { reason } => {
            if ctx.state.status != DecisionStatus::Suspended {
                out.push(Violation::new(
                    "adjustment.not_suspended",
                    basis(),
                    "决策未被中止执行",
                    "the decision is not suspended",
                ));
            }
            required_text(
                reason,
                "adjustment.reason_missing",
                basis(),
                "恢复执行的决定",
                "the organ's decision to resume",
                out,
            );
        }
        Fact::Stopped { meeting, reason } => {
            adopted(ctx, out);
            required_text(
                meeting,
                "adjustment.outside_procedure",
                basis(),
                "决定停止执行的集体讨论会议",
                "the meeting that decided to stop",
                out,
            );
            required_text(
                reason,
                "adjustment.reason_missing",
                basis(),
                "停止执行的理由",
                "the reason",
                out,
            );
        }
        Fact::Changed {
            new_decision,
            hearing,
            evaluation_considered,
        } => {
            // 第三十六条第四款: where the decision was evaluated, the adjustment says how the
            // evaluation's result was taken into account.
            let evaluated = ctx
                .state
                .all_facts()
                .any(|f| matches!(f, Fact::EvaluationReport { .. }));
            if evaluated
                && evaluation_considered
                    .as_deref()
                    .is_none_or(|e| e.trim().is_empty())
            {
                out.push(Violation::new(
                    "adjustment.evaluation_not_considered",
                    law("第三十六条第四款"),
                    "本决策已进行决策后评估，调整须说明评估结果如何作为调整依据",
                    "the decision was evaluated: the adjustment must say how the evaluation's result was taken into account",
                ));
            }
            adopted(ctx, out);
            required_text(
                new_decision,
                "adjustment.outside_procedure",
                basis(),
                "重大调整应当作为新决策依法履行相关法定程序，须关联新决策",
                "a major adjustment goes through the procedure as a new decision, which must be linked",
                out,
            );
            let p = &ctx.pack.parameters.adjustment_requires_hearing;
            if p.value && hearing.as_deref().is_none_or(|h| h.trim().is_empty()) {
                out.push(Violation::new(
                    "adjustment.hearing_missing",
                    p.basis.clone(),
                    "本地区规定决策调整须举行听证",
                    "this jurisdiction requires a public hearing on an adjustment",
                ));
            }
        }
        _ => {}
    }
}

fn adopted(ctx: &Ctx, out: &mut Vec<Violation>) {
    if !ctx.state.adopted() {
        out.push(Violation::new(
            "adjustment.not_adopted",
            law("第三十七条"),
            "决策尚未作出",
            "the decision has not been made",
        ));
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let done = ctx
        .state
        .round_facts(stage::ADJUSTMENT)
        .any(|d| matches!(d.fact, Fact::Stopped { .. } | Fact::Changed { .. }));
    if !done {
        out.push(Violation::new(
            "adjustment.no_outcome",
            law("第三十七条"),
            "调整程序尚无结果（停止执行或作为新决策调整）",
            "the adjustment has no outcome yet (stopped, or changed through a new decision)",
        ));
    }
}
