//! A refused step: which rule, its legal basis, and what is wrong in Chinese and English.

use serde::{Deserialize, Serialize};

use super::state::StageId;

/// One rule a command would break. Violations are data, not strings: the API returns them as
/// `violations` in a 409 problem+json, the console shows them beside the blocked step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Violation {
    /// Stable rule id, e.g. `flow.required_stage_skipped`.
    pub rule: String,
    /// The legal basis, e.g. `《重大行政决策程序暂行条例》第二十五条第二款`.
    pub basis: String,
    /// The stage the rule belongs to, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<StageId>,
    /// What is wrong, in Chinese.
    pub message_zh: String,
    /// What is wrong, in English.
    pub message_en: String,
}

impl Violation {
    /// A violation of `rule` with its `basis` and both messages.
    pub fn new(
        rule: &str,
        basis: impl Into<String>,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Violation {
            rule: rule.to_string(),
            basis: basis.into(),
            stage: None,
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    /// The same violation, attached to `stage`.
    pub fn at(mut self, stage: &StageId) -> Self {
        self.stage = Some(stage.clone());
        self
    }
}

/// The national regulation, as cited in every basis that comes from it.
pub const REGULATION: &str = "《重大行政决策程序暂行条例》";

/// `《重大行政决策程序暂行条例》` followed by `article`, e.g. `law("第二十五条")`.
pub fn law(article: &str) -> String {
    format!("{REGULATION}{article}")
}
