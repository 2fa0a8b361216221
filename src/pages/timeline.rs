//! The execution timeline as the console's decision page shows it (第三十四条至第三十七条): the
//! engine's timeline (`procedure::execution`) with its words in Chinese.

use serde_json::{json, Value};

/// The execution timeline as the console shows it (第三十四条至第三十七条).
pub(super) fn execution_panel(
    pack: &crate::procedure::Pack,
    cal: &crate::procedure::Calendar,
    d: &crate::procedure::Decision,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    use crate::procedure::execution::{timeline, EntryKind::*};
    let t = timeline(pack, cal, d, crate::procedure::state::china_date(now));
    let entries: Vec<Value> = t
        .entries
        .iter()
        .map(|e| {
            let kind = match e.kind {
                Adopted => "决策通过",
                Published => "决策公布",
                Assigned => "明确执行单位",
                Report => "执行情况报告",
                Problem => "报告问题",
                PublicFeedback => "公众意见建议",
                EvaluationCommissioned => "组织决策后评估",
                EvaluationReport => "决策后评估报告",
                Suspended => "中止执行",
                Resumed => "恢复执行",
                Stopped => "停止执行",
                Changed => "重大调整（新决策）",
            };
            json!({ "on": e.on, "kind": kind, "text": e.text, "problems": e.problems,
                "milestone": e.milestone.as_ref().map(|m| m.title.clone()),
                "new_decision": e.new_decision })
        })
        .collect();
    json!({ "status": super::execution_status_zh(t.status), "units": t.units,
        "targets": t.targets, "deadline": t.deadline,
        "milestones": super::milestones_json(&t.milestones), "entries": entries,
        "late": t.late, "triggers": t.evaluation_triggers, "today": t.today,
        "due_day_rule": t.due_day_rule, "basis": t.basis })
}
