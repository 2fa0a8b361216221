//! Guards: `(pack, calendar, state, command, now) -> Ok(events) | Err(violations)`.
//!
//! One module per stage, so each stage's law is found by its name. [`evaluate`] is the single
//! choke point: the store appends what it returns and nothing else. Every violation found is
//! reported, not just the first.

mod accountability;
mod adjustment;
mod archiving;
mod attributes;
mod collective_decision;
mod drafting;
mod evaluation;
mod execution;
mod expert_review;
mod fair_competition;
pub mod flow;
mod group_consultation;
mod hearing;
mod initiation;
mod legality_review;
mod participation;
mod publication;
mod reports;
mod risk;

pub(crate) use initiation::check_scope;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::admission::{admit, Context};
use super::calendar::Calendar;
use super::pack::{Pack, ReturnTrigger};
use super::state::{
    china_date, stage, Attributes, Category, Command, Decision, DecisionStatus, Event, EventKind,
    Fact, MeetingOutcome, StageId, StageStatus,
};
use super::violation::{law, Violation};

/// What a guard sees.
pub(crate) struct Ctx<'a> {
    pub pack: &'a Pack,
    pub cal: &'a Calendar,
    pub state: &'a Decision,
    /// Today in China Standard Time.
    pub today: NaiveDate,
    pub attrs: Attributes,
}

impl Ctx<'_> {
    /// The basis of a stage as the pack states it (the national article when the pack lacks it).
    pub fn basis(&self, id: &str) -> String {
        self.pack
            .stage(id)
            .map(|s| s.basis.clone())
            .unwrap_or_else(|| law(""))
    }
    /// The Chinese name of a stage.
    pub fn zh(&self, id: &str) -> String {
        self.pack
            .stage(id)
            .map(|s| s.name.zh.clone())
            .unwrap_or_else(|| id.to_string())
    }
    /// A stated date must not lie in the server's future.
    pub fn not_future(&self, what_zh: &str, what_en: &str, d: NaiveDate, out: &mut Vec<Violation>) {
        if d > self.today {
            out.push(Violation::new(
                "record.date_in_future",
                law("第三十三条"),
                format!("{what_zh}日期 {d} 晚于今天（{}），记录须如实", self.today),
                format!(
                    "the {what_en} date {d} is after today ({}); the record must be true",
                    self.today
                ),
            ));
        }
    }
}

/// A text field that must not be blank.
pub(crate) fn required_text(
    value: &str,
    rule: &str,
    basis: String,
    zh: &str,
    en: &str,
    out: &mut Vec<Violation>,
) {
    if value.trim().is_empty() {
        out.push(Violation::new(
            rule,
            basis,
            format!("缺少{zh}"),
            format!("{en} is missing"),
        ));
    }
}

/// Evaluate a command. On success, the events to append (the state after them is
/// `state` with each applied); on refusal, every rule the command would break.
pub fn evaluate(
    pack: &Pack,
    cal: &Calendar,
    state: &Decision,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, Vec<Violation>> {
    let attrs = match (command, &state.attributes) {
        (Command::Initiate(init), _) => init.attributes.clone(),
        (_, Some(a)) => a.clone(),
        (_, None) => Attributes::new(Category::PublicPolicy),
    };
    let ctx = Ctx {
        pack,
        cal,
        state,
        today: china_date(now),
        attrs,
    };
    let mut out = Vec::new();
    let mut kinds = Vec::new();
    if state.status == DecisionStatus::New && !matches!(command, Command::Initiate(_)) {
        out.push(Violation::new(
            "flow.not_initiated",
            law("第十一条"),
            "决策程序尚未启动",
            "the decision procedure has not been started",
        ));
        return Err(out);
    }
    match command {
        Command::Initiate(init) => {
            initiation::check(&ctx, init, &mut out);
            let start = pack.start.clone();
            kinds.push(EventKind::Initiated(init.clone()));
            kinds.push(EventKind::StageStarted {
                stage: start.clone(),
            });
            kinds.push(EventKind::StageCompleted { stage: start });
        }
        Command::ChangeAttributes { attributes, reason } => {
            attributes::check(&ctx, attributes, reason, &mut out);
            kinds.push(EventKind::AttributesChanged {
                attributes: attributes.clone(),
                reason: reason.clone(),
            });
        }
        Command::StartStage { stage } => {
            flow::check_start(&ctx, stage, &mut out);
            if out.is_empty() && stage.as_str() == stage::COLLECTIVE_DECISION {
                if let Some(draft) = state.current_draft() {
                    collective_decision::package(&ctx, draft, &mut out);
                }
            }
            kinds.push(EventKind::StageStarted {
                stage: stage.clone(),
            });
        }
        Command::CompleteStage { stage } => {
            flow::check_complete(&ctx, stage, &mut out);
            if out.is_empty() {
                completion(&ctx, stage, &mut out);
            }
            kinds.push(EventKind::StageCompleted {
                stage: stage.clone(),
            });
        }
        Command::WaiveStage { stage, reference } => {
            risk::check_waiver(&ctx, stage, reference, &mut out);
            kinds.push(EventKind::StageWaived {
                stage: stage.clone(),
                reference: reference.clone(),
            });
        }
        Command::Supersede { by } => {
            if state.adjustment_pending.as_deref() != Some(by.as_str()) {
                out.push(
                    Violation::new(
                        "adjustment.not_pending",
                        law("第三十七条"),
                        format!("本决策没有以 {by} 作出的待生效重大调整"),
                        format!("this decision has no pending major adjustment by {by}"),
                    )
                    .at(&StageId::new(stage::ADJUSTMENT)),
                );
            }
            kinds.push(EventKind::Superseded { by: by.clone() });
        }
        Command::Record { fact } => {
            flow::check_record(&ctx, fact, &mut out);
            if out.is_empty() {
                check_fact(&ctx, fact, &mut out);
            }
            kinds.push(EventKind::Recorded { fact: fact.clone() });
            kinds.extend(consequences(pack, fact));
        }
    }
    if out.is_empty() {
        Ok(kinds
            .into_iter()
            .map(|kind| Event { at: now, kind })
            .collect())
    } else {
        Err(out)
    }
}

/// Judge a command as the service submits it: first against what the store holds ([`admit`]:
/// registry, linked decisions, comments, the hearing draw), then by the stage rules
/// ([`evaluate`]). On success, the command as recorded (server-owned values filled in) and the
/// events to append.
pub fn judge(
    pack: &Pack,
    cal: &Calendar,
    state: &Decision,
    context: &Context,
    command: Command,
    now: DateTime<Utc>,
) -> Result<(Command, Vec<Event>), Vec<Violation>> {
    // Every rule broken is reported at once: the stage rules judge the command as admitted.
    let (command, mut out) = admit(context, state, command);
    match evaluate(pack, cal, state, &command, now) {
        Ok(events) if out.is_empty() => Ok((command, events)),
        Ok(_) => Err(out),
        Err(mut v) => {
            out.append(&mut v);
            Err(out)
        }
    }
}

/// The stage transitions a fact brings with it.
fn consequences(pack: &Pack, fact: &Fact) -> Vec<EventKind> {
    let returned = |trigger: ReturnTrigger| {
        pack.returns
            .iter()
            .filter(|r| r.on == trigger)
            .map(|r| EventKind::StageReturned {
                from: r.from.clone(),
                to: r.to.clone(),
            })
            .collect::<Vec<_>>()
    };
    match fact {
        Fact::LegalityOpinion { outcome, .. }
            if *outcome == super::state::LegalityOutcome::Unlawful =>
        {
            returned(ReturnTrigger::LegalityUnlawful)
        }
        Fact::HeadDecision { outcome, .. } => match outcome {
            MeetingOutcome::Adopted => vec![EventKind::StageCompleted {
                stage: pack.decision_stage.clone(),
            }],
            MeetingOutcome::ReturnedForRevision => returned(ReturnTrigger::MeetingReturned),
            MeetingOutcome::NotAdopted | MeetingOutcome::Deferred => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The evidence a stage needs before it may complete.
fn completion(ctx: &Ctx, id: &StageId, out: &mut Vec<Violation>) {
    match id.as_str() {
        stage::DRAFTING => drafting::complete(ctx, out),
        stage::PUBLIC_PARTICIPATION => participation::complete(ctx, out),
        stage::GROUP_CONSULTATION => group_consultation::complete(ctx, out),
        stage::HEARING => hearing::complete(ctx, out),
        stage::EXPERT_REVIEW => expert_review::complete(ctx, out),
        stage::RISK_ASSESSMENT => risk::complete(ctx, out),
        stage::FAIR_COMPETITION_REVIEW => fair_competition::complete(ctx, out),
        stage::LEGALITY_REVIEW => legality_review::complete(ctx, out),
        stage::COLLECTIVE_DECISION => collective_decision::complete(ctx, out),
        stage::PARTY_REPORT | stage::NPC_REPORT => reports::complete(ctx, id, out),
        stage::PUBLICATION => publication::complete(ctx, out),
        stage::ARCHIVING => archiving::complete(ctx, out),
        stage::EXECUTION => execution::complete(ctx, out),
        stage::POST_EVALUATION => evaluation::complete(ctx, out),
        stage::ADJUSTMENT => adjustment::complete(ctx, out),
        _ => {}
    }
}

/// The rules of one fact.
fn check_fact(ctx: &Ctx, fact: &Fact, out: &mut Vec<Violation>) {
    use Fact::*;
    match fact {
        Draft { .. } | DepartmentConsultation { .. } => drafting::record(ctx, fact, out),
        FairCompetitionReview { .. } => fair_competition::record(ctx, fact, out),
        CommentPeriodOpened { .. }
        | CommentsReceived { .. }
        | CommentHidden { .. }
        | CommentDisposed { .. }
        | CommentsDisposed { .. }
        | ParticipationActivity { .. }
        | ParticipationReport { .. } => participation::record(ctx, fact, out),
        GroupConsultation { .. } => group_consultation::record(ctx, fact, out),
        HearingNotice { .. }
        | HearingParticipants { .. }
        | HearingMaterialsDelivered { .. }
        | HearingHeld { .. }
        | HearingRecordSigned { .. }
        | HearingReport { .. } => hearing::record(ctx, fact, out),
        ExpertSelected { .. }
        | ExpertOpinion { .. }
        | ExpertMeeting { .. }
        | ExpertReport { .. } => expert_review::record(ctx, fact, out),
        RiskReport { .. } => risk::record(ctx, fact, out),
        LegalitySubmission { .. }
        | LegalityReturned { .. }
        | LegalCounselOpinion { .. }
        | LegalityOpinion { .. } => legality_review::record(ctx, fact, out),
        MeetingConvened { .. }
        | MeetingStatement { .. }
        | RiskFinding { .. }
        | HeadDecision { .. } => collective_decision::record(ctx, fact, out),
        PartyReport { .. } | PartyReply { .. } | NpcReport { .. } | NpcReply { .. } => {
            reports::record(ctx, fact, out)
        }
        Publication { .. } => publication::record(ctx, fact, out),
        ArchiveSealed { .. } => archiving::record(ctx, fact, out),
        ExecutionAssigned { .. } | ExecutionReport { .. } | PublicFeedback { .. } => {
            execution::record(ctx, fact, out)
        }
        EvaluationCommissioned { .. } | EvaluationReport { .. } => {
            evaluation::record(ctx, fact, out)
        }
        AccountabilityRecord { .. } => accountability::record(ctx, fact, out),
        Suspended { .. } | Resumed { .. } | Stopped { .. } | Changed { .. } => {
            adjustment::record(ctx, fact, out)
        }
    }
}

/// A step the decision could take next, and what blocks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NextStep {
    /// The stage.
    pub stage: StageId,
    /// `start` or `complete`.
    pub action: &'static str,
    /// Whether the stage is required for the decision's attributes.
    pub required: bool,
    /// Every rule that blocks it now (empty: allowed).
    pub blocked_by: Vec<Violation>,
}

/// What could happen next: each stage that may be started or completed, with what blocks it.
pub fn next_steps(
    pack: &Pack,
    cal: &Calendar,
    state: &Decision,
    now: DateTime<Utc>,
) -> Vec<NextStep> {
    let Some(attrs) = &state.attributes else {
        return Vec::new();
    };
    let mut steps = Vec::new();
    for s in &pack.stages {
        if !s.allowed.eval(attrs) {
            continue;
        }
        let status = state.status(s.id.as_str());
        let (action, command) = match status {
            StageStatus::NotStarted => (
                "start",
                Command::StartStage {
                    stage: s.id.clone(),
                },
            ),
            StageStatus::InProgress => (
                "complete",
                Command::CompleteStage {
                    stage: s.id.clone(),
                },
            ),
            StageStatus::Completed | StageStatus::Waived => continue,
        };
        let blocked_by = match evaluate(pack, cal, state, &command, now) {
            Ok(_) => Vec::new(),
            Err(v) => v,
        };
        steps.push(NextStep {
            stage: s.id.clone(),
            action,
            required: s.required.eval(attrs),
            blocked_by,
        });
    }
    steps
}
