//! Rules about intake reports (DOMAIN §5, procedure 1003).

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::domain::local_time;
use crate::domain::model::{
    AboriginalStatus, Classification, Consequence, Intake, IntakeDecision, Probability, Urgency,
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

/// R-INT-ABORIGINAL: where either parent identifies as Aboriginal and/or Torres Strait
/// Islander, each child is recorded as such whatever the other parent says. The parents'
/// identifications add up: an Aboriginal mother and a Torres Strait Islander father make
/// the child Aboriginal and Torres Strait Islander. Unknown status stays
/// `under_assessment` (the default when nothing is given).
pub fn apply_parent_identification(intake: &mut Intake) {
    let (aboriginal, islander) = intake
        .parents
        .iter()
        .map(|p| heritage(p.person.aboriginal_status))
        .fold((false, false), |(a, i), (pa, pi)| (a || pa, i || pi));
    if !(aboriginal || islander) {
        return;
    }
    for child in &mut intake.children {
        let (a, i) = heritage(child.person.aboriginal_status);
        child.person.aboriginal_status = match (aboriginal || a, islander || i) {
            (true, true) => AboriginalStatus::AboriginalAndTorresStraitIslander,
            (true, false) => AboriginalStatus::Aboriginal,
            _ => AboriginalStatus::TorresStraitIslander,
        };
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
            let earlier = || c.prior_reports.iter().filter(|r| r.received_on <= on);
            let last_investigated = earlier()
                .filter(|r| r.investigated)
                .map(|r| r.received_on)
                .max();
            earlier()
                .filter(|r| !r.investigated)
                .filter(|r| last_investigated.is_none_or(|l| r.received_on > l))
                .filter(|r| since.is_none_or(|s| r.received_on >= s))
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
