//! What one pack changes against another: stages added, removed or changed, parameters changed,
//! attributes and return edges added or removed — each with the basis the new side cites and the
//! one the old side cited, so a lawyer can check every difference against its source.
//!
//! Pure: two resolved packs in, a [`PackDiff`] out (serialisable for `--json`, readable through
//! [`PackDiff::to_text`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use super::condition::Condition;
use super::pack::{AttributeDef, Pack, Param, Parameters, ReturnEdge, ReturnTrigger, Stage, Text};
use super::state::StageId;

/// The differences between pack `from` and pack `to`, read as "what `to` changes".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackDiff {
    /// The old side.
    pub from: PackRef,
    /// The new side.
    pub to: PackRef,
    /// Stages only the new side has, in its procedural order.
    pub stages_added: Vec<Stage>,
    /// Stages only the old side has.
    pub stages_removed: Vec<Stage>,
    /// Stages both have whose name, conditions, prerequisites or repeatability differ.
    pub stages_changed: Vec<StageChange>,
    /// Parameters whose value differs.
    pub parameters_changed: Vec<ParamChange>,
    /// Attributes only the new side declares.
    pub attributes_added: Vec<AttributeDef>,
    /// Attributes only the old side declares.
    pub attributes_removed: Vec<AttributeDef>,
    /// Return edges only the new side declares.
    pub returns_added: Vec<ReturnEdge>,
    /// Return edges only the old side declares.
    pub returns_removed: Vec<ReturnEdge>,
    /// The start, decision or terminal stage, where it differs.
    pub anchors_changed: Vec<AnchorChange>,
    /// Items that are the same in substance but cite another basis.
    pub bases_changed: Vec<BasisChange>,
    /// Chinese names of the stages and attributes of both sides, for the text report.
    #[serde(skip)]
    names: Names,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackRef {
    /// `id@version`.
    pub key: String,
    /// Its title.
    pub title: Text,
    /// In force from.
    pub effective_from: NaiveDate,
}

impl PackRef {
    fn of(p: &Pack) -> Self {
        PackRef {
            key: p.key(),
            title: p.title.clone(),
            effective_from: p.effective_from,
        }
    }
}

/// A stage both packs have, changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageChange {
    /// The stage.
    pub id: StageId,
    /// Its name on the new side.
    pub name: Text,
    /// What changed.
    pub changes: Vec<StageField>,
    /// The basis the new side cites.
    pub new_basis: String,
    /// The basis the old side cited.
    pub old_basis: String,
    /// The new side's remark.
    pub note: Option<String>,
    /// The pack that made the change.
    pub defined_in: String,
}

/// One changed field of a stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum StageField {
    /// The name.
    Name {
        /// Before.
        old: Text,
        /// After.
        new: Text,
    },
    /// When the stage is required.
    Required {
        /// Before.
        old: Condition,
        /// After.
        new: Condition,
    },
    /// When the stage may be performed.
    Allowed {
        /// Before.
        old: Condition,
        /// After.
        new: Condition,
    },
    /// The prerequisites (compared as sets).
    After {
        /// Before.
        old: Vec<StageId>,
        /// After.
        new: Vec<StageId>,
        /// Prerequisites the new side adds.
        added: Vec<StageId>,
        /// Prerequisites the new side drops.
        removed: Vec<StageId>,
    },
    /// Whether it may be entered again.
    Repeatable {
        /// Before.
        old: bool,
        /// After.
        new: bool,
    },
}

/// A parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A number of days (or a count).
    Number(u32),
    /// A switch.
    Flag(bool),
    /// A number of days, or none.
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

/// A parameter whose value differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamChange {
    /// Its name (one of [`super::pack::PARAMETERS`]).
    pub name: &'static str,
    /// Before.
    pub old: ParamValue,
    /// After.
    pub new: ParamValue,
    /// The basis the new side cites.
    pub new_basis: String,
    /// The basis the old side cited.
    pub old_basis: String,
    /// The new side's remark.
    pub note: Option<String>,
    /// The pack that set it.
    pub defined_in: String,
}

/// Which anchor of the procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorChange {
    /// `start`, `decision_stage` or `terminal`.
    pub anchor: &'static str,
    /// Before.
    pub old: StageId,
    /// After.
    pub new: StageId,
}

/// What kind of item a basis belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// A stage.
    Stage,
    /// A parameter.
    Parameter,
    /// An attribute.
    Attribute,
    /// A return edge (`from → to`).
    Return,
}

/// An item unchanged in substance whose basis differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BasisChange {
    /// What kind of item.
    pub item: Item,
    /// Its id.
    pub id: String,
    /// The basis the new side cites.
    pub new_basis: String,
    /// The basis the old side cited.
    pub old_basis: String,
}

/// What `b` changes against `a`.
pub fn diff(a: &Pack, b: &Pack) -> PackDiff {
    let mut d = PackDiff {
        from: PackRef::of(a),
        to: PackRef::of(b),
        stages_added: Vec::new(),
        stages_removed: Vec::new(),
        stages_changed: Vec::new(),
        parameters_changed: Vec::new(),
        attributes_added: Vec::new(),
        attributes_removed: Vec::new(),
        returns_added: Vec::new(),
        returns_removed: Vec::new(),
        anchors_changed: Vec::new(),
        bases_changed: Vec::new(),
        names: Names::of(a, b),
    };

    for s in &b.stages {
        match a.stage(s.id.as_str()) {
            None => d.stages_added.push(s.clone()),
            Some(old) => {
                let changes = stage_fields(old, s);
                if !changes.is_empty() {
                    d.stages_changed.push(StageChange {
                        id: s.id.clone(),
                        name: s.name.clone(),
                        changes,
                        new_basis: s.basis.clone(),
                        old_basis: old.basis.clone(),
                        note: s.note.clone(),
                        defined_in: s.defined_in.clone(),
                    });
                } else if old.basis != s.basis {
                    d.bases_changed.push(BasisChange {
                        item: Item::Stage,
                        id: s.id.to_string(),
                        new_basis: s.basis.clone(),
                        old_basis: old.basis.clone(),
                    });
                }
            }
        }
    }
    d.stages_removed = a
        .stages
        .iter()
        .filter(|s| !b.has(s.id.as_str()))
        .cloned()
        .collect();

    for (old, new) in param_views(&a.parameters)
        .into_iter()
        .zip(param_views(&b.parameters))
    {
        if old.value != new.value {
            d.parameters_changed.push(ParamChange {
                name: new.name,
                old: old.value,
                new: new.value,
                new_basis: new.basis.to_string(),
                old_basis: old.basis.to_string(),
                note: new.note.map(str::to_string),
                defined_in: new.defined_in.to_string(),
            });
        } else if old.basis != new.basis {
            d.bases_changed.push(BasisChange {
                item: Item::Parameter,
                id: new.name.to_string(),
                new_basis: new.basis.to_string(),
                old_basis: old.basis.to_string(),
            });
        }
    }

    for attr in &b.attributes {
        match a.attributes.iter().find(|x| x.id == attr.id) {
            None => d.attributes_added.push(attr.clone()),
            Some(old) if old.basis != attr.basis => d.bases_changed.push(BasisChange {
                item: Item::Attribute,
                id: attr.id.clone(),
                new_basis: attr.basis.clone(),
                old_basis: old.basis.clone(),
            }),
            Some(_) => {}
        }
    }
    d.attributes_removed = a
        .attributes
        .iter()
        .filter(|x| !b.attributes.iter().any(|y| y.id == x.id))
        .cloned()
        .collect();

    let same_edge =
        |x: &ReturnEdge, y: &ReturnEdge| x.from == y.from && x.to == y.to && x.on == y.on;
    for r in &b.returns {
        match a.returns.iter().find(|x| same_edge(x, r)) {
            None => d.returns_added.push(r.clone()),
            Some(old) if old.basis != r.basis => d.bases_changed.push(BasisChange {
                item: Item::Return,
                id: format!("{} → {}", r.from, r.to),
                new_basis: r.basis.clone(),
                old_basis: old.basis.clone(),
            }),
            Some(_) => {}
        }
    }
    d.returns_removed = a
        .returns
        .iter()
        .filter(|x| !b.returns.iter().any(|y| same_edge(x, y)))
        .cloned()
        .collect();

    for (anchor, old, new) in [
        ("start", &a.start, &b.start),
        ("decision_stage", &a.decision_stage, &b.decision_stage),
        ("terminal", &a.terminal, &b.terminal),
    ] {
        if old != new {
            d.anchors_changed.push(AnchorChange {
                anchor,
                old: old.clone(),
                new: new.clone(),
            });
        }
    }
    d
}

fn stage_fields(old: &Stage, new: &Stage) -> Vec<StageField> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push(StageField::Name {
            old: old.name.clone(),
            new: new.name.clone(),
        });
    }
    if old.required != new.required {
        out.push(StageField::Required {
            old: old.required.clone(),
            new: new.required.clone(),
        });
    }
    if old.allowed != new.allowed {
        out.push(StageField::Allowed {
            old: old.allowed.clone(),
            new: new.allowed.clone(),
        });
    }
    let before: BTreeSet<&StageId> = old.after.iter().collect();
    let after: BTreeSet<&StageId> = new.after.iter().collect();
    if before != after {
        out.push(StageField::After {
            old: old.after.clone(),
            new: new.after.clone(),
            added: new
                .after
                .iter()
                .filter(|s| !before.contains(s))
                .cloned()
                .collect(),
            removed: old
                .after
                .iter()
                .filter(|s| !after.contains(s))
                .cloned()
                .collect(),
        });
    }
    if old.repeatable != new.repeatable {
        out.push(StageField::Repeatable {
            old: old.repeatable,
            new: new.repeatable,
        });
    }
    out
}

/// A parameter seen without its type.
struct ParamView<'a> {
    name: &'static str,
    value: ParamValue,
    basis: &'a str,
    note: Option<&'a str>,
    defined_in: &'a str,
}

fn view<'a, T>(name: &'static str, p: &'a Param<T>, value: fn(&T) -> ParamValue) -> ParamView<'a> {
    ParamView {
        name,
        value: value(&p.value),
        basis: &p.basis,
        note: p.note.as_deref(),
        defined_in: &p.defined_in,
    }
}

/// Every parameter, in the order of [`super::pack::PARAMETERS`].
fn param_views(p: &Parameters) -> Vec<ParamView<'_>> {
    let n = |v: &u32| ParamValue::Number(*v);
    let b = |v: &bool| ParamValue::Flag(*v);
    vec![
        view("comment_period_days", &p.comment_period_days, n),
        view(
            "legality_review_working_days",
            &p.legality_review_working_days,
            n,
        ),
        view("hearing_materials_days", &p.hearing_materials_days, n),
        view("hearing_notice_days", &p.hearing_notice_days, n),
        view("expert_minimum", &p.expert_minimum, n),
        view("expert_odd_number", &p.expert_odd_number, b),
        view(
            "hearing_bars_civil_servants",
            &p.hearing_bars_civil_servants,
            b,
        ),
        view("catalog_required", &p.catalog_required, b),
        view(
            "legality_unit_attends_meeting",
            &p.legality_unit_attends_meeting,
            b,
        ),
        view(
            "adjustment_requires_hearing",
            &p.adjustment_requires_hearing,
            b,
        ),
        view("archive_within_days", &p.archive_within_days, |v| {
            ParamValue::OptionalNumber(*v)
        }),
    ]
}

impl PackDiff {
    /// Whether the two packs differ in nothing (not even a basis).
    pub fn is_empty(&self) -> bool {
        self.stages_added.is_empty()
            && self.stages_removed.is_empty()
            && self.stages_changed.is_empty()
            && self.parameters_changed.is_empty()
            && self.attributes_added.is_empty()
            && self.attributes_removed.is_empty()
            && self.returns_added.is_empty()
            && self.returns_removed.is_empty()
            && self.anchors_changed.is_empty()
            && self.bases_changed.is_empty()
    }

    /// A report in Chinese and English, one difference per entry, each with its basis.
    pub fn to_text(&self) -> String {
        let names = &self.names;
        let mut out = String::new();
        let _ = writeln!(out, "程序规则对比 / Pack comparison");
        for (label, p) in [("原 from", &self.from), ("新 to  ", &self.to)] {
            let _ = writeln!(
                out,
                "  {label}: {} {} / {}（{} 起施行 / in force from {}）",
                p.key, p.title.zh, p.title.en, p.effective_from, p.effective_from
            );
        }
        if self.is_empty() {
            let _ = writeln!(out, "\n无差异 / No differences.");
            return out;
        }

        if !self.stages_added.is_empty() {
            let _ = writeln!(out, "\n新增环节 / Stages added");
            for s in &self.stages_added {
                let _ = writeln!(out, "  + 环节 {}（{} / {}）", s.id, s.name.zh, s.name.en);
                let _ = writeln!(
                    out,
                    "      何时必经 required when：{} / {}",
                    names.cond_zh(&s.required),
                    cond_en(&s.required)
                );
                if s.allowed != Condition::Const(true) {
                    let _ = writeln!(
                        out,
                        "      何时允许 allowed when：{} / {}",
                        names.cond_zh(&s.allowed),
                        cond_en(&s.allowed)
                    );
                }
                let _ = writeln!(out, "      前置环节 after：{}", names.stage_list(&s.after));
                if s.repeatable {
                    let _ = writeln!(out, "      可再次进行 / repeatable");
                }
                let _ = writeln!(out, "      依据 basis：{}", s.basis);
                note(&mut out, s.note.as_deref());
            }
        }

        if !self.stages_changed.is_empty() {
            let _ = writeln!(out, "\n变更环节 / Stages changed");
            for c in &self.stages_changed {
                let _ = writeln!(out, "  * 环节 {}（{} / {}）", c.id, c.name.zh, c.name.en);
                for f in &c.changes {
                    match f {
                        StageField::Name { old, new } => {
                            let _ = writeln!(
                                out,
                                "      名称 name：{} → {} / {} → {}",
                                old.zh, new.zh, old.en, new.en
                            );
                        }
                        StageField::Required { old, new } => {
                            let _ = writeln!(
                                out,
                                "      何时必经 required when：{} → {} / {} → {}",
                                names.cond_zh(old),
                                names.cond_zh(new),
                                cond_en(old),
                                cond_en(new)
                            );
                        }
                        StageField::Allowed { old, new } => {
                            let _ = writeln!(
                                out,
                                "      何时允许 allowed when：{} → {} / {} → {}",
                                names.cond_zh(old),
                                names.cond_zh(new),
                                cond_en(old),
                                cond_en(new)
                            );
                        }
                        StageField::After { added, removed, .. } => {
                            if !added.is_empty() {
                                let _ = writeln!(
                                    out,
                                    "      前置环节 after：增加 added {}",
                                    names.stage_list(added)
                                );
                            }
                            if !removed.is_empty() {
                                let _ = writeln!(
                                    out,
                                    "      前置环节 after：取消 dropped {}",
                                    names.stage_list(removed)
                                );
                            }
                        }
                        StageField::Repeatable { old, new } => {
                            let _ = writeln!(
                                out,
                                "      可再次进行 repeatable：{} → {}",
                                yes_no(*old),
                                yes_no(*new)
                            );
                        }
                    }
                }
                let _ = writeln!(out, "      依据 basis：{}", c.new_basis);
                let _ = writeln!(out, "      原依据 previous basis：{}", c.old_basis);
                note(&mut out, c.note.as_deref());
            }
        }

        if !self.stages_removed.is_empty() {
            let _ = writeln!(out, "\n删除环节 / Stages removed");
            for s in &self.stages_removed {
                let _ = writeln!(
                    out,
                    "  - 环节 {}（{} / {}）（原依据 previous basis：{}）",
                    s.id, s.name.zh, s.name.en, s.basis
                );
            }
        }

        if !self.parameters_changed.is_empty() {
            let _ = writeln!(out, "\n参数 / Parameters");
            for p in &self.parameters_changed {
                let _ = writeln!(
                    out,
                    "  参数 {}：{} → {}（依据：{}；原依据：{}）",
                    p.name, p.old, p.new, p.new_basis, p.old_basis
                );
                let _ = writeln!(
                    out,
                    "      parameter {}: {} → {} (basis: {}; previously: {})",
                    p.name, p.old, p.new, p.new_basis, p.old_basis
                );
                note(&mut out, p.note.as_deref());
            }
        }

        if !self.attributes_added.is_empty() || !self.attributes_removed.is_empty() {
            let _ = writeln!(out, "\n决策属性 / Decision attributes");
            for (sign, list) in [
                ("+", &self.attributes_added),
                ("-", &self.attributes_removed),
            ] {
                for a in list {
                    let _ = writeln!(
                        out,
                        "  {sign} 属性 {}（{} / {}）（依据 basis：{}）",
                        a.id, a.name.zh, a.name.en, a.basis
                    );
                }
            }
        }

        if !self.returns_added.is_empty() || !self.returns_removed.is_empty() {
            let _ = writeln!(out, "\n退回路径 / Return edges");
            for (sign, list) in [("+", &self.returns_added), ("-", &self.returns_removed)] {
                for r in list {
                    let (zh, en) = trigger(r.on);
                    let _ = writeln!(
                        out,
                        "  {sign} {} → {}，{zh} / {en}（依据 basis：{}）",
                        names.stage(&r.from),
                        names.stage(&r.to),
                        r.basis
                    );
                }
            }
        }

        if !self.anchors_changed.is_empty() {
            let _ = writeln!(out, "\n程序起止 / Anchors");
            for a in &self.anchors_changed {
                let _ = writeln!(
                    out,
                    "  {}：{} → {}",
                    a.anchor,
                    names.stage(&a.old),
                    names.stage(&a.new)
                );
            }
        }

        if !self.bases_changed.is_empty() {
            let _ = writeln!(out, "\n仅依据不同 / Same rule, another basis");
            for b in &self.bases_changed {
                let kind = match b.item {
                    Item::Stage => "环节 stage",
                    Item::Parameter => "参数 parameter",
                    Item::Attribute => "属性 attribute",
                    Item::Return => "退回路径 return",
                };
                let _ = writeln!(
                    out,
                    "  {kind} {}：依据 {}（原依据 {}）",
                    b.id, b.new_basis, b.old_basis
                );
            }
        }
        out
    }
}

fn note(out: &mut String, note: Option<&str>) {
    if let Some(n) = note {
        let _ = writeln!(out, "      说明 note：{n}");
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是 yes"
    } else {
        "否 no"
    }
}

fn trigger(t: ReturnTrigger) -> (&'static str, &'static str) {
    match t {
        ReturnTrigger::LegalityUnlawful => (
            "合法性审查认为不合法时",
            "when the legality review finds the draft unlawful",
        ),
        ReturnTrigger::MeetingReturned => (
            "会议退回修改时",
            "when the meeting returns the draft for revision",
        ),
    }
}

/// Stage and attribute names of both sides, the new side's winning.
#[derive(Debug, Clone, PartialEq, Default)]
struct Names {
    stages: BTreeMap<StageId, String>,
    attributes: BTreeMap<String, String>,
}

impl Names {
    fn of(a: &Pack, b: &Pack) -> Self {
        let mut names = Names::default();
        for p in [a, b] {
            for s in &p.stages {
                names.stages.insert(s.id.clone(), s.name.zh.clone());
            }
            for x in &p.attributes {
                names.attributes.insert(x.id.clone(), x.name.zh.clone());
            }
        }
        names
    }

    fn stage(&self, id: &StageId) -> String {
        match self.stages.get(id) {
            Some(zh) => format!("{zh} {id}"),
            None => id.to_string(),
        }
    }

    fn stage_list(&self, ids: &[StageId]) -> String {
        if ids.is_empty() {
            return "无 none".into();
        }
        ids.iter()
            .map(|s| self.stage(s))
            .collect::<Vec<_>>()
            .join("、")
    }

    /// A condition in Chinese: attributes by name where the diff knows it, else by id.
    fn cond_zh(&self, c: &Condition) -> String {
        match c {
            Condition::Const(true) => "总是".into(),
            Condition::Const(false) => "从不".into(),
            Condition::Attr(a) => match self.attributes.get(a) {
                Some(zh) => format!("「{zh}」（{a}）"),
                None => format!("「{a}」"),
            },
            Condition::Category(cats) => format!(
                "类别为{}",
                cats.iter()
                    .map(|c| format!("“{}”", c.zh()))
                    .collect::<Vec<_>>()
                    .join("或")
            ),
            Condition::Not(inner) => format!("非{}", self.nested_zh(inner)),
            Condition::All(cs) => self.join_zh(cs, "且", "总是"),
            Condition::Any(cs) => self.join_zh(cs, "或", "从不"),
        }
    }

    fn nested_zh(&self, c: &Condition) -> String {
        match c {
            Condition::All(cs) | Condition::Any(cs) if cs.len() > 1 => {
                format!("（{}）", self.cond_zh(c))
            }
            _ => self.cond_zh(c),
        }
    }

    fn join_zh(&self, cs: &[Condition], word: &str, empty: &str) -> String {
        if cs.is_empty() {
            return empty.into();
        }
        cs.iter()
            .map(|c| self.nested_zh(c))
            .collect::<Vec<_>>()
            .join(word)
    }
}

/// A condition in English, attributes by id.
fn cond_en(c: &Condition) -> String {
    fn nested(c: &Condition) -> String {
        match c {
            Condition::All(cs) | Condition::Any(cs) if cs.len() > 1 => format!("({})", cond_en(c)),
            _ => cond_en(c),
        }
    }
    fn join(cs: &[Condition], word: &str, empty: &str) -> String {
        if cs.is_empty() {
            return empty.into();
        }
        cs.iter().map(nested).collect::<Vec<_>>().join(word)
    }
    match c {
        Condition::Const(true) => "always".into(),
        Condition::Const(false) => "never".into(),
        Condition::Attr(a) => a.clone(),
        Condition::Category(cats) => format!(
            "category is {}",
            cats.iter()
                .map(|c| {
                    serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| format!("{c:?}"))
                })
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Condition::Not(inner) => format!("not {}", nested(inner)),
        Condition::All(cs) => join(cs, " and ", "always"),
        Condition::Any(cs) => join(cs, " or ", "never"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procedure::pack::PARAMETERS;

    // The diff walks the parameters by hand; a parameter added to the pack format must be added here.
    #[test]
    fn every_parameter_is_compared() {
        let json = include_str!("../../workflows/national.json");
        let set = crate::procedure::PackSet::from_sources(&[("national.json".into(), json.into())]);
        let Ok(set) = set else {
            panic!("the national pack loads");
        };
        let Some(national) = set.latest("national") else {
            panic!("the national pack is there");
        };
        let names: Vec<&str> = param_views(&national.parameters)
            .iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, PARAMETERS);
        assert!(diff(national, national).is_empty());
    }

    #[test]
    fn conditions_read_in_both_languages() {
        let c = Condition::All(vec![
            Condition::Attr("public_interest".into()),
            Condition::Not(Box::new(Condition::Attr("not_public".into()))),
        ]);
        assert_eq!(cond_en(&c), "public_interest and not not_public");
        let names = Names::default();
        assert_eq!(names.cond_zh(&c), "「public_interest」且非「not_public」");
    }
}
