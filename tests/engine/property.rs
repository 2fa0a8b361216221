//! The engine's one promise, as a property: whatever commands arrive, in whatever order, a
//! decision is never adopted without the evidence of every stage its attributes require.
//!
//! Commands are the steps of the scripted full walk — in order, dropped, repeated, picked at
//! random — interleaved with attribute changes, time passing and deliberately bad commands (an
//! early meeting, a late draft, an uncontrollable risk, an unlawful opinion, a head deciding
//! without statements…). After every accepted command of an adopted decision, an invariant
//! written here — from the pack's data and the recorded facts, not the engine's rule
//! functions — must hold.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use juece::procedure::script::{self, Step};
use juece::procedure::state::{
    china_date, stage, Attributes, Category, Command, CounselRole, Decision, DraftHash, Fact,
    LegalityOutcome, MeetingKind, MeetingOutcome, Member, Observer, Position, RiskLevel, StageId,
    StageStatus, SuspensionGround,
};
use juece::procedure::{evaluate, Pack};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::support::{calendar, national, t0};

/// The flags the generator switches.
const FLAGS: [&str; 8] = [
    "public_interest",
    "public_concern",
    "technical",
    "stability_risk",
    "market_activity",
    "specific_groups",
    "not_public",
    "exploratory_reform",
];

fn attrs_of(bits: u8) -> Attributes {
    let mut a = Attributes::new(Category::PublicPolicy);
    for (i, f) in FLAGS.iter().enumerate() {
        a = a.with(f, bits & (1 << i) != 0);
    }
    a
}

/// A command that breaks, or may break, the procedure, built against the current state.
#[derive(Debug, Clone)]
enum Bad {
    StartMeeting,
    Start(usize),
    Complete(usize),
    NewDraft,
    Risk {
        controllable: bool,
        measures: bool,
    },
    WaiveRisk,
    /// Submission, counsel opinion and opinion on the current draft.
    Review(u8),
    /// An opinion alone on the current draft.
    Opinion(u8),
    Convene,
    Statement(u8, u8),
    Decide(u8, bool),
    Suspend,
    Stop,
}

/// What happens to one scripted step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Once,
    Drop,
    Twice,
    /// Issued after the step that follows it.
    Swap,
}

/// Something issued before a scripted step.
#[derive(Debug, Clone)]
enum Noise {
    /// Any step of the script, out of order.
    Pick(usize),
    /// Let hours pass.
    Wait(u32),
    /// Change the attributes.
    Attrs(u8),
    Bad(Bad),
}

/// One slot of the plan: the noise before the step of the same index, and the step's fate.
/// Slots past the end of the script are noise after the walk (on an adopted decision).
type Slot = (Vec<Noise>, Fate);

fn bad() -> impl Strategy<Value = Bad> {
    prop_oneof![
        Just(Bad::StartMeeting),
        (0..stage::ALL.len()).prop_map(Bad::Start),
        (0..stage::ALL.len()).prop_map(Bad::Complete),
        Just(Bad::NewDraft),
        (any::<bool>(), any::<bool>()).prop_map(|(controllable, measures)| Bad::Risk {
            controllable,
            measures
        }),
        Just(Bad::WaiveRisk),
        (0u8..4).prop_map(Bad::Review),
        (0u8..4).prop_map(Bad::Opinion),
        Just(Bad::Convene),
        (0u8..4, 0u8..3).prop_map(|(m, p)| Bad::Statement(m, p)),
        (0u8..4, any::<bool>()).prop_map(|(o, r)| Bad::Decide(o, r)),
        Just(Bad::Suspend),
        Just(Bad::Stop),
    ]
}

fn noise() -> impl Strategy<Value = Noise> {
    prop_oneof![
        2 => any::<usize>().prop_map(Noise::Pick),
        2 => (1u32..72).prop_map(Noise::Wait),
        1 => (0u8..128).prop_map(Noise::Attrs),
        5 => bad().prop_map(Noise::Bad),
    ]
}

fn slot() -> impl Strategy<Value = Slot> {
    let fate = prop_oneof![
        90 => Just(Fate::Once),
        3 => Just(Fate::Drop),
        4 => Just(Fate::Twice),
        3 => Just(Fate::Swap),
    ];
    let noise = prop_oneof![
        4 => Just(Vec::new()),
        1 => proptest::collection::vec(noise(), 1..3),
    ];
    (noise, fate)
}

const MEMBERS: [(&str, &str, bool); 4] = [
    ("m1", "副市长甲", false),
    ("m2", "副市长乙", false),
    ("m3", "秘书长", false),
    ("h", "市长", true),
];

fn current(state: &Decision) -> DraftHash {
    state
        .current_draft()
        .cloned()
        .unwrap_or_else(|| DraftHash::of(&script::draft_text(1)))
}

fn outcome(n: u8) -> LegalityOutcome {
    match n {
        0 => LegalityOutcome::Lawful,
        1 => LegalityOutcome::LawfulAfterRevision,
        2 => LegalityOutcome::Unlawful,
        _ => LegalityOutcome::LegalRiskStated,
    }
}

fn opinion(draft: &DraftHash, n: u8) -> Command {
    Command::Record {
        fact: Fact::LegalityOpinion {
            draft: draft.clone(),
            outcome: outcome(n),
            reasons: "审查意见".into(),
            legal_risks: Some("法律风险".into()),
            findings: Some(juece::procedure::state::LegalityFindings::new(
                "符合法定权限",
                "已履行法定程序",
                "内容合法",
            )),
            revision_required: None,
        },
    }
}

/// The commands of a bad op, against the current state at `now`.
fn bad_commands(b: &Bad, state: &Decision, now: DateTime<Utc>) -> Vec<Command> {
    let draft = current(state);
    let today = china_date(now);
    let rec = |fact| Command::Record { fact };
    let stage_cmd = |i: usize, start: bool| {
        let stage = StageId::new(stage::ALL[i]);
        if start {
            Command::StartStage { stage }
        } else {
            Command::CompleteStage { stage }
        }
    };
    match b {
        Bad::StartMeeting => vec![Command::StartStage {
            stage: StageId::new(stage::COLLECTIVE_DECISION),
        }],
        Bad::Start(i) => vec![stage_cmd(*i, true)],
        Bad::Complete(i) => vec![stage_cmd(*i, false)],
        Bad::NewDraft => vec![rec(Fact::Draft {
            hash: DraftHash::of(&script::draft_text(state.drafts.len() as u32 + 2)),
            legal_basis: vec!["依据".into()],
            options: vec![],
        })],
        Bad::Risk {
            controllable,
            measures,
        } => vec![rec(Fact::RiskReport {
            draft,
            assessor: "评估中心".into(),
            risk_points: vec!["风险点".into()],
            mitigation: vec!["措施".into()],
            contingency_plan: "预案".into(),
            level: RiskLevel::High,
            controllable: *controllable,
            measures_taken: measures.then(|| "已调整实施方案".into()),
            departments_heard: vec!["公安局".into()],
            third_party: None,
        })],
        Bad::WaiveRisk => vec![Command::WaiveStage {
            stage: StageId::new(stage::RISK_ASSESSMENT),
            reference: "既有评估报告".into(),
        }],
        Bad::Review(n) => vec![
            rec(Fact::LegalitySubmission {
                draft: draft.clone(),
                legal_basis: vec!["依据".into()],
                procedures_account: "程序说明".into(),
                due_on: today + Duration::days(60),
                shortening_reason: None,
            }),
            rec(Fact::LegalCounselOpinion {
                by: "法律顾问".into(),
                role: CounselRole::PublicLawyer,
                draft: draft.clone(),
                summary: "意见".into(),
            }),
            opinion(&draft, *n),
        ],
        Bad::Opinion(n) => vec![opinion(&draft, *n)],
        Bad::Convene => vec![rec(Fact::MeetingConvened {
            kind: MeetingKind::PlenaryMeeting,
            held_on: today,
            draft,
            members: MEMBERS
                .iter()
                .map(|(id, name, head)| Member {
                    id: (*id).into(),
                    name: (*name).into(),
                    head: *head,
                })
                .collect(),
            observers: vec![Observer {
                organ: "市司法局".into(),
                role: "legality_review_unit".into(),
                statement: None,
            }],
        })],
        Bad::Statement(m, p) => vec![rec(Fact::MeetingStatement {
            member: MEMBERS[usize::from(*m)].0.into(),
            position: [Position::Support, Position::Oppose, Position::Abstain][usize::from(*p)],
            text: "发言".into(),
        })],
        Bad::Decide(o, reason) => vec![rec(Fact::HeadDecision {
            outcome: [
                MeetingOutcome::Adopted,
                MeetingOutcome::NotAdopted,
                MeetingOutcome::Deferred,
                MeetingOutcome::ReturnedForRevision,
            ][usize::from(*o)],
            deviation_reason: reason.then(|| "理由".into()),
        })],
        Bad::Suspend => vec![rec(Fact::Suspended {
            ground: SuspensionGround::MajorChange,
            reason: "情况紧急".into(),
        })],
        Bad::Stop => vec![
            Command::StartStage {
                stage: StageId::new(stage::ADJUSTMENT),
            },
            rec(Fact::Stopped {
                meeting: "常务会议".into(),
                reason: "停止".into(),
            }),
        ],
    }
}

/// Strict ancestors of `target` along the pack's `after` lists, computed here.
fn before(pack: &Pack, target: &StageId) -> BTreeSet<StageId> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![target.clone()];
    while let Some(id) = todo.pop() {
        if let Some(s) = pack.stages.iter().find(|s| s.id == id) {
            for a in &s.after {
                if seen.insert(a.clone()) {
                    todo.push(a.clone());
                }
            }
        }
    }
    seen
}

/// What an adopted decision must have, read from the record.
fn invariant(pack: &Pack, s: &Decision) -> Result<(), String> {
    let attrs = s.attributes.as_ref().ok_or("adopted without attributes")?;
    for id in before(pack, &pack.decision_stage) {
        let Some(st) = pack.stages.iter().find(|x| x.id == id) else {
            continue;
        };
        let status = s.status(id.as_str());
        if st.required.eval(attrs)
            && !matches!(status, StageStatus::Completed | StageStatus::Waived)
        {
            return Err(format!("required stage {id} is {status:?}"));
        }
    }

    let meeting = s
        .meetings
        .iter()
        .rev()
        .find(|m| matches!(m.outcome, Some((MeetingOutcome::Adopted, _))))
        .ok_or("adopted without an adopting meeting")?;
    let Fact::MeetingConvened { draft, members, .. } = &meeting.convened else {
        return Err("the meeting record is not a convened meeting".into());
    };
    if s.current_draft() != Some(draft) {
        return Err("the adopted draft is not the current draft".into());
    }

    let (reviewed, outcome) = s
        .all_facts()
        .rev()
        .find_map(|f| match f {
            Fact::LegalityOpinion { draft, outcome, .. } => Some((draft, *outcome)),
            _ => None,
        })
        .ok_or("adopted without a legality opinion")?;
    if outcome == LegalityOutcome::Unlawful {
        return Err("the last legality opinion is unlawful".into());
    }
    if outcome == LegalityOutcome::LegalRiskStated && !attrs.get("exploratory_reform") {
        return Err("legal risk stated for a matter that is not exploratory reform".into());
    }
    if reviewed != draft {
        return Err("the last legality opinion is on another draft".into());
    }

    // The organ's own finding at the meeting (第二十四条) prevails over the assessment.
    let risk = s.all_facts().rev().find_map(|f| match f {
        Fact::RiskReport { controllable, .. } | Fact::RiskFinding { controllable, .. } => {
            Some(*controllable)
        }
        _ => None,
    });
    if risk == Some(false) {
        return Err("the latest finding on the risk is uncontrollable".into());
    }

    if attrs.get("market_activity") {
        let review = s.all_facts().rev().find_map(|f| match f {
            Fact::FairCompetitionReview {
                draft: d,
                passes,
                exception,
                ..
            } if d == draft => Some(*passes || exception.is_some()),
            _ => None,
        });
        if review != Some(true) {
            return Err("a market matter adopted without a passing fair-competition review".into());
        }
    }

    // The fold's tally, not the participation rule that reads it.
    let c = s.comments;
    if c.hidden + c.disposed < c.received {
        return Err(format!(
            "{} comment(s) have no disposition",
            c.received - c.hidden - c.disposed
        ));
    }

    let head = members
        .iter()
        .find(|m| m.head)
        .ok_or("the adopting meeting has no head")?;
    if meeting.statements.last().map(|(who, _)| who) != Some(&head.id) {
        return Err("the head did not speak last".into());
    }
    for m in members.iter().filter(|m| !m.head) {
        if !meeting.statements.iter().any(|(who, _)| who == &m.id) {
            return Err(format!("member {} was not heard", m.id));
        }
    }
    Ok(())
}

/// A scripted command with the script's first draft replaced by the decision's current draft,
/// so that the walk goes on after a bad op recorded a new version.
fn retarget(command: &Command, state: &Decision) -> Command {
    let first = DraftHash::of(&script::draft_text(1));
    let now = current(state);
    if now == first
        || matches!(
            command,
            Command::Record {
                fact: Fact::Draft { .. }
            }
        )
    {
        return command.clone();
    }
    let json = match serde_json::to_string(command) {
        Ok(j) => j.replace(&first.0, &now.0),
        Err(e) => panic!("{e}"),
    };
    match serde_json::from_str(&json) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

struct Driver<'a> {
    pack: &'a Pack,
    state: Decision,
    now: DateTime<Utc>,
}

impl Driver<'_> {
    /// Issue a command at `at` or later; whether it was accepted.
    fn issue(&mut self, at: DateTime<Utc>, command: &Command) -> Result<bool, TestCaseError> {
        // Time only moves forward.
        self.now = self.now.max(at) + Duration::seconds(1);
        let Ok(events) = evaluate(self.pack, calendar(), &self.state, command, self.now) else {
            return Ok(false);
        };
        for e in &events {
            self.state.apply(e);
        }
        if self.state.adopted() {
            invariant(self.pack, &self.state).map_err(|e| {
                TestCaseError::fail(format!("{e}\nafter {command:?}\nstate: {:#?}", self.state))
            })?;
        }
        Ok(true)
    }

    /// Issue a scripted step, on the current draft.
    fn step(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let command = retarget(&step.command, &self.state);
        self.issue(step.at, &command).map(|_| ())
    }
}

/// Drive the walk for the flags `bits` through `plan`; whether the decision ended adopted.
fn run_plan(bits: u8, plan: &[Slot]) -> Result<bool, TestCaseError> {
    let pack = national();
    let steps: Vec<Step> = script::full_walk(pack, &attrs_of(bits), t0());
    let mut d = Driver {
        pack,
        state: Decision::default(),
        now: t0(),
    };
    let mut i = 0;
    while i < steps.len().max(plan.len()) {
        let (noise, fate) = plan.get(i).cloned().unwrap_or((Vec::new(), Fate::Once));
        for n in &noise {
            match n {
                Noise::Pick(k) => d.step(&steps[k % steps.len()])?,
                Noise::Wait(hours) => d.now += Duration::hours(i64::from(*hours)),
                Noise::Attrs(b) => {
                    let command = Command::ChangeAttributes {
                        attributes: attrs_of(*b),
                        reason: "重新认定".into(),
                    };
                    d.issue(d.now, &command)?;
                }
                Noise::Bad(b) => {
                    for command in bad_commands(b, &d.state, d.now) {
                        d.issue(d.now, &command)?;
                    }
                }
            }
        }
        if let Some(step) = steps.get(i) {
            match (fate, steps.get(i + 1)) {
                (Fate::Once, _) | (Fate::Swap, None) => d.step(step)?,
                (Fate::Drop, _) => {}
                (Fate::Twice, _) => {
                    d.step(step)?;
                    d.step(step)?;
                }
                (Fate::Swap, Some(after)) => {
                    d.step(after)?;
                    d.step(step)?;
                    i += 1;
                }
            }
        }
        i += 1;
    }
    Ok(d.state.adopted())
}

#[test]
fn random_command_sequences_never_adopt_a_decision_without_its_required_evidence() {
    static CASES: AtomicUsize = AtomicUsize::new(0);
    static ADOPTED: AtomicUsize = AtomicUsize::new(0);
    let config = Config {
        cases: 1024,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (0u8..128, proptest::collection::vec(slot(), 0..90));
    let result = runner.run(&strategy, |(bits, plan)| {
        let adopted = run_plan(bits, &plan)?;
        CASES.fetch_add(1, Ordering::Relaxed);
        if adopted {
            ADOPTED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The property is only worth something if many sequences do reach an adoption.
    let (cases, adopted) = (
        CASES.load(Ordering::Relaxed),
        ADOPTED.load(Ordering::Relaxed),
    );
    assert!(
        adopted * 10 >= cases,
        "only {adopted} of {cases} random sequences reached an adopted decision"
    );
}

#[test]
fn the_scripted_walk_satisfies_the_invariant_for_every_combination_of_flags() {
    // The invariant itself is checked against the lawful path, so that a failure of the property
    // above means the engine let something through, not that the invariant is wrong.
    for bits in 0u8..128 {
        match run_plan(bits, &[]) {
            Ok(adopted) => assert!(adopted, "the walk for {:?} is not adopted", attrs_of(bits)),
            Err(e) => panic!("{e}"),
        }
    }
}
