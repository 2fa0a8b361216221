//! 专家论证 (第十九条、第二十条): experts or professional bodies chosen for expertise,
//! representativeness and neutrality, none with a direct interest; each heard by one of the forms of
//! 第二十条 — a 论证会 with minutes, or a written opinion (书面咨询, or 委托咨询论证 by a commissioned
//! body), which alone must be signed or sealed (第十九条第二款); the adoption report.

use std::collections::BTreeMap;

use super::{drafting, required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact};
use crate::procedure::violation::law;

/// Selected experts of the current round: id → whether they were heard (a signed written opinion,
/// or attendance at a 论证会 with minutes).
fn panel<'a>(ctx: &Ctx<'a>) -> BTreeMap<&'a str, bool> {
    let mut experts = BTreeMap::new();
    for d in ctx.state.round_facts(stage::EXPERT_REVIEW) {
        match &d.fact {
            Fact::ExpertSelected { expert_id, .. } => {
                experts.insert(expert_id.as_str(), false);
            }
            Fact::ExpertOpinion {
                expert_id,
                signed: true,
                ..
            } => {
                if let Some(given) = experts.get_mut(expert_id.as_str()) {
                    *given = true;
                }
            }
            Fact::ExpertMeeting { attendees, .. } => {
                for a in attendees {
                    if let Some(given) = experts.get_mut(a.as_str()) {
                        *given = true;
                    }
                }
            }
            _ => {}
        }
    }
    experts
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::ExpertSelected {
            expert_id,
            name,
            field,
            direct_interest,
            declaration,
            ..
        } => {
            if *direct_interest {
                out.push(Violation::new(
                    "expert_review.direct_interest",
                    law("第二十条"),
                    format!("{name}与决策事项有直接利害关系，不得选为论证专家"),
                    format!("{name} has a direct interest in the matter and may not be chosen"),
                ));
            }
            required_text(
                declaration,
                "expert_review.declaration_missing",
                law("第二十条"),
                "利害关系声明",
                "the conflict-of-interest declaration",
                out,
            );
            required_text(
                field,
                "expert_review.field_missing",
                law("第二十条"),
                "专业领域",
                "the field of expertise",
                out,
            );
            if panel(ctx).contains_key(expert_id.as_str()) {
                out.push(Violation::new(
                    "expert_review.duplicate_expert",
                    law("第二十条"),
                    format!("{name}已在论证专家名单中"),
                    format!("{name} is already on the panel"),
                ));
            }
        }
        Fact::ExpertOpinion {
            expert_id,
            draft,
            signed,
            summary,
        } => {
            if !panel(ctx).contains_key(expert_id.as_str()) {
                out.push(Violation::new(
                    "expert_review.unknown_expert",
                    law("第二十条"),
                    format!("专家{expert_id}未经遴选"),
                    format!("expert {expert_id} was not selected"),
                ));
            }
            drafting::known_draft(ctx, draft, out);
            if !signed {
                out.push(Violation::new(
                    "expert_review.opinion_unsigned",
                    law("第十九条第二款"),
                    "书面论证意见应当署名、盖章",
                    "a written opinion must be signed or sealed",
                ));
            }
            required_text(
                summary,
                "expert_review.opinion_empty",
                law("第十九条第二款"),
                "论证意见",
                "the opinion",
                out,
            );
        }
        Fact::ExpertMeeting {
            held_on,
            attendees,
            minutes,
        } => {
            let experts = panel(ctx);
            if attendees.is_empty() {
                out.push(Violation::new(
                    "expert_review.meeting_without_experts",
                    law("第二十条"),
                    "论证会须列明出席的论证专家",
                    "the experts who attended the meeting must be listed",
                ));
            }
            for a in attendees
                .iter()
                .filter(|a| !experts.contains_key(a.as_str()))
            {
                out.push(Violation::new(
                    "expert_review.unknown_expert",
                    law("第二十条"),
                    format!("专家{a}未经遴选"),
                    format!("expert {a} was not selected"),
                ));
            }
            ctx.not_future("论证会", "expert meeting", *held_on, out);
            required_text(
                minutes,
                "expert_review.minutes_missing",
                law("第二十条"),
                "论证会纪要（载明专家意见）",
                "the minutes with the experts' views",
                out,
            );
        }
        Fact::ExpertReport { summary } => {
            required_text(
                summary,
                "expert_review.report_missing",
                law("第二十九条第（三）项"),
                "专家论证意见研究采纳情况",
                "the adoption report",
                out,
            );
        }
        _ => {}
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let experts = panel(ctx);
    let min = &ctx.pack.parameters.expert_minimum;
    let n = u32::try_from(experts.len()).unwrap_or(u32::MAX);
    if n < min.value {
        out.push(Violation::new(
            "expert_review.too_few_experts",
            min.basis.clone(),
            format!("论证专家{n}名，少于{}名", min.value),
            format!("{n} expert(s) on the panel, fewer than {}", min.value),
        ));
    }
    let odd = &ctx.pack.parameters.expert_odd_number;
    if odd.value && n % 2 == 0 {
        out.push(Violation::new(
            "expert_review.even_panel",
            odd.basis.clone(),
            format!("论证专家人数应为单数，现为{n}名"),
            format!("the panel must have an odd number of experts, it has {n}"),
        ));
    }
    for (id, given) in &experts {
        if !given {
            out.push(Violation::new(
                "expert_review.opinion_missing",
                law("第十九条第二款"),
                format!("专家{id}既未提交署名、盖章的书面论证意见，也未出席有纪要的论证会"),
                format!("expert {id} has neither given a signed or sealed written opinion nor attended a minuted expert meeting"),
            ));
        }
    }
    if !ctx
        .state
        .round_facts(stage::EXPERT_REVIEW)
        .any(|d| matches!(d.fact, Fact::ExpertReport { .. }))
    {
        out.push(Violation::new(
            "expert_review.report_missing",
            law("第二十九条第（三）项"),
            "缺少专家论证意见的研究采纳情况",
            "the report on how the experts' opinions were adopted is missing",
        ));
    }
}
