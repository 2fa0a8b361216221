//! The printable dossier (`dossier.html`): handlebars, strict, escaped, zh-CN, its print style
//! inline (the file travels in the archive; no server serves it). Rendered from the events
//! themselves: every stage with its dates, each draft version, every fact verbatim (opinions,
//! the meeting record with each member's statement — dissent marked — publication, execution,
//! evaluation, adjustment), volume by volume.

use chrono::{DateTime, Utc};
use handlebars::Handlebars;
use serde_json::{json, Value};

use super::{events_in, Manifest, SealedBy};
use crate::db::rows::EventRow;
use crate::procedure::state::{EventKind, Position, StageStatus};
use crate::procedure::Decision;

const TEMPLATE: &str = include_str!("templates/dossier.hbs");

/// China time (UTC+8, no daylight saving), to the second.
fn china(t: DateTime<Utc>) -> String {
    (t.naive_utc() + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The Chinese name of a fact's type.
fn fact_zh(kind: &str) -> &str {
    match kind {
        "draft" => "决策草案",
        "department_consultation" => "征求有关部门意见",
        "fair_competition_review" => "公平竞争审查",
        "comment_period_opened" => "公开征求意见",
        "comments_received" => "收到公众意见（批次摘要）",
        "comment_hidden" => "屏蔽意见",
        "comment_disposed" => "意见处理",
        "comments_disposed" => "意见一并处理",
        "participation_activity" => "公众参与活动",
        "participation_report" => "公众意见采纳情况",
        "group_consultation" => "座谈会、协商",
        "hearing_notice" => "听证公告",
        "hearing_participants" => "听证参加人",
        "hearing_materials_delivered" => "听证材料送达",
        "hearing_held" => "举行听证",
        "hearing_record_signed" => "听证笔录",
        "hearing_report" => "听证报告",
        "expert_selected" => "选定专家",
        "expert_opinion" => "专家论证意见",
        "expert_meeting" => "专家论证会",
        "expert_report" => "专家论证报告",
        "risk_report" => "风险评估报告",
        "legality_submission" => "送请合法性审查",
        "legality_returned" => "合法性审查退回",
        "legal_counsel_opinion" => "法律顾问、公职律师意见",
        "legality_opinion" => "合法性审查意见",
        "meeting_convened" => "集体讨论会议",
        "meeting_statement" => "会议组成人员发言",
        "risk_finding" => "决策机关对风险的认定",
        "head_decision" => "行政首长决定",
        "party_report" => "向党委请示报告",
        "party_reply" => "党委批复",
        "npc_report" => "向人大常委会报告",
        "npc_reply" => "人大常委会答复",
        "publication" => "决策公布",
        "archive_sealed" => "归档封存",
        "execution_assigned" => "明确执行单位",
        "execution_report" => "执行情况报告",
        "public_feedback" => "公众对决策执行的意见",
        "evaluation_commissioned" => "委托决策后评估",
        "evaluation_report" => "决策后评估报告",
        "accountability_record" => "责任追究",
        "suspended" => "暂停执行",
        "resumed" => "恢复执行",
        "stopped" => "停止执行",
        "changed" => "重大调整（另行决策）",
        other => other,
    }
}

/// A decision's status in Chinese.
fn decision_status_zh(s: &str) -> &str {
    match s {
        "new" => "新建",
        "in_procedure" => "程序进行中",
        "adopted" => "已通过",
        "not_adopted" => "未通过",
        "suspended" => "暂停执行",
        "stopped" => "停止执行",
        "superseded" => "已被调整",
        other => other,
    }
}

/// A member's position in Chinese.
fn position_zh(p: Position) -> &'static str {
    match p {
        Position::Support => "同意",
        Position::Oppose => "不同意",
        Position::Abstain => "弃权或无明确意见",
    }
}

fn status_zh(s: StageStatus) -> &'static str {
    match s {
        StageStatus::NotStarted => "未开始",
        StageStatus::InProgress => "进行中",
        StageStatus::Completed => "已完成",
        StageStatus::Waived => "依法免予",
    }
}

/// A value as text: strings as they are, anything else as compact JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

/// An object's fields (all but `skip`) as (key, text) rows.
fn fields(v: &Value, skip: &str) -> Vec<Value> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != skip)
        .map(|(k, v)| json!({ "key": k, "value": text(v) }))
        .collect()
}

/// One event of the decision as a row of the dossier.
fn entry(
    m: &Manifest,
    members: &mut std::collections::BTreeMap<String, String>,
    seq: i64,
    ev: &crate::procedure::Event,
) -> Value {
    let name = |s: &str| {
        m.stage_names
            .get(s)
            .cloned()
            .unwrap_or_else(|| s.to_string())
    };
    let (what, rows, dissent) = match &ev.kind {
        EventKind::Initiated(init) => (
            "决策启动".to_string(),
            fields(&serde_json::to_value(init).unwrap_or(Value::Null), ""),
            false,
        ),
        EventKind::AttributesChanged { reason, .. } => (
            "决策属性变更".to_string(),
            vec![json!({ "key": "reason", "value": reason })],
            false,
        ),
        EventKind::StageStarted { stage } => {
            (format!("开始：{}", name(stage.as_str())), vec![], false)
        }
        EventKind::StageCompleted { stage } => {
            (format!("完成：{}", name(stage.as_str())), vec![], false)
        }
        EventKind::StageWaived { stage, reference } => (
            format!("依法免予：{}", name(stage.as_str())),
            vec![json!({ "key": "reference", "value": reference })],
            false,
        ),
        EventKind::StageReturned { from, to } => (
            format!("退回：{} → {}", name(from.as_str()), name(to.as_str())),
            vec![],
            false,
        ),
        EventKind::Superseded { by } => (
            "原决策被调整后的新决策取代（第三十七条）".to_string(),
            vec![json!({ "key": "by", "value": by })],
            false,
        ),
        EventKind::Recorded { fact } => {
            let v = serde_json::to_value(fact).unwrap_or(Value::Null);
            let kind = v["type"].as_str().unwrap_or("").to_string();
            use crate::procedure::state::Fact;
            let mut rows = fields(&v, "type");
            let mut dissent = false;
            match fact {
                Fact::MeetingConvened { members: m, .. } => {
                    members.clear();
                    members.extend(m.iter().map(|x| (x.id.clone(), x.name.clone())));
                }
                Fact::MeetingStatement {
                    member,
                    position,
                    text,
                } => {
                    dissent = *position == Position::Oppose;
                    let name = members.get(member).cloned().unwrap_or_default();
                    rows = vec![
                        json!({ "key": "成员", "value": format!("{name}（{member}）") }),
                        json!({ "key": "意见", "value": position_zh(*position) }),
                        json!({ "key": "发言原文", "value": text }),
                    ];
                }
                _ => {}
            }
            (fact_zh(&kind).to_string(), rows, dissent)
        }
    };
    json!({ "seq": seq, "at": china(ev.at), "what": what, "fields": rows, "dissent": dissent })
}

/// Render the dossier page.
/// The renderer's identity: the template's SHA-256. A dossier's page is compared with a
/// rendering of its events only by the same template.
pub fn renderer() -> String {
    format!("dossier.hbs sha256:{}", super::sha256(TEMPLATE.as_bytes()))
}

/// A time as the manifest states it (RFC 3339), in China time.
fn china_text(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|t| china(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| t.to_string())
}

/// Render the dossier page from what the archive itself holds: the manifest, the events and the
/// drafts' texts (in the manifest's order) — so that `verify` can render it again and compare.
pub(super) fn render(
    m: &Manifest,
    events: &[EventRow],
    texts: &[String],
) -> Result<String, String> {
    let mut state = Decision::default();
    let mut volumes: Vec<Value> = Vec::new();
    let mut meeting: Vec<Value> = Vec::new();
    let mut members = std::collections::BTreeMap::new();
    for v in &m.volumes {
        let mut entries = Vec::new();
        for e in events
            .iter()
            .filter(|e| e.seq >= v.first_seq && e.seq <= v.last_seq)
        {
            let actor = format!("{} · {}", e.actor_role, e.actor_user_id);
            for ev in events_in(&e.payload).unwrap_or_default() {
                state.apply(&ev);
                let mut row = entry(m, &mut members, e.seq, &ev);
                row["actor"] = json!(actor);
                if let EventKind::Recorded { fact } = &ev.kind {
                    use crate::procedure::state::Fact::*;
                    if matches!(
                        fact,
                        MeetingConvened { .. }
                            | MeetingStatement { .. }
                            | HeadDecision { .. }
                            | RiskFinding { .. }
                    ) {
                        meeting.push(row.clone());
                    }
                }
                entries.push(row);
            }
        }
        let sealed = match &v.sealed_by {
            Some(SealedBy::ArchiveSealed { event_seq }) => {
                format!("由第 {event_seq} 号事件（归档封存）封存，封存值即本卷链头")
            }
            Some(SealedBy::DailyDigest { day }) => format!("由 {day} 的日摘要封存"),
            None => "尚未封存（此后的日摘要将予封存）".to_string(),
        };
        volumes.push(json!({
            "title": if v.number == 1 { "第一卷　归档卷".to_string() } else { format!("第 {} 卷　补充卷", v.number) },
            "range": format!("事件 {}–{}", v.first_seq, v.last_seq),
            "head": v.head,
            "prev_head": v.prev_head,
            "sealed": sealed,
            "entries": entries,
        }));
    }
    let mut by_start: Vec<_> = state.stages.iter().collect();
    by_start.sort_by_key(|(_, rec)| rec.started_at);
    let stages: Vec<Value> = by_start
        .into_iter()
        .map(|(id, rec)| {
            json!({
                "name": m.stage_names.get(id.as_str()).cloned().unwrap_or_else(|| id.as_str().to_string()),
                "status": status_zh(rec.status),
                "rounds": rec.rounds,
                "started": rec.started_at.map(china).unwrap_or_default(),
                "completed": rec.completed_at.map(china).unwrap_or_default(),
            })
        })
        .collect();
    let drafts: Vec<Value> = m
        .drafts
        .iter()
        .zip(texts)
        .map(|(d, text)| {
            json!({
                "number": d.number, "file": d.file, "hash": d.hash,
                "created_at": china_text(&d.created_at), "created_by": d.created_by,
                "text": text,
            })
        })
        .collect();
    let data = json!({
        "d": m.decision,
        "status_zh": decision_status_zh(&m.decision.status),
        "exported_at": china_text(&m.exported_at),
        "chain_head": m.chain_head,
        "seal": m.archive_seal,
        "stages": stages,
        "drafts": drafts,
        "volumes": volumes,
        "meeting": meeting,
        "digests": m.daily_digests.iter().map(|d| json!({ "day": d.day, "digest": d.digest })).collect::<Vec<_>>(),
        "left_out": m.left_out,
    });
    let mut h = Handlebars::new();
    h.set_strict_mode(true);
    h.register_template_string("dossier", TEMPLATE)
        .map_err(|e| e.to_string())?;
    h.render("dossier", &data).map_err(|e| e.to_string())
}
