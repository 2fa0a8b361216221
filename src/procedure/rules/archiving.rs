//! 归档 (第三十三条): the complete process record and materials, filed as one dossier, sealed with
//! the record's chain hash.

use super::{required_text, Ctx, Violation};
use crate::procedure::state::{stage, Fact};
use crate::procedure::violation::law;

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    if let Fact::ArchiveSealed { seal } = fact {
        required_text(
            seal,
            "archiving.seal_missing",
            law("第三十三条"),
            "归档时记录链的封存摘要",
            "the record's seal hash",
            out,
        );
        dossier(ctx, out);
    }
}

/// Every stage required for the decision that comes before archiving must be done.
fn dossier(ctx: &Ctx, out: &mut Vec<Violation>) {
    let archiving = crate::procedure::state::StageId::new(stage::ARCHIVING);
    for st in &ctx.pack.stages {
        if ctx.pack.precedes(&st.id, &archiving)
            && st.required.eval(&ctx.attrs)
            && !ctx.state.status(st.id.as_str()).done()
        {
            out.push(
                Violation::new(
                    "archiving.incomplete_dossier",
                    law("第三十三条"),
                    format!("“{}”环节的记录、材料尚不完整，不能归档", st.name.zh),
                    format!(
                        "the record of {} is incomplete; the dossier cannot be filed",
                        st.id
                    ),
                )
                .at(&st.id),
            );
        }
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    if !ctx
        .state
        .round_facts(stage::ARCHIVING)
        .any(|d| matches!(d.fact, Fact::ArchiveSealed { .. }))
    {
        out.push(Violation::new(
            "archiving.not_sealed",
            law("第三十三条"),
            "决策档案尚未封存归档",
            "the dossier has not been filed and sealed",
        ));
    }
    dossier(ctx, out);
}
