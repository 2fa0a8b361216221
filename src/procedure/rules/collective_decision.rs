//! 集体讨论决定 (第二十九条、第三十条): the package for this exact draft; a 常务会议 or 全体会议;
//! every member heard, the head last; a reason stated where the head departs from the majority;
//! dissent recorded as stated.

use super::{
    drafting, fair_competition, flow, legality_review, required_text, risk, Ctx, Violation,
};
use crate::procedure::pack::ReturnTrigger;
use crate::procedure::state::{
    stage, DraftHash, Fact, LegalityOutcome, Meeting, MeetingKind, MeetingOutcome, Member,
    Position, StageId,
};
use crate::procedure::violation::law;

/// What must be on the table with `draft` (第二十五条第二款, 第二十四条, 第二十九条).
pub(crate) fn package(ctx: &Ctx, draft: &DraftHash, out: &mut Vec<Violation>) {
    // The stages before the meeting were done when it started, but a review reopened since, or a
    // stage an attribute change has made required, must be done before the meeting decides.
    flow::prerequisites(ctx, &ctx.pack.decision_stage, out);
    match legality_review::latest_opinion(ctx) {
        None => out.push(Violation::new(
            "collective_decision.not_reviewed",
            law("第二十五条第二款"),
            "决策草案未经合法性审查，不得提交决策机关讨论",
            "the draft has not been legality-reviewed and may not go to the organ's meeting",
        )),
        Some((_, outcome)) if !legality_review::passes(outcome) => out.push(
            legality_review::unlawful("collective_decision.unlawful_draft"),
        ),
        // 第二十八条: 修改后合法 — the meeting takes the revised draft, not the one reviewed.
        Some((reviewed, LegalityOutcome::LawfulAfterRevision))
            if reviewed == draft || !legality_review::revised_since(ctx, reviewed) =>
        {
            out.push(legality_review::revision_missing(
                "collective_decision.revision_missing",
            ))
        }
        Some((_, LegalityOutcome::LawfulAfterRevision)) => {}
        Some((reviewed, _)) if reviewed != draft => out.push(
            legality_review::changed_after_review("collective_decision.draft_not_reviewed"),
        ),
        // 第二十五条第二款: only an exploratory reform goes forward on a statement of its legal
        // risk — not a matter whose attributes have since been changed to say it is not one.
        Some((_, LegalityOutcome::LegalRiskStated)) if !ctx.attrs.get("exploratory_reform") => {
            out.push(Violation::new(
                "collective_decision.legal_risk_not_exploratory",
                law("第二十五条第二款"),
                "合法性审查意见仅明示了法律风险，而本决策事项已不属于探索性改革事项，须重新进行合法性审查",
                "the legality opinion only stated the legal risk, and the matter is no longer an exploratory reform; the draft must be reviewed again",
            ))
        }
        _ => {}
    }
    review_postdates_procedure(ctx, out);
    fair_competition::require_for(
        ctx,
        draft,
        "collective_decision.fair_competition_missing",
        out,
    );
}

/// The legality review checks that the procedures were performed (第二十七条第（二）项): every
/// required stage before it must have been done when the opinion was given. A stage completed
/// (or required) only afterwards — say, after a change of attributes — needs a new review.
fn review_postdates_procedure(ctx: &Ctx, out: &mut Vec<Violation>) {
    let review = StageId::new(stage::LEGALITY_REVIEW);
    let Some(opinion_at) = ctx
        .state
        .facts
        .iter()
        .rev()
        .find(|d| matches!(d.fact, Fact::LegalityOpinion { .. }))
        .map(|d| d.at)
    else {
        return;
    };
    for st in &ctx.pack.stages {
        if !ctx.pack.precedes(&st.id, &review) || !st.required.eval(&ctx.attrs) {
            continue;
        }
        let rec = ctx.state.stage(st.id.as_str());
        if rec.status.done() && rec.completed_at.is_some_and(|t| t > opinion_at) {
            out.push(
                Violation::new(
                    "collective_decision.review_predates_procedure",
                    law("第二十七条第（二）项"),
                    format!("“{}”环节在合法性审查意见之后才完成，须重新进行合法性审查", st.name.zh),
                    format!("{} was completed after the legality opinion; the draft must be reviewed again", st.id),
                )
                .at(&st.id),
            );
        }
    }
}

fn open_meeting<'a>(ctx: &'a Ctx) -> Option<(&'a Meeting, &'a [Member], &'a DraftHash)> {
    let m = ctx.state.meeting()?;
    if m.outcome.is_some() {
        return None;
    }
    match &m.convened {
        Fact::MeetingConvened { members, draft, .. } => Some((m, members, draft)),
        _ => None,
    }
}

fn no_meeting() -> Violation {
    Violation::new(
        "collective_decision.no_meeting",
        law("第三十条第一款"),
        "没有正在进行的常务会议或全体会议",
        "no executive or plenary meeting is in session",
    )
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::MeetingConvened {
            kind,
            held_on,
            draft,
            members,
            observers,
            ..
        } => {
            if open_meeting(ctx).is_some() {
                out.push(Violation::new(
                    "collective_decision.meeting_open",
                    law("第三十条"),
                    "上一次会议尚未作出决定",
                    "the previous meeting has not decided yet",
                ));
            }
            drafting::current_draft(
                ctx,
                draft,
                "collective_decision.not_current_draft",
                law("第二十九条"),
                out,
            );
            package(ctx, draft, out);
            ctx.not_future("会议", "meeting", *held_on, out);
            let heads = members.iter().filter(|m| m.head).count();
            if heads != 1 {
                out.push(Violation::new(
                    "collective_decision.no_head",
                    law("第三十条第一款"),
                    format!("会议组成人员中须有且只有一名行政首长，现有{heads}名"),
                    format!("exactly one member must be the head of the organ; {heads} are"),
                ));
            }
            if members.len() < 2 {
                out.push(Violation::new(
                    "collective_decision.not_collective",
                    law("第三十条第一款"),
                    "集体讨论须有多名会议组成人员",
                    "a collective discussion needs several members",
                ));
            }
            // Where a pack asks for it (浙江: 列席政府常务会议并发表意见), the legality unit attends
            // the executive meeting — not every plenary — and states its view.
            let p = &ctx.pack.parameters.legality_unit_attends_meeting;
            if p.value && matches!(kind, MeetingKind::ExecutiveMeeting) {
                match observers.iter().find(|o| o.role == "legality_review_unit") {
                    None => out.push(Violation::new(
                        "collective_decision.legality_unit_absent",
                        p.basis.clone(),
                        "负责合法性审查的部门应当列席政府常务会议",
                        "the legality review unit must attend the executive meeting",
                    )),
                    Some(o) if o.statement.as_deref().is_none_or(|t| t.trim().is_empty()) => {
                        out.push(Violation::new(
                            "collective_decision.legality_unit_silent",
                            p.basis.clone(),
                            "列席常务会议的负责合法性审查的部门应当发表意见，须记录其意见",
                            "the legality review unit attending the executive meeting must state its view; record it",
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        Fact::MeetingStatement { member, text, .. } => {
            let Some((meeting, members, _)) = open_meeting(ctx) else {
                out.push(no_meeting());
                return;
            };
            if !members.iter().any(|m| &m.id == member) {
                out.push(Violation::new(
                    "collective_decision.not_a_member",
                    law("第三十条第二款"),
                    format!("{member}不是本次会议组成人员"),
                    format!("{member} is not a member of this meeting"),
                ));
            }
            let head_spoke = meeting
                .statements
                .iter()
                .any(|(who, _)| members.iter().any(|m| m.head && &m.id == who));
            if head_spoke {
                out.push(head_not_last());
            }
            // 第三十条第二款 asks members to 充分发表意见 and sets no limit on how often; a
            // member may speak again (the latest position is the one counted).
            required_text(
                text,
                "collective_decision.statement_empty",
                law("第三十条第三款"),
                "发言内容（如实记录）",
                "the statement as made",
                out,
            );
        }
        Fact::RiskFinding {
            controllable,
            reasons,
            measures,
        } => {
            if open_meeting(ctx).is_none() {
                out.push(no_meeting());
            }
            required_text(
                reasons,
                "collective_decision.risk_finding_incomplete",
                law("第二十四条"),
                "决策机关认定风险是否可控的理由",
                "the organ's reasons for its finding on the risk",
                out,
            );
            let assessed_uncontrollable = matches!(risk::latest(ctx), Some((_, false)));
            if *controllable
                && assessed_uncontrollable
                && measures.iter().all(|m| m.trim().is_empty())
            {
                out.push(Violation::new(
                    "collective_decision.risk_finding_incomplete",
                    law("第二十四条"),
                    "风险评估认为风险不可控，决策机关认为可控的，须载明确保风险可控的措施",
                    "the assessment found the risk uncontrollable; the organ's finding that it is controllable must name the measures that make it so",
                ));
            }
        }
        Fact::HeadDecision {
            outcome,
            deviation_reason,
        } => {
            let Some((meeting, members, draft)) = open_meeting(ctx) else {
                out.push(no_meeting());
                return;
            };
            for m in members.iter().filter(|m| !m.head) {
                if !meeting.statements.iter().any(|(who, _)| who == &m.id) {
                    out.push(Violation::new(
                        "collective_decision.member_not_heard",
                        law("第三十条第二款"),
                        format!("会议组成人员{}尚未发表意见", m.name),
                        format!("member {} has not stated an opinion", m.name),
                    ));
                }
            }
            let head_last = meeting
                .statements
                .last()
                .is_some_and(|(who, _)| members.iter().any(|m| m.head && &m.id == who));
            if !head_last {
                out.push(head_not_last());
            }
            // Each member's latest position: a member who spoke again may have changed it.
            let others: Vec<Position> = members
                .iter()
                .filter(|m| !m.head)
                .filter_map(|m| {
                    meeting
                        .statements
                        .iter()
                        .rev()
                        .find(|(who, _)| who == &m.id)
                        .map(|(_, p)| *p)
                })
                .collect();
            let n = members.iter().filter(|m| !m.head).count();
            let support = others.iter().filter(|p| **p == Position::Support).count();
            let oppose = others.iter().filter(|p| **p == Position::Oppose).count();
            let departs = match outcome {
                MeetingOutcome::Adopted => oppose * 2 > n,
                MeetingOutcome::NotAdopted => support * 2 > n,
                MeetingOutcome::Deferred | MeetingOutcome::ReturnedForRevision => false,
            };
            if departs
                && deviation_reason
                    .as_deref()
                    .is_none_or(|r| r.trim().is_empty())
            {
                out.push(Violation::new(
                    "collective_decision.deviation_without_reason",
                    law("第三十条第二款"),
                    "行政首长拟作出的决定与会议组成人员多数人的意见不一致，应当在会上说明理由",
                    "the head's decision departs from the majority of members; the reason stated at the meeting must be recorded",
                ));
            }
            if *outcome == MeetingOutcome::Adopted {
                if risk_controllable(ctx) == Some(false) {
                    out.push(risk::uncontrollable(
                        "collective_decision.risk_uncontrollable",
                    ));
                }
                drafting::current_draft(
                    ctx,
                    draft,
                    "collective_decision.not_current_draft",
                    law("第二十九条"),
                    out,
                );
                package(ctx, draft, out);
            }
            if *outcome == MeetingOutcome::ReturnedForRevision
                && !ctx
                    .pack
                    .returns
                    .iter()
                    .any(|r| r.on == ReturnTrigger::MeetingReturned)
            {
                out.push(Violation::new(
                    "collective_decision.no_return_edge",
                    format!("{}（{}）", ctx.pack.title.zh, ctx.pack.key()),
                    "本程序规则未规定会议退回修改的途径",
                    "the pack declares no return from the meeting for revision",
                ));
            }
        }
        _ => {}
    }
}

/// Whether the risk is controllable as the meeting may act on it: the organ's own finding at
/// this meeting (第二十四条: 决策机关认为), or else the latest assessment; `None` without either.
fn risk_controllable(ctx: &Ctx) -> Option<bool> {
    for d in ctx.state.facts.iter().rev() {
        match &d.fact {
            Fact::RiskFinding { controllable, .. } => return Some(*controllable),
            Fact::RiskReport { controllable, .. } => return Some(*controllable),
            Fact::MeetingConvened { .. } => break,
            _ => {}
        }
    }
    risk::latest(ctx).map(|(_, c)| c)
}

fn head_not_last() -> Violation {
    Violation::new(
        "collective_decision.head_not_last",
        law("第三十条第二款"),
        "讨论决策草案，行政首长最后发表意见",
        "the head of the organ speaks last",
    )
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let adopted = ctx
        .state
        .meeting()
        .is_some_and(|m| matches!(m.outcome, Some((MeetingOutcome::Adopted, _))));
    if !adopted {
        out.push(Violation::new(
            "collective_decision.not_adopted",
            law("第三十条第一款"),
            "行政首长尚未在集体讨论的基础上作出通过的决定",
            "the head has not adopted the decision on the basis of the collective discussion",
        ));
    }
}
