//! 公平竞争审查 (第二十九条第（一）项): a draft touching market entities' economic activity
//! carries a fair-competition review; some packs make it a stage of its own. From 2024-08-01
//! (《公平竞争审查条例》第二十七条) that regulation also governs the review: the market-regulation
//! department reviews together with the drafting unit (第十四条), operators and industry
//! associations are heard (第十六条), and a measure that failed the review is not issued
//! (第十八条) unless one of the exceptions of 第十二条 applies, explained in the conclusion
//! (第十七条第二款).

use chrono::NaiveDate;

use super::{drafting, required_text, Ctx, Violation};
use crate::procedure::state::{stage, DraftHash, Fact, OrganKind};
use crate::procedure::violation::law;

/// The day 《公平竞争审查条例》 took effect (its 第二十七条).
const REGULATION_IN_FORCE: Option<NaiveDate> = NaiveDate::from_ymd_opt(2024, 8, 1);

/// An article of 《公平竞争审查条例》.
fn fcr(article: &str) -> String {
    format!("《公平竞争审查条例》{article}")
}

/// Whether 《公平竞争审查条例》 is in force on the day the guard runs.
fn regulation_applies(ctx: &Ctx) -> bool {
    REGULATION_IN_FORCE.is_some_and(|d| ctx.today >= d)
}

/// The latest review of `draft`, and whether the draft may go on: it passes, or it failed and
/// is issued under an exception of 第十二条 with its reason recorded.
pub(crate) fn review_of(ctx: &Ctx, draft: &DraftHash) -> Option<bool> {
    ctx.state.all_facts().rev().find_map(|f| match f {
        Fact::FairCompetitionReview {
            draft: d,
            passes,
            exception,
            ..
        } if d == draft => Some(*passes || exception.is_some()),
        _ => None,
    })
}

fn basis(ctx: &Ctx) -> String {
    ctx.pack
        .stage(stage::FAIR_COMPETITION_REVIEW)
        .map(|s| s.basis.clone())
        .unwrap_or_else(|| law("第二十九条第（一）项"))
}

/// The basis of a refusal to go on without a passing review: the pack's, and the bar of
/// 《公平竞争审查条例》第十八条 once it is in force.
fn bar_basis(ctx: &Ctx, articles: &str) -> String {
    if regulation_applies(ctx) {
        format!("{}；{}", basis(ctx), fcr(articles))
    } else {
        basis(ctx)
    }
}

/// A market matter needs a passing review of `draft`.
pub(crate) fn require_for(ctx: &Ctx, draft: &DraftHash, rule: &str, out: &mut Vec<Violation>) {
    if ctx.attrs.get("market_activity") {
        check_review(ctx, draft, rule, out);
    }
}

/// `draft` must have a passing review, or one that records an exception of 第十二条.
fn check_review(ctx: &Ctx, draft: &DraftHash, rule: &str, out: &mut Vec<Violation>) {
    match review_of(ctx, draft) {
        Some(true) => {}
        Some(false) => out.push(Violation::new(
            rule,
            bar_basis(ctx, "第十八条、第十二条"),
            "公平竞争审查未通过且未说明适用例外情形，不得出台：草案须修改后重新审查，或者在审查结论中说明符合的例外情形、无替代方案的理由和实施期限",
            "the fair-competition review did not pass and records no exception: revise the draft and review it again, or record the exception that applies, why no less restrictive alternative exists, and the period or end condition",
        )),
        None => out.push(Violation::new(
            rule,
            bar_basis(ctx, "第十八条"),
            format!("决策草案涉及市场主体经济活动，缺少对草案 {} 的公平竞争审查情况", drafting::short(draft)),
            format!("the draft touches market entities' economic activity; there is no fair-competition review of draft {}", drafting::short(draft)),
        )),
    }
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    let Fact::FairCompetitionReview {
        draft,
        reviewer,
        conclusion,
        market_regulator,
        stakeholders_heard,
        exception,
        ..
    } = fact
    else {
        return;
    };
    drafting::known_draft(ctx, draft, out);
    required_text(
        reviewer,
        "fair_competition.reviewer_missing",
        basis(ctx),
        "审查机构",
        "the reviewer",
        out,
    );
    required_text(
        conclusion,
        "fair_competition.conclusion_missing",
        basis(ctx),
        "审查结论",
        "the conclusion",
        out,
    );
    if regulation_applies(ctx) {
        // 第十四条: a measure the government itself issues is reviewed by its
        // market-regulation department together with the drafting unit. A department's own
        // measure (第四十二条 参照) is reviewed by the drafting unit itself (第十三条).
        let by_government = ctx
            .state
            .initiation
            .as_ref()
            .and_then(|i| i.organ_kind)
            .is_none_or(|k| k == OrganKind::Government);
        if by_government
            && market_regulator
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
        {
            out.push(Violation::new(
                "fair_competition.market_regulator_missing",
                fcr("第十四条"),
                "拟由人民政府出台的政策措施，由本级人民政府市场监督管理部门会同起草单位开展公平竞争审查，须载明市场监督管理部门",
                "a measure the government issues is reviewed by its market-regulation department together with the drafting unit; name the department",
            ));
        }
        if stakeholders_heard.iter().all(|s| s.trim().is_empty()) {
            out.push(Violation::new(
                "fair_competition.stakeholders_not_heard",
                fcr("第十六条"),
                "开展公平竞争审查，应当听取有关经营者、行业协会商会等利害关系人的意见，须载明听取了谁的意见",
                "the operators, industry associations and chambers of commerce concerned must be heard; record who was heard",
            ));
        }
    }
    if let Some(e) = exception {
        if e.reason.trim().is_empty() || e.period_or_end.trim().is_empty() {
            out.push(Violation::new(
                "fair_competition.exception_incomplete",
                fcr("第十二条、第十七条第二款"),
                "适用例外情形的，须在审查结论中详细说明理由（含没有对公平竞争影响更小的替代方案）并确定合理的实施期限或者终止条件",
                "an exception must state its reason (including why no less restrictive alternative exists) and a reasonable period or end condition",
            ));
        }
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    if let Some(draft) = ctx.state.current_draft() {
        check_review(ctx, draft, "fair_competition.record_missing", out);
    }
}
