//! Changing a decision's attributes: only with a reason, never so as to drop a stage already
//! under way or done, never after the decision is made.

use super::{initiation, required_text, Ctx, Violation};
use crate::procedure::state::{Attributes, StageStatus};
use crate::procedure::violation::law;

pub(crate) fn check(ctx: &Ctx, new: &Attributes, reason: &str, out: &mut Vec<Violation>) {
    if ctx.state.adopted() {
        out.push(Violation::new(
            "attributes.after_decision",
            law("第三十七条"),
            "决策已作出，不能再变更决策属性",
            "the decision has been made; its attributes can no longer change",
        ));
        return;
    }
    required_text(
        reason,
        "attributes.reason_missing",
        law("第三十三条"),
        "变更决策属性的理由",
        "the reason for changing the attributes",
        out,
    );
    initiation::check_scope(ctx.pack, new, out);
    for st in &ctx.pack.stages {
        let status = ctx.state.status(st.id.as_str());
        if status == StageStatus::NotStarted {
            continue;
        }
        let was_required = st.required.eval(&ctx.attrs);
        let dropped = (was_required && !st.required.eval(new)) || !st.allowed.eval(new);
        if dropped {
            out.push(
                Violation::new(
                    "attributes.drops_started_stage",
                    st.basis.clone(),
                    format!("“{}”环节已启动或完成，变更属性不得使其不再适用", st.name.zh),
                    format!(
                        "stage {} is under way or done; the change would drop it",
                        st.id
                    ),
                )
                .at(&st.id),
            );
        }
    }
}
