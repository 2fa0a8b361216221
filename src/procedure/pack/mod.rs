//! Jurisdiction packs: the stages, conditions, return edges and parameters of one jurisdiction's
//! procedure. The types live here; `procedure::load` reads them from `workflows/*.json`, merges
//! them along `extends` and has `procedure::graph` verify them.
//!
//! A pack that extends another changes only what its rules change, and every change cites its
//! basis. A decision is pinned to the pack id and version it started under
//! (`PackSet::in_force`).

mod parameters;

pub use parameters::*;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::state::{Attributes, StageId};

/// A name in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// A legal source a pack rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Its title, e.g. 《重大行政决策程序暂行条例》.
    pub title: String,
    /// Document number, e.g. 国务院令第713号.
    #[serde(default)]
    pub document_number: Option<String>,
    /// In force from.
    #[serde(default)]
    pub effective: Option<NaiveDate>,
    /// Where the text was read, or what could not be confirmed.
    #[serde(default)]
    pub note: Option<String>,
}

/// A decision attribute a pack's conditions may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    /// The flag's name, e.g. `technical`.
    pub id: String,
    /// Its meaning.
    pub name: Text,
    /// Where the law uses it.
    pub basis: String,
    /// Whether a matter with this attribute is outside the procedure altogether (第三条第二款, or
    /// a local rule's exclusions): it is refused at initiation, citing `basis`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excludes: bool,
}

/// What sends a decision back along a return edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnTrigger {
    /// The legality review found the draft unlawful (第二十五条第二款).
    LegalityUnlawful,
    /// The head returned the draft for revision at the meeting.
    MeetingReturned,
}

/// A declared edge back to an earlier stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnEdge {
    /// The stage that sends back.
    pub from: StageId,
    /// The stage reopened.
    pub to: StageId,
    /// What triggers it.
    pub on: ReturnTrigger,
    /// Legal basis.
    pub basis: String,
}

/// A stage, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Its id (one of `state::stage::ALL`).
    pub id: StageId,
    /// Its name.
    pub name: Text,
    /// When it is required.
    pub required: Condition,
    /// When it may be performed at all (e.g. not for matters lawfully not public).
    pub allowed: Condition,
    /// The stages that must be done (or lawfully skipped) before it may start.
    pub after: Vec<StageId>,
    /// Legal basis.
    pub basis: String,
    /// Whether it may be entered again after completion (a new round: re-review, reassessment).
    pub repeatable: bool,
    /// A remark for readers.
    pub note: Option<String>,
    /// The pack that last defined or changed it.
    pub defined_in: String,
}

/// A resolved pack: its own file merged over what it extends, verified.
#[derive(Debug, Clone, Serialize)]
pub struct Pack {
    /// Id, e.g. `national`, `zhejiang`.
    pub id: String,
    /// Version, e.g. `2019.1`.
    pub version: String,
    /// In force for decisions started on or after this date.
    pub effective_from: NaiveDate,
    /// Title.
    pub title: Text,
    /// Legal sources (own first, then inherited).
    pub sources: Vec<Source>,
    /// The pack it extends, as `id@version`.
    pub extends: Option<String>,
    /// The pack's own remark for readers (what it changes, what could not be confirmed).
    pub note: Option<String>,
    /// The attributes its conditions read.
    pub attributes: Vec<AttributeDef>,
    /// Stages in topological order.
    pub stages: Vec<Stage>,
    /// Declared return edges.
    pub returns: Vec<ReturnEdge>,
    /// Parameters.
    pub parameters: Parameters,
    /// The first stage.
    pub start: StageId,
    /// The collective decision stage every required pre-decision stage must precede.
    pub decision_stage: StageId,
    /// The stage that closes the decision procedure.
    pub terminal: StageId,
    /// The file it was read from.
    #[serde(skip)]
    pub file: PathBuf,
    /// Strict ancestors of each stage along `after` edges.
    #[serde(skip)]
    pub(crate) ancestors: BTreeMap<StageId, BTreeSet<StageId>>,
}

impl Pack {
    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id.as_str() == id)
    }

    /// Whether the pack has this stage.
    pub fn has(&self, id: &str) -> bool {
        self.stage(id).is_some()
    }

    /// Whether the stage is required for these attributes (false when the pack lacks it).
    pub fn required(&self, id: &str, attrs: &Attributes) -> bool {
        self.stage(id).is_some_and(|s| s.required.eval(attrs))
    }

    /// Strict ancestors of a stage.
    pub fn ancestors(&self, id: &StageId) -> impl Iterator<Item = &StageId> {
        self.ancestors.get(id).into_iter().flatten()
    }

    /// Whether `a` must come before `b`.
    pub fn precedes(&self, a: &StageId, b: &StageId) -> bool {
        self.ancestors.get(b).is_some_and(|s| s.contains(a))
    }

    /// `id@version`.
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
}

/// A pack that could not be loaded, naming the file and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for PackError {}
