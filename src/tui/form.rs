//! Forms for a new incident (with the scope questions of R-SCOPE and the classification of
//! R-TYPE / R-IMPACT) and a new intake report. A server refusal is shown beside the field
//! it names, with its rule.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use std::collections::BTreeSet;

use crate::domain::commands::Command;
use crate::domain::local_time;
use crate::domain::model::{
    Classification, Consequence, Details, IntakeDecision, Probability, Urgency,
};
use crate::domain::policy::Policy;
use crate::domain::rules::intake::{Suggestion, matrix, rationale_required};

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
}

fn text(name: &'static str, label: &'static str, value: &str, required: bool) -> Field {
    Field {
        name,
        label,
        value: Input::Text(value.to_string()),
        required,
    }
}

fn choice(name: &'static str, label: &'static str, options: &[(&str, &str)]) -> Field {
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

const ABORIGINAL: &[(&str, &str)] = &[
    ("under_assessment", "Unknown (under assessment)"),
    ("not_aboriginal", "Neither"),
    ("aboriginal", "Aboriginal"),
    ("torres_strait_islander", "Torres Strait Islander"),
    ("aboriginal_and_torres_strait_islander", "Both"),
];

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

const DECISIONS: &[(&str, &str)] = &[
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

fn now_local(now: DateTime<Utc>) -> String {
    now.with_timezone(&local_time::ZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

impl Form {
    /// A new incident; types and services come from the policy in force.
    pub fn incident(policy: &Policy, now: DateTime<Utc>) -> Form {
        let types: Vec<(String, String)> = policy
            .incident_types
            .iter()
            .map(|t| (t.id.clone(), t.name.clone()))
            .collect();
        let services: Vec<(String, String)> = policy
            .service_types
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        Form {
            kind: FormKind::Incident,
            fields: vec![
                text("client_name", "Client's name", "", true),
                text("date_of_birth", "Date of birth (YYYY-MM-DD)", "", false),
                choice(
                    "aboriginal_status",
                    "Aboriginal / Torres Strait Islander",
                    ABORIGINAL,
                ),
                choice(
                    "care_arrangement",
                    "Where was the child? (scope)",
                    &[
                        ("kinship_cp_approved", "Kinship care approved by CP"),
                        ("kinship_cso_managed", "Kinship care managed by a CSO"),
                        ("foster_care", "Foster care"),
                        ("residential_care", "Residential care"),
                        ("respite_cp_approved", "Respite approved by CP"),
                        ("secure_welfare", "Secure welfare"),
                        ("with_practitioner", "With a CP practitioner"),
                        ("departmental_staff", "With departmental staff"),
                        ("other_approved_care", "Other care approved by CP"),
                        ("parental_care", "With a parent"),
                        ("kinship_family_arranged", "Kinship arranged by family"),
                        ("kinship_under_assessment", "Kinship under assessment"),
                    ],
                ),
                // R-SCOPE-3: asked for only when another organisation is responsible.
                text(
                    "responsibility_reason",
                    "Why here (another org responsible)",
                    "",
                    false,
                ),
                choice(
                    "harm",
                    "Harm (scope)",
                    &[
                        ("harm", "The client was harmed"),
                        ("likely_serious_harm", "Serious harm was likely"),
                        ("illness", "An illness"),
                        (
                            "own_dangerous_actions",
                            "The young person's own dangerous actions",
                        ),
                        ("no_harm", "No harm"),
                    ],
                ),
                choice(
                    "subject",
                    "Subject of allegation",
                    &[
                        ("", "None"),
                        ("staff", "Staff member"),
                        ("carer", "Carer"),
                        ("kinship_carer", "Kinship carer"),
                        ("departmental_staff", "Departmental staff"),
                        ("client", "Another client"),
                        ("other", "Someone else"),
                    ],
                ),
                Field {
                    name: "primary_type",
                    label: "Incident type",
                    value: Input::Choice(types, 0),
                    required: true,
                },
                Field {
                    name: "service_type",
                    label: "Service",
                    value: Input::Choice(services, 0),
                    required: true,
                },
                choice(
                    "impact",
                    "Impact",
                    &[
                        ("", "Not yet classified"),
                        ("major", "Major"),
                        ("non_major", "Non-major"),
                    ],
                ),
                text(
                    "identified_at",
                    "Became aware (YYYY-MM-DD HH:MM)",
                    &now_local(now),
                    true,
                ),
                text("description", "What happened", "", true),
            ],
            focus: 0,
            refusal: None,
            target: None,
        }
    }

    pub fn intake(now: DateTime<Utc>) -> Form {
        Form {
            kind: FormKind::Intake,
            fields: vec![
                text(
                    "received_at",
                    "Received (YYYY-MM-DD HH:MM)",
                    &now_local(now),
                    true,
                ),
                text("reporter_name", "Reporter's name (protected)", "", true),
                text("reporter_phone", "Reporter's phone (protected)", "", false),
                Field {
                    name: "professional",
                    label: "Professional reporter",
                    value: Input::Flag(false),
                    required: false,
                },
                text("child_name", "Child's name", "", true),
                text(
                    "date_of_birth",
                    "Child's date of birth (YYYY-MM-DD)",
                    "",
                    false,
                ),
                choice(
                    "aboriginal_status",
                    "A parent's Aboriginal / TSI status",
                    ABORIGINAL,
                ),
                text("concerns", "The reporter's concerns", "", true),
                Field {
                    name: "family_violence",
                    label: "Family violence indicated",
                    value: Input::Flag(false),
                    required: false,
                },
            ],
            focus: 0,
            refusal: None,
            target: None,
        }
    }

    /// The classification of an intake report: risk assessment, decision, rationale.
    pub fn classify(record_id: &str, version: u64) -> Form {
        Form {
            kind: FormKind::Classify,
            fields: vec![
                choice(
                    "consequence",
                    "Consequence of harm",
                    &[
                        ("severe", "Severe"),
                        ("significant", "Significant"),
                        ("concerning", "Concerning"),
                        ("insufficient_evidence", "Insufficient evidence"),
                    ],
                ),
                choice(
                    "probability",
                    "Probability of harm",
                    &[
                        ("very_likely", "Very likely"),
                        ("likely", "Likely"),
                        ("unlikely", "Unlikely"),
                    ],
                ),
                choice("classifications", "Decision", DECISIONS),
                text("rationale", "Rationale", "", false),
            ],
            focus: 0,
            refusal: None,
            target: Some((record_id.to_string(), version)),
        }
    }

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

    /// A learning action on an incident: what, who owns it (the user first, then their
    /// colleagues), and the date it is due by, four weeks out to begin with.
    pub fn learning_action(
        record_id: &str,
        version: u64,
        me: &str,
        colleagues: &[crate::wire::Colleague],
        now: DateTime<Utc>,
    ) -> Form {
        let mut owners = vec![(me.to_string(), format!("{me} (me)"))];
        owners.extend(colleagues.iter().filter(|c| c.user != me).map(|c| {
            (
                c.user.clone(),
                format!("{} · {}", c.display_name, c.organisation),
            )
        }));
        let due = local_time::local_date(now) + chrono::Duration::weeks(4);
        Form {
            kind: FormKind::LearningAction,
            fields: vec![
                text("what", "What will change", "", true),
                Field {
                    name: "owner",
                    label: "Owner (◂ ▸ to choose)",
                    value: Input::Choice(owners, 0),
                    required: true,
                },
                text(
                    "due_on",
                    "Due by (YYYY-MM-DD or +N days)",
                    &due.to_string(),
                    true,
                ),
            ],
            focus: 0,
            refusal: None,
            target: Some((record_id.to_string(), version)),
        }
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

    fn get(&self, name: &str) -> String {
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

    fn instant(&self, name: &str) -> Result<String, (String, String)> {
        local_time::parse_local(&self.get(name))
            .map(|t| t.with_timezone(&Utc).to_rfc3339())
            .map_err(|e| (name.to_string(), e.to_string()))
    }

    fn optional(&self, name: &str) -> Value {
        let value = self.get(name);
        if value.is_empty() {
            Value::Null
        } else {
            json!(value)
        }
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
            FormKind::Intake => json!({
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
                    "name": "Parent",
                    "aboriginal_status": self.get("aboriginal_status"),
                }}],
                "concerns": self.get("concerns"),
                "family_violence": self.get("family_violence") == "true",
            }),
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
