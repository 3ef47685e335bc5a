//! Evaluating the policy's conditions on a record: which checklist items, stages and
//! deadlines apply to it.

use crate::domain::model::{Classification, Details, Record, Urgency};
use crate::domain::policy::{Condition, Policy};

use super::{incident, intake};

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
            C::SsrCritical => incident::ssr_critical(i, policy).is_some(),
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
