//! The diff as a report in Chinese and English, one difference per entry, each with its basis.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::*;
use crate::procedure::condition::Condition;

impl PackDiff {
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
pub(crate) struct Names {
    stages: BTreeMap<StageId, String>,
    attributes: BTreeMap<String, String>,
}

impl Names {
    pub(crate) fn of(a: &Pack, b: &Pack) -> Self {
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

    #[test]
    fn a_pack_compared_with_itself_differs_in_nothing() {
        let json = include_str!("../../../workflows/national.json");
        let set = crate::procedure::PackSet::from_sources(&[("national.json".into(), json.into())]);
        let Ok(set) = set else {
            panic!("the national pack loads");
        };
        let Some(national) = set.latest("national") else {
            panic!("the national pack is there");
        };
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
