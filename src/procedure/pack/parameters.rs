//! The numbers and switches that differ between jurisdictions, declared once: the
//! [`parameters!`] table below generates the [`Parameters`] struct, the list of names a pack may
//! set, the resolver that reads a pack file's values over the inherited ones, and the view the
//! diff compares — so none of them can drift from the others.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A count of days or people.
    Number(u32),
    /// A switch.
    Flag(bool),
    /// A count that may be absent (`null`).
    OptionalNumber(Option<u32>),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Number(n) | ParamValue::OptionalNumber(Some(n)) => write!(f, "{n}"),
            ParamValue::Flag(b) => write!(f, "{b}"),
            ParamValue::OptionalNumber(None) => f.write_str("null"),
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
    /// Whether every decision must link to an item of the organ's catalog.
    catalog_required: bool = false;
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
