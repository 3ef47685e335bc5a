//! Rules about intake reports (DOMAIN §5, procedure 1003).

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::domain::local_time;
use crate::domain::model::{
    AboriginalStatus, Child, Classification, Consequence, Intake, IntakeDecision, Parent,
    Probability, Urgency,
};
use crate::domain::policy::Parameters;

/// What the intake judgement matrix suggests (R-INT-MATRIX). cims suggests; the
/// practitioner decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub protective_intervention: bool,
    pub urgency: Option<Urgency>,
}

/// R-INT-MATRIX: severe → PIR urgent whatever the probability; significant with likely or
/// very likely → PIR urgent; anything else → no PIR suggested.
pub fn matrix(consequence: Consequence, probability: Probability) -> Suggestion {
    let pir = match consequence {
        Consequence::Severe => true,
        Consequence::Significant => {
            matches!(probability, Probability::Likely | Probability::VeryLikely)
        }
        Consequence::Concerning | Consequence::InsufficientEvidence => false,
    };
    Suggestion {
        protective_intervention: pir,
        urgency: pir.then_some(Urgency::Urgent),
    }
}

/// R-INT-MATRIX: a written rationale is required when the decision differs from the
/// suggestion, and whenever a report closes at intake while the consequence is severe or
/// significant or the probability likely or very likely.
pub fn rationale_required(
    consequence: Consequence,
    probability: Probability,
    decision: &IntakeDecision,
) -> bool {
    let suggested = matrix(consequence, probability);
    let pir = decision
        .classifications
        .contains(&Classification::ProtectiveIntervention);
    let differs =
        pir != suggested.protective_intervention || (pir && decision.urgency != suggested.urgency);
    let closes = decision
        .classifications
        .iter()
        .all(|c| c.closes_at_intake());
    let concerning = matches!(consequence, Consequence::Severe | Consequence::Significant)
        || matches!(probability, Probability::Likely | Probability::VeryLikely);
    differs || (closes && concerning)
}

fn received_on(intake: &Intake) -> NaiveDate {
    local_time::local_date(intake.received_at)
}

/// R-INT-TTR: the reporter believes a child aged 10 to 17 exhibited sexually abusive
/// behaviour: a therapeutic treatment report is registered.
pub fn ttr_indicated(intake: &Intake, params: &Parameters) -> bool {
    let on = received_on(intake);
    intake.children.iter().any(|c| {
        c.sexually_abusive_behaviour
            && c.person
                .age_on(on)
                .is_some_and(|a| a >= params.ttr_min_age && a < params.ttr_max_age)
    })
}

/// R-INT-TTR: a child believed to have exhibited sexually abusive behaviour whose age is
/// unknown: a therapeutic treatment report is the practitioner's judgement, neither
/// required nor refused.
pub fn ttr_possible(intake: &Intake) -> bool {
    let on = received_on(intake);
    intake
        .children
        .iter()
        .any(|c| c.sexually_abusive_behaviour && c.person.age_on(on).is_none())
}

/// R-INT-ABORIGINAL: where either of a child's own parents identifies as Aboriginal and/or
/// Torres Strait Islander, the child is recorded as such whatever the other parent says;
/// a caregiver who is not the child's parent does not count. The identifications add up:
/// an Aboriginal mother and a Torres Strait Islander father make the child Aboriginal and
/// Torres Strait Islander. Unknown status stays `under_assessment`.
///
/// On a change to the report (`before` is the report as it stood), a child whose status
/// the change left alone follows their parents again when the parents' identification
/// changed: a parent's status corrected to not Aboriginal takes the child back to
/// `under_assessment` unless another parent still identifies. A child whose status was set
/// by hand with a reason (`aboriginal_status_reason`) keeps it.
pub fn apply_parent_identification(before: Option<&Intake>, intake: &mut Intake) {
    for index in 0..intake.children.len() {
        let derived = parents_heritage(&intake.parents, index);
        let earlier = before.and_then(|b| {
            b.children.get(index).map(|was| {
                (
                    was.person.aboriginal_status,
                    parents_heritage(&b.parents, index),
                )
            })
        });
        let person = &mut intake.children[index].person;
        if person.aboriginal_status_reason.is_some() {
            continue;
        }
        match earlier {
            Some((was, was_derived))
                if was == person.aboriginal_status && was_derived != derived =>
            {
                person.aboriginal_status =
                    status_of(derived).unwrap_or(AboriginalStatus::UnderAssessment);
            }
            _ if derived != (false, false) => {
                let (a, i) = heritage(person.aboriginal_status);
                if let Some(status) = status_of((a || derived.0, i || derived.1)) {
                    person.aboriginal_status = status;
                }
            }
            _ => {}
        }
    }
}

/// What the parents of the report's child at `index` identify as, added up.
fn parents_heritage(parents: &[Parent], index: usize) -> (bool, bool) {
    parents
        .iter()
        .filter(|p| p.is_parent_of(index))
        .map(|p| heritage(p.person.aboriginal_status))
        .fold((false, false), |(a, i), (pa, pi)| (a || pa, i || pi))
}

/// The status of (Aboriginal, Torres Strait Islander) heritage, if any.
fn status_of((aboriginal, islander): (bool, bool)) -> Option<AboriginalStatus> {
    match (aboriginal, islander) {
        (true, true) => Some(AboriginalStatus::AboriginalAndTorresStraitIslander),
        (true, false) => Some(AboriginalStatus::Aboriginal),
        (false, true) => Some(AboriginalStatus::TorresStraitIslander),
        (false, false) => None,
    }
}

/// (Aboriginal, Torres Strait Islander) for a status.
fn heritage(status: AboriginalStatus) -> (bool, bool) {
    match status {
        AboriginalStatus::Aboriginal => (true, false),
        AboriginalStatus::TorresStraitIslander => (false, true),
        AboriginalStatus::AboriginalAndTorresStraitIslander => (true, true),
        AboriginalStatus::NotAboriginal | AboriginalStatus::UnderAssessment => (false, false),
    }
}

/// R-INT-ACSASS: any child identified as Aboriginal and/or Torres Strait Islander.
pub fn aboriginal_child(intake: &Intake) -> bool {
    intake
        .children
        .iter()
        .any(|c| c.person.aboriginal_status.identifies())
}

/// R-INT-RSO
pub fn rso_contact(intake: &Intake) -> bool {
    intake.children.iter().any(|c| c.rso_contact)
}

/// The earlier reports on a child, each as (day received, investigated): those typed in
/// by hand (reports from before cims), and those cims holds on the same person (§9) that
/// no typed report of the same day already stands for.
fn reports_on(child: &Child) -> Vec<(NaiveDate, bool)> {
    let typed = child
        .prior_reports
        .iter()
        .map(|r| (r.received_on, r.investigated));
    let known = child
        .known_reports
        .iter()
        .filter(|k| {
            !child
                .prior_reports
                .iter()
                .any(|t| t.received_on == k.received_on)
        })
        .map(|r| (r.received_on, r.investigated));
    typed.chain(known).collect()
}

/// Reports on one child with no investigation since the last investigated one: this
/// report plus earlier uninvestigated reports received after the latest investigated report
/// and on or after `since` (over any period when `since` is `None`). The highest count
/// over the report's children.
fn uninvestigated_reports(intake: &Intake, since: Option<NaiveDate>) -> usize {
    let on = received_on(intake);
    intake
        .children
        .iter()
        .map(|c| {
            let earlier = reports_on(c);
            let earlier = || earlier.iter().filter(|(day, _)| *day <= on);
            let last_investigated = earlier()
                .filter(|(_, investigated)| *investigated)
                .map(|(day, _)| *day)
                .max();
            earlier()
                .filter(|(_, investigated)| !*investigated)
                .filter(|(day, _)| last_investigated.is_none_or(|l| *day > l))
                .filter(|(day, _)| since.is_none_or(|s| *day >= s))
                .count()
                + 1
        })
        .max()
        .unwrap_or(1)
}

/// R-INT-REREPORT-3: a third report on a child within 12 months, none investigated.
pub fn third_report(intake: &Intake, params: &Parameters) -> bool {
    let since = received_on(intake).checked_sub_months(Months::new(params.rereport_window_months));
    since.is_some() && uninvestigated_reports(intake, since) >= params.rereport_count
}

/// R-INT-REREPORT-5: a fifth report on a child with no investigation, over any period.
pub fn fifth_report(intake: &Intake, params: &Parameters) -> bool {
    uninvestigated_reports(intake, None) >= params.independent_review_count
}
