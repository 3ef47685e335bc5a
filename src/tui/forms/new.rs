//! Each form as it opens: a new incident (with the scope questions of R-SCOPE and the
//! classification of R-TYPE / R-IMPACT), a new intake report, the classification of an
//! intake report, and a learning action on an incident.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::local_time;
use crate::domain::policy::Policy;

use super::state::{Field, Form, FormKind, Input, Sought, choice, text};
use super::submit::DECISIONS;

const ABORIGINAL: &[(&str, &str)] = &[
    ("under_assessment", "Unknown (under assessment)"),
    ("not_aboriginal", "Neither"),
    ("aboriginal", "Aboriginal"),
    ("torres_strait_islander", "Torres Strait Islander"),
    ("aboriginal_and_torres_strait_islander", "Both"),
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
            link: None,
            people: vec![Sought::new("client", "client_name", Some("date_of_birth"))],
            shown: 0,
            browsing: None,
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
                text("parent_name", "A parent's name", "", false),
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
            link: None,
            people: vec![
                Sought::new("child", "child_name", Some("date_of_birth")),
                Sought::new("parent", "parent_name", None),
            ],
            shown: 0,
            browsing: None,
        }
    }

    /// R-LINK-1: the intake report for an incident that is also a new allegation, its child
    /// and facts copied from the incident as the user may see them; linked to it once kept.
    pub fn allegation(incident: &Value, now: DateTime<Utc>) -> Form {
        let mut form = Form::intake(now);
        let id = incident
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let details = incident.get("details");
        // Only what the user may read is copied: a masked value stays for them to fill in.
        let text = |path: &str| {
            details
                .and_then(|d| d.pointer(path))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let description = text("/description");
        let concerns = if description.is_empty() {
            format!("Incident {id}")
        } else {
            format!("Incident {id}: {description}")
        };
        for field in &mut form.fields {
            match (field.name, &mut field.value) {
                ("child_name", Input::Text(t)) => *t = text("/clients/0/name"),
                ("date_of_birth", Input::Text(t)) => *t = text("/clients/0/date_of_birth"),
                ("concerns", Input::Text(t)) => *t = concerns.clone(),
                ("aboriginal_status", Input::Choice(options, i)) => {
                    let status = text("/clients/0/aboriginal_status");
                    if let Some(at) = options.iter().position(|(v, _)| *v == status) {
                        *i = at;
                    }
                }
                _ => {}
            }
        }
        form.link = Some(id.to_string());
        form
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
            link: None,
            people: Vec::new(),
            shown: 0,
            browsing: None,
        }
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
            link: None,
            people: Vec::new(),
            shown: 0,
            browsing: None,
        }
    }
}
