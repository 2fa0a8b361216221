//! 公众参与 (第十四条、第十五条、第十八条): a public comment period of at least the pack's days
//! unless a shortening reason is stated in the notice itself; every comment given a disposition;
//! the adoption report.

use chrono::{Days, NaiveDate};

use super::{drafting, required_text, Ctx, Violation};
use crate::procedure::state::{china_date, stage, Dated, Fact};
use crate::procedure::violation::law;

/// A comment period's first and last day (China time). The opening day is not counted, so a
/// 30-day period opened on 1 March runs to the end of 31 March.
pub(crate) fn period(d: &Dated<Fact>) -> Option<(NaiveDate, NaiveDate)> {
    match &d.fact {
        Fact::CommentPeriodOpened { days, .. } => {
            let start = china_date(d.at);
            let end = start.checked_add_days(Days::new(u64::from(*days)))?;
            Some((start, end))
        }
        _ => None,
    }
}

fn periods<'a>(ctx: &'a Ctx) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + 'a {
    ctx.state
        .round_facts(stage::PUBLIC_PARTICIPATION)
        .filter_map(period)
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::CommentPeriodOpened {
            draft,
            days,
            notice,
            channels,
            shortening_reason,
        } => {
            drafting::known_draft(ctx, draft, out);
            required_text(
                notice,
                "participation.notice_missing",
                law("第十五条第一款"),
                "征求意见公告",
                "the notice",
                out,
            );
            if channels.iter().all(|c| c.trim().is_empty()) {
                out.push(Violation::new(
                    "participation.no_channel",
                    law("第十五条第一款"),
                    "未明确公布草案的途径（政府网站、政务新媒体、报刊、广播、电视等）",
                    "no channel (government website, new media, press, radio, TV…) is named",
                ));
            }
            if *days == 0 {
                out.push(Violation::new(
                    "participation.no_period",
                    law("第十五条第一款"),
                    "征求意见期限须至少1日",
                    "the period must be at least one day",
                ));
            }
            let p = &ctx.pack.parameters.comment_period_days;
            let reason = shortening_reason.as_deref().map(str::trim).unwrap_or("");
            if *days < p.value {
                if reason.is_empty() {
                    out.push(Violation::new(
                        "participation.comment_period_too_short",
                        p.basis.clone(),
                        format!("公开征求意见期限{days}日少于{}日，且未说明缩短期限的理由", p.value),
                        format!("a comment period of {days} days is under the minimum of {} days and no shortening reason is given", p.value),
                    ));
                } else if !notice.contains(reason) {
                    out.push(Violation::new(
                        "participation.shortening_reason_not_in_notice",
                        p.basis.clone(),
                        "缩短征求意见期限的理由须在征求意见公告中予以说明",
                        "the reason for shortening the period must be stated in the notice itself",
                    ));
                }
            }
            if periods(ctx).any(|(_, end)| ctx.today <= end) {
                out.push(Violation::new(
                    "participation.period_already_open",
                    law("第十五条第一款"),
                    "已有正在进行的公开征求意见",
                    "a comment period is already open",
                ));
            }
        }
        Fact::CommentsReceived { count, digest } => {
            if !accepting(ctx) {
                out.push(Violation::new(
                    "participation.comment_outside_period",
                    law("第十五条第一款"),
                    "当前不在公开征求意见期限内",
                    "no comment period is open now",
                ));
            }
            if *count == 0 || digest.trim().is_empty() {
                out.push(Violation::new(
                    "participation.empty_batch",
                    law("第十八条"),
                    "意见批次为空或缺少摘要",
                    "the batch of comments is empty or has no digest",
                ));
            }
        }
        Fact::CommentHidden { reason, .. } => {
            any_open(ctx, out);
            required_text(
                reason,
                "participation.hiding_reason_missing",
                law("第十八条"),
                "屏蔽理由",
                "the reason for hiding",
                out,
            );
        }
        Fact::CommentDisposed { reason, .. } => {
            any_open(ctx, out);
            required_text(
                reason,
                "participation.disposition_reason_missing",
                law("第十八条"),
                "采纳情况的理由",
                "the reason for the disposition",
                out,
            );
        }
        Fact::CommentsDisposed {
            comment_ids,
            reason,
            ..
        } => {
            let distinct: std::collections::BTreeSet<&str> =
                comment_ids.iter().map(|c| c.trim()).collect();
            if distinct.is_empty() || distinct.contains("") {
                out.push(Violation::new(
                    "participation.group_empty",
                    law("第十八条"),
                    "归并处理的意见须列明每条意见的编号",
                    "a group disposition must list the id of every comment in it",
                ));
            } else if distinct.len() != comment_ids.len() {
                out.push(Violation::new(
                    "participation.group_duplicate",
                    law("第十八条"),
                    "同一条意见在归并处理中重复列出",
                    "a comment is listed twice in the group",
                ));
            }
            let open = ctx.state.comments.open();
            if (distinct.len() as u64) > open {
                out.push(Violation::new(
                    "participation.no_open_comment",
                    law("第十八条"),
                    format!("归并处理{}条意见，但只有{open}条待处理", distinct.len()),
                    format!(
                        "the group lists {} comments but only {open} are left to handle",
                        distinct.len()
                    ),
                ));
            }
            required_text(
                reason,
                "participation.disposition_reason_missing",
                law("第十八条"),
                "该类意见的归纳和采纳情况的理由",
                "what the group says and the reason for the disposition",
                out,
            );
        }
        Fact::ParticipationActivity {
            held_on, minutes, ..
        } => {
            required_text(
                minutes,
                "participation.minutes_missing",
                law("第十四条第二款"),
                "活动记录",
                "the minutes",
                out,
            );
            ctx.not_future("听取意见活动", "activity", *held_on, out);
        }
        Fact::ParticipationReport { summary } => {
            required_text(
                summary,
                "participation.report_missing",
                law("第十八条"),
                "意见采纳情况报告",
                "the adoption report",
                out,
            );
        }
        _ => {}
    }
}

/// A comment can only be handled while one is left unhandled.
fn any_open(ctx: &Ctx, out: &mut Vec<Violation>) {
    if ctx.state.comments.open() == 0 {
        out.push(Violation::new(
            "participation.no_open_comment",
            law("第十八条"),
            "没有待处理的意见",
            "there is no comment left to handle",
        ));
    }
}

/// Whether public comments are accepted now: participation in progress and a comment period open
/// today (China time). The public intake asks this before storing a comment.
pub(crate) fn accepting(ctx: &Ctx) -> bool {
    ctx.state.status(stage::PUBLIC_PARTICIPATION)
        == crate::procedure::state::StageStatus::InProgress
        && periods(ctx).any(|(start, end)| start <= ctx.today && ctx.today <= end)
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    let round: Vec<&Dated<Fact>> = ctx.state.round_facts(stage::PUBLIC_PARTICIPATION).collect();
    let has_period = round
        .iter()
        .any(|d| matches!(d.fact, Fact::CommentPeriodOpened { .. }));
    let has_activity = round
        .iter()
        .any(|d| matches!(d.fact, Fact::ParticipationActivity { .. }));
    if !has_period && !has_activity {
        out.push(Violation::new(
            "participation.no_activity",
            law("第十四条"),
            "尚未以任何方式听取社会公众意见",
            "the public's views have not been heard in any way",
        ));
    }
    // A pack that asks for a hearing "等形式" (浙江, 昆明) lets another listed form take its
    // place; that form must then be on the record of the participation.
    if ctx.attrs.get("hearing_equivalent_form") && !has_activity {
        let basis = ctx
            .pack
            .attributes
            .iter()
            .find(|a| a.id == "hearing_equivalent_form")
            .map(|a| a.basis.clone())
            .unwrap_or_else(|| law("第十四条第二款"));
        out.push(Violation::new(
            "participation.equivalent_form_missing",
            basis,
            "未举行听证会的，须以座谈会、实地走访等其他形式听取意见并记录",
            "without a hearing, another form (symposium, field visit…) must be held and recorded",
        ));
    }
    if let Some(end) = periods(ctx).map(|(_, end)| end).max() {
        if ctx.today <= end {
            out.push(Violation::new(
                "participation.period_not_ended",
                law("第十五条第一款"),
                format!("公开征求意见期限至{end}届满，期满前不能结束公众参与"),
                format!(
                    "the comment period runs to {end}; participation cannot close before it ends"
                ),
            ));
        }
    }
    let undisposed = ctx.state.comments.open();
    if undisposed > 0 {
        out.push(Violation::new(
            "participation.comments_undisposed",
            law("第十八条"),
            format!("尚有{undisposed}条意见未作出采纳情况处理"),
            format!("{undisposed} comment(s) have no disposition yet"),
        ));
    }
    if !round
        .iter()
        .any(|d| matches!(d.fact, Fact::ParticipationReport { .. }))
    {
        out.push(Violation::new(
            "participation.report_missing",
            law("第二十九条第（二）项"),
            "缺少社会公众意见的研究采纳情况报告",
            "the report on how the public's views were adopted is missing",
        ));
    }
}
