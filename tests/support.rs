//! Shared fixtures: the real packs and calendar of the repository, and a driver that applies
//! commands through the engine.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use juece::procedure::script::{self, Step};
use juece::procedure::state::{Attributes, Category};
use juece::procedure::{evaluate, Calendar, Command, Decision, Pack, PackSet, Violation};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn packs() -> &'static PackSet {
    static PACKS: OnceLock<PackSet> = OnceLock::new();
    PACKS.get_or_init(|| match PackSet::load_dir(&root().join("workflows")) {
        Ok(set) => set,
        Err(e) => panic!("workflows/ does not load: {e:?}"),
    })
}

pub fn national() -> &'static Pack {
    packs().latest("national").expect("national pack")
}

pub fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| Calendar::load_dir(&root().join("seeds/holidays")).expect("calendar loads"))
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
