//! R-PRIV-9 in `decide`: a command whose answer would depend on a value the actor may not
//! see is answered the same way whatever that value is (R-PRIV-8), while those who may see
//! it are told what the rule says. (Through the API: `api::derived`.)

use std::collections::BTreeSet;

use cims::domain::actor::{Actor, OrgKind, Role};
use cims::domain::commands::Command;
use cims::domain::model::{
    AboriginalStatus, Classification, Consequence, Details, Intake, Probability, Record, Urgency,
};
use cims::domain::refusal::Refusal;

use crate::fixtures::{actor, apply, child, intake, melb, ok, practitioner, refused, team_manager};

/// A department user who is not a protective intervener: they may act on another
/// organisation's report but not see its children (R-PRIV-3).
fn department(user: &str, role: Role) -> Actor {
    actor(user, "dffh", OrgKind::Department, &[role], false)
}

/// The report, registered by the department for a community service organisation.
fn registered(intake: Intake) -> Record {
    apply(
        None,
        Command::Create {
            id: "INT-1".to_string(),
            org: "orange_door".to_string(),
            details: Details::Intake(intake),
            assignee: None,
        },
        &practitioner(),
        melb("2026-11-23 13:30"),
    )
    .expect("the report registers")
}

fn urgent_pir() -> Command {
    Command::ClassifyIntake {
        classifications: BTreeSet::from([Classification::ProtectiveIntervention]),
        urgency: Some(Urgency::Urgent),
        rationale: None,
        consequence: Some(Consequence::Severe),
        probability: Some(Probability::Likely),
    }
}

fn assert_alike(a: &Refusal, b: &Refusal) {
    assert_eq!(a, b, "the same refusal either way");
    assert_eq!(a.rule, Some("R-PRIV-9"), "{a}");
}

#[test]
fn r_priv_9_endorsement_is_refused_alike_whether_or_not_acsass_applies_to_a_manager_who_may_not_see_the_child()
 {
    let now = melb("2026-11-23 15:00");
    let classified = |status| {
        let mut report = intake();
        report.children[0].person.aboriginal_status = status;
        ok(registered(report), urgent_pir(), &practitioner(), now)
    };
    let aboriginal = classified(AboriginalStatus::Aboriginal);
    let not = classified(AboriginalStatus::NotAboriginal);

    let manager = department("tom", Role::TeamManager);
    assert_alike(
        &refused(&aboriginal, Command::Endorse, &manager, now),
        &refused(&not, Command::Endorse, &manager, now),
    );
    // A team manager who may see the child is told ACSASS comes first.
    let refusal = refused(&aboriginal, Command::Endorse, &team_manager(), now);
    assert_eq!(refusal.rule, Some("R-INT-ACSASS"), "{refusal}");
    ok(not, Command::Endorse, &team_manager(), now);
}

#[test]
fn r_priv_9_classification_is_refused_alike_whatever_the_childrens_ages_to_a_user_who_may_not_see_them()
 {
    let now = melb("2026-11-23 15:00");
    let reported = |dob: &str| {
        let mut report = intake();
        report.children = vec![child("Casey Brown", dob)];
        report.children[0].sexually_abusive_behaviour = true;
        registered(report)
    };
    // Twelve: a therapeutic treatment report is called for (R-INT-TTR); six: it is not.
    let twelve = reported("2014-03-10");
    let six = reported("2020-03-10");

    let practitioner_elsewhere = department("dora", Role::Practitioner);
    assert_alike(
        &refused(&twelve, urgent_pir(), &practitioner_elsewhere, now),
        &refused(&six, urgent_pir(), &practitioner_elsewhere, now),
    );
    let refusal = refused(&twelve, urgent_pir(), &practitioner(), now);
    assert_eq!(refusal.rule, Some("R-INT-TTR"), "{refusal}");
    ok(six, urgent_pir(), &practitioner(), now);
}
