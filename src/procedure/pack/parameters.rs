//! The numbers and switches that differ between jurisdictions, declared once: the
//! [`parameters!`] table below generates the [`Parameters`] struct, the list of names a pack may
//! set, the resolver that reads a pack file's values over the inherited ones, and the view the
//! diff compares — so none of them can drift from the others.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::procedure::state::OrganKind;

/// A parameter with its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param<T> {
    /// The value.
    pub value: T,
    /// Legal basis.
    pub basis: String,
    /// A remark (e.g. "not confirmed from the rule's text; national value kept").
    pub note: Option<String>,
    /// The pack that last set it.
    pub defined_in: String,
}

/// A parameter as written in a pack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParamDef {
    value: Value,
    basis: String,
    #[serde(default)]
    note: Option<String>,
}

/// A parameter's value, whatever its type (for comparing and printing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A count of days or people.
    Number(u32),
    /// A switch.
    Flag(bool),
    /// A count that may be absent (`null`).
    OptionalNumber(Option<u32>),
    /// Anything else, as the pack file writes it (a day of the year, a list of organ kinds).
    Text(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Number(n) | ParamValue::OptionalNumber(Some(n)) => write!(f, "{n}"),
            ParamValue::Flag(b) => write!(f, "{b}"),
            ParamValue::OptionalNumber(None) => f.write_str("null"),
            ParamValue::Text(t) => f.write_str(t),
        }
    }
}

/// The types a parameter may have: how a pack file writes one, and how it is compared.
pub trait ParamType: Clone + Sized {
    /// What a pack file must write, for the error message.
    const EXPECTED: &'static str;
    /// The value from the file's JSON, if it has the right shape.
    fn parse(v: &Value) -> Option<Self>;
    /// The value for comparing and printing.
    fn view(&self) -> ParamValue;
}

impl ParamType for u32 {
    const EXPECTED: &'static str = "a whole number of days (0–3650)";
    fn parse(v: &Value) -> Option<Self> {
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= 3650)
    }
    fn view(&self) -> ParamValue {
        ParamValue::Number(*self)
    }
}

impl ParamType for bool {
    const EXPECTED: &'static str = "true or false";
    fn parse(v: &Value) -> Option<Self> {
        v.as_bool()
    }
    fn view(&self) -> ParamValue {
        ParamValue::Flag(*self)
    }
}

impl ParamType for Option<u32> {
    const EXPECTED: &'static str = "a whole number of days or null";
    fn parse(v: &Value) -> Option<Self> {
        if v.is_null() {
            Some(None)
        } else {
            u32::parse(v).map(Some)
        }
    }
    fn view(&self) -> ParamValue {
        ParamValue::OptionalNumber(*self)
    }
}

/// A day of the year, written `MM-DD` (e.g. a catalog published by `03-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MonthDay {
    /// 1–12.
    pub month: u32,
    /// 1–31 (a day the month has in a leap year).
    pub day: u32,
}

impl MonthDay {
    /// This day in `year` (29 February falls back to 28 February outside leap years).
    pub fn in_year(self, year: i32) -> Option<chrono::NaiveDate> {
        chrono::NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| chrono::NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl ParamType for Option<MonthDay> {
    const EXPECTED: &'static str = "a day of the year as \"MM-DD\" or null";
    fn parse(v: &Value) -> Option<Self> {
        if v.is_null() {
            return Some(None);
        }
        let (m, d) = v.as_str()?.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let md = MonthDay {
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        // Valid in a leap year: 02-29 is a day some year has.
        chrono::NaiveDate::from_ymd_opt(2024, md.month, md.day).map(|_| Some(md))
    }
    fn view(&self) -> ParamValue {
        ParamValue::Text(self.map_or("null".into(), |d| d.to_string()))
    }
}

impl ParamType for Vec<OrganKind> {
    const EXPECTED: &'static str =
        "a list of organ kinds (\"government\", \"department\", \"township\"), without repeats";
    fn parse(v: &Value) -> Option<Self> {
        let kinds: Vec<OrganKind> = serde_json::from_value(v.clone()).ok()?;
        let mut seen = kinds.clone();
        seen.sort_by_key(|k| *k as u8);
        seen.dedup();
        (seen.len() == kinds.len()).then_some(kinds)
    }
    fn view(&self) -> ParamValue {
        let names: Vec<&str> = self.iter().map(|k| k.name()).collect();
        ParamValue::Text(format!("[{}]", names.join(", ")))
    }
}

/// One parameter as the diff sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamView<'a> {
    /// Its name.
    pub name: &'static str,
    /// Its value.
    pub value: ParamValue,
    /// Its basis.
    pub basis: &'a str,
    /// Its remark.
    pub note: Option<&'a str>,
    /// The pack that set it.
    pub defined_in: &'a str,
}

fn view<'a, T: ParamType>(name: &'static str, p: &'a Param<T>) -> ParamView<'a> {
    ParamView {
        name,
        value: p.value.view(),
        basis: &p.basis,
        note: p.note.as_deref(),
        defined_in: &p.defined_in,
    }
}

/// Reads one parameter of a pack file, falling back to the inherited one.
fn take<T: ParamType>(
    own: &str,
    defs: &BTreeMap<String, ParamDef>,
    errs: &mut Vec<String>,
    name: &str,
    inherited: Option<&Param<T>>,
    fallback: T,
) -> Param<T> {
    let placeholder = |value: T| Param {
        value,
        basis: String::new(),
        note: None,
        defined_in: String::new(),
    };
    match (defs.get(name), inherited) {
        (Some(def), _) => match T::parse(&def.value) {
            Some(value) => Param {
                value,
                basis: def.basis.clone(),
                note: def.note.clone(),
                defined_in: own.to_string(),
            },
            None => {
                errs.push(format!(
                    "parameter \"{name}\" must be {}, not {}",
                    T::EXPECTED,
                    def.value
                ));
                placeholder(fallback)
            }
        },
        (None, Some(p)) => p.clone(),
        (None, None) => {
            errs.push(format!(
                "parameter \"{name}\" is missing (a pack that extends nothing must set every parameter)"
            ));
            placeholder(fallback)
        }
    }
}

macro_rules! parameters {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty = $fallback:expr; )*) => {
        /// The numbers and switches that differ between jurisdictions.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        pub struct Parameters {
            $( $(#[$doc])* pub $name: Param<$ty>, )*
        }

        /// The parameter names a pack may set, in the order of the table.
        pub const PARAMETERS: &[&str] = &[$( stringify!($name), )*];

        impl Parameters {
            /// A pack file's parameters over the inherited ones (`parent`); what is wrong goes to
            /// `errs`, naming the parameter.
            pub(crate) fn resolve(
                own: &str,
                defs: &BTreeMap<String, ParamDef>,
                parent: Option<&Parameters>,
                errs: &mut Vec<String>,
            ) -> Parameters {
                for name in defs.keys() {
                    if !PARAMETERS.contains(&name.as_str()) {
                        errs.push(format!(
                            "unknown parameter \"{name}\" (known: {})",
                            PARAMETERS.join(", ")
                        ));
                    }
                }
                Parameters {
                    $( $name: take(own, defs, errs, stringify!($name), parent.map(|p| &p.$name), $fallback), )*
                }
            }

            /// Every parameter with its value and basis, in the order of [`PARAMETERS`].
            pub fn views(&self) -> Vec<ParamView<'_>> {
                vec![$( view(stringify!($name), &self.$name), )*]
            }
        }
    };
}

parameters! {
    /// Public comment period, calendar days (第十五条: 一般不少于30日).
    comment_period_days: u32 = 30;
    /// Legality review time, working days (第二十六条: 一般不少于7个工作日).
    legality_review_working_days: u32 = 7;
    /// Hearing materials delivered at least this many days before the hearing (第十六条: 7日前).
    hearing_materials_days: u32 = 7;
    /// Hearing notice and participant list published at least this many days before (第十六条: 提前).
    hearing_notice_days: u32 = 1;
    /// Minimum number of experts for an expert review.
    expert_minimum: u32 = 1;
    /// Whether the number of experts must be odd.
    expert_odd_number: bool = false;
    /// Whether civil servants are barred as hearing participants.
    hearing_bars_civil_servants: bool = false;
    /// The organs that must fix and publish an annual decision catalog (第三条第三款: 可以 —
    /// none nationally; 贵州: 市、县级人民政府; 浙江: 各地、各部门).
    catalog_organ_kinds: Vec<OrganKind> = Vec::new();
    /// Whether every decision of those organs must link to an item of their catalog (a bar).
    catalog_required: bool = false;
    /// The day by which those organs publish the year's catalog (浙江: 每年第一季度, `03-31`).
    catalog_publish_by: Option<MonthDay> = None;
    /// The share of decisions, in percent, that should be catalog items (a target, not a bar:
    /// 昆明 力争100%). Reported beside the coverage; refuses nothing.
    catalog_coverage_target: Option<u32> = None;
    /// Whether each adjustment of a published catalog needs a fresh consent of the party
    /// committee before it is published (第三条第三款 ties the consent to 公布).
    catalog_adjustment_consent: bool = false;
    /// Whether the legality review unit attends (列席) the meeting and states its view.
    legality_unit_attends_meeting: bool = false;
    /// Whether a change of an adopted decision requires a public hearing.
    adjustment_requires_hearing: bool = false;
    /// Days after the decision within which the dossier is archived (none: 及时).
    archive_within_days: Option<u32> = None;
    /// Whether the execution assignment must state targets (第三十四条 asks only for the unit,
    /// supervision and reports; some local plans add 执行目标).
    execution_targets_required: bool = false;
    /// Whether the legality opinion also states its findings on the decision's subject (主体) and
    /// basis (依据), beside the three points of 第二十七条.
    legality_review_five_points: bool = false;
    /// Whether a hearing may be held only with at least two thirds of the participants present.
    hearing_quorum_two_thirds: bool = false;
}
