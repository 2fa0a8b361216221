//! Commands (what a user asks the engine to do) and events (what happened, at the server's time).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::facts::Fact;
use super::initiation::Initiation;
use super::terms::*;

/// A command: what a user asks the engine to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Start the decision (第十、十一条).
    Initiate(Initiation),
    /// Change the attributes, with a reason.
    ChangeAttributes {
        /// The new attributes.
        attributes: Attributes,
        /// Why.
        reason: String,
    },
    /// Enter a stage.
    StartStage {
        /// Which.
        stage: StageId,
    },
    /// Complete a stage with its evidence.
    CompleteStage {
        /// Which.
        stage: StageId,
    },
    /// Waive a stage where the law allows it, citing what covers it.
    WaiveStage {
        /// Which.
        stage: StageId,
        /// The existing assessment or rule that covers it.
        reference: String,
    },
    /// Record a fact.
    Record {
        /// The fact.
        fact: Fact,
    },
    /// A major adjustment took effect: the new decision linked by `changed` was adopted, so this
    /// one is superseded (第三十七条). Given by the server when the new decision is adopted,
    /// never by a user.
    Supersede {
        /// The new decision.
        by: String,
    },
}

/// The command name of a batch of public comments, as the record stores it.
pub const INTAKE_COMMAND: &str = "record:comments_received";

impl Command {
    /// A short name for the record, e.g. `start_stage:hearing`, `record:legality_opinion`.
    pub fn name(&self) -> String {
        match self {
            Command::Initiate(_) => "initiate".into(),
            Command::ChangeAttributes { .. } => "change_attributes".into(),
            Command::StartStage { stage } => format!("start_stage:{stage}"),
            Command::CompleteStage { stage } => format!("complete_stage:{stage}"),
            Command::WaiveStage { stage, .. } => format!("waive_stage:{stage}"),
            Command::Record { fact } => format!("record:{}", fact.kind()),
            Command::Supersede { .. } => "supersede".into(),
        }
    }
}

impl Fact {
    /// The fact's `type` as written in JSON, e.g. `legality_opinion`.
    pub fn kind(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
            .unwrap_or_default()
    }
}

/// What happened, at the server's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Event {
    /// Server time.
    pub at: DateTime<Utc>,
    /// What.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The kinds of event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The decision was started.
    Initiated(Initiation),
    /// Attributes changed.
    AttributesChanged {
        /// New attributes.
        attributes: Attributes,
        /// Why.
        reason: String,
    },
    /// A stage was entered.
    StageStarted {
        /// Which.
        stage: StageId,
    },
    /// A stage was completed.
    StageCompleted {
        /// Which.
        stage: StageId,
    },
    /// A stage was waived.
    StageWaived {
        /// Which.
        stage: StageId,
        /// What covers it.
        reference: String,
    },
    /// A stage sent the decision back along a declared return edge.
    StageReturned {
        /// From.
        from: StageId,
        /// To.
        to: StageId,
    },
    /// A fact was recorded.
    /// Superseded by the adopted new decision of a major adjustment.
    Superseded {
        /// The new decision.
        by: String,
    },
    Recorded {
        /// The fact.
        fact: Fact,
    },
}
