//! Rules about CIMS incidents (DOMAIN §4).

use chrono::NaiveDate;

use crate::domain::actor::OrgKind;
use crate::domain::local_time;
use crate::domain::model::{
    CareArrangement, Circumstance, HarmKind, Impact, Incident, RcsScope, Record, SubjectRelation,
};
use crate::domain::policy::{Policy, TypeTag};
use crate::domain::refusal::Refusal;

/// R-SCOPE-1, R-SCOPE-2, R-SCOPE-4: is this incident one CIMS covers? Out of scope is
/// refused with the reason.
pub fn check_scope(incident: &Incident) -> Result<(), Refusal> {
    let out =
        |rule: &'static str, why: &str| Err(Refusal::rule(rule, why).on_field("care_arrangement"));
    match incident.care_arrangement {
        CareArrangement::ParentalCare => {
            return out(
                "R-SCOPE-2",
                "the child was in the care of a parent: CIMS covers incidents while a child is in care approved by child protection, not parental care",
            );
        }
        CareArrangement::KinshipFamilyArranged => {
            return out(
                "R-SCOPE-2",
                "family-arranged kinship care not approved by child protection is outside CIMS",
            );
        }
        CareArrangement::KinshipUnderAssessment => {
            return out(
                "R-SCOPE-2",
                "kinship placements still under assessment by child protection are outside CIMS",
            );
        }
        _ => {}
    }
    let harm = |rule: &'static str, why: &str| Err(Refusal::rule(rule, why).on_field("harm"));
    match incident.harm {
        HarmKind::Harm | HarmKind::LikelySeriousHarm => Ok(()),
        HarmKind::Illness => harm(
            "R-SCOPE-4",
            "an illness is not a reportable client incident",
        ),
        HarmKind::OwnDangerousActions => harm(
            "R-SCOPE-4",
            "a young person's own dangerous actions, without harm, are not a reportable client incident",
        ),
        HarmKind::NoHarm => harm(
            "R-SCOPE-1",
            "CIMS covers harm to a client, or serious harm that was reasonably likely; none was recorded",
        ),
    }
}

/// R-SCOPE-3: the kind of organisation responsible for reporting in this care arrangement.
pub fn responsible_org_kind(care: CareArrangement) -> OrgKind {
    match care {
        CareArrangement::KinshipCsoManaged
        | CareArrangement::FosterCare
        | CareArrangement::ResidentialCare => OrgKind::Cso,
        _ => OrgKind::Department,
    }
}

/// R-TYPE-1, R-IMPACT-1 and R-IMPACT-2: types and service type exist in the policy, a
/// type major by definition is major, and abuse, neglect or grooming by a staff member or
/// carer is major impact.
pub fn check_classification(incident: &Incident, policy: &Policy) -> Result<(), Refusal> {
    for (field, id) in [
        ("primary_type", Some(&incident.primary_type)),
        ("secondary_type", incident.secondary_type.as_ref()),
    ] {
        if let Some(id) = id
            && policy.incident_type(id).is_none()
        {
            return Err(Refusal::rule(
                "R-TYPE-1",
                format!("{id:?} is not an incident type in policy {}", policy.id),
            )
            .on_field(field));
        }
    }
    if incident.secondary_type.as_deref() == Some(incident.primary_type.as_str()) {
        return Err(
            Refusal::rule("R-TYPE-1", "the secondary type repeats the primary type")
                .on_field("secondary_type"),
        );
    }
    if !policy
        .service_types
        .iter()
        .any(|s| s.id == incident.service_type)
    {
        return Err(Refusal::invalid(format!(
            "{:?} is not a service type in policy {}",
            incident.service_type, policy.id
        ))
        .on_field("service_type"));
    }
    if incident.clients.is_empty() {
        return Err(Refusal::invalid("an incident needs at least one client").on_field("clients"));
    }
    if incident.impact == Some(Impact::NonMajor)
        && let Some(name) = major_by_definition(incident, policy)
    {
        return Err(Refusal::rule(
            "R-IMPACT-1",
            format!("{name} is major impact by definition: it cannot be classified non-major"),
        )
        .on_field("impact"));
    }
    if incident.impact == Some(Impact::NonMajor) && must_be_major(incident, policy) {
        return Err(Refusal::rule(
            "R-IMPACT-2",
            "abuse, neglect or sexual exploitation – grooming with a staff member or carer as the subject of allegation must be classified major impact",
        ).on_field("impact"));
    }
    Ok(())
}

fn any_type(incident: &Incident, policy: &Policy, tag: TypeTag) -> bool {
    incident.types().any(|t| policy.type_has(t, tag))
}

fn subject_is(incident: &Incident, f: impl Fn(SubjectRelation) -> bool) -> bool {
    incident.subject.as_ref().is_some_and(|s| f(s.relation))
}

/// R-IMPACT-1: the name of the incident's type that is major by definition, if any.
pub fn major_by_definition<'p>(incident: &Incident, policy: &'p Policy) -> Option<&'p str> {
    incident
        .types()
        .filter_map(|t| policy.incident_type(t))
        .find(|t| t.tags.contains(&TypeTag::AlwaysMajor))
        .map(|t| t.name.as_str())
}

/// R-IMPACT-2
pub fn must_be_major(incident: &Incident, policy: &Policy) -> bool {
    let serious = any_type(incident, policy, TypeTag::Abuse)
        || any_type(incident, policy, TypeTag::Neglect)
        || any_type(incident, policy, TypeTag::Grooming);
    serious && subject_is(incident, SubjectRelation::is_staff_or_carer)
}

/// R-FOLLOWUP-1: abuse (grooming included) by a staff member or carer, abuse between
/// clients, neglect, or an unexplained injury must be investigated.
pub fn investigation_required(incident: &Incident, policy: &Policy) -> bool {
    let abuse =
        any_type(incident, policy, TypeTag::Abuse) || any_type(incident, policy, TypeTag::Grooming);
    let by_staff_carer_or_client = subject_is(incident, |r| {
        r.is_staff_or_carer() || r == SubjectRelation::Client
    });
    (abuse && by_staff_carer_or_client)
        || any_type(incident, policy, TypeTag::Neglect)
        || any_type(incident, policy, TypeTag::UnexplainedInjury)
}

/// R-FOLLOWUP-2: major impact incidents get a review, unless the delegate recorded that
/// the investigation already covered it.
pub fn review_required(record: &Record, incident: &Incident) -> bool {
    incident.impact == Some(Impact::Major) && record.review_covered_by_investigation.is_none()
}

/// R-POLICE-1: sexual or physical abuse, or serious neglect, goes to police first.
pub fn police_referral(incident: &Incident, policy: &Policy) -> bool {
    any_type(incident, policy, TypeTag::PoliceReferral)
        || incident.has(Circumstance::SeriousNeglect)
}

/// R-RCS-1: kinship care, or care by departmental staff, may be in RCS scope.
pub fn rcs_possible(incident: &Incident) -> bool {
    matches!(
        incident.care_arrangement,
        CareArrangement::KinshipCpApproved
            | CareArrangement::KinshipCsoManaged
            | CareArrangement::DepartmentalStaff
    ) || subject_is(incident, |r| {
        matches!(
            r,
            SubjectRelation::KinshipCarer | SubjectRelation::DepartmentalStaff
        )
    })
}

/// R-RCS-2: the Integrity Unit confirmed RCS scope, so an RCS investigation replaces the
/// CIMS investigation.
pub fn rcs_in_scope(record: &Record) -> bool {
    record.rcs_scope == Some(RcsScope::InScope)
}

/// R-RCS-3: the subject is an employee (not a kinship carer): line manager, then
/// Workplace Relations, then the Integrity Unit.
pub fn rcs_employee(incident: &Incident) -> bool {
    rcs_possible(incident)
        && subject_is(incident, |r| {
            matches!(
                r,
                SubjectRelation::Staff | SubjectRelation::DepartmentalStaff
            )
        })
}

/// R-SSR-1: the incident, as its details say, meets a criterion of the critical
/// notifiable list (policy data).
pub fn ssr_critical<'p>(incident: &Incident, policy: &'p Policy) -> Option<&'p str> {
    critical(incident, false, policy)
}

/// R-SSR-1 and R-SSR-2: the record's incident meets a criterion, where police notified
/// under R-POLICE-1 counts as police involvement: one fact, not two flags to keep in step.
pub fn ssr_critical_record<'p>(record: &Record, policy: &'p Policy) -> Option<&'p str> {
    let incident = record.incident()?;
    let police_notified = policy
        .checklist
        .iter()
        .any(|i| i.kind == record.kind() && i.rule == "R-POLICE-1" && record.is_done(&i.id));
    critical(incident, police_notified, policy)
}

fn critical<'p>(incident: &Incident, police_notified: bool, policy: &'p Policy) -> Option<&'p str> {
    let has =
        |c: Circumstance| incident.has(c) || (c == Circumstance::PoliceInvolved && police_notified);
    policy
        .critical_notifiable
        .iter()
        .find(|c| {
            (c.types.is_empty() || incident.types().any(|t| c.types.contains(t)))
                && c.all_of.iter().all(|x| has(*x))
                && (c.any_of.is_empty() || c.any_of.iter().any(|x| has(*x)))
        })
        .map(|c| c.name.as_str())
}

/// R-ABORIGINAL-1
pub fn aboriginal_client(incident: &Incident) -> bool {
    incident
        .clients
        .iter()
        .any(|c| c.aboriginal_status.identifies())
}

/// R-KINSHIP-1
pub fn kinship_carer_subject(incident: &Incident) -> bool {
    subject_is(incident, |r| r == SubjectRelation::KinshipCarer)
}

/// R-C2C-1: client-to-client with both under 18 on the day of the incident. An unknown
/// date of birth counts as under 18: the assessment of both children is not skipped on a
/// gap in the record.
pub fn client_to_client_minors(incident: &Incident, adult_age: u32) -> bool {
    let Some(subject) = incident
        .subject
        .as_ref()
        .filter(|s| s.relation == SubjectRelation::Client)
    else {
        return false;
    };
    let on: NaiveDate =
        local_time::local_date(incident.occurred_at.unwrap_or(incident.identified_at));
    let minor = |age: Option<u32>| age.is_none_or(|a| a < adult_age);
    minor(subject.person.as_ref().and_then(|p| p.age_on(on)))
        && incident.clients.iter().all(|c| minor(c.age_on(on)))
}
