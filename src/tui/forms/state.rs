//! The forms' model: fields of text, choices and flags, the one in focus, and the last
//! refusal with the field it names.

use chrono::Utc;
use serde_json::{Value, json};

use crate::domain::local_time;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    /// Options as (value sent, label shown) and the one chosen.
    Choice(Vec<(String, String)>, usize),
    Flag(bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name the server uses for it in refusals (`field`).
    pub name: &'static str,
    pub label: &'static str,
    pub value: Input,
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Incident,
    Intake,
    /// The risk assessment and classification of an intake report.
    Classify,
    /// A learning action raised on an incident (R-STAGE).
    LearningAction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The last refusal: its rule, message and the field it names.
    pub refusal: Option<(Option<String>, String, Option<String>)>,
    /// The record and version a classification applies to.
    pub target: Option<(String, u64)>,
    /// R-LINK-1: the incident a new intake report is registered for, linked once it is.
    pub link: Option<String>,
}

pub(super) fn text(name: &'static str, label: &'static str, value: &str, required: bool) -> Field {
    Field {
        name,
        label,
        value: Input::Text(value.to_string()),
        required,
    }
}

pub(super) fn choice(name: &'static str, label: &'static str, options: &[(&str, &str)]) -> Field {
    Field {
        name,
        label,
        value: Input::Choice(
            options
                .iter()
                .map(|(v, l)| (v.to_string(), l.to_string()))
                .collect(),
            0,
        ),
        required: true,
    }
}

impl Form {
    pub(super) fn get(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| match &f.value {
                Input::Text(t) => t.trim().to_string(),
                Input::Choice(options, i) => {
                    options.get(*i).map(|(v, _)| v.clone()).unwrap_or_default()
                }
                Input::Flag(b) => b.to_string(),
            })
            .unwrap_or_default()
    }

    pub(super) fn instant(&self, name: &str) -> Result<String, (String, String)> {
        local_time::parse_local(&self.get(name))
            .map(|t| t.with_timezone(&Utc).to_rfc3339())
            .map_err(|e| (name.to_string(), e.to_string()))
    }

    pub(super) fn optional(&self, name: &str) -> Value {
        let value = self.get(name);
        if value.is_empty() {
            Value::Null
        } else {
            json!(value)
        }
    }
}
