//! Evaluating the policy's conditions on a record: which checklist items, stages and
//! deadlines apply to it, and what each condition reads to decide (R-PRIV-9).

use crate::domain::model::{Classification, Details, Record, Urgency};
use crate::domain::policy::{Condition, Policy};

use super::{incident, intake};

/// A fact a condition reads: an object type and a field, named as the policy's
/// `[field_classes]` name them (`person.aboriginal_status`), or an open fact of the record.
pub type Read = (&'static str, &'static str);

/// What conditions read besides the fields a policy may class (`MASKABLE_FIELDS`): facts
/// every reader of a record is shown. A condition that reads anything else fails the tests
/// below until the fact is listed here or made maskable.
pub const OPEN_FACTS: &[Read] = &[
    ("record", "privacy_breach"),
    ("record", "rcs_scope"),
    ("record", "review_covered_by_investigation"),
    ("incident", "identified_at"),
    ("incident", "occurred_at"),
    ("incident", "care_arrangement"),
    ("incident", "primary_type"),
    ("incident", "secondary_type"),
    ("incident", "impact"),
    ("incident", "circumstances"),
    ("subject", "relation"),
    ("intake", "received_at"),
    ("intake", "family_violence"),
    ("intake", "harm_types"),
    ("intake", "decision"),
    ("child", "sexually_abusive_behaviour"),
    ("child", "rso_contact"),
    ("child", "prior_reports"),
];

impl Condition {
    /// Everything [`holds`] reads to decide this condition: what the condition switches on
    /// carries the classes of these fields (R-PRIV-9, `Policy::condition_classes`). Keep
    /// in step with `holds` and the rules it calls.
    pub fn reads(self) -> &'static [Read] {
        use Condition as C;
        const TYPES: [Read; 2] = [("incident", "primary_type"), ("incident", "secondary_type")];
        match self {
            C::Always => &[],
            C::PrivacyBreach => &[("record", "privacy_breach")],
            C::AboriginalClient | C::AboriginalChild => &[("person", "aboriginal_status")],
            C::RcsPossible | C::RcsEmployee => {
                &[("incident", "care_arrangement"), ("subject", "relation")]
            }
            C::RcsInScope => &[("record", "rcs_scope")],
            C::KinshipCarerSubject => &[("subject", "relation")],
            C::ClientToClientMinors => &[
                ("subject", "relation"),
                ("incident", "occurred_at"),
                ("incident", "identified_at"),
                ("person", "date_of_birth"),
            ],
            C::PoliceReferral | C::SsrCritical => {
                &[TYPES[0], TYPES[1], ("incident", "circumstances")]
            }
            C::InvestigationRequired => &[TYPES[0], TYPES[1], ("subject", "relation")],
            C::CimsInvestigation => &[
                TYPES[0],
                TYPES[1],
                ("subject", "relation"),
                ("record", "rcs_scope"),
            ],
            C::ReviewRequired => &[
                ("incident", "impact"),
                ("record", "review_covered_by_investigation"),
            ],
            C::FamilyViolence => &[("intake", "family_violence")],
            C::TtrIndicated => &[
                ("intake", "received_at"),
                ("child", "sexually_abusive_behaviour"),
                ("person", "date_of_birth"),
            ],
            C::RsoContact => &[("child", "rso_contact")],
            C::ThirdReport | C::FifthReport => {
                &[("intake", "received_at"), ("child", "prior_reports")]
            }
            C::Pir
            | C::UrgentPir
            | C::StandardPir
            | C::ClosingAtIntake
            | C::Investigated
            | C::AssessmentNeeded => &[("intake", "decision")],
            C::PoliceContact => &[("intake", "harm_types")],
            C::ReporterFeedback => &[
                ("reporter", "professional"),
                ("intake", "feedback_exception"),
            ],
        }
    }
}

/// Does `condition` hold for `record` under `policy`?
pub fn holds(condition: Condition, record: &Record, policy: &Policy) -> bool {
    use Condition as C;
    if condition == C::Always {
        return true;
    }
    if condition == C::PrivacyBreach {
        return record.privacy_breach;
    }
    match &record.details {
        Details::Incident(i) => match condition {
            C::AboriginalClient => incident::aboriginal_client(i),
            C::RcsPossible => incident::rcs_possible(i),
            C::RcsInScope => incident::rcs_in_scope(record),
            C::RcsEmployee => incident::rcs_employee(i),
            C::KinshipCarerSubject => incident::kinship_carer_subject(i),
            C::ClientToClientMinors => {
                incident::client_to_client_minors(i, policy.parameters.adult_age)
            }
            C::PoliceReferral => incident::police_referral(i, policy),
            C::SsrCritical => incident::ssr_critical_record(record, policy).is_some(),
            C::InvestigationRequired => incident::investigation_required(i, policy),
            C::CimsInvestigation => {
                incident::investigation_required(i, policy) && !incident::rcs_in_scope(record)
            }
            C::ReviewRequired => incident::review_required(record, i),
            _ => false,
        },
        Details::Intake(n) => {
            let classified = |c: Classification| {
                n.decision
                    .as_ref()
                    .is_some_and(|d| d.classifications.contains(&c))
            };
            let urgency = n.decision.as_ref().and_then(|d| d.urgency);
            match condition {
                C::AboriginalChild => intake::aboriginal_child(n),
                C::FamilyViolence => n.family_violence,
                C::TtrIndicated => intake::ttr_indicated(n, &policy.parameters),
                C::RsoContact => intake::rso_contact(n),
                C::ThirdReport => intake::third_report(n, &policy.parameters),
                C::FifthReport => intake::fifth_report(n, &policy.parameters),
                C::Pir => classified(Classification::ProtectiveIntervention),
                C::PoliceContact => n.harm_types.iter().any(|h| h.needs_police()),
                C::AssessmentNeeded => !n.decision.as_ref().is_some_and(|d| {
                    d.classifications.iter().all(|c| {
                        matches!(
                            c,
                            Classification::Inappropriate | Classification::InsufficientInformation
                        )
                    })
                }),
                C::Investigated => {
                    classified(Classification::ProtectiveIntervention)
                        || classified(Classification::TherapeuticTreatment)
                }
                C::UrgentPir => {
                    classified(Classification::ProtectiveIntervention)
                        && urgency == Some(Urgency::Urgent)
                }
                C::StandardPir => {
                    classified(Classification::ProtectiveIntervention)
                        && urgency == Some(Urgency::Standard)
                }
                C::ClosingAtIntake => n
                    .decision
                    .as_ref()
                    .is_some_and(|d| d.classifications.iter().all(|c| c.closes_at_intake())),
                C::ReporterFeedback => n.reporter.professional && n.feedback_exception.is_none(),
                _ => false,
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    use super::*;
    use crate::domain::policy::{FieldClass, MASKABLE_FIELDS, PolicySet};

    pub(crate) fn policy() -> Policy {
        PolicySet::embedded()
            .expect("the embedded policy loads")
            .current()
            .clone()
    }

    /// A record with these details, as JSON.
    fn record_json(details: Value) -> Value {
        json!({
            "id": "R-1", "org": "anglicare", "policy": "cims-2024-12-09",
            "stage": "identification_response", "status": "open", "created_by": "carol",
            "created_at": "2026-11-23T00:00:00Z", "updated_at": "2026-11-23T00:00:00Z",
            "version": 1, "details": details,
        })
    }

    /// Client-to-client physical abuse of an Aboriginal 12-year-old, needing hospital.
    pub(crate) fn incident_json() -> Value {
        record_json(json!({
            "kind": "incident", "identified_at": "2026-11-23T00:00:00Z",
            "clients": [{"name": "Jo Smith", "date_of_birth": "2014-05-02",
                         "aboriginal_status": "aboriginal"}],
            "subject": {"relation": "client",
                        "person": {"name": "Sam Jones", "date_of_birth": "2013-01-01"}},
            "care_arrangement": "residential_care", "harm": "harm",
            "service_type": "out_of_home_care", "primary_type": "physical_abuse",
            "impact": "major", "circumstances": ["hospital_treatment"],
            "description": "pushed", "location": "the unit",
        }))
    }

    /// An urgent protective intervention report from a professional about an Aboriginal
    /// 10-year-old said to show sexually abusive behaviour, in contact with an offender.
    pub(crate) fn intake_json() -> Value {
        record_json(json!({
            "kind": "intake", "received_at": "2026-11-23T00:00:00Z",
            "reporter": {"name": "Robin Reporter", "professional": true},
            "children": [{"person": {"name": "Casey Brown", "date_of_birth": "2016-06-01",
                                     "aboriginal_status": "aboriginal"},
                          "sexually_abusive_behaviour": true, "rso_contact": true}],
            "parents": [{"person": {"name": "Alex Brown"}}],
            "concerns": "bruising", "family_violence": true,
            "decision": {"classifications": ["protective_intervention"], "urgency": "urgent"},
        }))
    }

    pub(crate) fn record(json: &Value) -> Record {
        serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("a sample record: {e}: {json}"))
    }

    #[test]
    fn r_priv_9_every_condition_reads_fields_the_policy_may_class_or_open_facts() {
        let maskable = |(object, field): Read| {
            MASKABLE_FIELDS
                .iter()
                .any(|(o, fields)| *o == object && fields.contains(&field))
        };
        for fact in OPEN_FACTS {
            assert!(
                !maskable(*fact),
                "{fact:?} is listed as open but may be classed"
            );
        }
        for condition in Condition::ALL {
            for read in condition.reads() {
                assert!(
                    maskable(*read) || OPEN_FACTS.contains(read),
                    "{condition:?} reads {read:?}: make it a field the policy may class, or list it as an open fact"
                );
            }
        }
    }

    /// Fails to compile when a condition is added and not placed here, and fails when it
    /// is placed here but not in `Condition::ALL`.
    fn position(condition: Condition) -> usize {
        use Condition as C;
        match condition {
            C::Always => 0,
            C::AboriginalClient => 1,
            C::RcsPossible => 2,
            C::RcsInScope => 3,
            C::RcsEmployee => 4,
            C::KinshipCarerSubject => 5,
            C::ClientToClientMinors => 6,
            C::PoliceReferral => 7,
            C::SsrCritical => 8,
            C::InvestigationRequired => 9,
            C::CimsInvestigation => 10,
            C::ReviewRequired => 11,
            C::PrivacyBreach => 12,
            C::AboriginalChild => 13,
            C::FamilyViolence => 14,
            C::TtrIndicated => 15,
            C::RsoContact => 16,
            C::ThirdReport => 17,
            C::FifthReport => 18,
            C::Pir => 19,
            C::UrgentPir => 20,
            C::StandardPir => 21,
            C::ClosingAtIntake => 22,
            C::ReporterFeedback => 23,
            C::Investigated => 24,
            C::AssessmentNeeded => 25,
            C::PoliceContact => 26,
        }
    }

    #[test]
    fn every_condition_is_listed() {
        for (index, condition) in Condition::ALL.into_iter().enumerate() {
            assert_eq!(position(condition), index, "{condition:?}");
        }
    }

    /// Set `field` on every object of type `object` in a record's JSON (`person` in the
    /// clients, the subject, the children and parents; `reporter`; `incident`/`intake`
    /// as the details).
    fn set(value: &mut Value, here: Option<&str>, object: &str, field: &str, to: &Value) {
        match value {
            Value::Object(map) => {
                if here == Some(object) {
                    map.insert(field.to_string(), to.clone());
                }
                for (key, child) in map.iter_mut() {
                    let next = match key.as_str() {
                        "details" => child.get("kind").and_then(Value::as_str).map(String::from),
                        "clients" | "person" => Some("person".to_string()),
                        "reporter" => Some("reporter".to_string()),
                        _ => None,
                    };
                    set(child, next.as_deref(), object, field, to);
                }
            }
            Value::Array(items) => {
                for item in items {
                    set(item, here, object, field, to);
                }
            }
            _ => {}
        }
    }

    /// Two values a classed field may hold, far enough apart to switch a condition.
    fn alternatives(field: &str) -> [Value; 2] {
        match field {
            "aboriginal_status" => [json!("aboriginal"), json!("not_aboriginal")],
            // An adult, and a 10-year-old.
            "date_of_birth" => [json!("2000-01-01"), json!("2016-06-01")],
            "professional" | "consented_in_writing" => [json!(true), json!(false)],
            "feedback_exception" => [Value::Null, json!("the reporter asked for none")],
            _ => [json!("one"), json!("two")],
        }
    }

    /// R-PRIV-9: what `reads` declares is what `holds` reads. Changing a classed field a
    /// condition does not declare never changes it; changing one it declares can.
    #[test]
    fn r_priv_9_a_condition_depends_on_no_classed_field_it_does_not_declare() {
        let policy = policy();
        let mut switched = BTreeSet::new();
        for sample in [incident_json(), intake_json()] {
            for (object, fields) in &policy.field_classes {
                for (field, class) in fields {
                    if *class == FieldClass::Open {
                        continue;
                    }
                    let [a, b] = alternatives(field).map(|to| {
                        let mut json = sample.clone();
                        set(&mut json, None, object, field, &to);
                        record(&json)
                    });
                    for condition in Condition::ALL {
                        let differs =
                            holds(condition, &a, &policy) != holds(condition, &b, &policy);
                        let declared = condition
                            .reads()
                            .iter()
                            .any(|(o, f)| o == object && f == field);
                        assert!(
                            declared || !differs,
                            "{condition:?} depends on {object}.{field} without declaring it"
                        );
                        if differs {
                            switched.insert(condition);
                        }
                    }
                }
            }
        }
        // The samples reach every condition that reads a classed field.
        for condition in Condition::ALL {
            if !policy.condition_classes(condition).is_empty() {
                assert!(
                    switched.contains(&condition),
                    "{condition:?} never switched"
                );
            }
        }
    }

    #[test]
    fn r_priv_9_a_conditions_classes_are_those_of_the_fields_it_reads() {
        use FieldClass as F;
        let mut policy = policy();
        let expected = |condition| match condition {
            Condition::AboriginalClient | Condition::AboriginalChild => vec![F::Cultural],
            Condition::ReporterFeedback => vec![F::Protected],
            Condition::ClientToClientMinors | Condition::TtrIndicated => vec![F::Identifying],
            _ => Vec::new(),
        };
        for condition in Condition::ALL {
            assert_eq!(
                policy
                    .condition_classes(condition)
                    .into_iter()
                    .collect::<Vec<_>>(),
                expected(condition),
                "{condition:?}"
            );
        }
        // The classes follow the policy: class Aboriginal status otherwise and they move.
        policy
            .field_classes
            .entry("person".to_string())
            .or_default()
            .insert("aboriginal_status".to_string(), F::Protected);
        assert_eq!(
            policy.condition_classes(Condition::AboriginalChild),
            BTreeSet::from([F::Protected])
        );
    }
}
