//! 与特定群体沟通协商 (第十四条第三款): where specific groups are affected, consult people's
//! organisations, social organisations and representatives of the people concerned.

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact};

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    if let Fact::GroupConsultation {
        groups,
        representatives,
        held_on,
        minutes,
    } = fact
    {
        let basis = || ctx.basis(stage::GROUP_CONSULTATION);
        if groups.is_empty() {
            out.push(Violation::new(
                "group_consultation.groups_missing",
                basis(),
                "未列明所涉特定群体",
                "the groups affected are not named",
            ));
        }
        if representatives.is_empty() {
            out.push(Violation::new(
                "group_consultation.representatives_missing",
                basis(),
                "未列明参加沟通协商的人民团体、社会组织或群众代表",
                "no people's organisation, social organisation or representative is named",
            ));
        }
        required_text(
            minutes,
            "group_consultation.minutes_missing",
            basis(),
            "沟通协商记录",
            "the minutes",
            out,
        );
        ctx.not_future("沟通协商", "consultation", *held_on, out);
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let any = ctx
        .state
        .round_facts(stage::GROUP_CONSULTATION)
        .any(|d| matches!(d.fact, Fact::GroupConsultation { .. }));
    if !any {
        out.push(Violation::new(
            "group_consultation.missing",
            ctx.basis(stage::GROUP_CONSULTATION),
            "决策事项涉及特定群体利益，尚无与相关群体沟通协商的记录",
            "the matter affects specific groups and there is no record of consulting them",
        ));
    }
}
