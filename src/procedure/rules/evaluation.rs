//! 决策后评估 (第三十六条): on one of the three grounds; not by a unit that did the main
//! pre-decision argumentation or assessment; the public heard.

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact};
use crate::procedure::violation::law;

/// Units that did the main assessment work before the decision: risk assessors and the experts
/// and professional bodies that gave opinions.
fn pre_decision_assessors<'a>(ctx: &Ctx<'a>) -> Vec<&'a str> {
    let mut units = Vec::new();
    for f in ctx.state.all_facts() {
        match f {
            Fact::RiskReport { assessor, .. } => units.push(assessor.as_str()),
            Fact::ExpertSelected {
                name, organisation, ..
            } => {
                units.push(name.as_str());
                if let Some(o) = organisation {
                    units.push(o.as_str());
                }
            }
            _ => {}
        }
    }
    units
}

fn same_unit(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    !a.trim().is_empty() && norm(a) == norm(b)
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::EvaluationCommissioned { evaluator, grounds } => {
            required_text(
                evaluator,
                "post_evaluation.evaluator_missing",
                law("第三十六条第一款"),
                "评估单位",
                "the evaluator",
                out,
            );
            if grounds.is_empty() {
                out.push(Violation::new(
                    "post_evaluation.no_ground",
                    law("第三十六条第一款"),
                    "须说明组织决策后评估的情形（未达预期效果、意见较多、决策机关认为有必要）",
                    "the ground for evaluation must be stated (short of the expected effect, many objections, or deemed necessary)",
                ));
            }
            if pre_decision_assessors(ctx)
                .iter()
                .any(|u| same_unit(u, evaluator))
            {
                out.push(Violation::new(
                    "post_evaluation.evaluator_conflict",
                    law("第三十六条第二款"),
                    format!("{evaluator}在决策作出前承担了主要论证评估工作，不得承担决策后评估"),
                    format!("{evaluator} did the main assessment work before the decision and may not evaluate it"),
                ));
            }
        }
        Fact::EvaluationReport {
            summary,
            public_heard,
            participants,
        } => {
            // 第三十六条第三款: 吸收人大代表、政协委员、人民团体、基层组织、社会组织参与评估.
            if participants.iter().all(|p| p.trim().is_empty()) {
                out.push(Violation::new(
                    "post_evaluation.participants_missing",
                    law("第三十六条第三款"),
                    "决策后评估应当吸收人大代表、政协委员、人民团体、基层组织、社会组织参与，须载明参与者",
                    "the evaluation must involve deputies, CPPCC members, people's organisations, grassroots or social organisations; name those who took part",
                ));
            }
            let commissioned = ctx
                .state
                .round_facts(stage::POST_EVALUATION)
                .any(|d| matches!(d.fact, Fact::EvaluationCommissioned { .. }));
            if !commissioned {
                out.push(Violation::new(
                    "post_evaluation.not_commissioned",
                    law("第三十六条第一款"),
                    "尚未确定承担评估具体工作的单位",
                    "no evaluator has been commissioned",
                ));
            }
            if !public_heard {
                out.push(Violation::new(
                    "post_evaluation.public_not_heard",
                    law("第三十六条第三款"),
                    "决策后评估应当注重听取社会公众的意见",
                    "the evaluation must hear the public's views",
                ));
            }
            required_text(
                summary,
                "post_evaluation.report_empty",
                law("第三十六条"),
                "评估结论",
                "the findings",
                out,
            );
        }
        _ => {}
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    if !ctx
        .state
        .round_facts(stage::POST_EVALUATION)
        .any(|d| matches!(d.fact, Fact::EvaluationReport { .. }))
    {
        out.push(Violation::new(
            "post_evaluation.report_missing",
            law("第三十六条"),
            "尚未形成决策后评估报告",
            "there is no evaluation report",
        ));
    }
}
