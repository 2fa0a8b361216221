//! 决策启动 (第三条、第十条、第十一条): scope, the proposal's content, the undertaking unit.

use super::{required_text, Ctx, Violation};
use crate::procedure::pack::Pack;
use crate::procedure::state::{Attributes, DecisionStatus, Initiation, OrganKind, Proposer};
use crate::procedure::violation::law;

/// The category must be in scope and the attributes known to the pack (a decision's, or a
/// catalog item's: the same matter, the same test).
pub(crate) fn check_scope(pack: &Pack, attrs: &Attributes, out: &mut Vec<Violation>) {
    if attrs.category.out_of_scope() {
        out.push(Violation::new(
            "scope.out_of_scope_category",
            law("第三条第二款"),
            format!("{}不适用重大行政决策程序", attrs.category.zh()),
            format!(
                "{:?} decisions (macro-control, government legislation, emergency response) are outside the regulation",
                attrs.category
            ),
        ));
    }
    // 第三条第二款 (法律、行政法规……另有规定的，依照其规定) and the local rules' exclusions: a
    // matter flagged by an excluding attribute does not go through this procedure.
    for a in pack.attributes.iter().filter(|a| a.excludes) {
        if attrs.get(&a.id) {
            out.push(Violation::new(
                "scope.excluded_matter",
                a.basis.clone(),
                format!("{}，不适用本重大行政决策程序", a.name.zh),
                format!("{}: outside this procedure", a.name.en),
            ));
        }
    }
    for name in attrs.flags.keys() {
        if !pack.attributes.iter().any(|a| &a.id == name) {
            out.push(Violation::new(
                "scope.unknown_attribute",
                format!("{}（{}）", pack.title.zh, pack.key()),
                format!("程序规则未定义决策属性“{name}”"),
                format!("the pack does not declare the attribute \"{name}\""),
            ));
        }
    }
}

pub(crate) fn check(ctx: &Ctx, init: &Initiation, out: &mut Vec<Violation>) {
    if ctx.state.status != DecisionStatus::New {
        out.push(Violation::new(
            "initiation.already_initiated",
            law("第十一条"),
            "决策程序已经启动",
            "the decision procedure has already been started",
        ));
        return;
    }
    check_scope(ctx.pack, &init.attributes, out);
    required_text(
        &init.title,
        "initiation.title_missing",
        law("第十条"),
        "决策事项名称",
        "the matter's title",
        out,
    );
    match &init.proposer {
        Proposer::Leader { name, studied_by } => {
            required_text(
                name,
                "initiation.proposer_missing",
                law("第十条第（一）项"),
                "建议人",
                "the proposer",
                out,
            );
            required_text(
                studied_by,
                "initiation.proposal_not_studied",
                law("第十条第（一）项"),
                "研究论证单位",
                "the unit that studied the proposal",
                out,
            );
        }
        Proposer::Department {
            name,
            problem,
            reasons_and_basis,
            preliminary_plan,
            necessity_and_feasibility,
        } => {
            let basis = || law("第十条第（二）项");
            required_text(
                name,
                "initiation.proposer_missing",
                basis(),
                "建议单位",
                "the proposing unit",
                out,
            );
            required_text(
                problem,
                "initiation.proposal_incomplete",
                basis(),
                "拟解决的主要问题",
                "the main problem to solve",
                out,
            );
            required_text(
                reasons_and_basis,
                "initiation.proposal_incomplete",
                basis(),
                "建议理由和依据",
                "the reasons and basis",
                out,
            );
            required_text(
                preliminary_plan,
                "initiation.proposal_incomplete",
                basis(),
                "解决问题的初步方案",
                "the preliminary plan",
                out,
            );
            required_text(
                necessity_and_feasibility,
                "initiation.proposal_incomplete",
                basis(),
                "必要性、可行性论证",
                "the necessity and feasibility",
                out,
            );
        }
        Proposer::Public {
            name,
            channel,
            studied_by,
        } => {
            let basis = || law("第十条第（三）项");
            required_text(
                name,
                "initiation.proposer_missing",
                basis(),
                "建议人",
                "the proposer",
                out,
            );
            required_text(
                channel,
                "initiation.proposer_missing",
                basis(),
                "建议方式（建议、提案、书面建议）",
                "the channel (suggestion, motion, written proposal)",
                out,
            );
            required_text(
                studied_by,
                "initiation.proposal_not_studied",
                basis(),
                "研究论证单位",
                "the unit that studied the proposal",
                out,
            );
        }
    }
    required_text(
        &init.started_by,
        "initiation.no_organ_decision",
        law("第十条"),
        "决策机关启动决定",
        "the organ's decision to start",
        out,
    );
    required_text(
        &init.lead_unit,
        "initiation.no_undertaking_unit",
        law("第十一条"),
        "（牵头）决策承办单位",
        "the (lead) undertaking unit",
        out,
    );
    ctx.not_future("启动决定", "start decision", init.started_on, out);
    // The bar binds the organs the pack names (贵州: 市、县级人民政府; 浙江: 各地、各部门); a
    // decision whose organ kind is not known is held to it as a government's.
    let p = &ctx.pack.parameters.catalog_required;
    let kind = init.organ_kind.unwrap_or(OrganKind::Government);
    if p.value
        && ctx
            .pack
            .parameters
            .catalog_organ_kinds
            .value
            .contains(&kind)
        && init
            .catalog_item
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
    {
        out.push(Violation::new(
            "initiation.catalog_item_missing",
            p.basis.clone(),
            "本地区要求重大行政决策事项纳入年度决策事项目录，须关联目录事项",
            "this jurisdiction requires every decision to be an item of the organ's annual catalog",
        ));
    }
}
