//! Policy as data (DESIGN §3, R-ERA): loading, validation that names the problem and
//! where, and behaviour that follows the data without code changes.

use cims::domain::calendar::Calendar;
use cims::domain::commands::Command;
use cims::domain::deadlines;
use cims::domain::model::Details;
use cims::domain::policy::{PolicyError, PolicySet};
use cims::domain::{decide, evolve};

use crate::fixtures::*;

const CURRENT: &str = include_str!("../../policy/cims-2024-12-09.toml");
const EARLIER: &str = include_str!("../../policy/cims-2020-02-03.toml");

fn load(current: &str) -> Result<PolicySet, PolicyError> {
    let calendar = Calendar::embedded().expect("calendar");
    PolicySet::from_sources(
        &[("current.toml", current), ("earlier.toml", EARLIER)],
        calendar,
    )
}

fn error_for(from: &str, to: &str) -> PolicyError {
    assert!(
        CURRENT.contains(from),
        "fixture text {from:?} not in the policy"
    );
    load(&CURRENT.replacen(from, to, 1)).expect_err("the modified policy must not load")
}

#[test]
fn r_era_embedded_policy_has_both_eras_in_date_order() {
    let set = PolicySet::embedded().expect("embedded policy");
    let ids: Vec<_> = set.eras().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["cims-2020-02-03", "cims-2024-12-09"]);
    assert_eq!(set.in_force(date("2024-12-08")).id, "cims-2020-02-03");
    assert_eq!(set.in_force(date("2024-12-09")).id, "cims-2024-12-09");
}

#[test]
fn r_era_the_earlier_era_carries_only_what_differs() {
    let set = PolicySet::embedded().expect("embedded policy");
    let earlier = set.by_id("cims-2020-02-03").expect("era");
    let current = set.by_id("cims-2024-12-09").expect("era");
    assert!(earlier.incident_type("poor_quality_of_care").is_some());
    assert!(current.incident_type("poor_quality_of_care").is_none());
    assert_eq!(earlier.checklist, current.checklist, "inherited unchanged");
    assert_eq!(earlier.deadlines, current.deadlines);
}

#[test]
fn unknown_role_is_named_with_its_place() {
    let e = error_for(
        "tick = [\"integrity_unit\"]\nrule = \"R-RCS-1\"",
        "tick = [\"integrity\"]\nrule = \"R-RCS-1\"",
    );
    assert!(e.to_string().contains("current.toml"), "{e}");
    assert!(e.to_string().contains("rcs_scope_checked"), "{e}");
    assert!(e.to_string().contains("unknown role \"integrity\""), "{e}");
}

#[test]
fn unknown_stage_is_named_with_its_place() {
    let e = error_for(
        "stage = \"review\"\nid = \"review_plan\"",
        "stage = \"reveiw\"\nid = \"review_plan\"",
    );
    assert!(e.to_string().contains("unknown stage \"reveiw\""), "{e}");
    assert!(e.to_string().contains("review_plan"), "{e}");
}

#[test]
fn unknown_rule_id_is_named_with_its_place() {
    let e = error_for("rule = \"R-KINSHIP-1\"", "rule = \"R-KINSHIP-9\"");
    assert!(
        e.to_string().contains("unknown rule id \"R-KINSHIP-9\""),
        "{e}"
    );
    assert!(e.to_string().contains("kinship_considerations"), "{e}");
}

#[test]
fn unknown_condition_command_group_and_type_are_refused() {
    let e = error_for("when = \"kinship_carer_subject\"", "when = \"kinship\"");
    assert!(
        e.to_string().contains("unknown condition \"kinship\""),
        "{e}"
    );
    let e = error_for(
        "confirm_rcs_scope = [\"integrity_unit\"]",
        "confirm_rcs = [\"integrity_unit\"]",
    );
    assert!(
        e.to_string().contains("unknown command \"confirm_rcs\""),
        "{e}"
    );
    let e = error_for(
        "create_intake = [\"@casework\"]",
        "create_intake = [\"@casewrk\"]",
    );
    assert!(
        e.to_string().contains("unknown role group \"@casewrk\""),
        "{e}"
    );
    let e = error_for("types = [\"medication_error\"]", "types = [\"medication\"]");
    assert!(
        e.to_string()
            .contains("unknown incident type \"medication\""),
        "{e}"
    );
}

#[test]
fn unknown_keys_and_bad_deadlines_are_refused() {
    let e = error_for(
        "required = true\ntick = [\"@working\"]",
        "requried = true\ntick = [\"@working\"]",
    );
    assert!(e.to_string().contains("requried"), "{e}");
    let e = error_for(
        "business_days = 28\nat = \"end_of_day\"",
        "business_days = 28",
    );
    assert!(e.to_string().contains("R-DL-INVEST"), "{e}");
    let e = error_for("calendar_days = 30", "calendar_days = 0");
    assert!(e.to_string().contains("1 to 366"), "{e}");
}

#[test]
fn at_risk_bands_that_are_not_a_share_or_hours_are_refused_by_name() {
    for bad in [
        "0%",
        "100%",
        "soon",
        "4 weeks",
        "0 hours",
        "-3 hours",
        "4business hours",
    ] {
        let e = error_for(
            "at_risk = \"4 business hours\"",
            &format!("at_risk = {bad:?}"),
        );
        assert!(
            e.to_string().contains("R-DL-SSR") && e.to_string().contains("at_risk"),
            "{bad}: {e}"
        );
    }
    let without = CURRENT.replacen("at_risk = \"4 business hours\"\n", "", 1);
    let set = load(&without).expect("a band may be left to the default");
    let ssr = set.current().deadline("R-DL-SSR").expect("rule");
    assert_eq!(
        ssr.at_risk,
        cims::domain::policy::AtRisk::Share { percent: 25 }
    );
}

#[test]
fn short_type_labels_must_fit_a_narrow_column_and_tell_types_apart() {
    let e = error_for("short = \"SexAb\"", "short = \"SexualAb\"");
    assert!(e.to_string().contains("1 to 7 characters"), "{e}");
    let e = error_for("short = \"SexAb\"", "short = \"PhysAb\"");
    assert!(e.to_string().contains("another type"), "{e}");
    let e = error_for("short = \"SexAb\"\n", "");
    assert!(e.to_string().contains("short"), "{e}");
}

#[test]
fn a_policy_extending_an_unknown_era_is_refused() {
    let calendar = Calendar::embedded().expect("calendar");
    let broken = EARLIER.replace("extends = \"cims-2024-12-09\"", "extends = \"cims-1999\"");
    let e = PolicySet::from_sources(
        &[("current.toml", CURRENT), ("earlier.toml", &broken)],
        calendar,
    )
    .expect_err("unknown base");
    assert!(e.to_string().contains("cims-1999"), "{e}");
}

/// R-DL-REPORT is a policy parameter: five business days instead of three moves the due
/// date, with no code change.
#[test]
fn r_dl_report_changing_the_business_day_count_in_the_policy_changes_the_deadline() {
    let modified = CURRENT.replacen(
        "met_by = \"report_submitted\"\nbusiness_days = 3",
        "met_by = \"report_submitted\"\nbusiness_days = 5",
        1,
    );
    assert_ne!(modified, CURRENT);
    let set = load(&modified).expect("modified policy loads");
    let now = melb("2026-11-23 11:00");
    let events = decide(
        &Command::Create {
            id: "REC-9".into(),
            org: "dffh".into(),
            details: Details::Incident(incident()),
            assignee: None,
        },
        None,
        &practitioner(),
        now,
        &set,
    )
    .expect("registers");
    let mut record = None;
    for e in &events {
        record = Some(evolve(record, e).expect("applies"));
    }
    let record = record.expect("record");
    let report = deadlines::deadlines(&record, &set, now)
        .into_iter()
        .find(|d| d.id == "R-DL-REPORT")
        .expect("deadline");
    // Aware Mon 23 Nov: 5 business days → Mon 30 Nov (3 would be Thu 26 Nov).
    assert_eq!(
        report.due.expect("due").at.to_rfc3339(),
        "2026-11-30T23:59:59+11:00"
    );
}

/// R-SSR-1 is a policy parameter: the regulator adds a criterion and cims follows.
#[test]
fn r_ssr_1_a_new_criterion_in_the_policy_makes_incidents_critical() {
    let modified = format!(
        "{CURRENT}\n[[critical_notifiable]]\nid = \"self_harm_hospital\"\nname = \"Self-harm needing hospital treatment\"\ntypes = [\"self_harm\"]\nall_of = [\"hospital_treatment\"]\n"
    );
    let set = load(&modified).expect("loads");
    let mut i = incident();
    i.primary_type = "self_harm".into();
    i.subject = None;
    i.circumstances
        .insert(cims::domain::model::Circumstance::HospitalTreatment);
    assert!(cims::domain::rules::incident::ssr_critical(&i, set.current()).is_some());
    assert!(cims::domain::rules::incident::ssr_critical(&i, current()).is_none());
}

#[test]
fn r_priv_9_a_stage_may_not_depend_on_a_classed_field() {
    let e = error_for(
        "when = \"review_required\"             # R-FOLLOWUP-2",
        "when = \"aboriginal_client\"",
    );
    assert!(e.to_string().contains("\"review\""), "{e}");
    assert!(e.to_string().contains("reads a cultural field"), "{e}");
}

#[test]
fn r_order_1_prerequisites_are_validated_at_load() {
    let e = error_for(
        "requires = [\"police_clearance\"]",
        "requires = [\"police_clearence\"]",
    );
    assert!(
        e.to_string()
            .contains("requires unknown item \"police_clearence\""),
        "{e}"
    );
    // An item never waits for one of a later stage.
    let e = error_for(
        "requires = [\"police_clearance\"]",
        "requires = [\"police_clearance\", \"review_plan\"]",
    );
    assert!(e.to_string().contains("later stage"), "{e}");
    assert!(e.to_string().contains("investigation_plan"), "{e}");
    // Nor, through others, for itself.
    let e = error_for(
        "requires = [\"police_clearance\"]",
        "requires = [\"police_clearance\", \"plan_endorsed\"]",
    );
    assert!(e.to_string().contains("requires itself"), "{e}");
}

#[test]
fn r_lock_1_an_endorsement_covers_facts_cims_knows() {
    let e = error_for("covers = [\"primary_type\",", "covers = [\"primary_typo\",");
    assert!(
        e.to_string()
            .contains("unknown fact \"primary_typo\" in `covers` for incident records"),
        "{e}"
    );
    // An intake fact is not an incident's.
    let e = error_for(
        "covers = [\"primary_type\",",
        "covers = [\"family_violence\",",
    );
    assert!(e.to_string().contains("family_violence"), "{e}");
}

/// R-PERSON-2: matching's weights are policy data; one that is not a number, a similarity
/// out of range or thresholds out of order is refused by its key.
#[test]
fn matching_weights_are_policy_data_refused_by_key_when_wrong() {
    let e = error_for("given_match = 4.0", "given_match = \"high\"");
    assert!(e.to_string().contains("\"high\", expected f64"), "{e}");
    let e = error_for("name_near_similarity = 0.85", "name_near_similarity = 1.5");
    assert!(
        e.to_string().contains("matching.name_near_similarity"),
        "{e}"
    );
    let e = error_for("possible_threshold = 4.0", "possible_threshold = 12.0");
    assert!(e.to_string().contains("matching.likely_threshold"), "{e}");
    let e = error_for("sex_differs = -3.0", "sex_differs = -3.0\nsex_diffrs = 1.0");
    assert!(e.to_string().contains("sex_diffrs"), "{e}");
}

#[test]
fn r_pattern_1_the_pattern_is_policy_data_refused_by_name_when_out_of_range() {
    let set = load(CURRENT).expect("the policy loads");
    let parameters = &set.current().parameters;
    assert_eq!(
        (parameters.pattern_count, parameters.pattern_window_days),
        (3, 90)
    );
    for (from, to, named) in [
        ("pattern_count = 3 ", "pattern_count = 1 ", "pattern_count"),
        (
            "pattern_window_days = 90 ",
            "pattern_window_days = 0 ",
            "pattern_window_days",
        ),
        (
            "pattern_window_days = 90 ",
            "pattern_window_days = 5000 ",
            "pattern_window_days",
        ),
    ] {
        let e = error_for(from, to);
        assert!(e.to_string().contains(named), "{to}: {e}");
    }
    let e = error_for("pattern_count = 3 ", "");
    assert!(
        e.to_string().contains("pattern_count"),
        "a missing count is named: {e}"
    );
}
