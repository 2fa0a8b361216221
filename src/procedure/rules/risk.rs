//! 风险评估 (第二十二至二十四条): a report with risk points, mitigation and a contingency plan;
//! the report is the 重要依据 of the decision, and the decision organ judges controllability
//! (第二十四条): an uncontrollable finding blocks adoption until the draft is adjusted and
//! reassessed, or the organ, at the meeting, finds the risk controllable with its reasons and
//! measures; a waiver only where an existing assessment covers it.

use super::{drafting, flow, required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact, StageId, StageStatus};
use crate::procedure::violation::law;

/// The latest risk report: (draft, controllable).
pub(crate) fn latest<'a>(ctx: &Ctx<'a>) -> Option<(&'a crate::procedure::state::DraftHash, bool)> {
    ctx.state.all_facts().rev().find_map(|f| match f {
        Fact::RiskReport {
            draft,
            controllable,
            ..
        } => Some((draft, *controllable)),
        _ => None,
    })
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    let Fact::RiskReport {
        draft,
        assessor,
        risk_points,
        mitigation,
        contingency_plan,
        controllable,
        measures_taken,
        departments_heard,
        ..
    } = fact
    else {
        return;
    };
    drafting::known_draft(ctx, draft, out);
    let basis = || law("第二十三条第二款");
    required_text(
        assessor,
        "risk_assessment.assessor_missing",
        law("第二十二条第一款"),
        "评估单位",
        "the assessing unit",
        out,
    );
    if risk_points.iter().all(|s| s.trim().is_empty()) {
        out.push(Violation::new(
            "risk_assessment.report_incomplete",
            basis(),
            "风险评估报告未明确风险点",
            "the report names no risk points",
        ));
    }
    if mitigation.iter().all(|s| s.trim().is_empty()) {
        out.push(Violation::new(
            "risk_assessment.report_incomplete",
            basis(),
            "风险评估报告未提出风险防范措施",
            "the report proposes no mitigation measures",
        ));
    }
    required_text(
        contingency_plan,
        "risk_assessment.report_incomplete",
        basis(),
        "处置预案",
        "the contingency plan",
        out,
    );
    if departments_heard.iter().all(|d| d.trim().is_empty()) {
        out.push(Violation::new(
            "risk_assessment.departments_not_heard",
            basis(),
            "开展风险评估，应当听取有关部门的意见，须载明听取了哪些部门",
            "the assessment must hear the departments concerned; name them",
        ));
    }
    // 第二十四条: after an uncontrollable finding, controllability comes from adjusting the draft
    // or other measures — not from assessing the same thing again.
    if *controllable {
        if let Some((earlier, false)) = latest(ctx) {
            let measures = measures_taken
                .as_deref()
                .is_some_and(|m| !m.trim().is_empty());
            if earlier == draft && !measures {
                out.push(Violation::new(
                    "risk_assessment.reassessment_without_adjustment",
                    law("第二十四条"),
                    "此前评估风险不可控；重新评估为可控，须针对调整后的草案或说明已采取的措施",
                    "the risk was found uncontrollable; a controllable finding needs an adjusted draft or a statement of the measures taken",
                ));
            }
        }
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let in_round = ctx
        .state
        .round_facts(stage::RISK_ASSESSMENT)
        .any(|d| matches!(d.fact, Fact::RiskReport { .. }));
    // The assessment is done when its report is made, whatever it finds: 第二十四条 leaves the
    // judgement of controllability to the decision organ, at the meeting.
    match latest(ctx) {
        Some(_) if in_round => {}
        _ => out.push(Violation::new(
            "risk_assessment.report_missing",
            law("第二十三条第二款"),
            "尚未形成风险评估报告",
            "no risk assessment report has been made",
        )),
    }
}

/// The violation for an uncontrollable risk.
pub(crate) fn uncontrollable(rule: &str) -> Violation {
    Violation::new(
        rule,
        law("第二十四条"),
        "风险不可控：须调整决策草案等确保风险可控后方可作出决策；决策机关认为风险可控的，须在会上记录其认定、理由和措施",
        "the risk is uncontrollable: adjust the draft (or take other measures) until it is controllable, or record at the meeting the organ's finding that it is controllable, with reasons and measures",
    )
}

/// Only the risk assessment may be waived, and only citing the assessment that covers it.
pub(crate) fn check_waiver(ctx: &Ctx, id: &StageId, reference: &str, out: &mut Vec<Violation>) {
    if id.as_str() != stage::RISK_ASSESSMENT {
        out.push(Violation::new(
            "flow.not_waivable",
            ctx.basis(id.as_str()),
            format!("“{}”环节不能免予履行", ctx.zh(id.as_str())),
            format!("stage {id} cannot be waived"),
        ));
        return;
    }
    if !ctx.pack.has(id.as_str()) || flow::decided(ctx, id, out) {
        return;
    }
    if ctx.state.status(id.as_str()).done() {
        out.push(Violation::new(
            "flow.stage_already_done",
            ctx.basis(id.as_str()),
            "风险评估环节已经完成",
            "the risk assessment is already done",
        ));
    }
    required_text(
        reference,
        "risk_assessment.waiver_reference_missing",
        law("第二十二条第二款"),
        "已对有关风险进行评价、评估的依据（文件名称、文号）",
        "the existing assessment that covers the risk (title, number)",
        out,
    );
    if ctx.state.status(id.as_str()) == StageStatus::NotStarted {
        flow::prerequisites(ctx, id, out);
    }
}
