//! The dates by which the record says a stage is due: the legality review by the due date the
//! submission set (第二十六条: 一般不少于7个工作日; 第二十八条: 及时提出合法性审查意见), the archive
//! by the days a pack counts from the decision (第三十三条: 及时; local rules count). Pure.

use chrono::{Days, NaiveDate};

use super::pack::Pack;
use super::state::{china_date, stage, Decision, Fact, MeetingOutcome};

/// Each stage the record sets a due date for, with that date (the latest one the record set).
pub fn stage_due_dates(pack: &Pack, state: &Decision) -> Vec<(&'static str, NaiveDate)> {
    let mut legality = None;
    let mut archive = None;
    for d in &state.facts {
        match &d.fact {
            Fact::LegalitySubmission { due_on, .. } => legality = Some(*due_on),
            Fact::HeadDecision {
                outcome: MeetingOutcome::Adopted,
                ..
            } => {
                archive = pack
                    .parameters
                    .archive_within_days
                    .value
                    .and_then(|n| china_date(d.at).checked_add_days(Days::new(u64::from(n))));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(d) = legality {
        out.push((stage::LEGALITY_REVIEW, d));
    }
    if let Some(d) = archive {
        out.push((stage::ARCHIVING, d));
    }
    out
}

/// The four procedures the annual report gives the share of, among the decisions requiring them.
pub const REPORT_PROCEDURES: [&str; 4] = [
    stage::PUBLIC_PARTICIPATION,
    stage::EXPERT_REVIEW,
    stage::RISK_ASSESSMENT,
    stage::LEGALITY_REVIEW,
];

/// Of [`REPORT_PROCEDURES`], those the pack requires for the decision's attributes and those it
/// completed, each as a `,id,id,` list (so that a store can count them with `LIKE '%,id,%'`).
pub fn report_procedures(pack: &Pack, state: &Decision) -> (String, String) {
    let list = |keep: &dyn Fn(&str) -> bool| {
        let ids: Vec<&str> = REPORT_PROCEDURES
            .iter()
            .copied()
            .filter(|p| keep(p))
            .collect();
        format!(",{},", ids.join(","))
    };
    let required = list(&|p| {
        state
            .attributes
            .as_ref()
            .is_some_and(|a| pack.required(p, a))
    });
    let completed = list(&|p| state.status(p) == super::state::StageStatus::Completed);
    (required, completed)
}

/// The day (China time) a stage was completed or waived, if it was.
pub fn done_on(state: &Decision, stage: &str) -> Option<NaiveDate> {
    let rec = state.stage(stage);
    rec.status
        .done()
        .then_some(rec.completed_at)
        .flatten()
        .map(china_date)
}
