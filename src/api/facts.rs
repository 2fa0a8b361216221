//! `docs/FACTS.md`, generated from the same schemas as the OpenAPI document: each fact a user
//! can record, its stage, the roles (at which organ) that may record it, its fields, and the
//! rules of the one door that judge it against the store. A test keeps the file in step
//! (`JUECE_BLESS=1 cargo test facts_md` rewrites it).

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::access::{self, Party};
use crate::procedure::rules::flow::fact_stage;
use crate::procedure::state::{Command, Fact};
use crate::procedure::PackSet;

/// A value of the right shape for `schema`, for building one instance of each fact.
fn skeleton(schema: &Value, defs: &Value) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return skeleton(&defs[name], defs);
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(first) = schema["oneOf"].as_array().and_then(|v| v.first()) {
        return skeleton(first, defs);
    }
    // An optional field of a named type: `null` is always a valid value of it.
    if let Some(alts) = schema["anyOf"].as_array() {
        if alts.iter().any(|a| a["type"] == "null") {
            return Value::Null;
        }
        if let Some(first) = alts.first() {
            return skeleton(first, defs);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
        return first.clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types.first().and_then(Value::as_str).unwrap_or("null"),
        Value::String(t) => t.as_str(),
        _ => "string",
    };
    match ty {
        "object" => {
            let mut out = serde_json::Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, v) in props {
                    out.insert(k.clone(), skeleton(v, defs));
                }
            }
            Value::Object(out)
        }
        "array" => json!([]),
        "boolean" => json!(false),
        "integer" | "number" => json!(0),
        _ if schema["format"] == "date" => json!("2026-01-01"),
        _ if schema["format"] == "date-time" => json!("2026-01-01T00:00:00Z"),
        _ => json!(""),
    }
}

fn party(p: Party) -> &'static str {
    match p {
        Party::DecisionOrgan => "决策机关 decision organ",
        Party::LeadUnit => "承办单位 lead unit",
        Party::LegalityUnit => "合法性审查部门 legality unit",
    }
}

/// The one-door rules that judge a fact against the store, by fact type.
fn admission_rules(kind: &str) -> &'static str {
    match kind {
        "expert_selected" => "`expert_review.not_in_registry` (第二十一条第三款), `expert_review.expert_withdrawn`, `expert_review.registry_mismatch` (第二十一条); name, organisation and field are the registry's",
        "changed" => "`adjustment.new_decision_unknown` (第三十七条)",
        "comment_hidden" | "comment_disposed" | "comments_disposed" => "`participation.comment_unknown`, `participation.comment_hidden`, `participation.comment_already_disposed` (第十八条)",
        "hearing_participants" => "`hearing.participants_not_drawn`, `hearing.seed_without_draw`, `hearing.participant_not_applicant` (第十六条第三款); the seed is the draw's",
        "meeting_convened" => "`collective_decision.not_a_meeting` (第三十条第一款)",
        "participation_report" => "`participation.comments_undisposed` (第十八条)",
        "archive_sealed" => "the seal is the chain's head at sealing time (第三十三条), whatever is sent",
        "comments_received" => "only through the public intake (`POST /api/v1/public/decisions/{id}/comments`)",
        "draft" => "only through `POST /api/v1/decisions/{id}/drafts` (the server hashes the text)",
        _ => "—",
    }
}

/// The markdown of `docs/FACTS.md`.
pub fn markdown(packs: &PackSet) -> String {
    let spec = super::openapi::spec();
    let Some(national) = packs.latest("national") else {
        return "the national pack is not loaded\n".into();
    };
    let defs = &spec["components"]["schemas"];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Facts\n\nGenerated from the types the server reads (`src/api/facts.rs`); do not edit by hand.\n\
         A fact is recorded with `POST /api/v1/decisions/{{id}}/commands` and\n\
         `{{\"command\": \"record\", \"fact\": {{\"type\": …, …}}}}` while its stage is in progress; the stage's\n\
         rules (README, \"Guards\") judge it, and the one-door rules below judge it against the store.\n\
         Unknown fields are refused (422 naming the field).\n"
    );
    let variants = defs["Fact"]["oneOf"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for v in &variants {
        let kind = v["properties"]["type"]["const"]
            .as_str()
            .unwrap_or_default();
        let description = v["description"]
            .as_str()
            .unwrap_or_default()
            .replace('\n', " ");
        let fact: Option<Fact> = serde_json::from_value(skeleton(v, defs)).ok();
        let stage = fact
            .as_ref()
            .map(|f| match fact_stage(national, f) {
                Some(s) => {
                    let name = national
                        .stage(s)
                        .map(|st| st.name.zh.clone())
                        .unwrap_or_default();
                    format!("`{s}` {name}")
                }
                None => "the decision as a whole (its status: suspension, resumption)".into(),
            })
            .unwrap_or_else(|| "—".into());
        let roles = fact
            .map(|fact| {
                let command = Command::Record { fact };
                access::required(&command)
                    .iter()
                    .map(|(role, p)| format!("`{role}` of the {}", party(*p)))
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(out, "## `{kind}`\n\n{description}\n");
        let _ = writeln!(out, "- **stage** (national pack; where a pack makes the fair-competition review a stage of its own, that review is recorded there): {stage}");
        let _ = writeln!(out, "- **who records it**: {roles}");
        let _ = writeln!(
            out,
            "- **judged against the store**: {}\n",
            admission_rules(kind)
        );
        let required: Vec<&str> = v["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| field | type | required | meaning |\n|---|---|---|---|"
        );
        if let Some(props) = v["properties"].as_object() {
            for (name, p) in props.iter().filter(|(n, _)| n.as_str() != "type") {
                // An optional named type is `anyOf: [{$ref}, null]`.
                let named = p["$ref"].as_str().or_else(|| {
                    p["anyOf"]
                        .as_array()
                        .and_then(|a| a.iter().find_map(|x| x["$ref"].as_str()))
                });
                let ty = named
                    .map(|r| r.rsplit('/').next().unwrap_or_default().to_string())
                    .or_else(|| p["format"].as_str().map(str::to_string))
                    .unwrap_or_else(|| match &p["type"] {
                        Value::Array(t) => t
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(" | "),
                        Value::String(t) => t.clone(),
                        _ => "any".into(),
                    });
                let meaning = p["description"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', " ");
                let _ = writeln!(
                    out,
                    "| `{name}` | {ty} | {} | {meaning} |",
                    if required.contains(&name.as_str()) {
                        "yes"
                    } else {
                        "no"
                    }
                );
            }
        }
        out.push('\n');
    }
    out
}
