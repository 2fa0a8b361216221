//! What the decision routes answer: typed views (the OpenAPI document is generated from them)
//! and how a decision's state becomes one.

use chrono::{DateTime, Days, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::access::Actor;
use crate::api::common::rfc3339;
use crate::db::rows::{DecisionRow, DraftMeta};
use crate::procedure::state::{
    china_date, Attributes, Decision, DecisionStatus, DraftHash, Fact, StageId, StageStatus,
};
use crate::procedure::{next_steps, Calendar, Event, NextStep, Pack};

/// A stage of a decision as the API shows it.
#[derive(Serialize, JsonSchema)]
pub struct StageView {
    /// Stage id.
    pub id: StageId,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Legal basis.
    pub basis: String,
    /// Required for this decision's attributes.
    pub required: bool,
    /// Allowed at all for this decision (e.g. no consultation of a matter not public).
    pub allowed: bool,
    /// Where it stands.
    pub status: StageStatus,
    /// How many times it was entered.
    pub rounds: u32,
    /// When last entered.
    pub started_at: Option<DateTime<Utc>>,
    /// When last completed or waived.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A pack as a decision is pinned to it.
#[derive(Serialize, JsonSchema)]
pub struct PackRef {
    /// Pack id.
    pub id: String,
    /// Version.
    pub version: String,
}

/// A deadline the record sets, with its basis.
#[derive(Serialize, JsonSchema)]
pub struct DeadlineView {
    /// `comment_period_end`, `hearing`, `legality_review_due`, `archive_due`.
    pub kind: &'static str,
    /// The date (China time).
    pub date: NaiveDate,
    /// The legal basis of the deadline.
    pub basis: String,
    /// For the legality review: the earliest lawful due date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statutory_minimum: Option<NaiveDate>,
    /// For the legality review: the working days the pack requires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    /// The count enters a year with no holiday calendar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisional: Option<bool>,
    /// For a legality review shorter than the statutory minimum: the reason given (第二十六条
    /// 一般不少于), for the legality unit to see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortening_reason: Option<String>,
}

/// A draft version without its content.
#[derive(Serialize, JsonSchema)]
pub struct DraftMetaView {
    /// Its number (1, 2, …).
    pub number: i32,
    /// SHA-256 of its content.
    pub hash: String,
    /// When it was recorded.
    pub created_at: String,
    /// By whom (user id).
    pub created_by: String,
}

/// A major adjustment's link (第三十七条), both ways.
#[derive(Serialize, JsonSchema)]
pub struct AdjustmentView {
    /// This decision's pending adjustment: the new decision, until it is adopted.
    pub pending_new_decision: Option<String>,
    /// The decisions this one adjusts.
    pub adjusts: Vec<String>,
}

/// A decision as the API shows it.
#[derive(Serialize, JsonSchema)]
pub struct DecisionView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The decision organ.
    pub organ_id: String,
    /// The lead undertaking unit.
    pub lead_unit_id: String,
    /// The catalog item it implements.
    pub catalog_item_id: Option<String>,
    /// The pack it is pinned to.
    pub pack: PackRef,
    /// Where it stands.
    pub status: DecisionStatus,
    /// Its version: give it as `expected_version` with the next command.
    pub version: i64,
    /// The hash of its last event.
    pub head_hash: String,
    /// Its attributes.
    pub attributes: Option<Attributes>,
    /// Every stage of the pack with its status.
    pub stages: Vec<StageView>,
    /// Each step that may be started or completed, with every rule that blocks it.
    pub next: Vec<NextStep>,
    /// The deadlines the record sets.
    pub deadlines: Vec<DeadlineView>,
    /// Draft versions.
    pub drafts: Vec<DraftMetaView>,
    /// The current draft's hash.
    pub current_draft: Option<DraftHash>,
    /// A major adjustment's link.
    pub adjustment: AdjustmentView,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// The events the command just appended (after a command only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
}

/// A decision in a list.
#[derive(Serialize, JsonSchema)]
pub struct DecisionSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The decision organ.
    pub organ_id: String,
    /// The lead undertaking unit.
    pub lead_unit_id: String,
    /// Where it stands.
    pub status: String,
    /// Its version.
    pub version: i64,
    /// The pack it is pinned to.
    pub pack: PackRef,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// A draft version with its content.
#[derive(Serialize, JsonSchema)]
pub struct DraftView {
    /// Its number.
    pub number: i32,
    /// SHA-256 of the content.
    pub hash: String,
    /// The text.
    pub content: String,
    /// By whom (user id).
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// One event of the record, with its place in the hash chain.
#[derive(Serialize, JsonSchema)]
pub struct EventView {
    /// Sequence number (1, 2, …).
    pub seq: i64,
    /// Server time (RFC 3339).
    pub at: String,
    /// Who gave the command, in which role, for which organ.
    pub actor: Actor,
    /// The command's short name, e.g. `record:legality_opinion`.
    pub command: String,
    /// The command as admitted and the events it produced.
    pub payload: Value,
    /// The draft current at the time.
    pub draft_hash: Option<String>,
    /// The previous event's hash.
    pub prev_hash: String,
    /// SHA-256 over this event and `prev_hash`.
    pub hash: String,
}

/// A read that showed the public's contacts.
#[derive(Serialize, JsonSchema)]
pub struct PersonalDataReadView {
    /// Who read (user id).
    pub user_id: String,
    /// What: `comments`, `comments_csv`, `hearing_applications`.
    pub what: String,
    /// How many records held contacts.
    pub records: i64,
    /// When (RFC 3339).
    pub at: String,
}

/// The decision as the API shows it.
pub fn view(
    pack: &Pack,
    cal: &Calendar,
    row: &DecisionRow,
    state: &Decision,
    drafts: &[DraftMeta],
    adjusts: &[String],
    now: DateTime<Utc>,
) -> DecisionView {
    let attrs = state.attributes.clone();
    let stages = pack
        .stages
        .iter()
        .map(|s| {
            let rec = state.stage(s.id.as_str());
            StageView {
                id: s.id.clone(),
                name_zh: s.name.zh.clone(),
                name_en: s.name.en.clone(),
                basis: s.basis.clone(),
                required: attrs.as_ref().is_some_and(|a| s.required.eval(a)),
                allowed: attrs.as_ref().is_none_or(|a| s.allowed.eval(a)),
                status: rec.status,
                rounds: rec.rounds,
                started_at: rec.started_at,
                completed_at: rec.completed_at,
            }
        })
        .collect();
    DecisionView {
        id: row.id.clone(),
        title: row.title.clone(),
        organ_id: row.organ_id.clone(),
        lead_unit_id: row.lead_unit_id.clone(),
        catalog_item_id: row.catalog_item_id.clone(),
        pack: PackRef {
            id: row.pack_id.clone(),
            version: row.pack_version.clone(),
        },
        status: state.status,
        version: row.version,
        head_hash: row.head_hash.clone(),
        attributes: attrs,
        stages,
        next: next_steps(pack, cal, state, now),
        deadlines: deadlines(pack, cal, state),
        drafts: drafts
            .iter()
            .map(|d| DraftMetaView {
                number: d.number,
                hash: d.hash.clone(),
                created_at: rfc3339(d.created_at),
                created_by: d.created_by.clone(),
            })
            .collect(),
        current_draft: state.current_draft().cloned(),
        // 第三十七条: a major adjustment links the original and the new decision both ways.
        adjustment: AdjustmentView {
            pending_new_decision: state.adjustment_pending.clone(),
            adjusts: adjusts.to_vec(),
        },
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
        events: None,
    }
}

/// Deadlines the record sets: comment period end, hearing date, legality review due date.
fn deadlines(pack: &Pack, cal: &Calendar, state: &Decision) -> Vec<DeadlineView> {
    let at = |kind, date, basis: &str| DeadlineView {
        kind,
        date,
        basis: basis.to_string(),
        statutory_minimum: None,
        working_days: None,
        provisional: None,
        shortening_reason: None,
    };
    let mut out = Vec::new();
    for d in &state.facts {
        match &d.fact {
            Fact::CommentPeriodOpened { days, .. } => {
                if let Some(end) = china_date(d.at).checked_add_days(Days::new(u64::from(*days))) {
                    out.push(at(
                        "comment_period_end",
                        end,
                        &pack.parameters.comment_period_days.basis,
                    ));
                }
            }
            Fact::HearingNotice { hearing_on, .. } => {
                out.push(at(
                    "hearing",
                    *hearing_on,
                    &pack.parameters.hearing_materials_days.basis,
                ));
            }
            Fact::LegalitySubmission {
                due_on,
                shortening_reason,
                ..
            } => {
                let p = &pack.parameters.legality_review_working_days;
                let minimum = cal.add_working_days(china_date(d.at), p.value);
                out.push(DeadlineView {
                    statutory_minimum: Some(minimum.date),
                    working_days: Some(p.value),
                    provisional: Some(minimum.provisional),
                    shortening_reason: shortening_reason.clone(),
                    ..at("legality_review_due", *due_on, &p.basis)
                });
            }
            Fact::HeadDecision {
                outcome: crate::procedure::state::MeetingOutcome::Adopted,
                ..
            } => {
                // Where the pack sets a number of days, the dossier is due that long after the
                // decision (第三十三条 says 及时; local rules may count).
                let p = &pack.parameters.archive_within_days;
                if let Some(due) = p
                    .value
                    .and_then(|n| china_date(d.at).checked_add_days(Days::new(u64::from(n))))
                {
                    out.push(at("archive_due", due, &p.basis));
                }
            }
            _ => {}
        }
    }
    out
}
