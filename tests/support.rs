//! Shared fixtures: the real packs and calendar of the repository, and a driver that applies
//! commands through the engine.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use juece::procedure::script::{self, Step};
use juece::procedure::state::{china_date, Attributes, Category, DraftHash, Fact, StageId};
use juece::procedure::{evaluate, Calendar, Command, Decision, Pack, PackSet, Violation};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn packs() -> &'static PackSet {
    static PACKS: OnceLock<PackSet> = OnceLock::new();
    PACKS.get_or_init(
        || match juece::files::load_packs(&root().join("workflows")) {
            Ok(set) => set,
            Err(e) => panic!("workflows/ does not load: {e:?}"),
        },
    )
}

pub fn national() -> &'static Pack {
    packs().latest("national").expect("national pack")
}

pub fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| {
        juece::files::load_calendar(&root().join("seeds/holidays")).expect("calendar loads")
    })
}

/// 2026-03-02 09:00 China time.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

pub fn all_on() -> Attributes {
    script::all_conditions_on(Category::PublicPolicy)
}

/// A decision driven through the engine.
pub struct Run<'a> {
    pub pack: &'a Pack,
    pub state: Decision,
    pub now: DateTime<Utc>,
}

impl<'a> Run<'a> {
    pub fn new(pack: &'a Pack) -> Self {
        Run {
            pack,
            state: Decision::default(),
            now: t0(),
        }
    }

    pub fn try_at(&mut self, at: DateTime<Utc>, command: &Command) -> Result<(), Vec<Violation>> {
        self.now = at;
        let events = evaluate(self.pack, calendar(), &self.state, command, at)?;
        for e in &events {
            self.state.apply(e);
        }
        Ok(())
    }

    pub fn try_(&mut self, command: &Command) -> Result<(), Vec<Violation>> {
        let now = self.now;
        self.try_at(now, command)
    }

    /// Apply a command that must be accepted.
    pub fn ok(&mut self, command: &Command) {
        if let Err(v) = self.try_(command) {
            panic!("refused {command:?}:\n{v:#?}");
        }
    }

    /// Apply scripted steps that must all be accepted.
    pub fn steps(&mut self, steps: &[Step]) {
        for s in steps {
            if let Err(v) = self.try_at(s.at, &s.command) {
                panic!("refused {:?} at {}:\n{v:#?}", s.command, s.at);
            }
        }
    }

    /// Apply a command that must be refused; return the violations.
    pub fn refused(&mut self, command: &Command) -> Vec<Violation> {
        let before = self.state.clone();
        match self.try_(command) {
            Ok(()) => panic!("accepted {command:?}, expected a refusal"),
            Err(v) => {
                assert_eq!(self.state, before, "a refusal must change nothing");
                v
            }
        }
    }
}

/// The steps of the full walk up to (not including) the first step matching `stop`.
pub fn walk_until(
    pack: &Pack,
    attrs: &Attributes,
    stop: impl Fn(&Command) -> bool,
) -> (Vec<Step>, Vec<Step>) {
    let steps = script::full_walk(pack, attrs, t0());
    let i = steps
        .iter()
        .position(|s| stop(&s.command))
        .unwrap_or(steps.len());
    let (a, b) = steps.split_at(i);
    (a.to_vec(), b.to_vec())
}

/// Assert that exactly the rule `rule` (among others, perhaps) is violated, with `basis`.
pub fn assert_rule(v: &[Violation], rule: &str, basis: &str) {
    let hit = v.iter().find(|x| x.rule == rule);
    match hit {
        Some(x) => assert!(
            x.basis.contains(basis),
            "rule {rule} cites {:?}, expected it to cite {basis}",
            x.basis
        ),
        None => panic!("expected rule {rule}; got {:#?}", v),
    }
    for x in v {
        assert!(
            !x.message_zh.is_empty() && !x.message_en.is_empty(),
            "{x:?} lacks a message"
        );
        assert!(!x.basis.is_empty(), "{x:?} lacks a basis");
    }
}

/// Assert that `rule` is violated at `stage` (the stage the violation is attached to), citing
/// `basis`. For rules such as `flow.required_stage_skipped` that may be reported once per stage.
pub fn assert_rule_at(v: &[Violation], rule: &str, stage: &str, basis: &str) {
    let hit = v
        .iter()
        .find(|x| x.rule == rule && x.stage.as_ref().is_some_and(|s| s.as_str() == stage));
    match hit {
        Some(x) => assert!(
            x.basis.contains(basis),
            "rule {rule} at {stage} cites {:?}, expected it to cite {basis}",
            x.basis
        ),
        None => panic!("expected rule {rule} at stage {stage}; got {:#?}", v),
    }
    assert_rule(v, rule, "");
}

/// `t0()` plus `n` days.
pub fn day(n: i64) -> DateTime<Utc> {
    t0() + Duration::days(n)
}

/// The China date of `t0()` plus `n` days.
pub fn date(n: i64) -> NaiveDate {
    china_date(day(n))
}

/// 09:00 China time on `d`.
pub fn morning(d: NaiveDate) -> DateTime<Utc> {
    let Some(t) = d.and_hms_opt(1, 0, 0) else {
        panic!("no 01:00 on {d}");
    };
    Utc.from_utc_datetime(&t)
}

/// The hash of the script's draft version `n`.
pub fn draft(n: u32) -> DraftHash {
    DraftHash::of(&script::draft_text(n))
}

/// `StartStage`.
pub fn start(id: &str) -> Command {
    Command::StartStage {
        stage: StageId::new(id),
    }
}

/// `CompleteStage`.
pub fn complete(id: &str) -> Command {
    Command::CompleteStage {
        stage: StageId::new(id),
    }
}

/// `Record`.
pub fn record(fact: Fact) -> Command {
    Command::Record { fact }
}

/// Matches `StartStage` of `id`.
pub fn starts(id: &'static str) -> impl Fn(&Command) -> bool {
    move |c| matches!(c, Command::StartStage { stage } if stage.as_str() == id)
}

/// Matches `CompleteStage` of `id`.
pub fn completes(id: &'static str) -> impl Fn(&Command) -> bool {
    move |c| matches!(c, Command::CompleteStage { stage } if stage.as_str() == id)
}

/// Matches `Record` of a fact that satisfies `p`.
pub fn records(p: fn(&Fact) -> bool) -> impl Fn(&Command) -> bool {
    move |c| matches!(c, Command::Record { fact } if p(fact))
}

/// Split `steps` before the first step matching `stop`.
pub fn split_before(steps: Vec<Step>, stop: impl Fn(&Command) -> bool) -> (Vec<Step>, Vec<Step>) {
    let i = steps
        .iter()
        .position(|s| stop(&s.command))
        .unwrap_or(steps.len());
    let mut head = steps;
    let tail = head.split_off(i);
    (head, tail)
}

impl<'a> Run<'a> {
    /// Apply `steps` up to (not including) the first matching `stop`, and set the clock to the
    /// time the script would have issued that step. Returns the remaining steps.
    pub fn until(&mut self, steps: Vec<Step>, stop: impl Fn(&Command) -> bool) -> Vec<Step> {
        let (head, tail) = split_before(steps, stop);
        self.steps(&head);
        if let Some(next) = tail.first() {
            self.now = next.at;
        }
        tail
    }
}

/// A run of the full walk for `attrs` on `pack`, stopped before the first step matching `stop`,
/// its clock at that step's time; and the steps left.
pub fn run_until<'a>(
    pack: &'a Pack,
    attrs: &Attributes,
    stop: impl Fn(&Command) -> bool,
) -> (Run<'a>, Vec<Step>) {
    let mut run = Run::new(pack);
    let rest = run.until(script::full_walk(pack, attrs, t0()), stop);
    (run, rest)
}

/// The text of `workflows/national.json`.
pub fn national_text() -> String {
    match std::fs::read_to_string(root().join("workflows/national.json")) {
        Ok(t) => t,
        Err(e) => panic!("workflows/national.json: {e}"),
    }
}

/// `workflows/national.json` as a JSON value, to mutate.
pub fn national_json() -> serde_json::Value {
    match serde_json::from_str(&national_text()) {
        Ok(v) => v,
        Err(e) => panic!("workflows/national.json: {e}"),
    }
}

/// The stage object `id` of a pack's JSON.
pub fn stage_json<'v>(pack: &'v mut serde_json::Value, id: &str) -> &'v mut serde_json::Value {
    let stages = pack["stages"].as_array_mut();
    let found = stages.and_then(|ss| ss.iter_mut().find(|s| s["id"] == id));
    match found {
        Some(s) => s,
        None => panic!("no stage {id} in the pack"),
    }
}

/// Load one pack from a JSON value (as `national.json`), panicking with the errors if it fails.
pub fn pack_from(v: &serde_json::Value) -> Pack {
    let sources = vec![(PathBuf::from("national.json"), v.to_string())];
    match PackSet::from_sources(&sources) {
        Ok(set) => match set.all().next() {
            Some(p) => p.clone(),
            None => panic!("no pack"),
        },
        Err(e) => panic!("the pack does not load: {e:#?}"),
    }
}
