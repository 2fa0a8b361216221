//! 拟定决策草案 (第十二条、第十三条): draft versions with their legal basis, consultation with
//! affected departments, disagreements reported to the organ.

use super::{Ctx, Violation};
use crate::procedure::state::{DraftHash, Fact};
use crate::procedure::violation::law;

/// The draft must be one of the decision's versions.
pub(crate) fn known_draft(ctx: &Ctx, draft: &DraftHash, out: &mut Vec<Violation>) {
    if !ctx.state.drafts.contains(draft) {
        out.push(Violation::new(
            "drafting.unknown_draft",
            law("第十二条"),
            format!("草案版本 {} 不是本决策的草案", short(draft)),
            format!("draft {} is not a version of this decision", short(draft)),
        ));
    }
}

/// The draft must be the latest version.
pub(crate) fn current_draft(
    ctx: &Ctx,
    draft: &DraftHash,
    rule: &str,
    basis: String,
    out: &mut Vec<Violation>,
) {
    if ctx.state.current_draft() != Some(draft) {
        out.push(Violation::new(
            rule,
            basis,
            format!("草案版本 {} 不是当前最新版本", short(draft)),
            format!("draft {} is not the current version", short(draft)),
        ));
    }
}

/// The first 12 hex digits, for messages.
pub(crate) fn short(h: &DraftHash) -> &str {
    h.0.get(..12).unwrap_or(&h.0)
}

pub(crate) fn record(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    match fact {
        Fact::Draft { hash, .. } => {
            let valid = hash.0.len() == 64 && hash.0.bytes().all(|b| b.is_ascii_hexdigit());
            if !valid {
                out.push(Violation::new(
                    "drafting.bad_hash",
                    law("第十二条"),
                    "草案内容摘要须为64位十六进制SHA-256值",
                    "the draft hash must be a SHA-256 in 64 hex digits",
                ));
            } else if ctx.state.current_draft() == Some(hash) {
                out.push(Violation::new(
                    "drafting.unchanged_draft",
                    law("第十二条"),
                    "新版本与当前草案内容相同",
                    "the new version is identical to the current draft",
                ));
            }
        }
        Fact::DepartmentConsultation {
            agreed: false,
            disagreement_reported,
            ..
        } if disagreement_reported
            .as_deref()
            .is_none_or(|s| s.trim().is_empty()) =>
        {
            out.push(Violation::new(
                    "drafting.disagreement_unreported",
                    law("第十三条"),
                    "与有关单位不能取得一致意见的，应当向决策机关说明争议的主要问题、各方意见和理由依据",
                    "where no agreement was reached, the points in dispute, each side's views, reasons and basis must be reported to the organ",
                ));
        }
        _ => {}
    }
}

pub(crate) fn complete(ctx: &Ctx, out: &mut Vec<Violation>) {
    // 第十三条: each unit whose duties the matter touches is consulted (应当与其充分协商).
    if let Some(init) = &ctx.state.initiation {
        for dept in init
            .departments_concerned
            .iter()
            .filter(|d| !d.trim().is_empty())
        {
            let consulted = ctx.state.all_facts().any(|f| {
                matches!(f, Fact::DepartmentConsultation { department, .. } if department.trim() == dept.trim())
            });
            if !consulted {
                out.push(Violation::new(
                    "drafting.department_not_consulted",
                    law("第十三条"),
                    format!("决策事项涉及{dept}的职责，决策承办单位应当与其充分协商"),
                    format!("the matter touches the duties of {dept}; the undertaking unit must consult it"),
                ));
            }
        }
    }
    let latest = ctx
        .state
        .all_facts()
        .rev()
        .find(|f| matches!(f, Fact::Draft { .. }));
    match latest {
        None => out.push(Violation::new(
            "drafting.no_draft",
            law("第十二条"),
            "尚未形成决策草案",
            "no draft has been recorded",
        )),
        Some(Fact::Draft { legal_basis, .. })
            if legal_basis.iter().all(|b| b.trim().is_empty()) =>
        {
            out.push(Violation::new(
                "drafting.no_legal_basis",
                law("第十二条第二款"),
                "决策草案未梳理有关法律、法规、规章和政策依据",
                "the draft lists no laws, regulations, rules or policies it rests on",
            ))
        }
        _ => {}
    }
}
