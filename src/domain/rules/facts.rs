//! The facts an endorsement covers (R-LOCK-1), by name: a field of the record's details
//! (`impact`), or a field of each person in a list (`children.rso_contact`, read from the
//! child or from the person the child is). Which facts each endorsement covers is policy
//! data (`covers` on the checklist item); the names it may use are listed here.

use serde_json::Value;

use crate::domain::model::{Details, RecordKind};

/// The fact names a policy may list in `covers`, per kind of record.
pub const FACTS: &[(RecordKind, &[&str])] = &[
    (
        RecordKind::Incident,
        &[
            "identified_at",
            "occurred_at",
            "clients",
            "clients.aboriginal_status",
            "clients.date_of_birth",
            "subject",
            "care_arrangement",
            "harm",
            "service_type",
            "primary_type",
            "secondary_type",
            "impact",
            "circumstances",
            "description",
            "location",
        ],
    ),
    (
        RecordKind::Intake,
        &[
            "children",
            "children.aboriginal_status",
            "children.date_of_birth",
            "children.sexually_abusive_behaviour",
            "children.rso_contact",
            "children.prior_reports",
            "parents",
            "parents.aboriginal_status",
            "concerns",
            "family_violence",
            "maram",
            "consequence",
            "probability",
            "auto_pir",
        ],
    ),
];

/// Is `fact` a name the policy may use for records of `kind`?
pub fn is_fact(kind: RecordKind, fact: &str) -> bool {
    FACTS
        .iter()
        .any(|(k, names)| *k == kind && names.contains(&fact))
}

/// The fact's value in the details, as JSON: what two versions are compared by.
fn value_of(details: &Value, fact: &str) -> Value {
    match fact.split_once('.') {
        None => details.get(fact).cloned().unwrap_or(Value::Null),
        Some((list, field)) => Value::Array(
            details
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|entry| {
                    entry
                        .get(field)
                        .or_else(|| entry.get("person").and_then(|p| p.get(field)))
                        .cloned()
                        .unwrap_or(Value::Null)
                })
                .collect(),
        ),
    }
}

/// Two versions of a record's details, as the facts are read from them.
pub struct Versions {
    old: Option<Value>,
    new: Option<Value>,
}

impl Versions {
    pub fn of(old: &Details, new: &Details) -> Versions {
        Versions {
            old: serde_json::to_value(old).ok(),
            new: serde_json::to_value(new).ok(),
        }
    }

    /// Which of `facts` differ; all of them if a version could not be read.
    pub fn changed<'f>(&self, facts: &'f [String]) -> Vec<&'f str> {
        let (Some(old), Some(new)) = (&self.old, &self.new) else {
            return facts.iter().map(String::as_str).collect();
        };
        facts
            .iter()
            .map(String::as_str)
            .filter(|fact| value_of(old, fact) != value_of(new, fact))
            .collect()
    }
}
