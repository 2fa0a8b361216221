//! The stage graph of a pack (petgraph) and its static checks.
//!
//! Edges run from a prerequisite to the stage that lists it in `after`. Joins are AND: a stage may
//! start only when every ancestor that is required (or was started) is done, so "stage S
//! dominates the collective decision" means S is an ancestor of it. That is checked for every
//! combination of the attributes that switch conditional stages, and an error names the path
//! that would skip S. A required stage that is not before the decision must come before a stage
//! after it (the reports "出台前" of 第八条 and 第三十一条 may be made before or after the meeting,
//! but before publication).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::fmt::Write as _;

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};

use super::pack::{Pack, Stage};
use super::state::{Attributes, Category, StageId};

/// Something wrong with a pack's graph, naming the stage and, where it helps, the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphIssue {
    /// The stage concerned, if any.
    pub stage: Option<StageId>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for GraphIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.stage {
            Some(s) => write!(f, "stage \"{s}\": {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn issue(stage: Option<&StageId>, message: String) -> GraphIssue {
    GraphIssue {
        stage: stage.cloned(),
        message,
    }
}

/// The most attributes a pack's conditions may read: the check enumerates every combination.
const MAX_SWITCHING_ATTRIBUTES: usize = 14;

/// Verify a merged pack and fill in its derived data (topological order, ancestors).
pub fn verify(pack: &mut Pack) -> Result<(), Vec<GraphIssue>> {
    let mut issues = Vec::new();
    let index: BTreeMap<StageId, usize> = pack
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();

    for (what, id) in [
        ("start", &pack.start),
        ("decision_stage", &pack.decision_stage),
        ("terminal", &pack.terminal),
    ] {
        if !index.contains_key(id) {
            issues.push(issue(None, format!("{what} names unknown stage \"{id}\"")));
        }
    }
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..pack.stages.len()).map(|i| g.add_node(i)).collect();
    for (i, s) in pack.stages.iter().enumerate() {
        if s.id == pack.start && !s.after.is_empty() {
            issues.push(issue(
                Some(&s.id),
                "the start stage cannot have prerequisites".into(),
            ));
        }
        if s.id != pack.start && s.after.is_empty() {
            issues.push(issue(
                Some(&s.id),
                "has no prerequisite (\"after\" is empty), so it is not anchored to the procedure"
                    .into(),
            ));
        }
        for a in &s.after {
            match index.get(a) {
                Some(&j) => {
                    g.add_edge(nodes[j], nodes[i], ());
                }
                None => issues.push(issue(
                    Some(&s.id),
                    format!("\"after\" names unknown stage \"{a}\""),
                )),
            }
        }
    }
    let attrs_declared: BTreeSet<&str> = pack.attributes.iter().map(|a| a.id.as_str()).collect();
    for s in &pack.stages {
        let mut used = BTreeSet::new();
        s.required.attributes(&mut used);
        s.allowed.attributes(&mut used);
        for a in used {
            if !attrs_declared.contains(a.as_str()) {
                issues.push(issue(
                    Some(&s.id),
                    format!("condition reads attribute \"{a}\", which the pack does not declare"),
                ));
            }
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }

    // Cycles: the "after" edges must form a DAG; going back is what return edges are for.
    let order = match toposort(&g, None) {
        Ok(order) => order,
        Err(_) => {
            for scc in tarjan_scc(&g) {
                let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
                if scc.len() > 1 || self_loop {
                    let mut names: Vec<String> = scc
                        .iter()
                        .map(|n| pack.stages[g[*n]].id.to_string())
                        .collect();
                    names.sort();
                    issues.push(issue(
                        None,
                        format!(
                            "undeclared cycle through stages {} (use \"returns\" to declare a way back)",
                            names.join(", ")
                        ),
                    ));
                }
            }
            return Err(issues);
        }
    };

    // Reachability from the start.
    let start = index[&pack.start];
    let mut reach = BTreeSet::new();
    let mut dfs = Dfs::new(&g, nodes[start]);
    while let Some(n) = dfs.next(&g) {
        reach.insert(g[n]);
    }
    for (i, s) in pack.stages.iter().enumerate() {
        if !reach.contains(&i) {
            issues.push(issue(
                Some(&s.id),
                format!("is unreachable from \"{}\"", pack.start),
            ));
        }
    }
    if !reach.contains(&index[&pack.terminal]) {
        issues.push(issue(
            Some(&pack.terminal),
            format!(
                "the terminal stage cannot be reached from \"{}\"",
                pack.start
            ),
        ));
    }

    // Ancestors along "after" edges.
    let mut ancestors: BTreeMap<StageId, BTreeSet<StageId>> = BTreeMap::new();
    let rev = Reversed(&g);
    for (i, s) in pack.stages.iter().enumerate() {
        let mut set = BTreeSet::new();
        let mut dfs = Dfs::new(rev, nodes[i]);
        while let Some(n) = dfs.next(rev) {
            if g[n] != i {
                set.insert(pack.stages[g[n]].id.clone());
            }
        }
        ancestors.insert(s.id.clone(), set);
    }
    let decision = pack.decision_stage.clone();
    let is_ancestor = |a: &StageId, b: &StageId| ancestors.get(b).is_some_and(|s| s.contains(a));

    for r in &pack.returns {
        for end in [&r.from, &r.to] {
            if !index.contains_key(end) {
                issues.push(issue(
                    None,
                    format!("return edge names unknown stage \"{end}\""),
                ));
            }
        }
        if index.contains_key(&r.from) && index.contains_key(&r.to) && !is_ancestor(&r.to, &r.from)
        {
            issues.push(issue(
                Some(&r.from),
                format!(
                    "return edge to \"{}\" does not go back: \"{}\" does not come before it",
                    r.to, r.to
                ),
            ));
        }
    }

    // Every combination of the switching attributes.
    let mut switching = BTreeSet::new();
    let mut reads_category = false;
    for s in &pack.stages {
        s.required.attributes(&mut switching);
        s.allowed.attributes(&mut switching);
        reads_category |= s.required.reads_category() || s.allowed.reads_category();
    }
    let switching: Vec<String> = switching.into_iter().collect();
    if switching.len() > MAX_SWITCHING_ATTRIBUTES {
        issues.push(issue(
            None,
            format!(
                "conditions read {} attributes; at most {MAX_SWITCHING_ATTRIBUTES} can be checked exhaustively",
                switching.len()
            ),
        ));
        return Err(issues);
    }
    let categories: Vec<Category> = if reads_category {
        Category::IN_SCOPE.to_vec()
    } else {
        vec![Category::PublicPolicy]
    };
    let mut reported: BTreeSet<(StageId, &'static str)> = BTreeSet::new();
    for category in categories {
        for bits in 0u32..(1 << switching.len()) {
            let mut attrs = Attributes::new(category);
            for (k, name) in switching.iter().enumerate() {
                attrs = attrs.with(name, bits & (1 << k) != 0);
            }
            for s in &pack.stages {
                if !s.required.eval(&attrs) {
                    continue;
                }
                if !s.allowed.eval(&attrs) && reported.insert((s.id.clone(), "allowed")) {
                    issues.push(issue(
                        Some(&s.id),
                        format!(
                            "is required but not allowed when {}",
                            describe(&attrs, &switching, reads_category)
                        ),
                    ));
                }
                // A stage that gates a stage after the decision (the reports 出台前, 第八条、
                // 第三十一条) may run beside the decision: it gates issuance, not the meeting.
                let gates_issuance = pack
                    .stages
                    .iter()
                    .any(|t| is_ancestor(&decision, &t.id) && is_ancestor(&s.id, &t.id));
                let pre_decision =
                    s.id != decision && !is_ancestor(&decision, &s.id) && !gates_issuance;
                if pre_decision
                    && !is_ancestor(&s.id, &decision)
                    && reported.insert((s.id.clone(), "dominate"))
                {
                    let path = path_avoiding(pack, &g, &nodes, &index, &attrs, &s.id);
                    issues.push(issue(
                        Some(&s.id),
                        format!(
                            "is required when {} but does not dominate \"{decision}\": the path {} skips it",
                            describe(&attrs, &switching, reads_category),
                            path
                        ),
                    ));
                }
            }
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }

    // Keep stages in topological order, so every listing reads in procedural order.
    let mut stages: Vec<Stage> = Vec::with_capacity(pack.stages.len());
    for n in order {
        stages.push(pack.stages[g[n]].clone());
    }
    pack.stages = stages;
    pack.ancestors = ancestors;
    Ok(())
}

fn describe(attrs: &Attributes, switching: &[String], category: bool) -> String {
    let mut parts: Vec<String> = switching
        .iter()
        .map(|a| format!("{a}={}", attrs.get(a)))
        .collect();
    if category {
        parts.insert(0, format!("category={:?}", attrs.category));
    }
    if parts.is_empty() {
        "always".into()
    } else {
        parts.join(", ")
    }
}

/// A path from the start to the decision stage through stages allowed for `attrs`, not passing
/// through `skip`, as `a → b → c`.
fn path_avoiding(
    pack: &Pack,
    g: &DiGraph<usize, ()>,
    nodes: &[NodeIndex],
    index: &BTreeMap<StageId, usize>,
    attrs: &Attributes,
    skip: &StageId,
) -> String {
    let (Some(&from), Some(&to)) = (index.get(&pack.start), index.get(&pack.decision_stage)) else {
        return String::new();
    };
    let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(i) = queue.pop_front() {
        if i == to {
            break;
        }
        for e in g.edges(nodes[i]) {
            let j = g[e.target()];
            let s = &pack.stages[j];
            if &s.id == skip || !s.allowed.eval(attrs) || !seen.insert(j) {
                continue;
            }
            prev.insert(j, i);
            queue.push_back(j);
        }
    }
    let mut path = vec![to];
    let mut cur = to;
    while let Some(&p) = prev.get(&cur) {
        path.push(p);
        cur = p;
    }
    path.reverse();
    path.iter()
        .map(|i| pack.stages[*i].id.to_string())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The pack's stage graph in Graphviz DOT: required stages bold, conditional dashed, optional
/// dotted; return edges in red.
pub fn dot(pack: &Pack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", pack.key());
    let _ = writeln!(
        out,
        "  rankdir=TB;\n  node [shape=box, fontname=\"Noto Sans CJK SC\"];"
    );
    let _ = writeln!(
        out,
        "  label=\"{} ({})\";",
        esc(&pack.title.zh),
        esc(&pack.key())
    );
    for s in &pack.stages {
        let style = match &s.required {
            super::condition::Condition::Const(true) => "bold",
            super::condition::Condition::Const(false) => "dotted",
            _ => "dashed",
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n{}\\n{}\", style={style}];",
            s.id,
            esc(&s.name.zh),
            esc(&s.name.en),
            esc(&s.basis)
        );
    }
    for s in &pack.stages {
        for a in &s.after {
            let _ = writeln!(out, "  \"{a}\" -> \"{}\";", s.id);
        }
    }
    for r in &pack.returns {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [color=red, style=dashed, label=\"{:?}\"];",
            r.from, r.to, r.on
        );
    }
    out.push_str("}\n");
    out
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
