//! Reading packs: `(file name, JSON text)` pairs parsed, merged along `extends`, their
//! parameters resolved, each verified by [`super::graph::verify`], collected in a [`PackSet`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use super::condition::Condition;
use super::graph;
use super::pack::*;
use super::state::{stage, StageId};

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

    let parameters = Parameters::resolve(
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
