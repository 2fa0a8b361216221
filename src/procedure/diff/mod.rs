//! What one pack changes against another: stages added, removed or changed, parameters changed,
//! attributes and return edges added or removed — each with the basis the new side cites and the
//! one the old side cited, so a lawyer can check every difference against its source.
//!
//! Pure: two resolved packs in, a [`PackDiff`] out (serialisable for `--json`, readable through
//! [`PackDiff::to_text`], in `text.rs`).

mod text;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::condition::Condition;
use super::pack::{AttributeDef, Pack, ParamValue, ReturnEdge, ReturnTrigger, Stage, Text};
use super::state::StageId;
use text::Names;

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

    for (old, new) in a.parameters.views().into_iter().zip(b.parameters.views()) {
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
}
