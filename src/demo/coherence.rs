//! Could this record happen? The demo world is checked against what the rules and plain
//! sense say a record cannot hold, so a practitioner reading it never meets an impossible
//! case on the first screen. `cims demo --check` runs it over every record.

use chrono::NaiveDate;

use crate::domain::local_time;
use crate::domain::model::{CareArrangement, Details, Impact, Record, SubjectRelation};
use crate::domain::policy::Policy;
use crate::domain::rules::incident as rules;

/// Below this age a child is not recorded as showing sexually abusive behaviour.
const YOUNGEST_WITH_BEHAVIOUR: u32 = 5;
/// Clients under this age are children.
const ADULT: u32 = 18;

/// What makes the record incoherent, in words; empty when it could happen.
pub fn problems(record: &Record, policy: &Policy) -> Vec<String> {
    let mut found = Vec::new();
    match &record.details {
        Details::Incident(incident) => {
            let on: NaiveDate = local_time::local_date(incident.identified_at);
            if incident.impact == Some(Impact::NonMajor) {
                if let Some(name) = rules::major_by_definition(incident, policy) {
                    found.push(format!("{name} recorded as non-major (R-IMPACT-1)"));
                }
                if rules::must_be_major(incident, policy) {
                    found.push(
                        "abuse by staff or a carer recorded as non-major (R-IMPACT-2)".into(),
                    );
                }
            }
            let secure = incident.care_arrangement == CareArrangement::SecureWelfare;
            if incident.types().any(|t| t == "escape_from_secure_facility") && !secure {
                found.push(format!(
                    "an escape from a secure facility while in {:?}",
                    incident.care_arrangement
                ));
            }
            let child = incident
                .clients
                .iter()
                .any(|c| c.age_on(on).is_some_and(|age| age < ADULT));
            let adults_only = policy
                .service_types
                .iter()
                .any(|s| s.id == incident.service_type && s.adults_only);
            if child && adults_only {
                found.push(format!(
                    "a child in a service for adults only ({})",
                    incident.service_type
                ));
            }
            if let Some(relation) = incident.subject.as_ref().map(|s| s.relation)
                && !subject_fits(relation, incident.care_arrangement)
            {
                found.push(format!(
                    "a {relation:?} as subject of allegation in {:?}",
                    incident.care_arrangement
                ));
            }
        }
        Details::Intake(intake) => {
            let on = local_time::local_date(intake.received_at);
            for child in &intake.children {
                if child.sexually_abusive_behaviour
                    && child
                        .person
                        .age_on(on)
                        .is_some_and(|age| age < YOUNGEST_WITH_BEHAVIOUR)
                {
                    found.push(format!(
                        "a child under {YOUNGEST_WITH_BEHAVIOUR} recorded with sexually abusive behaviour"
                    ));
                }
            }
            let aboriginal = intake
                .children
                .iter()
                .any(|c| c.person.aboriginal_status.identifies());
            if !aboriginal
                && record
                    .notes
                    .iter()
                    .filter_map(|n| n.current())
                    .any(|n| n.text.contains("ACSASS"))
            {
                found.push("an ACSASS consultation about children who are not Aboriginal".into());
            }
        }
    }
    found
}

/// A subject of allegation who could be there in this care: a foster carer in foster care,
/// a kinship carer in kinship care, staff where staff look after the child.
fn subject_fits(relation: SubjectRelation, care: CareArrangement) -> bool {
    use CareArrangement as C;
    match relation {
        SubjectRelation::KinshipCarer => {
            matches!(care, C::KinshipCpApproved | C::KinshipCsoManaged)
        }
        SubjectRelation::Carer => matches!(care, C::FosterCare | C::RespiteCpApproved),
        SubjectRelation::Staff => matches!(care, C::ResidentialCare | C::SecureWelfare),
        SubjectRelation::DepartmentalStaff => {
            matches!(care, C::WithPractitioner | C::DepartmentalStaff)
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::rules::conditions::tests::{incident_json, intake_json, policy, record};

    fn incident_with(change: impl FnOnce(&mut serde_json::Value)) -> Vec<String> {
        let mut json = incident_json();
        change(&mut json["details"]);
        problems(&record(&json), &policy())
    }

    #[test]
    fn a_record_that_could_happen_has_no_problems() {
        assert_eq!(incident_with(|_| {}), Vec::<String>::new());
        assert_eq!(
            problems(&record(&intake_json()), &policy()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn each_impossible_case_is_named() {
        let death = incident_with(|d| {
            d["primary_type"] = json!("death");
            d["impact"] = json!("non_major");
        });
        assert!(death[0].contains("R-IMPACT-1"), "{death:?}");
        let escape = incident_with(|d| d["primary_type"] = json!("escape_from_secure_facility"));
        assert!(escape[0].contains("escape"), "{escape:?}");
        let aged = incident_with(|d| d["service_type"] = json!("aged_care_carer_support"));
        assert!(aged[0].contains("adults only"), "{aged:?}");
        let kinship = incident_with(|d| d["subject"]["relation"] = json!("kinship_carer"));
        assert!(kinship[0].contains("KinshipCarer"), "{kinship:?}");

        let mut infant = intake_json();
        infant["details"]["children"][0]["person"]["date_of_birth"] = json!("2025-06-01");
        let found = problems(&record(&infant), &policy());
        assert!(found[0].contains("sexually abusive"), "{found:?}");

        let mut not_aboriginal = intake_json();
        not_aboriginal["details"]["children"][0]["person"]["aboriginal_status"] =
            json!("not_aboriginal");
        not_aboriginal["notes"] = json!([{"id": 1, "revisions": [{
            "text": "ACSASS consulted.", "by": "alice", "at": "2026-11-23T01:00:00Z"}]}]);
        let found = problems(&record(&not_aboriginal), &policy());
        assert!(found[0].contains("ACSASS"), "{found:?}");
    }
}
