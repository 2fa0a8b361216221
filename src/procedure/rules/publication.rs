//! 决策公布 (第三十二条): gazette, website, newspaper; for matters of broad concern or technical
//! matters, how the public's and the experts' opinions were adopted.

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact};
use crate::procedure::violation::law;

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    let Fact::Publication {
        channels,
        published_on,
        opinions_explanation,
        ..
    } = fact
    else {
        return;
    };
    if channels.iter().all(|c| c.trim().is_empty()) {
        out.push(Violation::new(
            "publication.no_channel",
            law("第三十二条"),
            "未明确公布途径（政府公报、政府网站、本行政区域内发行的报纸等）",
            "no channel (gazette, government website, local newspaper…) is named",
        ));
    }
    ctx.not_future("公布", "publication", *published_on, out);
    // 第三十二条: 社会公众普遍关心 (public_concern) or 专业性、技术性较强 (technical) — not the
    // 切身利益 of 第十六条 (public_interest), which is the hearing's trigger.
    let explain = ctx.attrs.get("public_concern") || ctx.attrs.get("technical");
    if explain {
        required_text(
            opinions_explanation.as_deref().unwrap_or(""),
            "publication.explanation_missing",
            law("第三十二条"),
            "公众意见、专家论证意见的采纳情况说明（社会公众普遍关心或者专业性、技术性较强的决策）",
            "the explanation of how public and expert opinions were adopted (a matter of broad concern or a technical one)",
            out,
        );
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    if !ctx
        .state
        .round_facts(stage::PUBLICATION)
        .any(|d| matches!(d.fact, Fact::Publication { .. }))
    {
        out.push(Violation::new(
            "publication.missing",
            law("第三十二条"),
            "决策尚未公布",
            "the decision has not been published",
        ));
    }
}
