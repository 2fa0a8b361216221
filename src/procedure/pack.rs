//! Jurisdiction packs: the stages, conditions, return edges and parameters of one jurisdiction's
//! procedure, read from `workflows/*.json`, merged along `extends`, verified by [`super::graph`].
//!
//! A pack that extends another changes only what its rules change, and every change cites its
//! basis. A decision is pinned to the pack id and version it started under ([`PackSet::in_force`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::condition::Condition;
use super::graph;
use super::state::{stage, Attributes, StageId};

/// A name in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Its id (one of [`stage::ALL`]).
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

/// A stage in a pack file: a full definition, or in an extending pack a patch of some fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageDef {
    id: StageId,
    #[serde(default)]
    name: Option<Text>,
    #[serde(default)]
    required: Option<Condition>,
    #[serde(default)]
    allowed: Option<Condition>,
    #[serde(default)]
    after: Option<Vec<StageId>>,
    #[serde(default)]
    basis: Option<String>,
    #[serde(default)]
    repeatable: Option<bool>,
    #[serde(default)]
    note: Option<String>,
}

/// A parameter in a pack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamDef {
    value: Value,
    basis: String,
    #[serde(default)]
    note: Option<String>,
}

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

/// The numbers and switches that differ between jurisdictions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameters {
    /// Public comment period, calendar days (第十五条: 一般不少于30日).
    pub comment_period_days: Param<u32>,
    /// Legality review time, working days (第二十六条: 一般不少于7个工作日).
    pub legality_review_working_days: Param<u32>,
    /// Hearing materials delivered at least this many days before the hearing (第十六条: 7日前).
    pub hearing_materials_days: Param<u32>,
    /// Hearing notice and participant list published at least this many days before (第十六条: 提前).
    pub hearing_notice_days: Param<u32>,
    /// Minimum number of experts for an expert review.
    pub expert_minimum: Param<u32>,
    /// Whether the number of experts must be odd.
    pub expert_odd_number: Param<bool>,
    /// Whether civil servants are barred as hearing participants.
    pub hearing_bars_civil_servants: Param<bool>,
    /// Whether every decision must link to an item of the organ's catalog.
    pub catalog_required: Param<bool>,
    /// Whether the legality review unit attends (列席) the meeting and states its view.
    pub legality_unit_attends_meeting: Param<bool>,
    /// Whether a change of an adopted decision requires a public hearing.
    pub adjustment_requires_hearing: Param<bool>,
    /// Days after the decision within which the dossier is archived (none: 及时).
    pub archive_within_days: Param<Option<u32>>,
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

/// A pack file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    id: String,
    version: String,
    effective_from: NaiveDate,
    title: Text,
    sources: Vec<Source>,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    attributes: Vec<AttributeDef>,
    #[serde(default)]
    stages: Vec<StageDef>,
    #[serde(default)]
    returns: Vec<ReturnEdge>,
    #[serde(default)]
    parameters: BTreeMap<String, ParamDef>,
    #[serde(default)]
    start: Option<StageId>,
    #[serde(default)]
    decision_stage: Option<StageId>,
    #[serde(default)]
    terminal: Option<StageId>,
}

/// Every pack of a `workflows/` folder, resolved and verified, by id and version.
#[derive(Debug, Clone, Default)]
pub struct PackSet {
    packs: BTreeMap<String, Vec<Pack>>,
}

impl PackSet {
    /// Load packs from `(file name, JSON text)` pairs.
    pub fn from_sources(sources: &[(PathBuf, String)]) -> Result<PackSet, Vec<PackError>> {
        let mut errors = Vec::new();
        let mut files: Vec<(PathBuf, PackFile)> = Vec::new();
        for (path, text) in sources {
            match serde_json::from_str::<PackFile>(text) {
                Ok(f) => files.push((path.clone(), f)),
                Err(e) => errors.push(PackError {
                    file: path.clone(),
                    message: format!(
                        "not a valid pack at line {} column {}: {}",
                        e.line(),
                        e.column(),
                        strip_position(&e.to_string())
                    ),
                }),
            }
        }
        let mut seen = BTreeSet::new();
        for (path, f) in &files {
            if !seen.insert((f.id.clone(), f.version.clone())) {
                errors.push(PackError {
                    file: path.clone(),
                    message: format!("pack {}@{} is defined twice", f.id, f.version),
                });
            }
        }
        let mut set = PackSet::default();
        // Resolve in rounds: a pack whose parent is resolved can be resolved. A pack that extends
        // an id without a version also waits until every other version of that id is resolved,
        // so that it binds to the version in force on its date whatever the order of the files.
        let mut pending: Vec<(PathBuf, PackFile)> = files;
        loop {
            let before = pending.len();
            let mut unresolved: BTreeMap<String, usize> = BTreeMap::new();
            for (_, f) in &pending {
                *unresolved.entry(f.id.clone()).or_default() += 1;
            }
            let mut rest = Vec::new();
            for (path, f) in pending {
                let parent = match &f.extends {
                    None => None,
                    Some(name) => {
                        let itself = usize::from(f.id == *name);
                        let versions_pending = !name.contains('@')
                            && unresolved.get(name).is_some_and(|n| *n > itself);
                        match set.parent_for(name, f.effective_from) {
                            Some(p) if !versions_pending => Some(p.clone()),
                            _ => {
                                rest.push((path, f));
                                continue;
                            }
                        }
                    }
                };
                if let Some(n) = unresolved.get_mut(&f.id) {
                    *n = n.saturating_sub(1);
                }
                match resolve(&path, &f, parent.as_ref()) {
                    Ok(pack) => set.insert(pack),
                    Err(mut e) => errors.append(&mut e),
                }
            }
            pending = rest;
            if pending.is_empty() || pending.len() == before {
                break;
            }
        }
        for (path, f) in pending {
            errors.push(PackError {
                file: path,
                message: format!(
                    "extends \"{}\", which is not a pack here (or is broken, or the extension forms a cycle)",
                    f.extends.unwrap_or_default()
                ),
            });
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    fn insert(&mut self, pack: Pack) {
        let versions = self.packs.entry(pack.id.clone()).or_default();
        versions.push(pack);
        versions.sort_by_key(|p| p.effective_from);
    }

    /// `name` is `id` or `id@version`; without a version, the one in force on `on`.
    fn parent_for(&self, name: &str, on: NaiveDate) -> Option<&Pack> {
        match name.split_once('@') {
            Some((id, version)) => self.get(id, version),
            None => self.in_force(name, on),
        }
    }

    /// The pack with this id and version.
    pub fn get(&self, id: &str, version: &str) -> Option<&Pack> {
        self.packs.get(id)?.iter().find(|p| p.version == version)
    }

    /// The version of pack `id` in force for a decision started on `on`: the latest whose
    /// effective date is not after it. A later version never applies to an earlier decision.
    pub fn in_force(&self, id: &str, on: NaiveDate) -> Option<&Pack> {
        self.packs
            .get(id)?
            .iter()
            .rev()
            .find(|p| p.effective_from <= on)
    }

    /// The newest version of pack `id`.
    pub fn latest(&self, id: &str) -> Option<&Pack> {
        self.packs.get(id)?.last()
    }

    /// Every pack, every version.
    pub fn all(&self) -> impl Iterator<Item = &Pack> {
        self.packs.values().flatten()
    }
}

/// serde_json appends " at line L column C"; the message already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn resolve(path: &Path, f: &PackFile, parent: Option<&Pack>) -> Result<Pack, Vec<PackError>> {
    let mut errs: Vec<String> = Vec::new();
    let own = format!("{}@{}", f.id, f.version);

    // Stages: the parent's, patched and extended by this file's.
    let mut stages: Vec<Stage> = parent.map(|p| p.stages.clone()).unwrap_or_default();
    let mut ids_here = BTreeSet::new();
    for def in &f.stages {
        if !ids_here.insert(def.id.clone()) {
            errs.push(format!("stage \"{}\" is listed twice", def.id));
            continue;
        }
        if !stage::ALL.contains(&def.id.as_str()) {
            errs.push(format!(
                "stage \"{}\": unknown stage id (the engine knows: {})",
                def.id,
                stage::ALL.join(", ")
            ));
            continue;
        }
        match stages.iter_mut().find(|s| s.id == def.id) {
            Some(existing) => {
                let Some(basis) = def.basis.clone() else {
                    errs.push(format!(
                        "stage \"{}\": a change in an extending pack must cite its basis",
                        def.id
                    ));
                    continue;
                };
                if let Some(n) = &def.name {
                    existing.name = n.clone();
                }
                if let Some(c) = &def.required {
                    existing.required = c.clone();
                }
                if let Some(c) = &def.allowed {
                    existing.allowed = c.clone();
                }
                if let Some(a) = &def.after {
                    existing.after = a.clone();
                }
                if let Some(r) = def.repeatable {
                    existing.repeatable = r;
                }
                existing.note = def.note.clone().or(existing.note.take());
                existing.basis = basis;
                existing.defined_in = own.clone();
            }
            None => {
                let mut missing = Vec::new();
                if def.name.is_none() {
                    missing.push("name");
                }
                if def.required.is_none() {
                    missing.push("required");
                }
                if def.basis.is_none() {
                    missing.push("basis");
                }
                if !missing.is_empty() {
                    errs.push(format!(
                        "stage \"{}\": a new stage needs {}",
                        def.id,
                        missing.join(", ")
                    ));
                    continue;
                }
                stages.push(Stage {
                    id: def.id.clone(),
                    name: def.name.clone().unwrap_or_else(|| Text {
                        zh: String::new(),
                        en: String::new(),
                    }),
                    required: def.required.clone().unwrap_or(Condition::Const(false)),
                    allowed: def.allowed.clone().unwrap_or(Condition::Const(true)),
                    after: def.after.clone().unwrap_or_default(),
                    basis: def.basis.clone().unwrap_or_default(),
                    repeatable: def.repeatable.unwrap_or(false),
                    note: def.note.clone(),
                    defined_in: own.clone(),
                });
            }
        }
    }

    // Return edges: the parent's, with this file's replacing any with the same from/to/trigger.
    let mut returns: Vec<ReturnEdge> = parent.map(|p| p.returns.clone()).unwrap_or_default();
    for r in &f.returns {
        returns.retain(|x| !(x.from == r.from && x.to == r.to && x.on == r.on));
        returns.push(r.clone());
    }

    // Attributes: the parent's plus this file's.
    let mut attributes: Vec<AttributeDef> =
        parent.map(|p| p.attributes.clone()).unwrap_or_default();
    for a in &f.attributes {
        if attributes.iter().any(|x| x.id == a.id) {
            errs.push(format!("attribute \"{}\" is declared twice", a.id));
        } else {
            attributes.push(a.clone());
        }
    }

    let parameters = resolve_parameters(
        &own,
        &f.parameters,
        parent.map(|p| &p.parameters),
        &mut errs,
    );

    let pick =
        |own: &Option<StageId>, inherited: Option<&StageId>, what: &str, errs: &mut Vec<String>| {
            own.clone()
                .or_else(|| inherited.cloned())
                .unwrap_or_else(|| {
                    errs.push(format!(
                        "\"{what}\" is missing (the pack neither sets nor inherits it)"
                    ));
                    StageId::new("")
                })
        };
    let start = pick(&f.start, parent.map(|p| &p.start), "start", &mut errs);
    let decision_stage = pick(
        &f.decision_stage,
        parent.map(|p| &p.decision_stage),
        "decision_stage",
        &mut errs,
    );
    let terminal = pick(
        &f.terminal,
        parent.map(|p| &p.terminal),
        "terminal",
        &mut errs,
    );

    let mut sources = f.sources.clone();
    if let Some(p) = parent {
        sources.extend(p.sources.iter().cloned());
    }
    if let Some(p) = parent {
        if f.effective_from < p.effective_from {
            errs.push(format!(
                "effective_from {} is before that of the pack it extends ({}, {})",
                f.effective_from,
                p.key(),
                p.effective_from
            ));
        }
    }

    let to_errors = |errs: Vec<String>| -> Vec<PackError> {
        errs.into_iter()
            .map(|message| PackError {
                file: path.to_path_buf(),
                message,
            })
            .collect()
    };
    if !errs.is_empty() {
        return Err(to_errors(errs));
    }
    let mut pack = Pack {
        id: f.id.clone(),
        version: f.version.clone(),
        effective_from: f.effective_from,
        title: f.title.clone(),
        sources,
        extends: parent.map(Pack::key),
        note: f.note.clone(),
        attributes,
        stages,
        returns,
        parameters,
        start,
        decision_stage,
        terminal,
        file: path.to_path_buf(),
        ancestors: BTreeMap::new(),
    };
    match graph::verify(&mut pack) {
        Ok(()) => Ok(pack),
        Err(issues) => Err(to_errors(
            issues.into_iter().map(|i| i.to_string()).collect(),
        )),
    }
}

/// Reads the parameters of one pack file, falling back to the inherited ones.
struct ParamReader<'a> {
    own: &'a str,
    defs: &'a BTreeMap<String, ParamDef>,
    errs: &'a mut Vec<String>,
}

impl ParamReader<'_> {
    fn take<T: Clone>(
        &mut self,
        name: &str,
        inherited: Option<&Param<T>>,
        parse: fn(&Value) -> Option<T>,
        expected: &str,
        fallback: T,
    ) -> Param<T> {
        let placeholder = |value: T| Param {
            value,
            basis: String::new(),
            note: None,
            defined_in: String::new(),
        };
        match (self.defs.get(name), inherited) {
            (Some(def), _) => match parse(&def.value) {
                Some(value) => Param {
                    value,
                    basis: def.basis.clone(),
                    note: def.note.clone(),
                    defined_in: self.own.to_string(),
                },
                None => {
                    self.errs.push(format!(
                        "parameter \"{name}\" must be {expected}, not {}",
                        def.value
                    ));
                    placeholder(fallback)
                }
            },
            (None, Some(p)) => p.clone(),
            (None, None) => {
                self.errs.push(format!(
                    "parameter \"{name}\" is missing (a pack that extends nothing must set every parameter)"
                ));
                placeholder(fallback)
            }
        }
    }
}

fn days(v: &Value) -> Option<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= 3650)
}

fn flag(v: &Value) -> Option<bool> {
    v.as_bool()
}

fn optional_days(v: &Value) -> Option<Option<u32>> {
    if v.is_null() {
        Some(None)
    } else {
        days(v).map(Some)
    }
}

/// The parameter names a pack may set.
pub const PARAMETERS: [&str; 11] = [
    "comment_period_days",
    "legality_review_working_days",
    "hearing_materials_days",
    "hearing_notice_days",
    "expert_minimum",
    "expert_odd_number",
    "hearing_bars_civil_servants",
    "catalog_required",
    "legality_unit_attends_meeting",
    "adjustment_requires_hearing",
    "archive_within_days",
];

fn resolve_parameters(
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
    let mut r = ParamReader { own, defs, errs };
    let n = "a whole number of days (0–3650)";
    let b = "true or false";
    Parameters {
        comment_period_days: r.take(
            "comment_period_days",
            parent.map(|p| &p.comment_period_days),
            days,
            n,
            30,
        ),
        legality_review_working_days: r.take(
            "legality_review_working_days",
            parent.map(|p| &p.legality_review_working_days),
            days,
            n,
            7,
        ),
        hearing_materials_days: r.take(
            "hearing_materials_days",
            parent.map(|p| &p.hearing_materials_days),
            days,
            n,
            7,
        ),
        hearing_notice_days: r.take(
            "hearing_notice_days",
            parent.map(|p| &p.hearing_notice_days),
            days,
            n,
            1,
        ),
        expert_minimum: r.take(
            "expert_minimum",
            parent.map(|p| &p.expert_minimum),
            days,
            "a whole number",
            1,
        ),
        expert_odd_number: r.take(
            "expert_odd_number",
            parent.map(|p| &p.expert_odd_number),
            flag,
            b,
            false,
        ),
        hearing_bars_civil_servants: r.take(
            "hearing_bars_civil_servants",
            parent.map(|p| &p.hearing_bars_civil_servants),
            flag,
            b,
            false,
        ),
        catalog_required: r.take(
            "catalog_required",
            parent.map(|p| &p.catalog_required),
            flag,
            b,
            false,
        ),
        legality_unit_attends_meeting: r.take(
            "legality_unit_attends_meeting",
            parent.map(|p| &p.legality_unit_attends_meeting),
            flag,
            b,
            false,
        ),
        adjustment_requires_hearing: r.take(
            "adjustment_requires_hearing",
            parent.map(|p| &p.adjustment_requires_hearing),
            flag,
            b,
            false,
        ),
        archive_within_days: r.take(
            "archive_within_days",
            parent.map(|p| &p.archive_within_days),
            optional_days,
            "a whole number of days or null",
            None,
        ),
    }
}
