//! Intake reports (DOMAIN §5, procedure 1003): registration, risk assessment,
//! classification, endorsement, deadlines and closure (R-INT-*, R-STAGE).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use cims::domain::actor::{Actor, OrgKind, Role};
use cims::domain::commands::{Command, ContactPurpose};
use cims::domain::deadlines::{Deadline, Status as Clock, deadlines};
use cims::domain::model::{
    AboriginalStatus, Child, Classification, Consequence, Details, Intake, MaramRating, Parent,
    PriorReport, Probability, Record, Status, Urgency,
};
use cims::domain::refusal::{Refusal, RefusalKind};
use cims::domain::rules::intake::{Suggestion, matrix};

use crate::fixtures::{
    INTAKE_STAGE_1, INTAKE_STAGE_2, INTAKE_STAGE_3, actor, child, create, daom, date, delegate,
    intake, item_applies, melb, new_intake, ok, parent, person, policies, practice_leader,
    practitioner, principal_practitioner, refused, regulator, team_manager, tick,
};

use Classification::{
    ChildWellbeing as CW, Inappropriate, InsufficientInformation, ProtectiveIntervention as PIR,
    TherapeuticTreatment as TTR,
};

// ------------------------------------------------------------------ helpers

/// A working moment after `new_intake` registered the report (2026-11-23 13:30).
fn now() -> DateTime<Utc> {
    melb("2026-11-23 14:00")
}

fn classify(
    classes: &[Classification],
    urgency: Option<Urgency>,
    rationale: Option<&str>,
) -> Command {
    Command::ClassifyIntake {
        classifications: classes.iter().copied().collect::<BTreeSet<_>>(),
        urgency,
        rationale: rationale.map(String::from),
        consequence: None,
        probability: None,
    }
}

/// The fixture report with its intake risk assessment done.
fn assessed(consequence: Consequence, probability: Probability) -> Intake {
    Intake {
        consequence: Some(consequence),
        probability: Some(probability),
        ..intake()
    }
}

/// A report whose only child was born on `dob` and is believed to have exhibited
/// sexually abusive behaviour; received Mon 23 Nov 2026.
fn sab_child_born(dob: &str) -> Intake {
    let mut report = assessed(Consequence::Severe, Probability::Likely);
    report.children = vec![Child {
        sexually_abusive_behaviour: true,
        ..child("Riley Green", dob)
    }];
    report
}

fn with_priors(priors: &[(&str, bool)]) -> Intake {
    let mut report = assessed(Consequence::Concerning, Probability::Unlikely);
    report.children[0].prior_reports = priors
        .iter()
        .map(|(on, investigated)| PriorReport {
            received_on: date(on),
            investigated: *investigated,
        })
        .collect();
    report
}

fn update(record: Record, change: impl FnOnce(&mut Intake), at: DateTime<Utc>) -> Record {
    let mut details = intake_details(&record);
    change(&mut details);
    ok(
        record,
        Command::UpdateIntake { intake: details },
        &practitioner(),
        at,
    )
}

fn tick_all(mut record: Record, items: &[&str], by: &Actor, at: DateTime<Utc>) -> Record {
    for item in items {
        record = tick(record, item, by, at);
    }
    record
}

fn advance(record: Record, at: DateTime<Utc>) -> Record {
    ok(record, Command::AdvanceStage, &practitioner(), at)
}

fn endorse(record: Record, by: &Actor, at: DateTime<Utc>) -> Record {
    ok(record, Command::Endorse, by, at)
}

fn assert_rule(refusal: &Refusal, rule: &str) {
    assert_eq!(refusal.kind, RefusalKind::Rule, "{refusal:?}");
    assert_eq!(refusal.rule, Some(rule), "{refusal:?}");
}

fn assert_invalid(refusal: &Refusal) {
    assert_eq!(refusal.kind, RefusalKind::Invalid, "{refusal:?}");
}

fn deadline(record: &Record, id: &str, at: DateTime<Utc>) -> Option<Deadline> {
    deadlines(record, policies(), at)
        .into_iter()
        .find(|d| d.id == id)
}

fn due_at(deadline: &Deadline) -> DateTime<Utc> {
    deadline
        .due
        .as_ref()
        .expect("a due time")
        .at
        .with_timezone(&Utc)
}

fn decision_of(record: &Record) -> BTreeSet<Classification> {
    record
        .intake()
        .and_then(|i| i.decision.as_ref())
        .map(|d| d.classifications.clone())
        .unwrap_or_default()
}

fn child_status(record: &Record) -> AboriginalStatus {
    record.intake().expect("an intake").children[0]
        .person
        .aboriginal_status
}

/// Registered and in `seek_information` with every stage 1 item done.
fn at_seek_information(report: Intake) -> Record {
    let record = tick_all(new_intake(report), INTAKE_STAGE_1, &practitioner(), now());
    advance(record, now())
}

// ------------------------------------------------------------------ R-INT-CLASS

#[test]
fn r_int_class_pir_with_ttr_is_an_allowed_combination() {
    let record = new_intake(sab_child_born("2014-01-01"));
    let record = ok(
        record,
        classify(&[PIR, TTR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    assert_eq!(decision_of(&record), BTreeSet::from([PIR, TTR]));
    let decision = record
        .intake()
        .and_then(|i| i.decision.clone())
        .expect("decided");
    assert_eq!(decision.urgency, Some(Urgency::Urgent));
    assert!(record.is_done("classified"));
}

#[test]
fn r_int_class_each_closing_classification_stands_alone() {
    for closing in [CW, Inappropriate, InsufficientInformation] {
        let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
        let record = ok(
            record,
            classify(&[closing], None, None),
            &practitioner(),
            now(),
        );
        assert_eq!(decision_of(&record), BTreeSet::from([closing]));
    }
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    for classes in [
        vec![],
        vec![CW, Inappropriate],
        vec![Inappropriate, InsufficientInformation],
        vec![PIR, CW],
    ] {
        let urgency = classes.contains(&PIR).then_some(Urgency::Standard);
        let refusal = refused(
            &record,
            classify(&classes, urgency, Some("reasons")),
            &practitioner(),
            now(),
        );
        assert_rule(&refusal, "R-INT-CLASS");
        assert_eq!(refusal.field.as_deref(), Some("classifications"));
    }
}

#[test]
fn r_int_class_urgency_is_required_with_pir() {
    let record = new_intake(assessed(Consequence::Severe, Probability::Likely));
    let refusal = refused(
        &record,
        classify(&[PIR], None, None),
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-CLASS");
    assert_eq!(refusal.field.as_deref(), Some("urgency"));
}

#[test]
fn r_int_class_urgency_only_with_pir() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    for urgency in [Urgency::Urgent, Urgency::Standard] {
        let refusal = refused(
            &record,
            classify(&[CW], Some(urgency), None),
            &practitioner(),
            now(),
        );
        assert_rule(&refusal, "R-INT-CLASS");
        assert_eq!(refusal.field.as_deref(), Some("urgency"));
    }
}

#[test]
fn r_int_class_classification_comes_before_endorsement() {
    let record = new_intake(assessed(Consequence::Severe, Probability::Likely));
    let refusal = refused(&record, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-CLASS");

    let record = ok(
        record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    let record = endorse(record, &team_manager(), now());
    assert!(record.is_done("endorsed"));
    assert!(
        record
            .milestones
            .contains_key(&cims::domain::model::Milestone::ClassificationEndorsed)
    );
    // An endorsed classification is not changed by reclassifying.
    let refusal = refused(
        &record,
        classify(&[PIR], Some(Urgency::Standard), Some("fewer risks")),
        &practitioner(),
        now(),
    );
    assert_invalid(&refusal);
}

#[test]
fn r_int_class_endorsement_comes_before_close() {
    let record = at_seek_information(assessed(Consequence::Concerning, Probability::Unlikely));
    let record = tick_all(record, INTAKE_STAGE_2, &practitioner(), now());
    let record = advance(record, now());
    let record = tick_all(record, INTAKE_STAGE_3, &practitioner(), now());
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let record = advance(record, now());
    let record = tick_all(
        record,
        &["feedback_given", "referral_accepted", "records_complete"],
        &practitioner(),
        now(),
    );
    let refusal = refused(
        &record,
        Command::Close {
            reason: "referred to The Orange Door".to_string(),
        },
        &team_manager(),
        now(),
    );
    assert_rule(&refusal, "R-STAGE");
    assert!(
        refusal
            .message
            .contains("Classification endorsed by a team manager or above"),
        "{refusal}"
    );
    // The endorsement is not a tick: it is the endorse command.
    let refusal = refused(
        &record,
        Command::Tick {
            item: "endorsed".to_string(),
        },
        &team_manager(),
        now(),
    );
    assert_invalid(&refusal);

    let record = endorse(record, &team_manager(), now());
    let record = ok(
        record,
        Command::Close {
            reason: "referred to The Orange Door".to_string(),
        },
        &team_manager(),
        now(),
    );
    assert_eq!(record.status, Status::Closed);
}

// ------------------------------------------------------------------ R-INT-MATRIX

#[test]
fn r_int_matrix_suggestion_table_covers_all_twelve_combinations() {
    use Consequence::*;
    use Probability::*;
    let urgent = Suggestion {
        protective_intervention: true,
        urgency: Some(Urgency::Urgent),
    };
    let none = Suggestion {
        protective_intervention: false,
        urgency: None,
    };
    let table = [
        (Severe, VeryLikely, urgent),
        (Severe, Likely, urgent),
        (Severe, Unlikely, urgent),
        (Significant, VeryLikely, urgent),
        (Significant, Likely, urgent),
        (Significant, Unlikely, none),
        (Concerning, VeryLikely, none),
        (Concerning, Likely, none),
        (Concerning, Unlikely, none),
        (InsufficientEvidence, VeryLikely, none),
        (InsufficientEvidence, Likely, none),
        (InsufficientEvidence, Unlikely, none),
    ];
    for (consequence, probability, expected) in table {
        assert_eq!(
            matrix(consequence, probability),
            expected,
            "{consequence:?} × {probability:?}"
        );
    }
}

#[test]
fn r_int_matrix_severe_suggests_urgent_pir() {
    for probability in [
        Probability::VeryLikely,
        Probability::Likely,
        Probability::Unlikely,
    ] {
        // Following the suggestion needs no rationale.
        let record = new_intake(assessed(Consequence::Severe, probability));
        let record = ok(
            record,
            classify(&[PIR], Some(Urgency::Urgent), None),
            &practitioner(),
            now(),
        );
        assert_eq!(decision_of(&record), BTreeSet::from([PIR]));
    }
}

#[test]
fn r_int_matrix_decision_differing_from_suggestion_needs_rationale() {
    let cases = [
        // Suggested urgent PIR, decided standard.
        (
            Consequence::Severe,
            Probability::Unlikely,
            vec![PIR],
            Some(Urgency::Standard),
        ),
        // Suggested urgent PIR, decided TTR only.
        (
            Consequence::Significant,
            Probability::Likely,
            vec![TTR],
            None,
        ),
        // Suggested no PIR, decided PIR.
        (
            Consequence::Concerning,
            Probability::Unlikely,
            vec![PIR],
            Some(Urgency::Standard),
        ),
        (
            Consequence::InsufficientEvidence,
            Probability::VeryLikely,
            vec![PIR],
            Some(Urgency::Urgent),
        ),
    ];
    for (consequence, probability, classes, urgency) in cases {
        let mut report = assessed(consequence, probability);
        if classes.contains(&TTR) {
            report.children = sab_child_born("2014-01-01").children;
        }
        let record = new_intake(report);
        for blank in [None, Some("   ")] {
            let refusal = refused(
                &record,
                classify(&classes, urgency, blank),
                &practitioner(),
                now(),
            );
            assert_rule(&refusal, "R-INT-MATRIX");
            assert_eq!(refusal.field.as_deref(), Some("rationale"));
        }
        // Accepted with a rationale, which is kept for the endorsing team manager.
        let record = ok(
            record,
            classify(
                &classes,
                urgency,
                Some("  Safety plan in place with grandmother.  "),
            ),
            &practitioner(),
            now(),
        );
        let decision = record
            .intake()
            .and_then(|i| i.decision.clone())
            .expect("decided");
        assert_eq!(
            decision.rationale.as_deref(),
            Some("Safety plan in place with grandmother.")
        );
    }
}

#[test]
fn r_int_matrix_closing_a_concerning_report_needs_rationale() {
    // Closing while the consequence is severe or significant or the probability likely or
    // very likely needs a rationale, even where the matrix suggested no PIR.
    for (consequence, probability) in [
        (Consequence::Significant, Probability::Unlikely),
        (Consequence::Concerning, Probability::Likely),
        (Consequence::InsufficientEvidence, Probability::VeryLikely),
    ] {
        let record = new_intake(assessed(consequence, probability));
        for closing in [CW, Inappropriate, InsufficientInformation] {
            let refusal = refused(
                &record,
                classify(&[closing], None, None),
                &practitioner(),
                now(),
            );
            assert_rule(&refusal, "R-INT-MATRIX");
            assert_eq!(refusal.field.as_deref(), Some("rationale"));
        }
        let record = ok(
            record,
            classify(&[CW], None, Some("Family engaged with support services.")),
            &practitioner(),
            now(),
        );
        assert_eq!(decision_of(&record), BTreeSet::from([CW]));
    }
    // Concerning and unlikely: closing follows the suggestion and needs no rationale.
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    ok(record, classify(&[CW], None, None), &practitioner(), now());
}

#[test]
fn r_int_matrix_risk_assessment_comes_before_classifying() {
    let unassessed = new_intake(intake());
    let half = new_intake(Intake {
        consequence: Some(Consequence::Severe),
        ..intake()
    });
    for record in [&unassessed, &half] {
        for (classes, urgency) in [(vec![PIR], Some(Urgency::Urgent)), (vec![CW], None)] {
            let refusal = refused(
                record,
                classify(&classes, urgency, Some("reasons")),
                &practitioner(),
                now(),
            );
            assert_rule(&refusal, "R-INT-MATRIX");
            assert_eq!(refusal.field.as_deref(), Some("consequence"));
        }
    }
    // Inappropriate and insufficient information reports need no risk assessment.
    for closing in [Inappropriate, InsufficientInformation] {
        let record = ok(
            unassessed.clone(),
            classify(&[closing], None, None),
            &practitioner(),
            now(),
        );
        assert_eq!(decision_of(&record), BTreeSet::from([closing]));
    }
}

#[test]
fn r_int_matrix_endorsement_rechecks_rationale_when_assessment_changed_after_classifying() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    // The risk assessment is revised upwards after the report was classified.
    let record = update(
        record,
        |i| {
            i.consequence = Some(Consequence::Severe);
            i.probability = Some(Probability::VeryLikely);
        },
        now(),
    );
    let refusal = refused(&record, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-MATRIX");
    // Reclassifying with a rationale lets the team manager endorse.
    let record = ok(
        record,
        classify(
            &[CW],
            None,
            Some("Parent has left the home; safety plan agreed."),
        ),
        &practitioner(),
        now(),
    );
    endorse(record, &team_manager(), now());
}

// ------------------------------------------------------------------ R-INT-URGENT-1PM

fn urgent_pir_received(at: &str) -> Record {
    let report = Intake {
        received_at: melb(at),
        ..assessed(Consequence::Severe, Probability::VeryLikely)
    };
    let record = create(Details::Intake(report), &practitioner(), melb(at)).expect("registers");
    ok(
        record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        melb(at),
    )
}

#[test]
fn r_int_urgent_1pm_received_before_1pm_is_due_end_of_next_day() {
    let record = urgent_pir_received("2026-11-23 12:59");
    let at = melb("2026-11-23 15:00");
    let d = deadline(&record, "R-INT-URGENT-1PM", at).expect("urgent clock");
    assert_eq!(d.rule, "R-INT-URGENT-1PM");
    assert_eq!(due_at(&d), melb("2026-11-24 23:59:59"));
    assert!(matches!(d.status, Clock::Pending { .. }), "{:?}", d.status);
    assert!(deadline(&record, "R-INT-DL-STD", at).is_none());
}

#[test]
fn r_int_urgent_1pm_received_at_1pm_is_due_end_of_the_day_after_next() {
    let record = urgent_pir_received("2026-11-23 13:00");
    let d = deadline(&record, "R-INT-URGENT-1PM", melb("2026-11-23 15:00")).expect("urgent clock");
    assert_eq!(due_at(&d), melb("2026-11-25 23:59:59"));
}

#[test]
fn r_int_urgent_1pm_met_when_investigation_commenced_in_time() {
    let record = urgent_pir_received("2026-11-23 12:59");
    let started = melb("2026-11-24 16:00");
    let record = tick(record, "investigation_commenced", &practitioner(), started);
    let d = deadline(&record, "R-INT-URGENT-1PM", melb("2026-11-30 09:00")).expect("urgent clock");
    assert_eq!(d.status, Clock::Met { at: started });
}

#[test]
fn r_int_urgent_1pm_overdue_says_how_late() {
    let record = urgent_pir_received("2026-11-23 12:59");
    // Due Tue 24 Nov 23:59:59; two hours and one second later it is overdue by that much.
    let d = deadline(&record, "R-INT-URGENT-1PM", melb("2026-11-25 02:00")).expect("urgent clock");
    assert_eq!(d.status, Clock::Overdue { late_secs: 7_201 });
    // Commenced late, it is met late by the same measure.
    let record = tick(
        record,
        "investigation_commenced",
        &practitioner(),
        melb("2026-11-25 02:00"),
    );
    let d = deadline(&record, "R-INT-URGENT-1PM", melb("2026-11-26 09:00")).expect("urgent clock");
    assert_eq!(
        d.status,
        Clock::MetLate {
            at: melb("2026-11-25 02:00"),
            late_secs: 7_201
        }
    );
}

// ------------------------------------------------------------------ R-INT-DL-STD

#[test]
fn r_int_dl_std_standard_pir_is_due_14_days_after_receipt() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    assert!(deadline(&record, "R-INT-DL-STD", now()).is_none());
    let record = ok(
        record,
        classify(
            &[PIR],
            Some(Urgency::Standard),
            Some("Pattern of concerns over a year."),
        ),
        &practitioner(),
        now(),
    );
    let d = deadline(&record, "R-INT-DL-STD", now()).expect("standard clock");
    assert_eq!(d.rule, "R-INT-DL-STD");
    // Received Mon 23 Nov 2026 12:59: 14 calendar days end Mon 7 Dec.
    assert_eq!(due_at(&d), melb("2026-12-07 23:59:59"));
    assert!(matches!(d.status, Clock::Pending { .. }));
    assert!(deadline(&record, "R-INT-URGENT-1PM", now()).is_none());
    let d = deadline(&record, "R-INT-DL-STD", melb("2026-12-08 00:00")).expect("standard clock");
    assert_eq!(d.status, Clock::Overdue { late_secs: 1 });
}

#[test]
fn r_int_dl_std_no_investigation_clock_for_a_report_closed_at_intake() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    assert!(deadline(&record, "R-INT-DL-STD", now()).is_none());
    assert!(deadline(&record, "R-INT-URGENT-1PM", now()).is_none());
}

// ------------------------------------------------------------------ R-INT-DL-TM

#[test]
fn r_int_dl_tm_team_manager_consulted_within_3_days() {
    let record = new_intake(intake());
    let d = deadline(&record, "R-INT-DL-TM", now()).expect("team manager clock");
    assert_eq!(due_at(&d), melb("2026-11-26 23:59:59"));
    assert!(matches!(d.status, Clock::Pending { .. }));
    let late = deadline(&record, "R-INT-DL-TM", melb("2026-11-27 00:00")).expect("clock");
    assert_eq!(late.status, Clock::Overdue { late_secs: 1 });

    // The consultation may be recorded before the assess and classify stage.
    let consulted = melb("2026-11-25 10:00");
    let record = tick(record, "team_manager_consulted", &practitioner(), consulted);
    let d = deadline(&record, "R-INT-DL-TM", melb("2026-11-30 10:00")).expect("clock");
    assert_eq!(d.status, Clock::Met { at: consulted });
}

// ------------------------------------------------------------------ R-INT-DL-FB

#[test]
fn r_int_dl_fb_feedback_due_2_days_after_classification() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    let d = deadline(&record, "R-INT-DL-FB", now()).expect("feedback clock");
    assert_eq!(d.status, Clock::NotStarted);

    let classified = melb("2026-11-24 10:00");
    let record = ok(
        record,
        classify(&[CW], None, None),
        &practitioner(),
        classified,
    );
    let d = deadline(&record, "R-INT-DL-FB", classified).expect("feedback clock");
    assert_eq!(d.started_at, Some(classified));
    assert_eq!(due_at(&d), melb("2026-11-26 23:59:59"));

    let given = melb("2026-11-26 11:00");
    let record = tick(record, "feedback_given", &practitioner(), given);
    let d = deadline(&record, "R-INT-DL-FB", melb("2026-12-01 11:00")).expect("feedback clock");
    assert_eq!(d.status, Clock::Met { at: given });
}

#[test]
fn r_int_dl_fb_only_for_a_professional_reporter() {
    let mut report = assessed(Consequence::Concerning, Probability::Unlikely);
    report.reporter.professional = false;
    let record = new_intake(report);
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    assert!(deadline(&record, "R-INT-DL-FB", now()).is_none());
    let refusal = refused(
        &record,
        Command::Tick {
            item: "feedback_given".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_invalid(&refusal);
    let refusal = refused(
        &record,
        Command::RecordFeedbackException {
            reason: "not in the child's best interests".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-DL-FB");
}

/// R-DL-OWED changed this: the exception ends the deadline as excused, with its reason,
/// rather than removing it.
#[test]
fn r_int_dl_fb_a_recorded_feedback_exception_excuses_the_feedback() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let refusal = refused(
        &record,
        Command::RecordFeedbackException {
            reason: "  ".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-DL-FB");

    let record = ok(
        record,
        Command::RecordFeedbackException {
            reason: "Exceptional circumstances: reporter is the subject of a complaint."
                .to_string(),
        },
        &practitioner(),
        now(),
    );
    let d = deadline(&record, "R-INT-DL-FB", melb("2026-12-20 09:00")).expect("listed");
    assert_eq!(
        d.status,
        Clock::Excused {
            at: now(),
            reason: "Exceptional circumstances: reporter is the subject of a complaint."
                .to_string()
        }
    );
    assert!(!d.is_open());
    let refusal = refused(
        &record,
        Command::Tick {
            item: "feedback_given".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_invalid(&refusal);
}

// ------------------------------------------------------------------ R-INT-TTR

#[test]
fn r_int_ttr_child_aged_10_to_17_with_sexually_abusive_behaviour_requires_ttr() {
    // Received 23 Nov 2026: 10 today, and 17 until tomorrow.
    for dob in ["2016-11-23", "2012-06-01", "2008-11-24"] {
        let record = new_intake(sab_child_born(dob));
        let refusal = refused(
            &record,
            classify(&[PIR], Some(Urgency::Urgent), None),
            &practitioner(),
            now(),
        );
        assert_rule(&refusal, "R-INT-TTR");
        assert_eq!(refusal.field.as_deref(), Some("classifications"));
        let record = ok(
            record,
            classify(&[PIR, TTR], Some(Urgency::Urgent), None),
            &practitioner(),
            now(),
        );
        assert_eq!(
            decision_of(&record),
            BTreeSet::from([PIR, TTR]),
            "born {dob}"
        );
    }
}

#[test]
fn r_int_ttr_refused_for_a_child_aged_9_or_18() {
    // 9 until tomorrow; 18 today.
    for dob in ["2016-11-24", "2008-11-23"] {
        let record = new_intake(sab_child_born(dob));
        let refusal = refused(
            &record,
            classify(&[PIR, TTR], Some(Urgency::Urgent), None),
            &practitioner(),
            now(),
        );
        assert_rule(&refusal, "R-INT-TTR");
        ok(
            record,
            classify(&[PIR], Some(Urgency::Urgent), None),
            &practitioner(),
            now(),
        );
    }
}

#[test]
fn r_int_ttr_refused_without_sexually_abusive_behaviour() {
    let mut report = sab_child_born("2012-06-01");
    report.children[0].sexually_abusive_behaviour = false;
    let record = new_intake(report);
    let refusal = refused(
        &record,
        classify(&[PIR, TTR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-TTR");
}

#[test]
fn r_int_ttr_registered_item_appears_only_when_indicated() {
    let plain = new_intake(intake());
    let refusal = refused(
        &plain,
        Command::Tick {
            item: "ttr_registered".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_invalid(&refusal);

    let record = new_intake(sab_child_born("2012-06-01"));
    let record = tick_all(record, INTAKE_STAGE_1, &practitioner(), now());
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert_rule(&refusal, "R-STAGE");
    assert!(
        refusal
            .message
            .contains("Therapeutic treatment report registered"),
        "{refusal}"
    );
    let record = tick(record, "ttr_registered", &practitioner(), now());
    let record = advance(record, now());
    assert_eq!(record.stage, "seek_information");
}

// ------------------------------------------------------------------ R-INT-ABORIGINAL

#[test]
fn r_int_aboriginal_unknown_status_is_under_assessment() {
    let mut report = intake();
    report.parents.clear();
    let record = new_intake(report);
    assert_eq!(child_status(&record), AboriginalStatus::UnderAssessment);

    // A child sent without any status is also recorded as under assessment.
    let json = serde_json::json!({"person": {"name": "Casey Brown"}});
    let sent: Child = serde_json::from_value(json).expect("a child");
    assert_eq!(
        sent.person.aboriginal_status,
        AboriginalStatus::UnderAssessment
    );
}

#[test]
fn r_int_aboriginal_a_parent_identifying_makes_the_child_identify_on_create() {
    for (mother, father) in [
        (
            AboriginalStatus::NotAboriginal,
            AboriginalStatus::Aboriginal,
        ),
        (
            AboriginalStatus::Aboriginal,
            AboriginalStatus::NotAboriginal,
        ),
        (
            AboriginalStatus::Aboriginal,
            AboriginalStatus::UnderAssessment,
        ),
    ] {
        let mut report = intake();
        report.children[0].person.aboriginal_status = AboriginalStatus::NotAboriginal;
        report.parents = vec![
            parent("Alex Brown", "mother", mother),
            parent("Sam Brown", "father", father),
        ];
        let record = new_intake(report);
        assert_eq!(child_status(&record), AboriginalStatus::Aboriginal);
    }
    // A Torres Strait Islander parent: the child is recorded as Torres Strait Islander.
    let mut report = intake();
    report.parents = vec![
        parent("Alex Brown", "mother", AboriginalStatus::NotAboriginal),
        parent(
            "Sam Brown",
            "father",
            AboriginalStatus::TorresStraitIslander,
        ),
    ];
    let record = new_intake(report);
    assert_eq!(
        child_status(&record),
        AboriginalStatus::TorresStraitIslander
    );
}

#[test]
fn r_int_aboriginal_identifications_of_both_parents_are_combined() {
    let mut report = intake();
    report.parents = vec![
        parent("Alex Brown", "mother", AboriginalStatus::Aboriginal),
        parent(
            "Sam Brown",
            "father",
            AboriginalStatus::TorresStraitIslander,
        ),
    ];
    let record = new_intake(report);
    assert_eq!(
        child_status(&record),
        AboriginalStatus::AboriginalAndTorresStraitIslander
    );
    // A child recorded as Torres Strait Islander with an Aboriginal parent is both.
    let mut report = intake();
    report.children[0].person.aboriginal_status = AboriginalStatus::TorresStraitIslander;
    report.parents = vec![parent("Alex Brown", "mother", AboriginalStatus::Aboriginal)];
    let record = new_intake(report);
    assert_eq!(
        child_status(&record),
        AboriginalStatus::AboriginalAndTorresStraitIslander
    );
}

#[test]
fn r_int_aboriginal_no_parent_identifying_leaves_the_childs_status() {
    let mut report = intake();
    report.children[0].person.aboriginal_status = AboriginalStatus::NotAboriginal;
    report.parents = vec![
        parent("Alex Brown", "mother", AboriginalStatus::NotAboriginal),
        parent("Sam Brown", "father", AboriginalStatus::UnderAssessment),
    ];
    let record = new_intake(report);
    assert_eq!(child_status(&record), AboriginalStatus::NotAboriginal);
}

#[test]
fn r_int_aboriginal_a_parent_identifying_makes_the_child_identify_on_update() {
    let record = new_intake(intake());
    assert_eq!(child_status(&record), AboriginalStatus::UnderAssessment);
    let record = update(
        record,
        |i| {
            i.children[0].person.aboriginal_status = AboriginalStatus::NotAboriginal;
            i.parents
                .push(parent("Sam Brown", "father", AboriginalStatus::Aboriginal));
        },
        now(),
    );
    assert_eq!(child_status(&record), AboriginalStatus::Aboriginal);
}

/// Two children; the mother is the first child's parent only, the father both's.
fn two_children(mother: AboriginalStatus) -> Intake {
    let mut report = intake();
    report.children.push(Child {
        person: person("Jamie Brown", "2020-05-01"),
        sexually_abusive_behaviour: false,
        rso_contact: false,
        prior_reports: Vec::new(),
        known_reports: Vec::new(),
    });
    report.parents = vec![
        Parent {
            parent_of: Some(vec![0]),
            ..parent("Alex Brown", "mother", mother)
        },
        parent("Sam Brown", "father", AboriginalStatus::NotAboriginal),
    ];
    report
}

fn statuses(record: &Record) -> Vec<AboriginalStatus> {
    record
        .intake()
        .expect("an intake")
        .children
        .iter()
        .map(|c| c.person.aboriginal_status)
        .collect()
}

#[test]
fn r_int_aboriginal_a_child_follows_their_own_parents_not_another_child_s() {
    let record = new_intake(two_children(AboriginalStatus::Aboriginal));
    assert_eq!(
        statuses(&record),
        vec![
            AboriginalStatus::Aboriginal,
            AboriginalStatus::UnderAssessment
        ],
        "the mother is the first child's parent, not the second's"
    );
}

#[test]
fn r_int_aboriginal_a_caregiver_who_is_no_child_s_parent_does_not_count() {
    let mut report = intake();
    report.parents.push(Parent {
        parent_of: Some(Vec::new()),
        ..parent(
            "Kerry Smith",
            "mother's partner",
            AboriginalStatus::Aboriginal,
        )
    });
    let record = new_intake(report);
    assert_eq!(child_status(&record), AboriginalStatus::UnderAssessment);
}

#[test]
fn r_int_aboriginal_a_link_to_a_child_the_report_does_not_have_is_refused() {
    let mut report = intake();
    report.parents[0].parent_of = Some(vec![1]);
    let refusal = create(Details::Intake(report), &practitioner(), now()).expect_err("refused");
    assert_eq!(refusal.field.as_deref(), Some("parents"), "{refusal}");
    assert!(refusal.message.contains("child 1"), "{refusal}");
}

#[test]
fn r_int_aboriginal_a_corrected_parent_status_re_derives_the_child_s() {
    let record = new_intake(two_children(AboriginalStatus::Aboriginal));
    // The mother's status was recorded in error: her child no longer follows it.
    let record = update(
        record,
        |i| i.parents[0].person.aboriginal_status = AboriginalStatus::NotAboriginal,
        now(),
    );
    assert_eq!(
        statuses(&record),
        vec![
            AboriginalStatus::UnderAssessment,
            AboriginalStatus::UnderAssessment
        ]
    );
    // The father identifies after all: both his children follow.
    let record = update(
        record,
        |i| i.parents[1].person.aboriginal_status = AboriginalStatus::TorresStraitIslander,
        now(),
    );
    assert_eq!(
        statuses(&record),
        vec![
            AboriginalStatus::TorresStraitIslander,
            AboriginalStatus::TorresStraitIslander
        ]
    );
}

#[test]
fn r_int_aboriginal_a_status_set_by_hand_with_a_reason_stays_when_a_parent_s_is_corrected() {
    let record = new_intake(two_children(AboriginalStatus::Aboriginal));
    let record = update(
        record,
        |i| {
            i.children[0].person.aboriginal_status_reason =
                Some("the child's grandmother confirmed the family's connection".into());
        },
        now(),
    );
    let record = update(
        record,
        |i| i.parents[0].person.aboriginal_status = AboriginalStatus::NotAboriginal,
        now(),
    );
    assert_eq!(child_status(&record), AboriginalStatus::Aboriginal);

    // A blank reason is no reason.
    let mut details = intake_details(&record);
    details.children[1].person.aboriginal_status_reason = Some("  ".into());
    let refusal = refused(
        &record,
        Command::UpdateIntake { intake: details },
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-ABORIGINAL");
}

// ------------------------------------------------------------------ R-INT-ACSASS

#[test]
fn r_int_acsass_endorsement_of_an_aboriginal_childs_classification_refused_until_consulted() {
    let mut report = assessed(Consequence::Severe, Probability::Likely);
    report
        .parents
        .push(parent("Sam Brown", "father", AboriginalStatus::Aboriginal));
    let record = new_intake(report);
    let record = ok(
        record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    let refusal = refused(&record, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-ACSASS");
    assert!(refusal.message.contains("ACSASS consulted"), "{refusal}");

    // R-INT-ACSASS: consulted on the registration before it is complete, and on the
    // classification before it is endorsed.
    let refusal = refused(&record, tick_command("registered"), &practitioner(), now());
    assert_rule(&refusal, "R-ORDER-1");
    assert!(refusal.message.contains("ACSASS"), "{refusal}");
    let record = tick(record, "acsass_registration", &practitioner(), now());
    let record = tick_all(record, INTAKE_STAGE_1, &practitioner(), now());
    let record = advance(record, now());
    let record = tick(record, "acsass_consulted", &practitioner(), now());
    let record = endorse(record, &team_manager(), now());
    assert!(record.is_done("endorsed"));
}

fn tick_command(item: &str) -> Command {
    Command::Tick {
        item: item.to_string(),
    }
}

#[test]
fn r_int_police_physical_or_sexual_abuse_or_serious_neglect_goes_to_police() {
    use cims::domain::model::ReportedHarm;
    let police = |harm: &[ReportedHarm]| {
        let mut report = intake();
        report.harm_types = harm.iter().copied().collect();
        item_applies(&new_intake(report), "police_contacted")
    };
    assert!(police(&[ReportedHarm::PhysicalAbuse]));
    assert!(police(&[ReportedHarm::SexualAbuse]));
    assert!(police(&[
        ReportedHarm::Neglect,
        ReportedHarm::SeriousNeglect
    ]));
    assert!(!police(&[
        ReportedHarm::Neglect,
        ReportedHarm::EmotionalAbuse
    ]));
    assert!(!police(&[]));
    // Required where it applies: the seek-information stage waits for it.
    let mut report = intake();
    report.harm_types = [ReportedHarm::PhysicalAbuse].into();
    let mut record = at_seek_information(report);
    for item in INTAKE_STAGE_2 {
        record = tick(record, item, &practitioner(), now());
    }
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert!(refusal.message.contains("Victoria Police"), "{refusal}");
    let record = tick(record, "police_contacted", &practitioner(), now());
    advance(record, now());
}

#[test]
fn r_int_acsass_item_applies_only_to_an_aboriginal_child() {
    let record = at_seek_information(intake());
    let refusal = refused(
        &record,
        Command::Tick {
            item: "acsass_consulted".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_invalid(&refusal);
}

// ------------------------------------------------------------------ R-INT-FV

fn family_violence() -> Intake {
    Intake {
        family_violence: true,
        ..assessed(Consequence::Severe, Probability::Likely)
    }
}

#[test]
fn r_int_fv_classification_refused_without_maram_rating() {
    let record = new_intake(family_violence());
    let refusal = refused(
        &record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-FV");
    assert_eq!(refusal.field.as_deref(), Some("maram"));

    let record = update(record, |i| i.maram = Some(MaramRating::SeriousRisk), now());
    ok(
        record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
}

#[test]
fn r_int_fv_endorsement_refused_when_family_violence_is_flagged_after_classifying() {
    let record = new_intake(assessed(Consequence::Severe, Probability::Likely));
    let record = ok(
        record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    let record = update(record, |i| i.family_violence = true, now());
    let refusal = refused(&record, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-FV");
    let record = update(record, |i| i.maram = Some(MaramRating::AtRisk), now());
    endorse(record, &team_manager(), now());
}

#[test]
fn r_int_fv_l17_search_and_maram_rating_items_appear_with_family_violence() {
    let plain = at_seek_information(intake());
    for item in ["l17_search", "maram_rating"] {
        let refusal = refused(
            &plain,
            Command::Tick {
                item: item.to_string(),
            },
            &practitioner(),
            now(),
        );
        assert_invalid(&refusal);
    }

    let record = at_seek_information(family_violence());
    let record = tick_all(record, INTAKE_STAGE_2, &practitioner(), now());
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert_rule(&refusal, "R-STAGE");
    assert!(
        refusal.message.contains("L17 Family Violence Portal"),
        "{refusal}"
    );
    assert!(refusal.message.contains("MARAM risk rating"), "{refusal}");
    let record = tick_all(
        record,
        &["l17_search", "maram_rating"],
        &practitioner(),
        now(),
    );
    assert!(record.is_done("l17_search") && record.is_done("maram_rating"));
}

#[test]
fn r_int_fv_advancing_from_seek_information_refused_without_maram_rating() {
    let record = at_seek_information(family_violence());
    let record = tick_all(record, INTAKE_STAGE_2, &practitioner(), now());
    // Ticking the item does not record a rating.
    let record = tick_all(
        record,
        &["l17_search", "maram_rating"],
        &practitioner(),
        now(),
    );
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert_rule(&refusal, "R-INT-FV");
    assert_eq!(refusal.field.as_deref(), Some("maram"));

    let record = update(record, |i| i.maram = Some(MaramRating::ElevatedRisk), now());
    let record = advance(record, now());
    assert_eq!(record.stage, "assess_classify");
}

// ------------------------------------------------------------------ R-INT-REREPORT-3

#[test]
fn r_int_rereport_3_closing_a_third_report_needs_the_daoms_decision_not_to_investigate() {
    let record = new_intake(with_priors(&[("2026-02-10", false), ("2026-07-01", false)]));
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let refusal = refused(&record, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-REREPORT-3");

    // Only the DAOM decides, with a rationale.
    let decide = |investigate: bool, rationale: &str| Command::DecideRereport {
        investigate,
        rationale: rationale.to_string(),
    };
    let refusal = refused(&record, decide(false, "low risk"), &team_manager(), now());
    assert_eq!(refusal.kind, RefusalKind::Forbidden);
    let refusal = refused(&record, decide(false, " "), &daom(), now());
    assert_rule(&refusal, "R-INT-REREPORT-3");

    // A decision to investigate does not let the report close.
    let investigate = ok(
        record.clone(),
        decide(true, "pattern of neglect"),
        &daom(),
        now(),
    );
    assert!(investigate.is_done("rereport_reviewed"));
    let refusal = refused(&investigate, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-REREPORT-3");

    let record = ok(
        record,
        decide(
            false,
            "Earlier reports were about a sibling's school attendance.",
        ),
        &daom(),
        now(),
    );
    assert!(record.is_done("rereport_reviewed"));
    let decision = record
        .intake()
        .and_then(|i| i.rereport_decision.clone())
        .expect("recorded");
    assert!(!decision.investigate);
    assert_eq!(decision.by, "dan");
    let record = endorse(record, &team_manager(), now());
    assert!(record.is_done("endorsed"));
}

#[test]
fn r_int_rereport_3_investigating_the_third_report_needs_no_daom_decision() {
    let record = new_intake(with_priors(&[("2026-02-10", false), ("2026-07-01", false)]));
    let record = ok(
        record,
        classify(
            &[PIR],
            Some(Urgency::Standard),
            Some("Third report in a year."),
        ),
        &practitioner(),
        now(),
    );
    endorse(record, &team_manager(), now());
}

#[test]
fn r_int_rereport_3_a_prior_investigated_report_in_the_window_stops_it() {
    let record = new_intake(with_priors(&[("2026-02-10", false), ("2026-07-01", true)]));
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let refusal = refused(
        &record,
        Command::DecideRereport {
            investigate: false,
            rationale: "n/a".to_string(),
        },
        &daom(),
        now(),
    );
    assert_rule(&refusal, "R-INT-REREPORT-3");
    endorse(record, &team_manager(), now());
}

#[test]
fn r_int_rereport_3_reports_older_than_12_months_do_not_count() {
    // Received 23 Nov 2026: the window opens 23 Nov 2025.
    let outside = new_intake(with_priors(&[("2025-11-22", false), ("2026-07-01", false)]));
    let outside = ok(outside, classify(&[CW], None, None), &practitioner(), now());
    endorse(outside, &team_manager(), now());

    let inside = new_intake(with_priors(&[("2025-11-23", false), ("2026-07-01", false)]));
    let inside = ok(inside, classify(&[CW], None, None), &practitioner(), now());
    let refusal = refused(&inside, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-REREPORT-3");
}

#[test]
fn r_int_rereport_3_review_item_applies_to_a_third_report() {
    let record = at_seek_information(with_priors(&[("2026-02-10", false), ("2026-07-01", false)]));
    let record = tick_all(record, INTAKE_STAGE_2, &practitioner(), now());
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert_rule(&refusal, "R-STAGE");
    assert!(
        refusal.message.contains("DAOM reviewed the third report"),
        "{refusal}"
    );
    // It is completed by the DAOM's decision, not a tick.
    let refusal = refused(
        &record,
        Command::Tick {
            item: "rereport_reviewed".to_string(),
        },
        &daom(),
        now(),
    );
    assert_invalid(&refusal);
}

// ------------------------------------------------------------------ R-INT-REREPORT-5

#[test]
fn r_int_rereport_5_four_prior_uninvestigated_reports_need_an_independent_review() {
    let priors = [
        ("2019-03-01", false),
        ("2021-05-01", false),
        ("2023-08-01", false),
        ("2024-10-01", false),
    ];
    let record = at_seek_information(with_priors(&priors));
    let record = tick_all(record, INTAKE_STAGE_2, &practitioner(), now());
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert_rule(&refusal, "R-STAGE");
    assert!(
        refusal.message.contains("Independent review considered"),
        "{refusal}"
    );
    // The DAOM considers it.
    let refusal = refused(
        &record,
        Command::Tick {
            item: "independent_review".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_eq!(refusal.kind, RefusalKind::Forbidden);
    let record = tick(record, "independent_review", &daom(), now());
    let record = advance(record, now());
    assert_eq!(record.stage, "assess_classify");
}

#[test]
fn r_int_rereport_5_fewer_or_investigated_reports_need_no_independent_review() {
    for priors in [
        vec![
            ("2019-03-01", false),
            ("2021-05-01", false),
            ("2023-08-01", false),
        ],
        vec![
            ("2019-03-01", false),
            ("2021-05-01", true),
            ("2023-08-01", false),
            ("2024-10-01", false),
        ],
    ] {
        let record = at_seek_information(with_priors(&priors));
        let refusal = refused(
            &record,
            Command::Tick {
                item: "independent_review".to_string(),
            },
            &daom(),
            now(),
        );
        assert_invalid(&refusal);
    }
}

/// R-INT-REREPORT-3 and R-INT-REREPORT-5 count the reports since the last investigation:
/// an investigation long ago does not silence the reports that came after it.
#[test]
fn r_int_rereport_counts_reports_since_the_last_investigation() {
    use cims::domain::rules::intake::{fifth_report, third_report};
    let params = &crate::fixtures::current().parameters;
    let after_old_investigation = with_priors(&[
        ("2015-06-01", true),
        ("2019-03-01", false),
        ("2021-05-01", false),
        ("2023-08-01", false),
        ("2024-10-01", false),
    ]);
    assert!(fifth_report(&after_old_investigation, params));
    let investigated_early_in_window = with_priors(&[
        ("2026-01-10", true),
        ("2026-03-01", false),
        ("2026-07-01", false),
    ]);
    assert!(third_report(&investigated_early_in_window, params));
    let investigated_last = with_priors(&[
        ("2026-01-10", false),
        ("2026-03-01", false),
        ("2026-07-01", true),
    ]);
    assert!(!third_report(&investigated_last, params));
}

/// R-INT-REREPORT-3 (§9): the reports cims holds on the same child count with those typed
/// in by hand; one report typed in and also held by cims counts once.
#[test]
fn r_int_rereport_3_counts_reports_cims_holds_on_the_child_and_a_typed_duplicate_once() {
    use cims::domain::rules::intake::third_report;
    let params = &crate::fixtures::current().parameters;
    let known = |on: &str| PriorReport {
        received_on: date(on),
        investigated: false,
    };
    let mut report = with_priors(&[]);
    report.children[0].known_reports = vec![known("2026-06-01")];
    assert!(!third_report(&report, params), "two reports");
    report.children[0].known_reports.push(known("2026-09-01"));
    assert!(
        third_report(&report, params),
        "three, two of them cims's own"
    );
    let mut typed_again = with_priors(&[("2026-09-01", false)]);
    typed_again.children[0].known_reports = vec![known("2026-09-01")];
    assert!(
        !third_report(&typed_again, params),
        "one earlier report, typed and held"
    );
    typed_again.children[0]
        .known_reports
        .push(known("2026-06-01"));
    assert!(third_report(&typed_again, params));
}

// ------------------------------------------------------------------ R-INT-RSO

fn rso_report() -> Record {
    let mut report = assessed(Consequence::Concerning, Probability::Unlikely);
    report.children[0].rso_contact = true;
    new_intake(report)
}

#[test]
fn r_int_rso_closing_is_endorsed_only_by_a_practice_leader_or_principal_practitioner() {
    let record = ok(
        rso_report(),
        classify(&[CW], None, None),
        &practitioner(),
        now(),
    );
    for manager in [team_manager(), daom()] {
        let refusal = refused(&record, Command::Endorse, &manager, now());
        assert_rule(&refusal, "R-INT-RSO");
    }
    for senior in [practice_leader(), principal_practitioner()] {
        let endorsed = endorse(record.clone(), &senior, now());
        assert!(endorsed.is_done("endorsed"));
    }
}

#[test]
fn r_int_rso_an_investigated_report_is_endorsed_by_a_team_manager() {
    let record = ok(
        rso_report(),
        classify(
            &[PIR],
            Some(Urgency::Standard),
            Some("Contact with a registered sex offender."),
        ),
        &practitioner(),
        now(),
    );
    endorse(record, &team_manager(), now());
}

// ------------------------------------------------------------------ R-INT-NOCONTACT

fn contact(purpose: ContactPurpose) -> Command {
    Command::RecordContact { purpose }
}

#[test]
fn r_int_nocontact_contact_to_assess_risk_is_always_refused() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    let refusal = refused(
        &record,
        contact(ContactPurpose::RiskAssessment),
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-NOCONTACT");
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let refusal = refused(
        &record,
        contact(ContactPurpose::RiskAssessment),
        &team_manager(),
        now(),
    );
    assert_rule(&refusal, "R-INT-NOCONTACT");
}

#[test]
fn r_int_nocontact_contact_for_assistance_only_after_a_child_wellbeing_classification() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    let purpose = ContactPurpose::AssistanceOrReferral;
    let refusal = refused(&record, contact(purpose), &practitioner(), now());
    assert_rule(&refusal, "R-INT-NOCONTACT");

    let pir = ok(
        record.clone(),
        classify(
            &[PIR],
            Some(Urgency::Standard),
            Some("Pattern of concerns."),
        ),
        &practitioner(),
        now(),
    );
    let refusal = refused(&pir, contact(purpose), &practitioner(), now());
    assert_rule(&refusal, "R-INT-NOCONTACT");

    let wellbeing = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let before = wellbeing.version;
    let after = ok(wellbeing, contact(purpose), &practitioner(), now());
    assert_eq!(after.version, before + 1);
}

// ------------------------------------------------------------------ R-STAGE

#[test]
fn r_stage_intake_advancing_with_required_items_outstanding_is_refused_and_names_them() {
    let record = new_intake(intake());
    let record = tick_all(record, &INTAKE_STAGE_1[..4], &practitioner(), now());
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert_rule(&refusal, "R-STAGE");
    assert!(refusal.message.contains("receive_register"), "{refusal}");
    assert!(
        refusal
            .message
            .contains("Concerns recorded under the essential information categories"),
        "{refusal}"
    );
    assert!(
        refusal
            .message
            .contains("Report registered with an intake type"),
        "{refusal}"
    );
    // Items already done, and items that do not apply, are not named.
    assert!(!refusal.message.contains("Reporter recorded"), "{refusal}");
    assert!(
        !refusal.message.contains("Therapeutic treatment"),
        "{refusal}"
    );
    assert!(!refusal.message.contains("Privacy breach"), "{refusal}");
}

#[test]
fn r_stage_intake_items_of_a_later_stage_wait_for_it() {
    let record = new_intake(intake());
    let refusal = refused(
        &record,
        Command::Tick {
            item: "cris_search".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-STAGE");
}

#[test]
fn r_stage_intake_full_walk_to_a_report_closed_at_intake() {
    let at = |t: &str| melb(t);
    let record = new_intake(intake());
    assert_eq!(record.stage, "receive_register");
    let record = tick_all(
        record,
        INTAKE_STAGE_1,
        &practitioner(),
        at("2026-11-23 14:00"),
    );
    let record = advance(record, at("2026-11-23 14:05"));
    assert_eq!(record.stage, "seek_information");

    let record = tick_all(
        record,
        INTAKE_STAGE_2,
        &practitioner(),
        at("2026-11-24 09:00"),
    );
    let record = advance(record, at("2026-11-24 09:05"));
    assert_eq!(record.stage, "assess_classify");

    let record = update(
        record,
        |i| {
            i.consequence = Some(Consequence::Concerning);
            i.probability = Some(Probability::Likely);
        },
        at("2026-11-24 10:00"),
    );
    let record = tick_all(
        record,
        INTAKE_STAGE_3,
        &practitioner(),
        at("2026-11-24 10:30"),
    );
    let refusal = refused(
        &record,
        Command::AdvanceStage,
        &practitioner(),
        at("2026-11-24 10:40"),
    );
    assert_rule(&refusal, "R-STAGE");
    assert!(
        refusal
            .message
            .contains("Classification and urgency decided"),
        "{refusal}"
    );
    let record = ok(
        record,
        classify(
            &[CW],
            None,
            Some("Family accepts support; referral to The Orange Door."),
        ),
        &practitioner(),
        at("2026-11-24 11:00"),
    );
    let record = advance(record, at("2026-11-24 11:05"));
    assert_eq!(record.stage, "conclude");

    let record = endorse(record, &team_manager(), at("2026-11-24 14:00"));
    let record = ok(
        record,
        contact(ContactPurpose::AssistanceOrReferral),
        &practitioner(),
        at("2026-11-24 15:00"),
    );
    let record = tick_all(
        record,
        &["feedback_given", "referral_accepted", "records_complete"],
        &practitioner(),
        at("2026-11-25 10:00"),
    );
    let refusal = refused(
        &record,
        Command::AdvanceStage,
        &practitioner(),
        at("2026-11-25 10:05"),
    );
    assert_rule(&refusal, "R-STAGE");
    // Closing is a manager's decision.
    let refusal = refused(
        &record,
        Command::Close {
            reason: "Referral accepted".to_string(),
        },
        &practitioner(),
        at("2026-11-25 11:00"),
    );
    assert_eq!(refusal.kind, RefusalKind::Forbidden);
    let record = ok(
        record,
        Command::Close {
            reason: "Referral accepted by The Orange Door".to_string(),
        },
        &team_manager(),
        at("2026-11-25 11:00"),
    );
    assert_eq!(record.status, Status::Closed);

    // Every clock that applied was met.
    let open: Vec<_> = deadlines(&record, policies(), at("2026-12-31 09:00"))
        .into_iter()
        .filter(|d| d.is_open())
        .map(|d| d.id)
        .collect();
    assert!(open.is_empty(), "{open:?}");
    let refusal = refused(
        &record,
        Command::AddNote {
            category: None,
            text: "late note".to_string(),
            protected_spans: Vec::new(),
        },
        &practitioner(),
        at("2026-11-26 09:00"),
    );
    assert_invalid(&refusal);
}

#[test]
fn r_stage_intake_full_walk_of_an_urgent_pir() {
    let record = new_intake(assessed(Consequence::Severe, Probability::VeryLikely));
    let record = tick_all(record, INTAKE_STAGE_1, &practitioner(), now());
    let record = advance(record, now());
    let record = tick_all(
        record,
        &[
            "supervisor_consulted",
            "cris_search",
            "responsible_for_harm_check",
        ],
        &practitioner(),
        now(),
    );
    let record = ok(
        record,
        Command::Waive {
            item: "professional_information".to_string(),
            reason: "Urgent: no time to seek professional information".to_string(),
        },
        &team_manager(),
        now(),
    );
    let record = advance(record, now());
    let record = tick_all(record, INTAKE_STAGE_3, &practitioner(), now());
    let record = ok(
        record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    let record = advance(record, now());
    assert_eq!(record.stage, "conclude");
    // The handover follows the endorsement.
    let refusal = refused(
        &record,
        Command::Tick {
            item: "handover".to_string(),
        },
        &practitioner(),
        now(),
    );
    // R-ORDER-1 changed this: the order of items is its own rule.
    assert_rule(&refusal, "R-ORDER-1");
    let record = endorse(record, &team_manager(), melb("2026-11-23 15:00"));
    let record = tick_all(
        record,
        &["handover", "investigation_commenced", "feedback_given"],
        &practitioner(),
        melb("2026-11-23 17:00"),
    );
    // Closing-at-intake items do not apply to an investigated report.
    let refusal = refused(
        &record,
        Command::Tick {
            item: "referral_accepted".to_string(),
        },
        &practitioner(),
        now(),
    );
    assert_invalid(&refusal);
    let refusal = refused(&record, Command::AdvanceStage, &practitioner(), now());
    assert_rule(&refusal, "R-STAGE");
    let record = ok(
        record,
        Command::Close {
            reason: "Handed over to investigation".to_string(),
        },
        &team_manager(),
        melb("2026-11-23 17:30"),
    );
    assert_eq!(record.status, Status::Closed);
    let d = deadline(&record, "R-INT-URGENT-1PM", melb("2026-12-01 09:00")).expect("urgent");
    assert_eq!(
        d.status,
        Clock::Met {
            at: melb("2026-11-23 17:00")
        }
    );
}

// ------------------------------------------------------------------ permissions

#[test]
fn permissions_a_non_casework_actor_cannot_classify() {
    let record = new_intake(assessed(Consequence::Severe, Probability::Likely));
    let cso_officer = actor(
        "olga",
        "anglicare",
        OrgKind::Cso,
        &[Role::IncidentDelegate],
        false,
    );
    let analyst = actor(
        "ana",
        "dffh",
        OrgKind::Department,
        &[Role::Viewer, Role::Admin],
        false,
    );
    for outsider in [delegate(), cso_officer, regulator(), analyst] {
        let refusal = refused(
            &record,
            classify(&[PIR], Some(Urgency::Urgent), None),
            &outsider,
            now(),
        );
        assert_eq!(refusal.kind, RefusalKind::Forbidden, "{}", outsider.user);
        assert!(refusal.message.contains("classify_intake"), "{refusal}");
    }
    // Endorsement is for managers only.
    let record = ok(
        record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    let refusal = refused(&record, Command::Endorse, &practitioner(), now());
    assert_eq!(refusal.kind, RefusalKind::Forbidden);
}

// ------------------------------------------------------------------ R-INT-AUTO-PIR

fn automatic_pir() -> Record {
    let mut report = assessed(Consequence::Concerning, Probability::Unlikely);
    report.auto_pir.insert("current_order".to_string());
    new_intake(report)
}

#[test]
fn r_int_auto_pir_only_a_team_manager_or_above_decides_against_it() {
    let record = automatic_pir();
    let refusal = refused(
        &record,
        classify(&[CW], None, Some("family engaged with services")),
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-AUTO-PIR");
    let refusal = refused(&record, classify(&[CW], None, None), &team_manager(), now());
    assert_rule(&refusal, "R-INT-AUTO-PIR");
    assert_eq!(refusal.field.as_deref(), Some("rationale"));
    let decided = ok(
        record.clone(),
        classify(&[CW], None, Some("order expires this week; family engaged")),
        &team_manager(),
        now(),
    );
    assert_eq!(decision_of(&decided), BTreeSet::from([CW]));
    // Classifying as a PIR needs no manager.
    ok(
        record,
        classify(&[PIR], Some(Urgency::Standard), Some("standard response")),
        &practitioner(),
        now(),
    );
}

#[test]
fn r_int_auto_pir_circumstances_must_be_ones_the_policy_lists() {
    let mut report = intake();
    report.auto_pir.insert("made_up".to_string());
    let refusal = create(Details::Intake(report), &practitioner(), now()).expect_err("refused");
    assert_invalid(&refusal);
    assert_eq!(refusal.field.as_deref(), Some("auto_pir"));
}

// ------------------------------------------------------------ after endorsement

#[test]
fn r_int_class_the_endorsed_risk_assessment_does_not_change() {
    let record = new_intake(assessed(Consequence::Concerning, Probability::Unlikely));
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let record = endorse(record, &team_manager(), now());
    let mut changed = intake_details(&record);
    changed.consequence = Some(Consequence::Severe);
    let refusal = refused(
        &record,
        Command::UpdateIntake { intake: changed },
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-CLASS");
    let mut corrected = intake_details(&record);
    corrected.children[0].person.name = "Casey Browne".to_string();
    ok(
        record,
        Command::UpdateIntake { intake: corrected },
        &practitioner(),
        now(),
    );
}

#[test]
fn intake_users_of_another_organisation_cannot_act_on_the_report() {
    let record = new_intake(intake());
    let refusal = refused(
        &record,
        classify(&[PIR], Some(Urgency::Urgent), None),
        &crate::fixtures::cso_delegate(),
        now(),
    );
    assert_eq!(refusal.kind, RefusalKind::Forbidden);
}

fn intake_details(record: &Record) -> Intake {
    record.intake().expect("an intake").clone()
}

/// R-INT-MATRIX: the risk assessment may be recorded with the decision, and is judged
/// together with it.
#[test]
fn r_int_matrix_assessment_and_decision_in_one_command() {
    let record = new_intake(intake());
    let with =
        |classes: &[Classification], urgency, rationale: Option<&str>| Command::ClassifyIntake {
            classifications: classes.iter().copied().collect(),
            urgency,
            rationale: rationale.map(String::from),
            consequence: Some(Consequence::Severe),
            probability: Some(Probability::Likely),
        };
    let refusal = refused(&record, with(&[CW], None, None), &practitioner(), now());
    assert_rule(&refusal, "R-INT-MATRIX");
    let classified = ok(
        record,
        with(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    let intake = classified.intake().expect("an intake");
    assert_eq!(intake.consequence, Some(Consequence::Severe));
    assert_eq!(intake.probability, Some(Probability::Likely));
    assert_eq!(decision_of(&classified), BTreeSet::from([PIR]));
}

// ------------------------------------------------------------------ the procedure as written

#[test]
fn r_int_ttr_with_the_age_unknown_is_the_practitioners_judgement() {
    let unknown = || {
        let mut report = sab_child_born("2014-03-10");
        report.children[0].person.date_of_birth = None;
        new_intake(report)
    };
    // Neither required nor refused.
    ok(
        unknown(),
        classify(&[PIR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
    ok(
        unknown(),
        classify(&[PIR, TTR], Some(Urgency::Urgent), None),
        &practitioner(),
        now(),
    );
}

#[test]
fn r_int_ttr_may_stand_with_a_child_wellbeing_report_and_is_investigated() {
    let mut report = sab_child_born("2014-03-10");
    report.consequence = Some(Consequence::Concerning);
    report.probability = Some(Probability::Unlikely);
    let record = ok(
        new_intake(report),
        classify(&[CW, TTR], None, None),
        &practitioner(),
        now(),
    );
    let investigated = |record: &Record| {
        ["handover", "investigation_commenced"].map(|id| item_applies(record, id))
    };
    assert_eq!(
        investigated(&record),
        [true, true],
        "every TTR is investigated"
    );
    // Two closing classifications still do not stand together.
    let refusal = refused(
        &new_intake(assessed(Consequence::Concerning, Probability::Unlikely)),
        classify(&[CW, Inappropriate], None, None),
        &practitioner(),
        now(),
    );
    assert_rule(&refusal, "R-INT-CLASS");
}

#[test]
fn r_int_ra_inappropriate_and_insufficient_reports_need_no_risk_assessment() {
    for class in [Inappropriate, InsufficientInformation] {
        let record = ok(
            new_intake(intake()),
            classify(&[class], None, None),
            &practitioner(),
            now(),
        );
        assert!(!item_applies(&record, "risk_assessment"), "{class:?}");
    }
    let record = ok(
        new_intake(assessed(Consequence::Concerning, Probability::Unlikely)),
        classify(&[CW], None, None),
        &practitioner(),
        now(),
    );
    assert!(item_applies(&record, "risk_assessment"));
}

#[test]
fn r_int_endorse_the_classifier_does_not_endorse_their_own_classification() {
    let record = ok(
        new_intake(assessed(Consequence::Concerning, Probability::Unlikely)),
        classify(&[CW], None, None),
        &team_manager(),
        now(),
    );
    let refusal = refused(&record, Command::Endorse, &team_manager(), now());
    assert_rule(&refusal, "R-INT-ENDORSE");
    let mut other = team_manager();
    other.user = "tom".into();
    endorse(record, &other, now());
}

#[test]
fn r_int_rereport_3_the_daom_may_delegate_the_decision_to_a_team_manager_or_above() {
    let record = new_intake(with_priors(&[("2026-02-10", false), ("2026-07-01", false)]));
    let record = ok(record, classify(&[CW], None, None), &practitioner(), now());
    let decide = || Command::DecideRereport {
        investigate: false,
        rationale: "Safety plan in place; family engaged with services.".to_string(),
    };
    let delegate_to = |to: &str| Command::DelegateRereport { to: to.to_string() };
    // Not delegated: a team manager may not decide.
    assert_eq!(
        refused(&record, decide(), &team_manager(), now()).kind,
        RefusalKind::Forbidden
    );
    // Only the DAOM delegates.
    assert_eq!(
        refused(&record, delegate_to("tess"), &team_manager(), now()).kind,
        RefusalKind::Forbidden
    );
    let record = ok(record, delegate_to("tess"), &daom(), now());
    let mut another = team_manager();
    another.user = "tom".into();
    assert_eq!(
        refused(&record, decide(), &another, now()).kind,
        RefusalKind::Forbidden,
        "only the team manager it was delegated to"
    );
    let record = ok(record, decide(), &team_manager(), now());
    assert!(record.is_done("rereport_reviewed"));
    // A report that is not a third one has nothing to delegate.
    let refusal = refused(&new_intake(intake()), delegate_to("tess"), &daom(), now());
    assert_rule(&refusal, "R-INT-REREPORT-3");
}
