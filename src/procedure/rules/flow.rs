//! The order of stages: no stage starts before every required stage before it is done, no fact is
//! recorded outside its stage, nothing happens to a closed decision.

use super::{Ctx, Violation};
use crate::procedure::pack::Pack;
use crate::procedure::state::{stage, DecisionStatus, Fact, StageId, StageStatus};
use crate::procedure::violation::law;

/// The stage a fact is evidence of; `None` for facts bound to the decision's status instead.
pub fn fact_stage(pack: &Pack, fact: &Fact) -> Option<&'static str> {
    use Fact::*;
    Some(match fact {
        Draft { .. } | DepartmentConsultation { .. } => stage::DRAFTING,
        FairCompetitionReview { .. } => {
            if pack.has(stage::FAIR_COMPETITION_REVIEW) {
                stage::FAIR_COMPETITION_REVIEW
            } else {
                stage::DRAFTING
            }
        }
        CommentPeriodOpened { .. }
        | CommentsReceived { .. }
        | CommentHidden { .. }
        | CommentDisposed { .. }
        | CommentsDisposed { .. }
        | ParticipationActivity { .. }
        | ParticipationReport { .. } => stage::PUBLIC_PARTICIPATION,
        GroupConsultation { .. } => stage::GROUP_CONSULTATION,
        HearingNotice { .. }
        | HearingParticipants { .. }
        | HearingMaterialsDelivered { .. }
        | HearingHeld { .. }
        | HearingRecordSigned { .. }
        | HearingReport { .. } => stage::HEARING,
        ExpertSelected { .. }
        | ExpertOpinion { .. }
        | ExpertMeeting { .. }
        | ExpertReport { .. } => stage::EXPERT_REVIEW,
        RiskReport { .. } => stage::RISK_ASSESSMENT,
        LegalitySubmission { .. }
        | LegalityReturned { .. }
        | LegalCounselOpinion { .. }
        | LegalityOpinion { .. } => stage::LEGALITY_REVIEW,
        MeetingConvened { .. }
        | MeetingStatement { .. }
        | RiskFinding { .. }
        | HeadDecision { .. } => stage::COLLECTIVE_DECISION,
        PartyReport { .. } | PartyReply { .. } => stage::PARTY_REPORT,
        NpcReport { .. } | NpcReply { .. } => stage::NPC_REPORT,
        Publication { .. } => stage::PUBLICATION,
        ArchiveSealed { .. } => stage::ARCHIVING,
        ExecutionAssigned { .. } | ExecutionReport { .. } | PublicFeedback { .. } => {
            stage::EXECUTION
        }
        EvaluationCommissioned { .. } | EvaluationReport { .. } => stage::POST_EVALUATION,
        Stopped { .. } | Changed { .. } => stage::ADJUSTMENT,
        Suspended { .. } | Resumed { .. } | AccountabilityRecord { .. } => return None,
    })
}

fn closed(ctx: &Ctx, out: &mut Vec<Violation>) -> bool {
    let (zh, en) = match ctx.state.status {
        DecisionStatus::NotAdopted => (
            "决策未获通过，程序已终结",
            "the decision was not adopted; the procedure is closed",
        ),
        DecisionStatus::Stopped => ("决策已停止执行", "the decision has been stopped"),
        DecisionStatus::Superseded => (
            "决策已由新决策调整替代",
            "the decision has been superseded by a new decision",
        ),
        _ => return false,
    };
    out.push(Violation::new(
        "flow.decision_closed",
        law("第三十七条"),
        zh,
        en,
    ));
    true
}

fn unknown(ctx: &Ctx, id: &StageId, out: &mut Vec<Violation>) -> bool {
    if ctx.pack.has(id.as_str()) {
        return false;
    }
    out.push(Violation::new(
        "flow.unknown_stage",
        format!("{}（{}）", ctx.pack.title.zh, ctx.pack.key()),
        format!("本决策适用的程序规则中没有环节“{id}”"),
        format!(
            "the decision's pack {} has no stage \"{id}\"",
            ctx.pack.key()
        ),
    ));
    true
}

/// Once the decision is made, the stages that lead to it are closed: reopening a review or a
/// meeting would change the decision outside the procedure of 第三十七条.
pub(crate) fn decided(ctx: &Ctx, id: &StageId, out: &mut Vec<Violation>) -> bool {
    let decision = &ctx.pack.decision_stage;
    if !ctx.state.adopted() || !(id == decision || ctx.pack.precedes(id, decision)) {
        return false;
    }
    out.push(
        Violation::new(
            "adjustment.outside_procedure",
            law("第三十七条"),
            format!(
                "决策已作出，不能再进行“{}”环节；需要调整的，应当依法履行相关法定程序",
                ctx.zh(id.as_str())
            ),
            format!("the decision has been made; stage {id} cannot be reopened — an adjustment must go through the statutory procedure"),
        )
        .at(id),
    );
    true
}

/// Entering a stage.
pub(crate) fn check_start(ctx: &Ctx, id: &StageId, out: &mut Vec<Violation>) {
    if unknown(ctx, id, out) || closed(ctx, out) || decided(ctx, id, out) {
        return;
    }
    let Some(st) = ctx.pack.stage(id.as_str()) else {
        return;
    };
    let zh = &st.name.zh;
    match ctx.state.status(id.as_str()) {
        StageStatus::InProgress => out.push(
            Violation::new(
                "flow.stage_already_started",
                st.basis.clone(),
                format!("“{zh}”环节已在进行中"),
                format!("stage {id} is already in progress"),
            )
            .at(id),
        ),
        StageStatus::Completed | StageStatus::Waived if !st.repeatable => out.push(
            Violation::new(
                "flow.stage_already_done",
                st.basis.clone(),
                format!("“{zh}”环节已经完成"),
                format!("stage {id} is already done"),
            )
            .at(id),
        ),
        _ => {}
    }
    if !st.allowed.eval(&ctx.attrs) {
        out.push(
            Violation::new(
                "flow.stage_not_allowed",
                st.basis.clone(),
                format!("依本决策的属性，不得进行“{zh}”环节（如依法不予公开的事项）"),
                format!("stage {id} may not be performed for this decision's attributes (e.g. a matter lawfully not public)"),
            )
            .at(id),
        );
    }
    prerequisites(ctx, id, out);
}

/// Every ancestor that is required must be done; one that was started must be finished.
pub(crate) fn prerequisites(ctx: &Ctx, id: &StageId, out: &mut Vec<Violation>) {
    let target = ctx.zh(id.as_str());
    for st in &ctx.pack.stages {
        if !ctx.pack.precedes(&st.id, id) {
            continue;
        }
        let status = ctx.state.status(st.id.as_str());
        if status.done() {
            continue;
        }
        let zh = &st.name.zh;
        if st.required.eval(&ctx.attrs) {
            out.push(
                Violation::new(
                    "flow.required_stage_skipped",
                    st.basis.clone(),
                    format!("“{zh}”是本决策的法定必经环节，尚未完成，不得进入“{target}”"),
                    format!("{} is a required stage for this decision and is not done; {id} may not begin", st.id),
                )
                .at(&st.id),
            );
        } else if status == StageStatus::InProgress {
            out.push(
                Violation::new(
                    "flow.stage_in_progress",
                    st.basis.clone(),
                    format!("已启动的“{zh}”环节尚未完成，不得进入“{target}”"),
                    format!(
                        "{} was started and is not finished; {id} may not begin",
                        st.id
                    ),
                )
                .at(&st.id),
            );
        }
    }
}

/// Completing a stage: it must be in progress.
pub(crate) fn check_complete(ctx: &Ctx, id: &StageId, out: &mut Vec<Violation>) {
    if unknown(ctx, id, out) || closed(ctx, out) {
        return;
    }
    if ctx.state.status(id.as_str()) != StageStatus::InProgress {
        out.push(
            Violation::new(
                "flow.stage_not_in_progress",
                ctx.basis(id.as_str()),
                format!("“{}”环节未在进行中，不能完成", ctx.zh(id.as_str())),
                format!("stage {id} is not in progress and cannot be completed"),
            )
            .at(id),
        );
    }
}

/// Recording a fact: its stage must be in progress (a revised draft may come at any point before
/// the decision; after it, only through the procedure of 第三十七条).
pub(crate) fn check_record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    if closed(ctx, out) {
        return;
    }
    if let Fact::Draft { .. } = fact {
        if ctx.state.adopted() {
            out.push(Violation::new(
                "adjustment.outside_procedure",
                law("第三十七条"),
                "决策已作出，不得径行修改草案；需要重大调整的，应当依法履行相关法定程序",
                "the decision has been made; its text may not simply be changed — a major adjustment must go through the statutory procedure",
            ));
            return;
        }
        if ctx.state.status(stage::DRAFTING) != StageStatus::NotStarted {
            return;
        }
    }
    let Some(home) = fact_stage(ctx.pack, fact) else {
        return;
    };
    // A reply comes when the committee gives it: recording the report does not wait for it, and
    // the reply may arrive after the stage is done (第三十一条 asks for the report, not a reply).
    if matches!(fact, Fact::PartyReply { .. } | Fact::NpcReply { .. })
        && ctx.state.status(home) == StageStatus::Completed
    {
        return;
    }
    // Where the pack keeps the fair-competition review with the draft, a draft revised after
    // drafting (e.g. adjusted for an uncontrollable risk, 第二十四条) is reviewed where it was
    // revised; otherwise a market matter could never reach the legality review again.
    if matches!(fact, Fact::FairCompetitionReview { .. })
        && home == stage::DRAFTING
        && !ctx.state.adopted()
        && ctx.state.status(stage::DRAFTING) != StageStatus::NotStarted
    {
        return;
    }
    if ctx.state.status(home) != StageStatus::InProgress {
        let id = StageId::new(home);
        out.push(
            Violation::new(
                "flow.stage_not_in_progress",
                ctx.basis(home),
                format!("“{}”环节未在进行中，不能记录此项材料", ctx.zh(home)),
                format!("stage {home} is not in progress; this evidence cannot be recorded"),
            )
            .at(&id),
        );
    }
}
