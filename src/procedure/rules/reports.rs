//! Reports before issuance: to the party committee at the same level (第三十一条) and, where the
//! pack requires it, to the people's congress standing committee (第八条).

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact, StageId};

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        // 第三十一条 asks for the report before issuance; a reply is not a condition of it.
        Fact::PartyReport { submitted_on, .. } | Fact::NpcReport { submitted_on, .. } => {
            ctx.not_future("报告", "report", *submitted_on, out);
        }
        Fact::PartyReply { replied_on, reply } | Fact::NpcReply { replied_on, reply } => {
            let (id, reported) = match fact {
                Fact::PartyReply { .. } => {
                    (stage::PARTY_REPORT, reported(ctx, stage::PARTY_REPORT))
                }
                _ => (stage::NPC_REPORT, reported(ctx, stage::NPC_REPORT)),
            };
            if !reported {
                out.push(
                    Violation::new(
                        "report.reply_without_report",
                        ctx.basis(id),
                        "尚未报告，不能记录答复",
                        "there is no report to reply to",
                    )
                    .at(&StageId::new(id)),
                );
            }
            ctx.not_future("答复", "reply", *replied_on, out);
            required_text(
                reply,
                "report.reply_missing",
                ctx.basis(id),
                "答复意见",
                "the reply",
                out,
            );
        }
        _ => {}
    }
}

/// Whether the report of stage `id` has been recorded.
fn reported(ctx: &Ctx, id: &str) -> bool {
    ctx.state.all_facts().any(|f| match id {
        stage::PARTY_REPORT => matches!(f, Fact::PartyReport { .. }),
        _ => matches!(f, Fact::NpcReport { .. }),
    })
}

pub(crate) fn complete(ctx: &Ctx, id: &StageId, out: &mut Vec<Violation>) {
    let done = ctx
        .state
        .round_facts(id.as_str())
        .any(|d| match id.as_str() {
            stage::PARTY_REPORT => matches!(d.fact, Fact::PartyReport { .. }),
            _ => matches!(d.fact, Fact::NpcReport { .. }),
        });
    if !done {
        let (zh, en) = if id.as_str() == stage::PARTY_REPORT {
            ("重大行政决策出台前应当按照规定向同级党委请示报告", "before issuance the decision must be reported to the party committee at the same level")
        } else {
            ("重大行政决策出台前应当向本级人民代表大会常务委员会报告", "before issuance the decision must be reported to the people's congress standing committee")
        };
        out.push(Violation::new("report.missing", ctx.basis(id.as_str()), zh, en).at(id));
    }
}
