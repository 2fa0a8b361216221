//! Forms for the engine's facts, generated from their typed JSON schemas (`schemars`, the same
//! schemas the OpenAPI document publishes): a new fact needs no new template. A form posts its
//! fields back; they are assembled into the same command JSON the API takes and deserialised by
//! the same types, so a wrong field is named the same way.

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::procedure::state::{Command, Fact};

/// One field of a generated form.
#[derive(Serialize, Debug, Clone)]
pub struct Field {
    /// The property's name (the form field is `f.<name>`).
    pub name: String,
    /// What it is (the schema's description, first line).
    pub label: String,
    /// `text`, `textarea`, `date`, `number`, `checkbox`, `select`, `lines` (a list of strings,
    /// one a line) or `json` (anything nested, as JSON).
    pub input: &'static str,
    /// Whether the schema requires it.
    pub required: bool,
    /// For `select`: (value, label).
    pub options: Vec<(String, String)>,
    /// For `json`: an example of the expected shape.
    pub example: Option<String>,
}

/// The form of one fact.
#[derive(Serialize, Debug, Clone)]
pub struct FactForm {
    /// The fact's `type`.
    pub kind: String,
    /// Its description.
    pub title: String,
    /// Its fields.
    pub fields: Vec<Field>,
}

fn schema() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| serde_json::to_value(schemars::schema_for!(Fact)).unwrap_or(Value::Null))
}

fn resolve(v: &Value) -> &Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| schema().get("$defs").and_then(|d| d.get(name)))
            .unwrap_or(v),
        None => v,
    }
}

/// The schema without its `null` alternative (an optional field).
fn non_null(v: &Value) -> &Value {
    if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
        if let Some(x) = any
            .iter()
            .find(|a| a.get("type").and_then(Value::as_str) != Some("null"))
        {
            return resolve(x);
        }
    }
    resolve(v)
}

fn type_of(v: &Value) -> Option<&str> {
    match v.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn first_line(v: &Value) -> String {
    v.get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .replace('\n', " ")
}

/// The constants of an enumeration of strings, with their descriptions.
fn options(v: &Value) -> Vec<(String, String)> {
    v.get("oneOf")
        .and_then(Value::as_array)
        .map(|alts| {
            alts.iter()
                .filter_map(|a| {
                    let c = a.get("const").and_then(Value::as_str)?;
                    Some((c.to_string(), first_line(a)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A value of `v`'s shape that deserialises where it can: the example shown beside JSON fields
/// and the sample a fact is judged with (who may give it, which stage it belongs to).
fn sample(v: &Value) -> Value {
    let v = non_null(v);
    if let Some(c) = v.get("const") {
        return c.clone();
    }
    if let Some((c, _)) = options(v).into_iter().next() {
        return json!(c);
    }
    if let Some(e) = v
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return e.clone();
    }
    match type_of(v) {
        Some("string") if v.get("format").and_then(Value::as_str) == Some("date") => {
            json!("2026-01-01")
        }
        Some("string") => json!(""),
        Some("integer") | Some("number") => json!(0),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("object") => {
            let required: Vec<&str> = v
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut m = Map::new();
            if let Some(props) = v.get("properties").and_then(Value::as_object) {
                for (k, p) in props {
                    if required.contains(&k.as_str()) {
                        m.insert(k.clone(), sample(p));
                    }
                }
            }
            Value::Object(m)
        }
        _ => Value::Null,
    }
}

fn field(name: &str, prop: &Value, required: bool) -> Field {
    let v = non_null(prop);
    let label = first_line(prop);
    let opts = options(v);
    let item_type = v.get("items").map(resolve).and_then(type_of);
    let input = if !opts.is_empty() {
        "select"
    } else {
        match (type_of(v), v.get("format").and_then(Value::as_str)) {
            (Some("string"), Some("date")) => "date",
            (Some("string"), _) if v.get("examples").is_none() && long(name) => "textarea",
            (Some("string"), _) => "text",
            (Some("integer"), _) | (Some("number"), _) => "number",
            (Some("boolean"), _) => "checkbox",
            (Some("array"), _) if item_type == Some("string") => "lines",
            _ => "json",
        }
    };
    let example = (input == "json").then(|| {
        let s = match type_of(v) {
            Some("array") => json!([v.get("items").map(sample).unwrap_or(Value::Null)]),
            _ => sample(v),
        };
        s.to_string()
    });
    Field {
        name: name.to_string(),
        label,
        input,
        required,
        options: opts,
        example,
    }
}

/// Names of properties that hold prose.
fn long(name: &str) -> bool {
    [
        "summary",
        "notice",
        "minutes",
        "reasons",
        "reason",
        "text",
        "findings",
        "explanation",
        "declaration",
        "conclusion",
        "contingency_plan",
        "procedures_account",
        "reply",
    ]
    .iter()
    .any(|n| name.contains(n))
}

/// Every fact's form, from the schema (built once).
pub fn fact_forms() -> &'static [(FactForm, Option<Fact>)] {
    static F: OnceLock<Vec<(FactForm, Option<Fact>)>> = OnceLock::new();
    F.get_or_init(|| {
        let alts = schema()
            .get("oneOf")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        alts.iter()
            .filter_map(|alt| {
                let props = alt.get("properties")?.as_object()?;
                let kind = props.get("type")?.get("const")?.as_str()?.to_string();
                let required: Vec<&str> = alt
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let fields = props
                    .iter()
                    .filter(|(k, _)| k.as_str() != "type")
                    .map(|(k, p)| field(k, p, required.contains(&k.as_str())))
                    .collect();
                let example = serde_json::from_value::<Fact>(sample(alt)).ok();
                Some((
                    FactForm {
                        kind,
                        title: first_line(alt),
                        fields,
                    },
                    example,
                ))
            })
            .collect()
    })
}

/// The command a fact form sent: its fields assembled into the fact's JSON and read by the
/// same types as the API's body. The error names the field.
pub fn command(kind: &str, form: &[(String, String)]) -> Result<Command, String> {
    let (spec, _) = fact_forms()
        .iter()
        .find(|(f, _)| f.kind == kind)
        .ok_or_else(|| format!("fact_type: no fact \"{kind}\""))?;
    let mut fact = Map::new();
    fact.insert("type".into(), json!(kind));
    for f in &spec.fields {
        let key = format!("f.{}", f.name);
        // A list may come one a line, or as several fields of the same name (checkboxes).
        let all: Vec<&str> = form
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.trim())
            .collect();
        let joined = all.join("\n");
        let raw = match (f.input, all.len()) {
            (_, 0) => None,
            ("lines", _) => Some(joined.trim()),
            _ => all.first().copied(),
        };
        let value = match (f.input, raw) {
            ("checkbox", v) => Some(json!(v.is_some())),
            (_, None) | (_, Some("")) => {
                if f.required {
                    return Err(format!("{}: 此项必填 / required", f.name));
                }
                None
            }
            ("number", Some(v)) => Some(json!(v
                .parse::<i64>()
                .map_err(|_| format!("{}: 应为整数 / not a whole number", f.name))?)),
            ("lines", Some(v)) => Some(json!(v
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>())),
            ("json", Some(v)) => Some(
                serde_json::from_str::<Value>(v)
                    .map_err(|e| format!("{}: 不是有效的 JSON / not JSON: {e}", f.name))?,
            ),
            (_, Some(v)) => Some(json!(v)),
        };
        if let Some(v) = value {
            fact.insert(f.name.clone(), v);
        }
    }
    serde_json::from_value::<Command>(json!({ "command": "record", "fact": fact }))
        .map_err(|e| format!("fact: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_has_a_form_and_a_sample_the_types_accept() {
        let forms = fact_forms();
        assert!(forms.len() >= 40, "{} forms", forms.len());
        for (f, sample) in forms {
            assert!(sample.is_some(), "no sample of {}", f.kind);
        }
    }

    #[test]
    fn a_form_becomes_the_command_the_api_would_take() {
        let form = vec![
            ("f.reason".to_string(), "材料不全".to_string()),
            ("unrelated".to_string(), "x".to_string()),
        ];
        let c = command("legality_returned", &form).unwrap();
        assert_eq!(c.name(), "record:legality_returned");
        let group = vec![
            ("f.comment_ids".to_string(), "a".to_string()),
            ("f.comment_ids".to_string(), "b".to_string()),
            ("f.disposition".to_string(), "adopted".to_string()),
            ("f.reason".to_string(), "合理".to_string()),
        ];
        match command("comments_disposed", &group).unwrap() {
            Command::Record {
                fact: Fact::CommentsDisposed { comment_ids, .. },
            } => assert_eq!(comment_ids, vec!["a", "b"]),
            other => panic!("{other:?}"),
        }
        let e = command("legality_returned", &[]).unwrap_err();
        assert!(e.starts_with("reason:"), "{e}");
    }
}
