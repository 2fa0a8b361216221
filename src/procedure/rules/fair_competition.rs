//! 公平竞争审查 (第二十九条第（一）项): a draft touching market entities' economic activity
//! carries a fair-competition review; some packs make it a stage of its own.

use super::{drafting, required_text, Ctx, Violation};
use crate::procedure::state::{stage, DraftHash, Fact};
use crate::procedure::violation::law;

/// The latest review of `draft`, and whether it passes.
pub(crate) fn review_of(ctx: &Ctx, draft: &DraftHash) -> Option<bool> {
    ctx.state.all_facts().rev().find_map(|f| match f {
        Fact::FairCompetitionReview {
            draft: d, passes, ..
        } if d == draft => Some(*passes),
        _ => None,
    })
}

fn basis(ctx: &Ctx) -> String {
    ctx.pack
        .stage(stage::FAIR_COMPETITION_REVIEW)
        .map(|s| s.basis.clone())
        .unwrap_or_else(|| law("第二十九条第（一）项"))
}

/// A market matter needs a passing review of `draft`.
pub(crate) fn require_for(ctx: &Ctx, draft: &DraftHash, rule: &str, out: &mut Vec<Violation>) {
    if ctx.attrs.get("market_activity") {
        check_review(ctx, draft, rule, out);
    }
}

/// `draft` must have a passing review.
fn check_review(ctx: &Ctx, draft: &DraftHash, rule: &str, out: &mut Vec<Violation>) {
    match review_of(ctx, draft) {
        Some(true) => {}
        Some(false) => out.push(Violation::new(
            rule,
            basis(ctx),
            "公平竞争审查未通过，草案须修改后重新审查",
            "the fair-competition review did not pass; the draft must be revised and reviewed again",
        )),
        None => out.push(Violation::new(
            rule,
            basis(ctx),
            format!("决策草案涉及市场主体经济活动，缺少对草案 {} 的公平竞争审查情况", drafting::short(draft)),
            format!("the draft touches market entities' economic activity; there is no fair-competition review of draft {}", drafting::short(draft)),
        )),
    }
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    if let Fact::FairCompetitionReview {
        draft,
        reviewer,
        conclusion,
        ..
    } = fact
    {
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
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    if let Some(draft) = ctx.state.current_draft() {
        check_review(ctx, draft, "fair_competition.record_missing", out);
    }
}
