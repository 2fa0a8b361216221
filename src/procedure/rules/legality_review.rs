//! 合法性审查 (第二十五至二十八条): a complete package; at least the pack's working days; legal
//! counsel or public lawyer heard; an opinion bound to the draft reviewed; an unlawful draft does
//! not go to the meeting; a draft changed after review is reviewed again.

use super::{drafting, fair_competition, required_text, Ctx, Violation};
use crate::procedure::state::{stage, DraftHash, Fact, LegalityOutcome};
use crate::procedure::violation::law;

/// The submission under review (the latest, unless returned or answered).
fn pending<'a>(ctx: &Ctx<'a>) -> Option<&'a DraftHash> {
    let mut current = None;
    for d in ctx.state.round_facts(stage::LEGALITY_REVIEW) {
        match &d.fact {
            Fact::LegalitySubmission { draft, .. } => current = Some(draft),
            Fact::LegalityReturned { .. } | Fact::LegalityOpinion { .. } => current = None,
            _ => {}
        }
    }
    current
}

/// The latest legality opinion ever given: (draft, outcome).
pub(crate) fn latest_opinion<'a>(ctx: &Ctx<'a>) -> Option<(&'a DraftHash, LegalityOutcome)> {
    ctx.state.all_facts().rev().find_map(|f| match f {
        Fact::LegalityOpinion { draft, outcome, .. } => Some((draft, *outcome)),
        _ => None,
    })
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::LegalitySubmission {
            draft,
            legal_basis,
            procedures_account,
            due_on,
            shortening_reason,
        } => {
            if pending(ctx).is_some() {
                out.push(Violation::new(
                    "legality_review.already_submitted",
                    law("第二十六条"),
                    "已有送审材料正在审查中",
                    "a submission is already under review",
                ));
            }
            drafting::current_draft(
                ctx,
                draft,
                "legality_review.not_current_draft",
                law("第二十五条第一款"),
                out,
            );
            let basis = || law("第二十六条第一款");
            if legal_basis.iter().all(|b| b.trim().is_empty()) {
                out.push(Violation::new(
                    "legality_review.submission_incomplete",
                    basis(),
                    "送审材料缺少有关法律、法规、规章等依据",
                    "the package lacks the legal basis",
                ));
            }
            required_text(
                procedures_account,
                "legality_review.submission_incomplete",
                basis(),
                "履行决策法定程序的说明",
                "the account of the procedures performed",
                out,
            );
            fair_competition::require_for(
                ctx,
                draft,
                "legality_review.fair_competition_missing",
                out,
            );
            let p = &ctx.pack.parameters.legality_review_working_days;
            let earliest = ctx.cal.add_working_days(ctx.today, p.value);
            // 一般不少于7个工作日: a shorter time is lawful when the submission states why; the
            // reason stays in the record for the legality unit and the meeting to read.
            let reason_given = shortening_reason
                .as_deref()
                .is_some_and(|r| !r.trim().is_empty());
            if *due_on < earliest.date && !reason_given {
                let note = if earliest.provisional {
                    "（该年度节假日安排尚未公布，按周末推算）"
                } else {
                    ""
                };
                out.push(Violation::new(
                    "legality_review.review_time_too_short",
                    p.basis.clone(),
                    format!("审查期限{due_on}不足{}个工作日，最早应为{}{note}；确需缩短的，须说明理由", p.value, earliest.date),
                    format!("a due date of {due_on} gives fewer than {} working days; the earliest is {}{}; a shorter review needs a stated reason", p.value, earliest.date, if earliest.provisional { " (provisional: no holiday calendar for that year)" } else { "" }),
                ));
            }
        }
        Fact::LegalityReturned { reason } => {
            if pending(ctx).is_none() {
                out.push(no_submission());
            }
            required_text(
                reason,
                "legality_review.return_reason_missing",
                law("第二十六条第一款"),
                "退回或要求补充材料的理由",
                "the reason for returning",
                out,
            );
        }
        Fact::LegalCounselOpinion {
            by, draft, summary, ..
        } => {
            match pending(ctx) {
                None => out.push(no_submission()),
                Some(d) if d != draft => out.push(other_draft(
                    "legality_review.counsel_on_other_draft",
                    law("第二十八条"),
                )),
                _ => {}
            }
            required_text(
                by,
                "legality_review.counsel_missing",
                law("第二十八条"),
                "法律顾问或公职律师",
                "the counsel",
                out,
            );
            required_text(
                summary,
                "legality_review.counsel_opinion_empty",
                law("第二十八条"),
                "法律意见",
                "the legal opinion",
                out,
            );
        }
        Fact::LegalityOpinion {
            draft,
            outcome,
            reasons,
            legal_risks,
            findings,
            revision_required,
        } => {
            // 第二十七条: the review covers authority, procedure and content; the opinion says
            // what it found on each.
            let blank = |t: &str| t.trim().is_empty();
            let missing: Vec<&str> = match findings {
                None => vec!["法定权限", "法定程序", "内容"],
                Some(f) => [
                    ("法定权限", &f.authority),
                    ("法定程序", &f.procedure),
                    ("内容", &f.content),
                ]
                .into_iter()
                .filter(|(_, t)| blank(t))
                .map(|(n, _)| n)
                .collect(),
            };
            if !missing.is_empty() {
                out.push(Violation::new(
                    "legality_review.opinion_incomplete",
                    law("第二十七条"),
                    format!("合法性审查意见未就{}作出审查结论", missing.join("、")),
                    "the legality opinion must state its findings on authority, procedure and content",
                ));
            }
            let five = &ctx.pack.parameters.legality_review_five_points;
            if five.value {
                if let Some(f) = findings {
                    let extra: Vec<&str> = [("决策主体", &f.subject), ("决策依据", &f.legal_basis)]
                        .into_iter()
                        .filter(|(_, t)| t.as_deref().is_none_or(blank))
                        .map(|(n, _)| n)
                        .collect();
                    if !extra.is_empty() {
                        out.push(Violation::new(
                            "legality_review.opinion_incomplete",
                            five.basis.clone(),
                            format!("本地区要求合法性审查意见还须就{}作出审查结论", extra.join("、")),
                            "this jurisdiction also asks for findings on the decision's subject and basis",
                        ));
                    }
                }
            }
            // 第二十八条: 修改后合法 names the revision the undertaking unit must make.
            if *outcome == LegalityOutcome::LawfulAfterRevision
                && revision_required.as_deref().is_none_or(blank)
            {
                out.push(Violation::new(
                    "legality_review.revision_unspecified",
                    law("第二十八条"),
                    "审查意见为修改后合法的，须载明需要调整或者补充的内容",
                    "a lawful-after-revision opinion must state the revision required",
                ));
            }
            match pending(ctx) {
                None => out.push(no_submission()),
                Some(d) if d != draft => out.push(other_draft(
                    "legality_review.opinion_on_other_draft",
                    law("第二十五条第一款"),
                )),
                _ => {}
            }
            let counsel = ctx.state.round_facts(stage::LEGALITY_REVIEW).any(
                |d| matches!(&d.fact, Fact::LegalCounselOpinion { draft: x, .. } if x == draft),
            );
            if !counsel {
                out.push(Violation::new(
                    "legality_review.counsel_opinion_missing",
                    law("第二十八条"),
                    "合法性审查过程中应当组织法律顾问、公职律师提出法律意见",
                    "legal counsel or public lawyers must give a legal opinion during the review",
                ));
            }
            required_text(
                reasons,
                "legality_review.reasons_missing",
                law("第二十八条"),
                "审查意见理由",
                "the reasons",
                out,
            );
            if *outcome == LegalityOutcome::LegalRiskStated {
                if !ctx.attrs.get("exploratory_reform") {
                    out.push(Violation::new(
                        "legality_review.legal_risk_not_exploratory",
                        law("第二十五条第二款"),
                        "只有国家尚无明确规定的探索性改革决策事项，才可以明示法律风险提交讨论",
                        "only an exploratory reform matter with no clear national rule may go forward with its legal risk stated",
                    ));
                }
                if legal_risks.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    out.push(Violation::new(
                        "legality_review.legal_risks_missing",
                        law("第二十五条第二款"),
                        "未明示法律风险",
                        "the legal risks are not stated",
                    ));
                }
            }
        }
        _ => {}
    }
}

fn no_submission() -> Violation {
    Violation::new(
        "legality_review.no_submission",
        law("第二十六条第一款"),
        "没有正在审查的送审材料",
        "there is no submission under review",
    )
}

fn other_draft(rule: &str, basis: String) -> Violation {
    Violation::new(
        rule,
        basis,
        "意见针对的草案版本与送审版本不一致",
        "the opinion is on a different draft version from the one submitted",
    )
}

/// Whether an outcome lets the draft go to the meeting.
pub(crate) fn passes(outcome: LegalityOutcome) -> bool {
    !matches!(outcome, LegalityOutcome::Unlawful)
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let answered = ctx
        .state
        .round_facts(stage::LEGALITY_REVIEW)
        .any(|d| matches!(d.fact, Fact::LegalityOpinion { .. }));
    match latest_opinion(ctx) {
        Some((draft, outcome)) if answered => {
            if !passes(outcome) {
                out.push(unlawful("legality_review.unlawful"));
            } else if ctx.state.current_draft() != Some(draft)
                && !(outcome == LegalityOutcome::LawfulAfterRevision && revised_since(ctx, draft))
            {
                out.push(changed_after_review(
                    "legality_review.draft_changed_after_review",
                ));
            }
        }
        _ => out.push(Violation::new(
            "legality_review.opinion_missing",
            law("第二十五条第一款"),
            "负责合法性审查的部门尚未提出审查意见",
            "the legality review unit has not given its opinion",
        )),
    }
}

/// Whether the current draft is a later version than `reviewed` (the revision 第二十八条 asks
/// for after a 修改后合法 opinion).
pub(crate) fn revised_since(ctx: &Ctx, reviewed: &DraftHash) -> bool {
    let drafts = &ctx.state.drafts;
    let at = |d: &DraftHash| drafts.iter().rposition(|x| x == d);
    match (at(reviewed), ctx.state.current_draft().and_then(at)) {
        (Some(r), Some(c)) => c > r,
        _ => false,
    }
}

/// The violation for a 修改后合法 opinion whose revision has not been made.
pub(crate) fn revision_missing(rule: &str) -> Violation {
    Violation::new(
        rule,
        law("第二十八条"),
        "合法性审查意见为修改后合法，决策承办单位须根据审查意见调整或补充草案后再提交讨论",
        "the opinion found the draft lawful after revision; the undertaking unit must revise it as the opinion asks before the meeting",
    )
}

/// The violation for an unlawful draft.
pub(crate) fn unlawful(rule: &str) -> Violation {
    Violation::new(
        rule,
        law("第二十五条第二款"),
        "决策草案经合法性审查不合法，不得提交决策机关讨论",
        "the draft was found unlawful and may not go to the organ's meeting",
    )
}

/// The violation for a draft changed after review.
pub(crate) fn changed_after_review(rule: &str) -> Violation {
    Violation::new(
        rule,
        law("第二十五条"),
        "决策草案在合法性审查后发生变化，须重新进行合法性审查",
        "the draft changed after the legality review and must be reviewed again",
    )
}
