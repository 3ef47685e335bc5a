//! What a filled-in form sends: the details of a new record, or the command it stands
//! for on an existing one; else the field to fix and why.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::commands::Command;
use crate::domain::local_time;
use crate::domain::model::{
    Classification, Consequence, Details, IntakeDecision, Probability, Urgency,
};
use crate::domain::rules::intake::{Suggestion, matrix, rationale_required};

use super::state::{Form, FormKind, Input};

/// The decisions offered, as (id, classifications, urgency) (R-INT-CLASS).
const DECISION_VALUES: &[(&str, &[Classification], Option<Urgency>)] = &[
    (
        "pir_urgent",
        &[Classification::ProtectiveIntervention],
        Some(Urgency::Urgent),
    ),
    (
        "pir_standard",
        &[Classification::ProtectiveIntervention],
        Some(Urgency::Standard),
    ),
    (
        "pir_ttr_urgent",
        &[
            Classification::ProtectiveIntervention,
            Classification::TherapeuticTreatment,
        ],
        Some(Urgency::Urgent),
    ),
    ("ttr", &[Classification::TherapeuticTreatment], None),
    ("child_wellbeing", &[Classification::ChildWellbeing], None),
    ("inappropriate", &[Classification::Inappropriate], None),
    (
        "insufficient_information",
        &[Classification::InsufficientInformation],
        None,
    ),
];

/// The decisions offered, as (id, label shown).
pub(super) const DECISIONS: &[(&str, &str)] = &[
    ("pir_urgent", "Protective intervention, urgent (2 days)"),
    (
        "pir_standard",
        "Protective intervention, standard (14 days)",
    ),
    (
        "pir_ttr_urgent",
        "Protective intervention and therapeutic treatment, urgent",
    ),
    ("ttr", "Therapeutic treatment"),
    ("child_wellbeing", "Child wellbeing"),
    ("inappropriate", "Inappropriate"),
    ("insufficient_information", "Insufficient information"),
];

impl Form {
    fn decision(&self) -> (BTreeSet<Classification>, Option<Urgency>) {
        let chosen = self.get("classifications");
        DECISION_VALUES
            .iter()
            .find(|(id, _, _)| *id == chosen)
            .map(|(_, classes, urgency)| (classes.iter().copied().collect(), *urgency))
            .unwrap_or_default()
    }

    fn assessment(&self) -> Option<(Consequence, Probability)> {
        let consequence = serde_json::from_value(json!(self.get("consequence"))).ok()?;
        let probability = serde_json::from_value(json!(self.get("probability"))).ok()?;
        Some((consequence, probability))
    }

    /// What the matrix suggests for the assessment chosen, and whether the decision needs
    /// a rationale (R-INT-MATRIX).
    pub fn guidance(&self) -> Option<(Suggestion, bool)> {
        let (consequence, probability) = self.assessment()?;
        let (classifications, urgency) = self.decision();
        let decision = IntakeDecision {
            classifications,
            urgency,
            rationale: None,
        };
        Some((
            matrix(consequence, probability),
            rationale_required(consequence, probability, &decision),
        ))
    }

    /// The command a form on an existing record stands for, or the field to fix and why.
    pub fn command(&self, now: DateTime<Utc>) -> Result<Command, (String, String)> {
        match self.kind {
            FormKind::LearningAction => self.learning_command(now),
            _ => self.classify_command(),
        }
    }

    fn learning_command(&self, now: DateTime<Utc>) -> Result<Command, (String, String)> {
        let what = self.get("what");
        if what.is_empty() {
            return Err(("what".into(), "say what will change".into()));
        }
        let due = self.get("due_on");
        let today = local_time::local_date(now);
        let due_on = match due.strip_prefix('+') {
            Some(days) => days
                .trim_end_matches('d')
                .parse::<u32>()
                .ok()
                .and_then(|n| today.checked_add_days(chrono::Days::new(u64::from(n)))),
            None => chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").ok(),
        }
        .ok_or_else(|| {
            (
                "due_on".to_string(),
                format!("{due:?} is not a date: use 2026-12-18 or +14"),
            )
        })?;
        Ok(Command::RaiseLearningAction {
            what,
            owner: self.get("owner"),
            due_on,
        })
    }

    /// The classify command this form stands for.
    pub fn classify_command(&self) -> Result<Command, (String, String)> {
        let (classifications, urgency) = self.decision();
        let (consequence, probability) = self.assessment().ok_or_else(|| {
            (
                "consequence".to_string(),
                "choose the consequence and probability".to_string(),
            )
        })?;
        let rationale = self.get("rationale");
        Ok(Command::ClassifyIntake {
            classifications,
            urgency,
            rationale: (!rationale.is_empty()).then_some(rationale),
            consequence: Some(consequence),
            probability: Some(probability),
        })
    }

    /// The details to send, or the field to fix and why.
    pub fn details(&self) -> Result<Details, (String, String)> {
        if let Some(missing) = self
            .fields
            .iter()
            .find(|f| f.required && matches!(&f.value, Input::Text(t) if t.trim().is_empty()))
        {
            return Err((
                missing.name.to_string(),
                format!("{} is needed", missing.label),
            ));
        }
        let value = match self.kind {
            FormKind::Classify | FormKind::LearningAction => {
                return Err((
                    String::new(),
                    "this form changes a record; it does not register one".to_string(),
                ));
            }
            FormKind::Incident => {
                let subject = self.get("subject");
                json!({
                    "kind": "incident",
                    "identified_at": self.instant("identified_at")?,
                    "clients": [{
                        "name": self.get("client_name"),
                        "date_of_birth": self.optional("date_of_birth"),
                        "aboriginal_status": self.get("aboriginal_status"),
                    }],
                    "subject": if subject.is_empty() { Value::Null } else { json!({"relation": subject}) },
                    "care_arrangement": self.get("care_arrangement"),
                    "harm": self.get("harm"),
                    "service_type": self.get("service_type"),
                    "primary_type": self.get("primary_type"),
                    "impact": self.optional("impact"),
                    "description": self.get("description"),
                    "responsibility_reason": self.optional("responsibility_reason"),
                })
            }
            FormKind::Intake => {
                // A parent unnamed on the form is registered as "Parent", for their
                // Aboriginal / Torres Strait Islander status.
                let parent = Some(self.get("parent_name"))
                    .filter(|name| !name.is_empty())
                    .unwrap_or_else(|| "Parent".to_string());
                json!({
                    "kind": "intake",
                    "received_at": self.instant("received_at")?,
                    "reporter": {
                        "name": self.get("reporter_name"),
                        "phone": self.optional("reporter_phone"),
                        "professional": self.get("professional") == "true",
                    },
                    "children": [{"person": {
                        "name": self.get("child_name"),
                        "date_of_birth": self.optional("date_of_birth"),
                    }}],
                    "parents": [{"person": {
                        "name": parent,
                        "aboriginal_status": self.get("aboriginal_status"),
                    }}],
                    "concerns": self.get("concerns"),
                    "family_violence": self.get("family_violence") == "true",
                })
            }
        };
        serde_json::from_value(value).map_err(|e| {
            let field = if e.to_string().contains("date") {
                "date_of_birth"
            } else {
                ""
            };
            (field.to_string(), format!("not valid: {e}"))
        })
    }
}
