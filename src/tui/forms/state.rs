//! The forms' model: fields of text, choices and flags, the one in focus, the last
//! refusal with the field it names, and the people a new record registers with who
//! matching proposes they may already be.

use chrono::Utc;
use serde_json::{Value, json};

use crate::domain::local_time;
use crate::wire::{Candidate, FindPerson};

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

/// What matching answered for a person being registered.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Not asked: their name is not yet two words, or the field not yet left.
    Unasked,
    Asking,
    /// The likeliest first.
    Found(Vec<Candidate>),
    /// Matching could not be asked: why.
    Failed(String),
}

/// The person matching proposed whom the user chose as the same as the one being
/// registered: merged with them once the record exists (R-PERSON-2).
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    /// As a mention of theirs: `INT-2026-000009.child0`.
    pub person: String,
    pub band: String,
    pub score: f64,
}

/// A person the new record registers, and who they may already be (R-PERSON-1).
#[derive(Debug, Clone)]
pub struct Sought {
    /// Their role and place in the new record, as its mentions end: `child0`.
    pub role: &'static str,
    pub position: usize,
    /// The fields that give their name and, if asked on the form, their date of birth.
    pub name_field: &'static str,
    pub born_field: Option<&'static str>,
    /// What matching was last asked about them.
    pub asked: Option<FindPerson>,
    pub answer: Answer,
    pub chosen: Option<Chosen>,
    /// Those the user decided are not the person being registered: kept apart from them
    /// once the record exists, so that matching marks them so (R-PERSON-2).
    pub apart: Vec<Chosen>,
}

impl Sought {
    pub(super) fn new(
        role: &'static str,
        name_field: &'static str,
        born_field: Option<&'static str>,
    ) -> Sought {
        Sought {
            role,
            position: 0,
            name_field,
            born_field,
            asked: None,
            answer: Answer::Unasked,
            chosen: None,
            apart: Vec::new(),
        }
    }

    /// How the new record's mention of them ends: `child0`.
    pub fn mention(&self) -> String {
        format!("{}{}", self.role, self.position)
    }

    /// Those matching found, none before it answered.
    pub fn found(&self) -> &[Candidate] {
        match &self.answer {
            Answer::Found(found) => found,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone)]
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
    /// The people a new record registers, whom matching is asked about.
    pub people: Vec<Sought>,
    /// Which of them the candidates shown are for: the one whose field has the focus or
    /// was left last.
    pub shown: usize,
    /// The keyboard is in the candidates shown, on this one.
    pub browsing: Option<usize>,
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
