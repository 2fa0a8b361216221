//! Conditions: a small JSON expression over a decision's attributes and category, used by packs
//! to say when a stage is required or allowed. Not a string language: each node is a JSON value.
//!
//! ```json
//! true                                   always
//! {"attr": "technical"}                  the attribute is set
//! {"category": ["public_policy"]}        the Art. 3 category is one of these
//! {"not": C}   {"all": [C, …]}   {"any": [C, …]}
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use super::state::{Attributes, Category};

/// A condition over the decision's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// A constant.
    Const(bool),
    /// The named attribute is true.
    Attr(String),
    /// The decision's category is one of these.
    Category(Vec<Category>),
    /// The inner condition is false.
    Not(Box<Condition>),
    /// Every inner condition holds (true when empty).
    All(Vec<Condition>),
    /// Some inner condition holds (false when empty).
    Any(Vec<Condition>),
}

impl Condition {
    /// Whether the condition holds for these attributes.
    pub fn eval(&self, attrs: &Attributes) -> bool {
        match self {
            Condition::Const(b) => *b,
            Condition::Attr(name) => attrs.get(name),
            Condition::Category(cats) => cats.contains(&attrs.category),
            Condition::Not(c) => !c.eval(attrs),
            Condition::All(cs) => cs.iter().all(|c| c.eval(attrs)),
            Condition::Any(cs) => cs.iter().any(|c| c.eval(attrs)),
        }
    }

    /// Every attribute name the condition reads.
    pub fn attributes(&self, out: &mut BTreeSet<String>) {
        match self {
            Condition::Const(_) | Condition::Category(_) => {}
            Condition::Attr(name) => {
                out.insert(name.clone());
            }
            Condition::Not(c) => c.attributes(out),
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.attributes(out)),
        }
    }

    /// Whether the condition reads the category.
    pub fn reads_category(&self) -> bool {
        match self {
            Condition::Const(_) | Condition::Attr(_) => false,
            Condition::Category(_) => true,
            Condition::Not(c) => c.reads_category(),
            Condition::All(cs) | Condition::Any(cs) => cs.iter().any(Condition::reads_category),
        }
    }

    /// Parse from JSON, naming exactly what is wrong.
    pub fn from_json(v: &Value) -> Result<Condition, String> {
        match v {
            Value::Bool(b) => Ok(Condition::Const(*b)),
            Value::Object(map) => Self::from_object(map),
            other => Err(format!(
                "a condition must be true, false or an object like {{\"attr\": \"technical\"}}, not {other}"
            )),
        }
    }

    fn from_object(map: &Map<String, Value>) -> Result<Condition, String> {
        let mut entries = map.iter();
        let (key, arg) = match (entries.next(), entries.next()) {
            (Some(entry), None) => entry,
            _ => {
                return Err(format!(
                    "a condition object must have exactly one key (attr, category, not, all, any), found {}",
                    map.len()
                ))
            }
        };
        match key.as_str() {
            "attr" => match arg {
                Value::String(name) => Ok(Condition::Attr(name.clone())),
                other => Err(format!("\"attr\" takes an attribute name, not {other}")),
            },
            "category" => {
                let items = arg
                    .as_array()
                    .ok_or_else(|| format!("\"category\" takes a list of categories, not {arg}"))?;
                items
                    .iter()
                    .map(|c| {
                        serde_json::from_value::<Category>(c.clone())
                            .map_err(|_| format!("unknown category {c} in condition"))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Condition::Category)
            }
            "not" => Ok(Condition::Not(Box::new(Self::from_json(arg)?))),
            "all" | "any" => {
                let items = arg
                    .as_array()
                    .ok_or_else(|| format!("\"{key}\" takes a list of conditions, not {arg}"))?;
                let cs = items
                    .iter()
                    .map(Self::from_json)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if key == "all" {
                    Condition::All(cs)
                } else {
                    Condition::Any(cs)
                })
            }
            other => Err(format!(
                "unknown condition operator \"{other}\" (expected attr, category, not, all or any)"
            )),
        }
    }

    /// The JSON form, as written in packs.
    pub fn to_json(&self) -> Value {
        match self {
            Condition::Const(b) => json!(b),
            Condition::Attr(name) => json!({ "attr": name }),
            Condition::Category(cats) => json!({ "category": cats }),
            Condition::Not(c) => json!({ "not": c.to_json() }),
            Condition::All(cs) => {
                json!({ "all": cs.iter().map(Condition::to_json).collect::<Vec<_>>() })
            }
            Condition::Any(cs) => {
                json!({ "any": cs.iter().map(Condition::to_json).collect::<Vec<_>>() })
            }
        }
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Condition::from_json(&v).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}
