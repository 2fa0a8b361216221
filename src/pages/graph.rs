//! The stage graph of a decision as SVG, laid out here in Rust (no Graphviz at run time): each
//! stage in the column of its longest path from the start, edges from prerequisites (those
//! another prerequisite does not already imply), return edges dashed; each node coloured by where the stage stands for this decision.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::procedure::state::{Decision, StageStatus};
use crate::procedure::{NextStep, Pack};

const W: i32 = 150;
const H: i32 = 40;
const GAP_X: i32 = 46;
const GAP_Y: i32 = 22;
const MARGIN: i32 = 16;

/// How a stage stands, as the graph colours it.
pub fn node_class(pack: &Pack, state: &Decision, next: &[NextStep], id: &str) -> &'static str {
    let rec = state.stage(id);
    let required = state
        .attributes
        .as_ref()
        .is_some_and(|a| pack.required(id, a));
    match rec.status {
        StageStatus::Completed => "done",
        StageStatus::Waived => "waived",
        StageStatus::InProgress => "in_progress",
        StageStatus::NotStarted => {
            let blocked = next
                .iter()
                .any(|n| n.stage.as_str() == id && !n.blocked_by.is_empty());
            if blocked && required {
                "blocked"
            } else if required {
                "required"
            } else {
                "not_required"
            }
        }
    }
}

/// The status in Chinese.
pub fn class_zh(class: &str) -> &'static str {
    match class {
        "done" => "已完成",
        "waived" => "依法免予",
        "in_progress" => "进行中",
        "blocked" => "受阻",
        "required" => "应当进行",
        _ => "不需要",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The graph as an `<svg>` element.
pub fn svg(pack: &Pack, state: &Decision, next: &[NextStep]) -> String {
    // Column: the longest path from the start (prerequisites come before, in pack order).
    let mut column: BTreeMap<&str, i32> = BTreeMap::new();
    for _ in 0..pack.stages.len() {
        let mut changed = false;
        for s in &pack.stages {
            let c = s
                .after
                .iter()
                .filter_map(|p| column.get(p.as_str()).map(|c| c + 1))
                .max()
                .unwrap_or(0);
            if column.get(s.id.as_str()) != Some(&c) {
                column.insert(s.id.as_str(), c);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut rows: BTreeMap<i32, i32> = BTreeMap::new();
    let mut at: BTreeMap<&str, (i32, i32)> = BTreeMap::new();
    for s in &pack.stages {
        let c = column.get(s.id.as_str()).copied().unwrap_or(0);
        let r = rows.entry(c).or_insert(0);
        at.insert(
            s.id.as_str(),
            (MARGIN + c * (W + GAP_X), MARGIN + 14 + *r * (H + GAP_Y)),
        );
        *r += 1;
    }
    let width = at.values().map(|(x, _)| x + W).max().unwrap_or(0) + MARGIN;
    let height = at.values().map(|(_, y)| y + H).max().unwrap_or(0) + MARGIN + 14;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="程序阶段图"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7a858f"/></marker></defs>"##
    );
    for s in &pack.stages {
        let Some(&(x2, y2)) = at.get(s.id.as_str()) else {
            continue;
        };
        for p in &s.after {
            // Drawn only where it says something: not when another prerequisite already
            // comes after this one (the transitive reduction).
            if s.after.iter().any(|q| q != p && pack.precedes(p, q)) {
                continue;
            }
            if let Some(&(x1, y1)) = at.get(p.as_str()) {
                let (sx, sy, ex, ey) = (x1 + W, y1 + H / 2, x2, y2 + H / 2);
                let mx = (sx + ex) / 2;
                let _ = write!(
                    out,
                    r##"<path class="edge" d="M{sx},{sy} C{mx},{sy} {mx},{ey} {ex},{ey}" marker-end="url(#arrow)"/>"##
                );
            }
        }
    }
    for r in &pack.returns {
        if let (Some(&(x1, y1)), Some(&(x2, y2))) = (at.get(r.from.as_str()), at.get(r.to.as_str()))
        {
            // Back above the nodes, dashed: a return edge (e.g. the legality review sends the
            // draft back to drafting).
            let (sx, sy, ex, ey) = (x1 + W / 2, y1, x2 + W / 2, y2);
            let top = sy.min(ey) - 12;
            let _ = write!(
                out,
                r##"<path class="return" d="M{sx},{sy} C{sx},{top} {ex},{top} {ex},{ey}" marker-end="url(#arrow)"><title>{}</title></path>"##,
                escape(&format!("退回：{} → {}（{}）", r.from, r.to, r.basis))
            );
        }
    }
    for s in &pack.stages {
        let Some(&(x, y)) = at.get(s.id.as_str()) else {
            continue;
        };
        let class = node_class(pack, state, next, s.id.as_str());
        let name: String = s.name.zh.chars().take(11).collect();
        let _ = write!(
            out,
            r#"<g class="node {class}" id="stage-{id}" data-status="{class}"><title>{title}</title><rect x="{x}" y="{y}" width="{W}" height="{H}" rx="6"/><text x="{tx}" y="{ty}" text-anchor="middle">{name}</text></g>"#,
            id = escape(s.id.as_str()),
            title = escape(&format!("{}：{}", s.name.zh, class_zh(class))),
            tx = x + W / 2,
            ty = y + H / 2 + 4,
            name = escape(&name),
        );
    }
    out.push_str("</svg>");
    out
}
