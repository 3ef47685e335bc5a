//! The deadline engine (R-DL-*, R-INT-DL-*, R-INT-URGENT-1PM, R-POLICE-2, R-CAL).

use chrono::{Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use cims::domain::commands::Command;
use cims::domain::deadlines::{self, Deadline, Status};
use cims::domain::local_time;
use cims::domain::model::{Circumstance, Record};
use cims::domain::policy::{DueRule, TimeOfDay};
use proptest::prelude::*;

use cims::domain::submissions::SubmissionKind;

use crate::fixtures::*;

fn due_of(rule: &str, from: &str) -> String {
    let rule = current().deadline(rule).expect("rule in policy");
    deadlines::due(&rule.due, melb(from), &policies().calendar, 0, &[])
        .expect("due")
        .at
        .to_rfc3339()
}

fn find(record: &Record, id: &str, now: &str) -> Deadline {
    deadlines::deadlines(record, policies(), melb(now))
        .into_iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("{id} does not apply"))
}

fn due_at(d: &Deadline) -> String {
    d.due.as_ref().expect("due").at.to_rfc3339()
}

#[test]
fn r_int_urgent_1pm_before_one_the_day_of_receipt_is_day_one() {
    assert_eq!(
        due_of("R-INT-URGENT-1PM", "2026-11-23 12:59"),
        "2026-11-24T23:59:59+11:00"
    );
}

#[test]
fn r_int_urgent_1pm_at_or_after_one_the_day_of_receipt_is_day_zero() {
    assert_eq!(
        due_of("R-INT-URGENT-1PM", "2026-11-23 13:00"),
        "2026-11-25T23:59:59+11:00"
    );
}

#[test]
fn r_dl_ssr_skips_christmas_boxing_day_and_the_additional_monday() {
    assert_eq!(
        due_of("R-DL-SSR", "2026-12-24 10:00"),
        "2026-12-29T17:00:00+11:00"
    );
    let rule = current().deadline("R-DL-SSR").expect("rule");
    let due = deadlines::due(
        &rule.due,
        melb("2026-12-24 10:00"),
        &policies().calendar,
        0,
        &[],
    )
    .expect("due");
    assert!(
        due.explanation.contains("Christmas Day"),
        "{}",
        due.explanation
    );
    assert!(
        due.explanation.contains("Mon 28 Dec"),
        "{}",
        due.explanation
    );
}

#[test]
fn r_dl_report_is_the_end_of_the_third_business_day_after_awareness() {
    // Aware Monday 23 Nov 10:00 → Thursday 26 Nov 23:59:59.
    let record = new_incident(incident());
    let d = find(&record, "R-DL-REPORT", "2026-11-24 09:00");
    assert_eq!(due_at(&d), "2026-11-26T23:59:59+11:00");
    assert!(matches!(d.status, Status::Pending { .. }));
    assert_eq!(d.rule, "R-DL-REPORT");
}

#[test]
fn r_dl_report_overdue_says_how_late_and_stays_visible_until_met() {
    let record = new_incident(incident());
    let d = find(&record, "R-DL-REPORT", "2026-11-27 01:59:59");
    assert_eq!(
        d.status,
        Status::Overdue {
            late_secs: 2 * 3600
        }
    );
    // Met late: the record keeps how late it was.
    let record = submitted_at(record, "2026-11-27 09:00");
    let d = find(&record, "R-DL-REPORT", "2026-12-10 09:00");
    assert_eq!(
        d.status,
        Status::MetLate {
            at: melb("2026-11-27 09:00"),
            late_secs: 9 * 3600 + 1
        }
    );
}

#[test]
fn r_dl_report_met_in_time() {
    let record = submitted_at(new_incident(incident()), "2026-11-24 09:00");
    let d = find(&record, "R-DL-REPORT", "2026-12-10 09:00");
    assert_eq!(
        d.status,
        Status::Met {
            at: melb("2026-11-24 09:00")
        }
    );
    assert!(!d.is_open());
}

#[test]
fn r_dl_ssr_applies_only_to_critical_notifiable_incidents() {
    let plain = new_incident(incident());
    assert!(
        deadlines::deadlines(&plain, policies(), melb("2026-11-23 12:00"))
            .iter()
            .all(|d| d.id != "R-DL-SSR")
    );
    let mut hospital = incident();
    hospital
        .circumstances
        .insert(Circumstance::HospitalTreatment);
    let record = new_incident(hospital);
    let d = find(&record, "R-DL-SSR", "2026-11-23 12:00");
    assert_eq!(due_at(&d), "2026-11-24T17:00:00+11:00");
}

#[test]
fn r_dl_invest_starts_at_endorsement_and_counts_28_business_days() {
    let record = new_incident(incident());
    let d = find(&record, "R-DL-INVEST", "2026-11-23 12:00");
    assert_eq!(d.status, Status::NotStarted);
    let record = endorsed_at(record, "2026-11-23 15:00");
    // 28 business days after Mon 23 Nov 2026, over Christmas and New Year (25 and 28 Dec
    // and 1 Jan are holidays): Tue 5 Jan 2027.
    let d = find(&record, "R-DL-INVEST", "2026-11-24 09:00");
    let expected = policies()
        .calendar
        .add_business_days(date("2026-11-23"), 28)
        .expect("calendar");
    assert_eq!(due_at(&d), format!("{}T23:59:59+11:00", expected));
    assert_eq!(expected, date("2027-01-05"));
}

#[test]
fn r_police_2_a_police_hold_pauses_the_investigation_clock() {
    let record = endorsed_at(new_incident(incident()), "2026-11-23 15:00");
    let record = ok(
        record,
        Command::PoliceHold,
        &practitioner(),
        melb("2026-11-24 10:00"),
    );
    let d = find(&record, "R-DL-INVEST", "2026-11-30 09:00");
    assert_eq!(
        d.status,
        Status::Paused {
            since: melb("2026-11-24 10:00")
        }
    );
    // Cleared on Tue 1 Dec: Tue 24 Nov to Mon 30 Nov (5 business days) did not count.
    let record = ok(
        record,
        Command::PoliceClearance,
        &practitioner(),
        melb("2026-12-01 10:00"),
    );
    let d = find(&record, "R-DL-INVEST", "2026-12-01 11:00");
    let without_hold = policies()
        .calendar
        .add_business_days(date("2026-11-23"), 28)
        .expect("calendar");
    let with_hold = policies()
        .calendar
        .add_business_days(without_hold, 5)
        .expect("calendar");
    assert_eq!(due_at(&d), format!("{with_hold}T23:59:59+11:00"));
    let due = d.due.expect("due");
    assert_eq!(
        due.skipped
            .iter()
            .filter(|s| s.why.contains("police hold"))
            .count(),
        5
    );
}

#[test]
fn r_dl_invest_extensions_add_business_days_up_to_the_policy_maximum() {
    let record = endorsed_at(new_incident(incident()), "2026-11-23 15:00");
    let before = find(&record, "R-DL-INVEST", "2026-11-24 09:00");
    let extend = |days: u32| Command::ExtendInvestigation {
        business_days: days,
        reason: "waiting on a medical report".into(),
    };
    let too_long = refused(&record, extend(61), &delegate(), melb("2026-11-24 09:00"));
    assert_eq!(too_long.rule, Some("R-DL-INVEST"));
    let record = ok(record, extend(10), &delegate(), melb("2026-11-24 09:00"));
    let after = find(&record, "R-DL-INVEST", "2026-11-24 09:00");
    let before_date = before.due.expect("due").at.date_naive();
    let expected = policies()
        .calendar
        .add_business_days(before_date, 10)
        .expect("calendar");
    assert_eq!(after.due.expect("due").at.date_naive(), expected);
}

#[test]
fn r_dl_review_runs_from_the_decision_to_review() {
    let mut self_harm = incident();
    self_harm.primary_type = "self_harm".into();
    self_harm.subject = None;
    let record = new_incident(self_harm);
    let d = find(&record, "R-DL-REVIEW", "2026-11-23 12:00");
    assert_eq!(d.status, Status::NotStarted);
    let mut record = incident_past_stage_1(record, &practitioner(), melb("2026-11-23 12:00"));
    record = tick(
        record,
        "classified",
        &practitioner(),
        melb("2026-11-23 13:00"),
    );
    record = tick(
        record,
        "report_written",
        &practitioner(),
        melb("2026-11-23 13:00"),
    );
    record = ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 14:00"),
    );
    record = accepted(
        record,
        SubmissionKind::IncidentReport,
        melb("2026-11-23 14:30"),
    );
    record = ok(
        record,
        Command::AdvanceStage,
        &practitioner(),
        melb("2026-11-23 15:00"),
    );
    assert_eq!(record.stage, "review");
    let d = find(&record, "R-DL-REVIEW", "2026-11-24 09:00");
    let expected = policies()
        .calendar
        .add_business_days(date("2026-11-23"), 21)
        .expect("calendar");
    assert_eq!(due_at(&d), format!("{expected}T23:59:59+11:00"));
}

#[test]
fn r_dl_rcs_notification_and_detail_run_from_awareness() {
    let mut kinship = incident();
    kinship.care_arrangement = cims::domain::model::CareArrangement::KinshipCpApproved;
    let record = ok(
        new_incident(kinship),
        Command::ConfirmRcsScope {
            scope: cims::domain::model::RcsScope::InScope,
        },
        &integrity_unit(),
        melb("2026-11-24 10:00"),
    );
    let notify = find(&record, "R-DL-RCS", "2026-11-24 11:00");
    assert_eq!(due_at(&notify), "2026-11-26T23:59:59+11:00");
    let detail = find(&record, "R-DL-RCS/detail", "2026-11-24 11:00");
    assert_eq!(due_at(&detail), "2026-12-23T23:59:59+11:00");
}

#[test]
fn r_cal_a_deadline_that_needs_an_unknown_afl_friday_is_unknown_not_guessed() {
    let rule = DueRule::BusinessDays {
        days: 10,
        at: TimeOfDay::EndOfDay,
    };
    let err = deadlines::due(
        &rule,
        melb("2027-09-20 10:00"),
        &policies().calendar,
        0,
        &[],
    )
    .expect_err("2027 AFL Friday unknown");
    assert!(err.to_string().contains("AFL Grand Final"), "{err}");
    // A January count in the same year is not held up.
    assert!(
        deadlines::due(
            &rule,
            melb("2027-01-11 10:00"),
            &policies().calendar,
            0,
            &[]
        )
        .is_ok()
    );
}

#[test]
fn r_cal_dst_does_not_shift_due_times() {
    // Daylight saving starts Sun 4 Oct 2026 and ends Sun 5 Apr 2026.
    let eod = DueRule::BusinessDays {
        days: 1,
        at: TimeOfDay::EndOfDay,
    };
    let cob = DueRule::BusinessDays {
        days: 1,
        at: TimeOfDay::CloseOfBusiness,
    };
    let cal = &policies().calendar;
    let summer = deadlines::due(&eod, melb("2026-10-02 16:00"), cal, 0, &[]).expect("due");
    assert_eq!(summer.at.to_rfc3339(), "2026-10-05T23:59:59+11:00");
    let winter = deadlines::due(&cob, melb("2026-04-02 16:00"), cal, 0, &[]).expect("due");
    // Thu 2 Apr → Fri 3 Apr is Good Friday, Mon 6 Apr Easter Monday → Tue 7 Apr.
    assert_eq!(winter.at.to_rfc3339(), "2026-04-07T17:00:00+10:00");
}

fn submitted_at(record: Record, at: &str) -> Record {
    let record = endorsed_at(record, at);
    accepted(record, SubmissionKind::IncidentReport, melb(at))
}

/// Endorse after completing stage 1 and the reporting items before endorsement.
fn endorsed_at(record: Record, at: &str) -> Record {
    let record = incident_past_stage_1(record, &practitioner(), melb(at) - Duration::minutes(30));
    let record = ready_to_endorse(record, &practitioner(), melb(at) - Duration::minutes(20));
    ok(record, Command::Endorse, &delegate(), melb(at))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// R-CAL: a business-day deadline falls on a business day at exactly the local time of
    /// day the rule names, whatever the daylight saving state, after exactly n business days.
    #[test]
    fn r_cal_business_day_deadlines_land_on_business_days_at_the_named_time(
        minutes in 0i64..(3 * 365 * 24 * 60),
        days in 1u32..40,
        close in any::<bool>(),
    ) {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("start")
            + Duration::minutes(minutes);
        let at = if close { TimeOfDay::CloseOfBusiness } else { TimeOfDay::EndOfDay };
        let rule = DueRule::BusinessDays { days, at };
        let cal = &policies().calendar;
        let due = deadlines::due(&rule, start, cal, 0, &[]).expect("due");
        let local = due.at;
        let expected = if close {
            NaiveTime::from_hms_opt(17, 0, 0)
        } else {
            NaiveTime::from_hms_opt(23, 59, 59)
        }.expect("time");
        prop_assert_eq!(local.time(), expected);
        prop_assert!(cal.is_business_day(local.date_naive()).expect("known"));
        prop_assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun));
        let start_day = local_time::local_date(start);
        let counted = (1..=(local.date_naive() - start_day).num_days())
            .filter(|n| cal.is_business_day(start_day + Duration::days(*n)).expect("known"))
            .count();
        prop_assert_eq!(counted, days as usize);
    }

    /// R-CAL: a later start never gives an earlier deadline.
    #[test]
    fn r_cal_deadlines_are_monotonic_in_the_start(
        minutes in 0i64..(3 * 365 * 24 * 60),
        later_by in 0i64..(30 * 24 * 60),
        days in 1u32..30,
    ) {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("start")
            + Duration::minutes(minutes);
        let rule = DueRule::BusinessDays { days, at: TimeOfDay::EndOfDay };
        let cal = &policies().calendar;
        let first = deadlines::due(&rule, start, cal, 0, &[]).expect("due").at;
        let second = deadlines::due(&rule, start + Duration::minutes(later_by), cal, 0, &[])
            .expect("due")
            .at;
        prop_assert!(second >= first);
    }

    /// R-INT-URGENT-1PM: the urgent clock ends at 23:59:59 local on the day after receipt
    /// before 13:00, and the day after that from 13:00.
    #[test]
    fn r_int_urgent_1pm_ends_one_or_two_days_after_receipt(
        minutes in 0i64..(3 * 365 * 24 * 60),
    ) {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("start")
            + Duration::minutes(minutes);
        let rule = current().deadline("R-INT-URGENT-1PM").expect("rule");
        let due = deadlines::due(&rule.due, start, &policies().calendar, 0, &[]).expect("due").at;
        let local = start.with_timezone(&local_time::ZONE);
        let days = if local.hour() < 13 { 1 } else { 2 };
        prop_assert_eq!(due.date_naive(), local.date_naive() + Duration::days(days));
        prop_assert_eq!((due.hour(), due.minute(), due.second()), (23, 59, 59));
    }
}

#[test]
fn at_risk_the_incident_report_is_coming_up_in_its_last_eight_business_hours() {
    // Due Thursday 26 Nov 23:59:59; the policy's band is the last 8 business hours, so
    // Thursday from 09:00 (nothing after 17:00 counts).
    let record = new_incident(incident());
    let before = find(&record, "R-DL-REPORT", "2026-11-26 08:59");
    assert_eq!(before.at_risk_from, Some(melb("2026-11-26 09:00")));
    assert!(!before.at_risk(melb("2026-11-26 08:59")));
    let inside = find(&record, "R-DL-REPORT", "2026-11-26 09:00");
    assert!(inside.at_risk(melb("2026-11-26 09:00")));
    assert_eq!(
        deadlines::next_at_risk(std::slice::from_ref(&inside)),
        Some(melb("2026-11-26 09:00"))
    );
    // Overdue is no longer "at risk": it is late.
    let late = find(&record, "R-DL-REPORT", "2026-11-27 00:00");
    assert!(!late.at_risk(melb("2026-11-27 00:00")));
    // Met: nothing is coming up.
    let met = submitted_at(record, "2026-11-26 10:00");
    let d = find(&met, "R-DL-REPORT", "2026-11-26 11:00");
    assert!(!d.at_risk(melb("2026-11-26 11:00")));
    assert_eq!(deadlines::next_at_risk(&[d]), None);
}

#[test]
fn at_risk_business_hours_skip_weekends_and_public_holidays() {
    use cims::domain::policy::AtRisk;
    // 12 business hours before Tuesday 29 Dec 2026 12:00: Tuesday 09:00–12:00 (3 h), then
    // past the Monday substitute for Boxing Day, the weekend and Christmas Day to Thursday
    // 24 Dec 09:00–17:00 (8 h), and the last hour on Wednesday 23 Dec from 16:00.
    let from = deadlines::at_risk_from(
        AtRisk::BusinessHours { hours: 12 },
        melb("2026-12-01 09:00"),
        melb("2026-12-29 12:00"),
        &policies().calendar,
    )
    .expect("in the calendar");
    assert_eq!(from, melb("2026-12-23 16:00"));
}

#[test]
fn at_risk_a_share_of_the_time_and_never_before_the_clock_started() {
    use cims::domain::policy::AtRisk;
    let calendar = &policies().calendar;
    let (start, due) = (melb("2026-11-02 00:00"), melb("2026-11-06 00:00"));
    let quarter = deadlines::at_risk_from(AtRisk::Share { percent: 25 }, start, due, calendar);
    assert_eq!(quarter, Ok(melb("2026-11-05 00:00")));
    let hours = deadlines::at_risk_from(AtRisk::Hours { hours: 6 }, start, due, calendar);
    assert_eq!(hours, Ok(melb("2026-11-05 18:00")));
    let longer = deadlines::at_risk_from(AtRisk::Hours { hours: 500 }, start, due, calendar);
    assert_eq!(
        longer,
        Ok(start),
        "a band longer than the clock starts with it"
    );
}

#[test]
fn at_risk_every_deadline_of_the_policy_has_a_band_inside_its_time() {
    // Consulting the team manager (3 days from receipt on Monday 23 Nov): its band is the
    // last 24 hours.
    let record = new_intake(intake());
    let d = find(&record, "R-INT-DL-TM", "2026-11-24 12:00");
    assert_eq!(due_at(&d), "2026-11-26T23:59:59+11:00");
    assert_eq!(d.at_risk_from, Some(melb("2026-11-25 23:59:59")));
    for rule in &current().deadlines {
        let from = deadlines::at_risk_from(
            rule.at_risk,
            melb("2026-11-02 09:00"),
            melb("2026-11-20 17:00"),
            &policies().calendar,
        )
        .expect("placed");
        assert!(
            from > melb("2026-11-02 09:00") && from < melb("2026-11-20 17:00"),
            "{}: {}",
            rule.id,
            rule.at_risk
        );
    }
}
