//! The integrity of a record (DOMAIN §8): what was decided stays decided.

use cims::domain::actor::Actor;
use cims::domain::commands::Command;
use cims::domain::deadlines::{self, Deadline, Status};
use cims::domain::events::Change;
use cims::domain::model::{Circumstance, Incident, Record};

use cims::domain::submissions::SubmissionKind;

use crate::fixtures::*;

fn find(record: &Record, id: &str, now: &str) -> Option<Deadline> {
    deadlines::deadlines(record, policies(), melb(now))
        .into_iter()
        .find(|d| d.id == id)
}

fn update(incident: Incident, correction: Option<&str>) -> Command {
    Command::UpdateIncident {
        incident,
        correction: correction.map(str::to_string),
    }
}

fn events(record: &Record, command: Command, by: &Actor, now: &str) -> Vec<Change> {
    cims::domain::decide::decide(&command, Some(record), by, melb(now), policies())
        .expect("accepted")
        .into_iter()
        .map(|e| e.change)
        .collect()
}

// ------------------------------------------------------------------ R-AWARE-1

#[test]
fn r_aware_1_the_awareness_time_is_corrected_only_with_a_reason() {
    let record = new_incident(incident());
    let mut later = incident();
    later.identified_at = melb("2026-11-23 10:30");
    for reason in [None, Some("   ")] {
        let refusal = refused(
            &record,
            update(later.clone(), reason),
            &practitioner(),
            melb("2026-11-23 12:00"),
        );
        assert_eq!(refusal.rule, Some("R-AWARE-1"), "{reason:?}");
        assert_eq!(refusal.field.as_deref(), Some("correction"));
    }
    let changes = events(
        &record,
        update(later, Some("the first call was logged at 10:30")),
        &practitioner(),
        "2026-11-23 12:00",
    );
    assert!(changes.contains(&Change::AwarenessCorrected {
        from: melb("2026-11-23 10:00"),
        to: melb("2026-11-23 10:30"),
        reason: "the first call was logged at 10:30".to_string(),
    }));
    // Other edits need no reason.
    let mut described = incident();
    described
        .description
        .push_str(" A second staff member saw it.");
    ok(
        record,
        update(described, None),
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
}

#[test]
fn r_aware_1_a_correction_never_turns_an_overdue_deadline_into_a_met_one() {
    // Aware Mon 23 Nov 10:00: the report is due Thu 26 Nov 23:59:59; on Fri 27 Nov it is
    // overdue. Moving awareness to Wed 25 Nov would put it on Mon 30 Nov.
    let record = new_incident(incident());
    let mut later = incident();
    later.identified_at = melb("2026-11-25 09:00");
    later.occurred_at = Some(melb("2026-11-25 08:00"));
    let record = ok(
        record,
        update(
            later,
            Some("the carer's call on Monday was about another child"),
        ),
        &practitioner(),
        melb("2026-11-27 10:00"),
    );
    let d = find(&record, "R-DL-REPORT", "2026-11-27 12:00").expect("still listed");
    assert_eq!(
        d.due.as_ref().map(|due| due.at.to_rfc3339()),
        Some("2026-11-26T23:59:59+11:00".to_string()),
        "the original due time"
    );
    assert!(matches!(d.status, Status::Overdue { .. }), "{:?}", d.status);
    assert!(d.is_open(), "still owed");
    let kept = d.kept.expect("the correction is shown beside it");
    assert!(
        kept.because.contains("awareness time was corrected"),
        "{}",
        kept.because
    );
    assert!(kept.because.contains("another child"), "{}", kept.because);

    // Submitted afterwards: met late, against the original due time.
    let record = incident_past_stage_1(record, &practitioner(), melb("2026-11-27 13:00"));
    let record = ready_to_endorse(record, &practitioner(), melb("2026-11-27 13:30"));
    let record = ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-27 14:00"),
    );
    let record = accepted(
        record,
        SubmissionKind::IncidentReport,
        melb("2026-11-27 15:00"),
    );
    let d = find(&record, "R-DL-REPORT", "2026-12-10 09:00").expect("listed");
    assert!(matches!(d.status, Status::MetLate { .. }), "{:?}", d.status);
}

#[test]
fn r_aware_1_a_correction_before_the_deadline_falls_due_moves_it() {
    let record = new_incident(incident());
    let mut later = incident();
    later.identified_at = melb("2026-11-24 09:00");
    let record = ok(
        record,
        update(later, Some("the service was told on Tuesday")),
        &practitioner(),
        melb("2026-11-24 12:00"),
    );
    let d = find(&record, "R-DL-REPORT", "2026-11-24 12:00").expect("listed");
    assert_eq!(
        d.due.as_ref().map(|due| due.at.to_rfc3339()),
        Some("2026-11-27T23:59:59+11:00".to_string())
    );
    assert!(d.kept.is_none());
}

// ------------------------------------------------------------------ R-DL-OWED

fn critical() -> Incident {
    let mut i = incident();
    i.circumstances.insert(Circumstance::HospitalTreatment);
    i
}

#[test]
fn r_dl_owed_an_overdue_deadline_stays_listed_when_its_condition_is_edited_away() {
    // Physical abuse with hospital treatment: the regulator is told by 17:00 the next
    // business day (Tue 24 Nov). On Wed it is overdue; then hospital treatment is removed.
    let record = new_incident(critical());
    let record = ok(
        record,
        update(incident(), None),
        &practitioner(),
        melb("2026-11-25 10:00"),
    );
    let d = find(&record, "R-DL-SSR", "2026-12-20 09:00").expect("still listed");
    assert_eq!(
        d.status,
        Status::Overdue {
            late_secs: 17 * 3600
        },
        "overdue by how long it was when the condition went"
    );
    assert!(!d.is_open(), "no longer owed, but not forgotten");
    let kept = d.kept.expect("kept");
    assert!(!kept.still_applies);
    assert!(
        kept.because.contains("details were changed"),
        "{}",
        kept.because
    );
}

#[test]
fn r_dl_owed_a_deadline_not_yet_due_goes_with_its_condition() {
    let record = new_incident(critical());
    let record = ok(
        record,
        update(incident(), None),
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert!(find(&record, "R-DL-SSR", "2026-11-23 12:00").is_none());
}

#[test]
fn r_dl_owed_a_met_deadline_keeps_its_outcome() {
    let record = new_incident(critical());
    let record = incident_past_stage_1(record, &practitioner(), melb("2026-11-23 12:00"));
    let record = tick(
        record,
        "ssr_notified",
        &practitioner(),
        melb("2026-11-24 09:00"),
    );
    let record = accepted(
        record,
        SubmissionKind::SsrShortForm,
        melb("2026-11-24 09:00"),
    );
    let record = ok(
        record,
        update(incident(), None),
        &practitioner(),
        melb("2026-11-24 10:00"),
    );
    let d = find(&record, "R-DL-SSR", "2026-12-20 09:00").expect("listed");
    assert_eq!(
        d.status,
        Status::Met {
            at: melb("2026-11-24 09:00")
        }
    );
}

#[test]
fn r_dl_owed_an_exception_after_the_deadline_fell_due_does_not_excuse_it() {
    let record = classified_intake();
    // Classified Tue 24 Nov 10:00: feedback due Thu 26 Nov; the exception comes on 30 Nov.
    let late = melb("2026-11-30 10:00");
    let record = ok(
        record,
        Command::RecordFeedbackException {
            reason: "not in the child's best interests".to_string(),
        },
        &practitioner(),
        late,
    );
    let d = find(&record, "R-INT-DL-FB", "2026-12-20 09:00").expect("listed");
    assert_eq!(
        d.status,
        Status::Overdue {
            late_secs: (late - melb("2026-11-26 23:59:59")).num_seconds()
        }
    );
    assert!(!d.is_open());
    let because = d.kept.expect("kept").because;
    assert!(because.contains("exception was recorded"), "{because}");
}

#[test]
fn r_dl_owed_an_exception_in_time_excuses_it_with_the_reason() {
    let record = classified_intake();
    let record = ok(
        record,
        Command::RecordFeedbackException {
            reason: "not in the child's best interests".to_string(),
        },
        &practitioner(),
        melb("2026-11-25 10:00"),
    );
    let d = find(&record, "R-INT-DL-FB", "2026-12-20 09:00").expect("listed");
    assert_eq!(
        d.status,
        Status::Excused {
            at: melb("2026-11-25 10:00"),
            reason: "not in the child's best interests".to_string()
        }
    );
}

#[test]
fn r_dl_owed_the_first_keeping_stands() {
    let record = new_incident(incident());
    let mut later = incident();
    later.identified_at = melb("2026-11-25 09:00");
    later.occurred_at = None;
    let record = ok(
        record,
        update(later.clone(), Some("first correction")),
        &practitioner(),
        melb("2026-11-27 10:00"),
    );
    later.identified_at = melb("2026-11-26 09:00");
    let record = ok(
        record,
        update(later, Some("second correction")),
        &practitioner(),
        melb("2026-11-27 11:00"),
    );
    let d = find(&record, "R-DL-REPORT", "2026-11-27 12:00").expect("listed");
    assert_eq!(
        d.due.as_ref().map(|due| due.at.to_rfc3339()),
        Some("2026-11-26T23:59:59+11:00".to_string())
    );
    assert!(d.kept.expect("kept").because.contains("first correction"));
}

fn classified_intake() -> Record {
    use cims::domain::model::{Classification, Consequence, Probability};
    let mut report = intake();
    report.consequence = Some(Consequence::Concerning);
    report.probability = Some(Probability::Unlikely);
    let record = new_intake(report);
    let record = ok(
        record,
        Command::ClassifyIntake {
            classifications: [Classification::ChildWellbeing].into(),
            urgency: None,
            rationale: None,
            consequence: None,
            probability: None,
        },
        &practitioner(),
        melb("2026-11-24 10:00"),
    );
    assert!(
        find(&record, "R-INT-DL-FB", "2026-11-24 10:00").is_some(),
        "a professional reporter is owed feedback"
    );
    record
}

// ------------------------------------------------------------------ R-LOCK-1

/// An incident through stage 1 with its report endorsed, at 15:00 on the day.
fn endorsed_incident(incident: Incident) -> Record {
    let record = incident_past_stage_1(
        new_incident(incident),
        &practitioner(),
        melb("2026-11-23 13:00"),
    );
    let record = ready_to_endorse(record, &practitioner(), melb("2026-11-23 14:00"));
    ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 15:00"),
    )
}

/// Submitted after its endorsement, and on to the next stage that applies.
fn past_reporting(record: Record) -> Record {
    let record = accepted(
        record,
        SubmissionKind::IncidentReport,
        melb("2026-11-23 15:10"),
    );
    ok(
        record,
        Command::AdvanceStage,
        &practitioner(),
        melb("2026-11-23 15:20"),
    )
}

#[test]
fn r_lock_1_a_fact_the_endorsement_covered_changes_only_after_it_is_withdrawn() {
    let record = endorsed_incident(incident());
    let mut retyped = incident();
    retyped.primary_type = "inappropriate_physical_treatment".into();
    let refusal = refused(
        &record,
        update(retyped.clone(), None),
        &practitioner(),
        melb("2026-11-23 16:00"),
    );
    assert_eq!(refusal.rule, Some("R-LOCK-1"));
    assert_eq!(refusal.field.as_deref(), Some("primary_type"));
    assert!(
        refusal.message.contains("primary_type"),
        "{}",
        refusal.message
    );
    assert!(
        refusal.message.contains("withdraw_endorsement"),
        "{}",
        refusal.message
    );

    // A fact it did not cover changes freely.
    let mut described = incident();
    described
        .description
        .push_str(" The unit manager was told at 10:15.");
    ok(
        record.clone(),
        update(described, None),
        &practitioner(),
        melb("2026-11-23 16:00"),
    );

    // Withdrawn by someone who may endorse, with a reason; then the fact changes, and
    // the report is endorsed again. The history shows both.
    let withdraw = |reason: &str| Command::WithdrawEndorsement {
        item: "endorsed".into(),
        reason: reason.into(),
    };
    let refusal = refused(
        &record,
        withdraw("retyped"),
        &practitioner(),
        melb("2026-11-23 16:00"),
    );
    assert_eq!(refusal.kind, cims::domain::refusal::RefusalKind::Forbidden);
    let refusal = refused(
        &record,
        withdraw("  "),
        &delegate(),
        melb("2026-11-23 16:00"),
    );
    assert_eq!(refusal.rule, Some("R-LOCK-1"));
    let withdrawn = events(
        &record,
        withdraw("the account changed"),
        &delegate(),
        "2026-11-23 16:00",
    );
    assert_eq!(
        withdrawn,
        [Change::EndorsementWithdrawn {
            item: "endorsed".into(),
            reason: "the account changed".into()
        }]
    );
    let record = ok(
        record,
        withdraw("the account changed"),
        &delegate(),
        melb("2026-11-23 16:00"),
    );
    assert!(!record.is_done("endorsed"), "it must be endorsed again");
    let record = ok(
        record,
        update(retyped, None),
        &practitioner(),
        melb("2026-11-23 16:10"),
    );
    let record = ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 16:30"),
    );
    assert!(record.is_done("endorsed"));
    assert_eq!(
        record
            .milestones
            .get(&cims::domain::model::Milestone::ReportEndorsed),
        Some(&melb("2026-11-23 15:00")),
        "the clocks the first endorsement started keep running"
    );
}

#[test]
fn r_lock_1_an_awareness_correction_after_endorsement_needs_the_endorsement_withdrawn() {
    let record = endorsed_incident(incident());
    let mut later = incident();
    later.identified_at = melb("2026-11-23 10:30");
    let refusal = refused(
        &record,
        update(later, Some("logged late")),
        &practitioner(),
        melb("2026-11-23 16:00"),
    );
    assert_eq!(refusal.rule, Some("R-LOCK-1"));
    assert_eq!(refusal.field.as_deref(), Some("identified_at"));
}

#[test]
fn r_lock_1_an_intake_classification_endorsement_covers_the_childrens_flags() {
    use cims::domain::model::{AboriginalStatus, Classification, Consequence, Probability};
    let mut report = intake();
    report.consequence = Some(Consequence::Concerning);
    report.probability = Some(Probability::Unlikely);
    let mut record = new_intake(report.clone());
    for (stage, items) in [
        (INTAKE_STAGE_1, "2026-11-23 13:40"),
        (INTAKE_STAGE_2, "2026-11-23 13:50"),
    ] {
        let _ = items;
        for item in stage {
            record = tick(record, item, &practitioner(), melb("2026-11-23 13:40"));
        }
        record = ok(
            record,
            Command::AdvanceStage,
            &practitioner(),
            melb("2026-11-23 13:50"),
        );
    }
    for item in INTAKE_STAGE_3 {
        record = tick(record, item, &practitioner(), melb("2026-11-23 14:00"));
    }
    record = ok(
        record,
        Command::ClassifyIntake {
            classifications: [Classification::ChildWellbeing].into(),
            urgency: None,
            rationale: None,
            consequence: None,
            probability: None,
        },
        &practitioner(),
        melb("2026-11-23 14:10"),
    );
    record = ok(
        record,
        Command::AdvanceStage,
        &practitioner(),
        melb("2026-11-23 14:20"),
    );
    record = ok(
        record,
        Command::Endorse,
        &team_manager(),
        melb("2026-11-23 14:30"),
    );
    let report = record.intake().expect("an intake").clone();
    let mut changed = report.clone();
    changed.children[0].rso_contact = true;
    let refusal = refused(
        &record,
        Command::UpdateIntake { intake: changed },
        &practitioner(),
        melb("2026-11-23 15:00"),
    );
    assert_eq!(refusal.rule, Some("R-LOCK-1"));
    assert!(
        refusal.message.contains("children.rso_contact"),
        "{}",
        refusal.message
    );
    let mut parent = report.clone();
    parent.parents[0].person.aboriginal_status = AboriginalStatus::Aboriginal;
    let refusal = refused(
        &record,
        Command::UpdateIntake { intake: parent },
        &practitioner(),
        melb("2026-11-23 15:00"),
    );
    assert_eq!(refusal.rule, Some("R-LOCK-1"));
    // The concerns, in the reporter's words, are not what the classification endorsed.
    let mut concerns = report;
    concerns
        .concerns
        .push_str(" The school nurse saw the bruise too.");
    ok(
        record,
        Command::UpdateIntake { intake: concerns },
        &practitioner(),
        melb("2026-11-23 15:00"),
    );
}

// ------------------------------------------------------------------ R-ORDER-1

#[test]
fn r_order_1_the_report_waits_for_classification_the_written_report_and_police() {
    let record = incident_past_stage_1(
        new_incident(incident()),
        &practitioner(),
        melb("2026-11-23 13:00"),
    );
    let mut record = record;
    for (item, next) in [
        ("classified", "Incident type(s) and impact classified"),
        ("report_written", "Incident report written"),
        ("police_notified", "Victoria Police"),
    ] {
        let refusal = refused(
            &record,
            Command::Endorse,
            &delegate(),
            melb("2026-11-23 14:00"),
        );
        assert_eq!(refusal.rule, Some("R-ORDER-1"), "before {item}");
        assert!(refusal.message.contains(next), "{}", refusal.message);
        record = tick(record, item, &practitioner(), melb("2026-11-23 14:00"));
    }
    ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 14:30"),
    );
}

#[test]
fn r_order_1_police_clearance_comes_before_the_investigation_plan() {
    let record = endorsed_incident(incident());
    let record = past_reporting(record);
    assert_eq!(record.stage, "investigation");
    // No police hold was ever recorded: clearance is still needed first.
    let refusal = refused(
        &record,
        Command::Tick {
            item: "investigation_plan".into(),
        },
        &investigator(),
        melb("2026-11-24 09:00"),
    );
    assert_eq!(refusal.rule, Some("R-ORDER-1"));
    assert!(
        refusal.message.contains("Police confirmed"),
        "{}",
        refusal.message
    );
    let record = ok(
        record,
        Command::PoliceClearance,
        &practitioner(),
        melb("2026-11-24 09:00"),
    );
    tick(
        record,
        "investigation_plan",
        &investigator(),
        melb("2026-11-24 10:00"),
    );
}

#[test]
fn r_order_1_the_plan_is_endorsed_after_acsass_kinship_and_both_children_work() {
    use cims::domain::model::{AboriginalStatus, CareArrangement, Subject, SubjectRelation};
    let mut kin = incident();
    kin.clients[0].aboriginal_status = AboriginalStatus::Aboriginal;
    kin.care_arrangement = CareArrangement::KinshipCpApproved;
    kin.subject = Some(Subject {
        relation: SubjectRelation::KinshipCarer,
        person: None,
    });
    let record =
        incident_past_stage_1(new_incident(kin), &practitioner(), melb("2026-11-23 13:00"));
    let record = ok(
        record,
        Command::ConfirmRcsScope {
            scope: cims::domain::model::RcsScope::NotInScope,
        },
        &integrity_unit(),
        melb("2026-11-23 13:30"),
    );
    let record = ready_to_endorse(record, &practitioner(), melb("2026-11-23 14:00"));
    let record = ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 15:00"),
    );
    let record = past_reporting(record);
    let record = ok(
        record,
        Command::PoliceClearance,
        &practitioner(),
        melb("2026-11-24 09:00"),
    );
    let mut record = tick(
        record,
        "investigation_plan",
        &investigator(),
        melb("2026-11-24 10:00"),
    );
    for (item, text) in [
        ("acsass_plan", "ACSASS"),
        ("kinship_considerations", "carer's relationship"),
    ] {
        let refusal = refused(
            &record,
            Command::Tick {
                item: "plan_endorsed".into(),
            },
            &delegate(),
            melb("2026-11-24 11:00"),
        );
        assert_eq!(refusal.rule, Some("R-ORDER-1"), "before {item}");
        assert!(refusal.message.contains(text), "{}", refusal.message);
        record = tick(record, item, &investigator(), melb("2026-11-24 11:00"));
    }
    tick(
        record,
        "plan_endorsed",
        &delegate(),
        melb("2026-11-24 12:00"),
    );
}

// ------------------------------------------------------------------ R-ORDER-2

#[test]
fn r_order_2_a_skipped_stage_that_comes_to_apply_is_owed_before_the_record_closes() {
    use cims::domain::model::Impact;
    // Self-harm, non-major: no investigation, no review; straight to analysis.
    let mut self_harm = incident();
    self_harm.primary_type = "self_harm".into();
    self_harm.subject = None;
    self_harm.impact = Some(Impact::NonMajor);
    let record = endorsed_incident(self_harm.clone());
    let record = past_reporting(record);
    assert_eq!(record.stage, "analysis_learning");
    assert!(cims::domain::rules::obligations::owed(&record, current()).is_empty());

    // It turns out to be neglect: stage 3 applies after it was skipped.
    let record = ok(
        record,
        Command::WithdrawEndorsement {
            item: "endorsed".into(),
            reason: "the carer left the child without care".into(),
        },
        &delegate(),
        melb("2026-11-24 09:00"),
    );
    let mut neglect = self_harm;
    neglect.primary_type = "neglect".into();
    let record = ok(
        record,
        update(neglect, None),
        &practitioner(),
        melb("2026-11-24 09:10"),
    );
    let mut record = ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-24 09:20"),
    );
    let owed: Vec<&str> = cims::domain::rules::obligations::owed(&record, current())
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert!(owed.contains(&"investigation_plan"), "{owed:?}");
    assert!(owed.contains(&"investigation_report"), "{owed:?}");
    for item in ["trends_considered", "actions_tracked"] {
        record = tick(record, item, &practitioner(), melb("2026-11-24 10:00"));
    }
    let close = Command::Close {
        reason: "analysis complete".into(),
    };
    let refusal = refused(
        &record,
        close.clone(),
        &delegate(),
        melb("2026-11-24 11:00"),
    );
    assert_eq!(refusal.rule, Some("R-ORDER-2"));
    assert!(
        refusal.message.contains("Investigation plan"),
        "{}",
        refusal.message
    );

    // The owed work is done where the record stands, then it closes.
    for (item, by) in [
        ("investigation_plan", investigator()),
        ("plan_endorsed", delegate()),
        ("investigation_conducted", investigator()),
    ] {
        record = tick(record, item, &by, melb("2026-11-25 10:00"));
    }
    let record = ok(
        record,
        Command::RecordInvestigationOutcome {
            outcome: "not_substantiated".into(),
        },
        &investigator(),
        melb("2026-11-26 10:00"),
    );
    assert!(cims::domain::rules::obligations::owed(&record, current()).is_empty());
    ok(record, close, &delegate(), melb("2026-11-26 11:00"));
}

// ------------------------------------------------------------------ R-SSR-2

#[test]
fn r_ssr_2_police_notified_counts_as_police_involvement() {
    use cims::domain::policy::Condition;
    // Sexual abuse with hospital treatment: critical only with police involvement.
    let mut abuse = incident();
    abuse.primary_type = "sexual_abuse".into();
    abuse.circumstances.insert(Circumstance::HospitalTreatment);
    let record = incident_past_stage_1(
        new_incident(abuse),
        &practitioner(),
        melb("2026-11-23 13:00"),
    );
    assert!(!cims::domain::rules::holds(
        Condition::SsrCritical,
        &record,
        current()
    ));
    let record = tick(
        record,
        "police_notified",
        &practitioner(),
        melb("2026-11-23 14:00"),
    );
    assert!(
        cims::domain::rules::incident::ssr_critical_record(&record, current()).is_some(),
        "no second flag to keep in step"
    );
    assert!(cims::domain::rules::holds(
        Condition::SsrCritical,
        &record,
        current()
    ));
    assert!(find(&record, "R-DL-SSR", "2026-11-23 15:00").is_some());
}

// ------------------------------------------------------------------ R-AUTH-CSO

fn cso_record() -> Record {
    use cims::domain::model::{CareArrangement, Details};
    let mut kinship = incident();
    kinship.care_arrangement = CareArrangement::KinshipCsoManaged;
    create(
        Details::Incident(kinship),
        &cso_delegate(),
        melb("2026-11-23 11:00"),
    )
    .expect("registers")
}

#[test]
fn r_auth_cso_the_department_supports_a_csos_incident_but_does_not_work_it() {
    let record = cso_record();
    let at = melb("2026-11-23 12:00");
    for command in [
        Command::Tick {
            item: "immediate_safety".into(),
        },
        Command::Waive {
            item: "medical_attention".into(),
            reason: "none needed".into(),
        },
        Command::AdvanceStage,
        Command::Endorse,
        Command::Close {
            reason: "done".into(),
        },
    ] {
        let refusal = refused(&record, command.clone(), &delegate(), at);
        assert_eq!(refusal.rule, Some("R-AUTH-CSO"), "{command:?}");
    }
    // Notes and information sharing are support.
    ok(
        record.clone(),
        Command::AddNote {
            category: None,
            text: "Care team meeting booked for Thursday.".into(),
            protected_spans: Vec::new(),
        },
        &practitioner(),
        at,
    );
    // The Integrity Unit answers for its own RCS work on any organisation's record.
    let record = ok(
        record,
        Command::ConfirmRcsScope {
            scope: cims::domain::model::RcsScope::InScope,
        },
        &integrity_unit(),
        at,
    );
    let record = incident_past_stage_1(record, &cso_delegate(), melb("2026-11-23 13:00"));
    tick(
        record,
        "ccyp_notified",
        &integrity_unit(),
        melb("2026-11-23 14:00"),
    );
}

#[test]
fn r_auth_cso_an_assignee_from_another_organisation_cannot_take_the_record() {
    let record = ok(
        cso_record(),
        Command::Assign {
            user: Some("alice".into()),
        },
        &cso_delegate(),
        melb("2026-11-23 11:30"),
    );
    let mut alice_as_manager = team_manager();
    alice_as_manager.user = "alice".into();
    alice_as_manager.org_kind = cims::domain::actor::OrgKind::Cso;
    alice_as_manager.org = "berry_street".into();
    let refusal = refused(
        &record,
        Command::ChangeOrganisation {
            org: "berry_street".into(),
            reason: "ours now".into(),
        },
        &alice_as_manager,
        melb("2026-11-23 12:00"),
    );
    assert_eq!(refusal.rule, Some("R-AUTH-CSO"));
    // The owner's managers may move it.
    ok(
        record,
        Command::ChangeOrganisation {
            org: "dffh".into(),
            reason: "placement ended; child protection holds it".into(),
        },
        &cso_delegate(),
        melb("2026-11-23 12:00"),
    );
}

// ------------------------------------------------------------------ R-NOTE-CAT

fn note(text: &str, category: Option<&str>) -> Command {
    Command::AddNote {
        text: text.into(),
        protected_spans: Vec::new(),
        category: category.map(str::to_string),
    }
}

#[test]
fn r_note_cat_a_note_of_a_category_evidences_its_items() {
    let mut record = new_intake(intake());
    for item in INTAKE_STAGE_1 {
        record = tick(record, item, &practitioner(), melb("2026-11-23 13:40"));
    }
    let record = ok(
        record,
        Command::AdvanceStage,
        &practitioner(),
        melb("2026-11-23 13:50"),
    );
    assert!(!record.is_done("supervisor_consulted"));
    let record = ok(
        record,
        note(
            "Talked the registration through with Sam (supervisor): seek the school's records.",
            Some("supervisor_consultation"),
        ),
        &practitioner(),
        melb("2026-11-23 14:00"),
    );
    assert!(record.is_done("supervisor_consulted"));
    assert_eq!(
        record.notes[0].category.as_deref(),
        Some("supervisor_consultation")
    );
    // A case note is the default and evidences nothing.
    let record = ok(
        record,
        note("Rang the school.", None),
        &practitioner(),
        melb("2026-11-23 14:10"),
    );
    assert_eq!(record.notes[1].category, None);
    let refusal = refused(
        &record,
        note("Rang the school.", Some("gossip")),
        &practitioner(),
        melb("2026-11-23 14:10"),
    );
    assert_eq!(refusal.rule, Some("R-NOTE-CAT"));
    assert!(
        refusal.message.contains("supervisor_consultation"),
        "{}",
        refusal.message
    );
}

#[test]
fn r_note_cat_a_statement_of_recognition_is_written_for_an_aboriginal_child() {
    use cims::domain::model::AboriginalStatus;
    let statement = || {
        note(
            "Recognition principles considered: connection to Wurundjeri family and country.",
            Some("statement_of_recognition"),
        )
    };
    let refusal = refused(
        &new_intake(intake()),
        statement(),
        &practitioner(),
        melb("2026-11-23 14:00"),
    );
    assert_eq!(refusal.rule, Some("R-NOTE-CAT"));
    let mut report = intake();
    report.children[0].person.aboriginal_status = AboriginalStatus::Aboriginal;
    ok(
        new_intake(report),
        statement(),
        &practitioner(),
        melb("2026-11-23 14:00"),
    );
}

// ------------------------------------------------------------------ R-SCOPE-3

#[test]
fn r_scope_3_an_incident_is_registered_by_the_organisation_responsible_or_with_a_reason() {
    use cims::domain::model::{CareArrangement, Details};
    let mut foster = incident();
    foster.care_arrangement = CareArrangement::FosterCare;
    foster.subject = None;
    foster.responsibility_reason = None;
    // Child protection registering a CSO's foster placement in its own name.
    let refusal = match create(
        Details::Incident(foster.clone()),
        &practitioner(),
        melb("2026-11-23 11:00"),
    ) {
        Ok(_) => panic!("registered without a reason"),
        Err(refusal) => refusal,
    };
    assert_eq!(refusal.rule, Some("R-SCOPE-3"));
    assert_eq!(refusal.field.as_deref(), Some("responsibility_reason"));
    assert!(
        refusal.message.contains("community service organisation"),
        "{}",
        refusal.message
    );
    // The CSO registers it; or child protection does, saying why.
    create(
        Details::Incident(foster.clone()),
        &cso_delegate(),
        melb("2026-11-23 11:00"),
    )
    .expect("the CSO registers its placement's incident");
    foster.responsibility_reason = Some("The agency's after-hours line was down; CSO told.".into());
    create(
        Details::Incident(foster),
        &practitioner(),
        melb("2026-11-23 11:00"),
    )
    .expect("registered with the reason");
    // A CSO registering an incident in child protection's care is asked the same.
    let mut transport = incident();
    transport.care_arrangement = CareArrangement::WithPractitioner;
    transport.subject = None;
    transport.responsibility_reason = None;
    let refusal = create(
        Details::Incident(transport),
        &cso_delegate(),
        melb("2026-11-23 11:00"),
    )
    .expect_err("a CP-responsible incident");
    assert_eq!(refusal.rule, Some("R-SCOPE-3"));
}
