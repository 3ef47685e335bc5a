//! Masking: the one choke point for what leaves the server (R-PRIV-1 to R-PRIV-6).

use chrono::{DateTime, NaiveDate, Utc};
use cims::domain::actor::{Actor, OrgKind, Role};
use cims::domain::commands::Command;
use cims::domain::events::Event;
use cims::domain::mask::{
    Disclosure, MaskContext, Masked, ProtectedTerms, View, mask, protected_terms_in,
};
use cims::domain::model::{AboriginalStatus, Details, Person, Record, Reporter, Span};
use cims::domain::policy::Policy;
use cims::domain::{decide, evolve};
use serde_json::{Value, json};

use crate::fixtures::{
    actor, cso_delegate, current, date, incident, intake, melb, new_incident, new_intake, ok,
    person, policies, practitioner, regulator, reporter,
};

const REPORTER_FIELDS: [&str; 7] = [
    "name",
    "relationship",
    "phone",
    "email",
    "address",
    "professional",
    "consented_in_writing",
];

fn today() -> NaiveDate {
    date("2026-11-23")
}

fn masked_with(view: View<'_>, who: &Actor, policy: &Policy, terms: &ProtectedTerms) -> Masked {
    let ctx = MaskContext {
        today: today(),
        protected_terms: terms,
    };
    mask(view, who, policy, &ctx)
}

fn masked(record: &Record, who: &Actor) -> Masked {
    masked_with(
        View::Record(record),
        who,
        current(),
        &ProtectedTerms::from_records([record]),
    )
}

/// A user of a community-based child and family service: not a protective intervener.
fn community_service() -> Actor {
    actor(
        "cora",
        "familycare",
        OrgKind::CommunityService,
        &[Role::Practitioner],
        false,
    )
}

fn protected() -> Value {
    json!({ "masked": "protected" })
}

fn identifying() -> Value {
    json!({ "masked": "identifying" })
}

/// Apply a command through `decide` and `evolve`, keeping the events for the history.
fn run(
    record: Option<Record>,
    command: Command,
    by: &Actor,
    now: DateTime<Utc>,
    history: &mut Vec<Event>,
) -> Record {
    let events = decide(&command, record.as_ref(), by, now, policies())
        .unwrap_or_else(|refusal| panic!("{command:?} refused: {refusal}"));
    let mut state = record;
    for event in &events {
        state = Some(evolve(state, event).expect("events apply"));
    }
    history.extend(events);
    state.expect("a record")
}

fn add_note(record: Record, text: &str, spans: Vec<Span>) -> Record {
    ok(
        record,
        Command::AddNote {
            category: None,
            text: text.to_string(),
            protected_spans: spans,
        },
        &practitioner(),
        melb("2026-11-23 15:00"),
    )
}

/// Where the first event of a kind (its `event` tag) sits in the history.
fn position(history: &[Event], kind: &str) -> usize {
    history
        .iter()
        .position(|e| serde_json::to_value(&e.change).expect("json")["event"] == kind)
        .unwrap_or_else(|| panic!("no {kind} event"))
}

fn span_of(text: &str, part: &str) -> Span {
    let start = text.find(part).expect("part of the text");
    Span {
        start,
        end: start + part.len(),
    }
}

/// Every client field filled in, so each class shows.
fn full_client() -> Person {
    Person {
        aboriginal_status: AboriginalStatus::Aboriginal,
        address: Some("3 Home Street, Footscray".to_string()),
        phone: Some("0411 222 333".to_string()),
        cris_number: Some("CRIS-123456".to_string()),
        ..person("Jordan Smith", "2014-05-02")
    }
}

fn incident_record() -> Record {
    let mut details = incident();
    details.clients = vec![full_client()];
    new_incident(details)
}

// ---------------------------------------------------------------- R-PRIV-1

#[test]
fn r_priv_1_protective_intervener_sees_the_reporter() {
    let record = new_intake(intake());
    let out = masked(&record, &practitioner());
    let shown = &out.value["details"]["reporter"];
    assert_eq!(shown["name"], "Robin Reporter");
    assert_eq!(shown["phone"], "0400 111 222");
    assert_eq!(shown["email"], "robin@example.org");
    assert_eq!(shown["address"], "1 School Lane, Sunshine");
    assert_eq!(shown["relationship"], "school teacher");
}

#[test]
fn r_priv_1_cso_user_gets_protected_marker_for_every_reporter_field() {
    let mut record = new_intake(intake());
    for owning in [false, true] {
        if owning {
            // Even the owning organisation's non-PI user may not see the reporter.
            record.org = cso_delegate().org;
        }
        let out = masked(&record, &cso_delegate());
        let shown = &out.value["details"]["reporter"];
        for field in REPORTER_FIELDS {
            assert_eq!(
                shown[field],
                protected(),
                "reporter.{field}, owning: {owning}"
            );
        }
        let text = out.value.to_string();
        assert!(!text.contains("Robin"), "{text}");
    }
}

#[test]
fn r_priv_1_community_service_user_sees_the_reporter() {
    let record = new_intake(intake());
    let out = masked(&record, &community_service());
    assert_eq!(out.value["details"]["reporter"]["name"], "Robin Reporter");
}

#[test]
fn r_priv_1_community_service_access_is_a_policy_parameter() {
    let record = new_intake(intake());
    let mut policy = current().clone();
    policy.parameters.community_service_sees_protected = false;
    let out = masked_with(
        View::Record(&record),
        &community_service(),
        &policy,
        &ProtectedTerms::from_records([&record]),
    );
    assert_eq!(out.value["details"]["reporter"]["name"], protected());
    assert!(out.disclosed.is_empty());
}

#[test]
fn r_priv_1_consent_in_writing_treats_reporter_fields_as_identifying() {
    let mut details = intake();
    details.reporter.consented_in_writing = true;
    let mut record = new_intake(details);

    // Another organisation's non-PI user: masked, as identifying.
    let out = masked(&record, &cso_delegate());
    for field in REPORTER_FIELDS {
        assert_eq!(
            out.value["details"]["reporter"][field],
            identifying(),
            "{field}"
        );
    }

    // The owning organisation's non-PI user and the assignee see the reporter.
    record.org = cso_delegate().org;
    let out = masked(&record, &cso_delegate());
    assert_eq!(out.value["details"]["reporter"]["name"], "Robin Reporter");
    record.assignee = Some(regulator().user);
    let out = masked(&record, &regulator());
    assert_eq!(
        out.value["details"]["reporter"]["email"],
        "robin@example.org"
    );
}

// ---------------------------------------------------------------- R-PRIV-3

#[test]
fn r_priv_3_other_organisation_sees_initials_age_and_markers() {
    let record = incident_record();
    let out = masked(&record, &cso_delegate());
    let client = &out.value["details"]["clients"][0];
    assert_eq!(
        client["name"],
        json!({ "masked": "identifying", "display": "J.S. (12)" })
    );
    for field in ["date_of_birth", "address", "phone", "cris_number"] {
        assert_eq!(client[field], identifying(), "{field}");
    }
    assert_eq!(client["aboriginal_status"], json!({ "masked": "cultural" }));
    assert_eq!(
        out.value["details"]["subject"]["person"]["name"],
        json!({ "masked": "identifying", "display": "S.W. (36)" })
    );
    // Location is identifying; everything else passes unchanged.
    assert_eq!(out.value["details"]["location"], identifying());
    assert_eq!(
        out.value["details"]["description"],
        "Jordan reported being pushed against a wall by a staff member."
    );
    assert_eq!(out.value["details"]["primary_type"], "physical_abuse");
    assert_eq!(out.value["org"], "dffh");
    let text = out.value.to_string();
    for leak in [
        "Jordan Smith",
        "2014-05-02",
        "Home Street",
        "0411",
        "CRIS-123456",
    ] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

#[test]
fn r_priv_3_masked_name_without_date_of_birth_is_initials_only() {
    let mut details = intake();
    details.children[0].person.date_of_birth = None;
    let record = new_intake(details);
    let out = masked(&record, &regulator());
    assert_eq!(
        out.value["details"]["children"][0]["person"]["name"],
        json!({ "masked": "identifying", "display": "C.B." })
    );
    assert_eq!(
        out.value["details"]["parents"][0]["person"]["name"],
        json!({ "masked": "identifying", "display": "A.B." })
    );
    assert_eq!(
        out.value["details"]["parents"][0]["person"]["aboriginal_status"],
        json!({ "masked": "cultural" })
    );
}

#[test]
fn r_priv_3_r_int_aboriginal_why_a_child_s_status_was_set_by_hand_is_cultural() {
    let mut details = intake();
    details.children[0].person.aboriginal_status_reason =
        Some("the child's grandmother confirmed the family's connection".into());
    let record = new_intake(details);
    let out = masked(&record, &regulator());
    assert_eq!(
        out.value["details"]["children"][0]["person"]["aboriginal_status_reason"],
        json!({ "masked": "cultural" })
    );
}

#[test]
fn r_priv_3_owning_organisation_and_assignee_see_identifying_fields() {
    let mut record = incident_record();
    record.org = cso_delegate().org;
    record.assignee = Some(regulator().user);
    for who in [cso_delegate(), regulator(), practitioner()] {
        let out = masked(&record, &who);
        let client = &out.value["details"]["clients"][0];
        assert_eq!(client["name"], "Jordan Smith", "{}", who.user);
        assert_eq!(client["date_of_birth"], "2014-05-02");
        assert_eq!(client["cris_number"], "CRIS-123456");
        assert_eq!(client["aboriginal_status"], "aboriginal");
        assert_eq!(
            out.value["details"]["location"],
            "Residential unit, Footscray"
        );
    }
}

#[test]
fn r_priv_3_owning_organisation_non_pi_still_gets_reporter_masked() {
    let mut record = new_intake(intake());
    record.org = cso_delegate().org;
    let out = masked(&record, &cso_delegate());
    assert_eq!(
        out.value["details"]["children"][0]["person"]["name"],
        "Casey Brown"
    );
    assert_eq!(out.value["details"]["reporter"]["name"], protected());
}

// ---------------------------------------------------------------- R-PRIV-2

#[test]
fn r_priv_2_reporter_name_in_free_text_is_redacted_for_non_pi() {
    let report = new_intake(intake());
    let mut details = incident();
    details.description = "Robin Reporter, a teacher, saw the push.".to_string();
    let mut record = new_incident(details);
    record.id = "REC-2".to_string();
    let record = add_note(
        record,
        "Spoke with robin  REPORTER on 0400111222 about it.",
        Vec::new(),
    );
    let terms = ProtectedTerms::from_records([&report, &record]);

    let out = masked_with(View::Record(&record), &cso_delegate(), current(), &terms);
    assert_eq!(
        out.value["details"]["description"],
        "[protected], a teacher, saw the push."
    );
    assert_eq!(
        out.value["notes"][0]["revisions"][0]["text"],
        "Spoke with [protected] on [protected] about it."
    );

    let out = masked_with(View::Record(&record), &practitioner(), current(), &terms);
    assert_eq!(
        out.value["details"]["description"],
        "Robin Reporter, a teacher, saw the push."
    );
    assert_eq!(
        out.value["notes"][0]["revisions"][0]["text"],
        "Spoke with robin  REPORTER on 0400111222 about it."
    );
}

#[test]
fn r_priv_2_protected_terms_in_warns_the_author() {
    let report = new_intake(intake());
    let terms = ProtectedTerms::from_records([&report]);
    assert_eq!(
        protected_terms_in("Robin Reporter, a teacher, saw the push.", &terms),
        ["Robin Reporter"]
    );
    assert_eq!(
        protected_terms_in("Write to ROBIN@example.org or call 0400-111-222", &terms),
        ["ROBIN@example.org", "0400-111-222"]
    );
    assert!(protected_terms_in("Robin saw the push.", &terms).is_empty());
}

#[test]
fn r_priv_2_short_terms_are_ignored() {
    let mut terms = ProtectedTerms::new();
    terms.add_reporter(&Reporter {
        name: "Al".to_string(),
        ..reporter()
    });
    assert!(protected_terms_in("Al said hello", &terms).is_empty());
}

#[test]
fn r_priv_2_reasons_and_rationales_are_redacted_in_history() {
    let mut history = Vec::new();
    let by = practitioner();
    let record = run(
        None,
        Command::Create {
            id: "REC-9".to_string(),
            org: by.org.clone(),
            details: Details::Intake(intake()),
            assignee: None,
        },
        &by,
        melb("2026-11-23 13:30"),
        &mut history,
    );
    let record = run(
        Some(record),
        Command::AddNote {
            category: None,
            text: "First call.".to_string(),
            protected_spans: Vec::new(),
        },
        &by,
        melb("2026-11-23 14:00"),
        &mut history,
    );
    let record = run(
        Some(record),
        Command::AmendNote {
            note: 1,
            text: "First call, from the school.".to_string(),
            protected_spans: Vec::new(),
            reason: "Robin Reporter asked for a correction".to_string(),
        },
        &by,
        melb("2026-11-23 14:30"),
        &mut history,
    );
    let terms = ProtectedTerms::from_records([&record]);
    let out = masked_with(
        View::History(&record, &history),
        &regulator(),
        current(),
        &terms,
    );
    let amended = &out.value["events"][position(&history, "note_amended")]["change"];
    assert_eq!(amended["reason"], "[protected] asked for a correction");
    let out = masked_with(View::Record(&record), &regulator(), current(), &terms);
    assert_eq!(
        out.value["notes"][0]["revisions"][1]["reason"],
        "[protected] asked for a correction"
    );
}

// ---------------------------------------------------------------- R-PRIV-4

const LEAKS: [&str; 6] = [
    "Leakname Qzv",
    "LEAKREL-QZV",
    "0499 876 543",
    "leakmail-qzv@example.org",
    "LEAKADDR-QZV",
    "LEAKSPAN-QZV",
];

/// An intake with a unique marker in every protected field and in a protected note span,
/// and its history.
fn planted() -> (Record, Vec<Event>) {
    let mut details = intake();
    details.reporter = Reporter {
        name: LEAKS[0].to_string(),
        relationship: Some(LEAKS[1].to_string()),
        phone: Some(LEAKS[2].to_string()),
        email: Some(LEAKS[3].to_string()),
        address: Some(LEAKS[4].to_string()),
        professional: true,
        consented_in_writing: false,
    };
    // The reporter's name and phone also in free text (R-PRIV-2).
    details.concerns = format!("{} rang from 0499876543 about Casey.", LEAKS[0]);
    let by = practitioner();
    let mut history = Vec::new();
    let record = run(
        None,
        Command::Create {
            id: "REC-LEAK".to_string(),
            org: by.org.clone(),
            details: Details::Intake(details.clone()),
            assignee: None,
        },
        &by,
        melb("2026-11-23 13:30"),
        &mut history,
    );
    let mut updated = details;
    updated.concerns = format!("Update: {} called again.", LEAKS[0].to_uppercase());
    let record = run(
        Some(record),
        Command::UpdateIntake { intake: updated },
        &by,
        melb("2026-11-23 13:45"),
        &mut history,
    );
    let text = format!("The neighbour {} heard shouting.", LEAKS[5]);
    let record = run(
        Some(record),
        Command::AddNote {
            category: None,
            protected_spans: vec![span_of(&text, LEAKS[5])],
            text,
        },
        &by,
        melb("2026-11-23 14:00"),
        &mut history,
    );
    let text = format!("Amended: {} and {} heard it.", LEAKS[5], LEAKS[0]);
    let record = run(
        Some(record),
        Command::AmendNote {
            note: 1,
            protected_spans: vec![span_of(&text, LEAKS[5])],
            text,
            reason: format!("{} asked", LEAKS[3]),
        },
        &by,
        melb("2026-11-23 14:30"),
        &mut history,
    );
    (record, history)
}

/// Where the PI's view and the masked view differ, the masked one holds a non-empty marker
/// or redacted text, never an empty string or null (R-PRIV-4).
fn assert_explicit_markers(full: &Value, masked: &Value, path: &str) {
    match (full, masked) {
        (Value::Object(a), Value::Object(b)) if !b.contains_key("masked") => {
            for (key, value) in b {
                if let Some(original) = a.get(key) {
                    assert_explicit_markers(original, value, &format!("{path}.{key}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}");
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                assert_explicit_markers(x, y, &format!("{path}[{index}]"));
            }
        }
        (a, b) if a == b => {}
        (_, Value::Object(marker)) => {
            let class = marker.get("masked").and_then(Value::as_str);
            assert!(class.is_some_and(|c| !c.is_empty()), "{path}: {marker:?}");
        }
        (_, Value::String(text)) => {
            assert!(text.contains("[protected]"), "{path}: {text}");
        }
        (_, other) => panic!("{path}: masked as {other:?}"),
    }
    assert!(!masked.is_null(), "{path} is null");
    assert_ne!(masked, &json!(""), "{path} is empty");
}

#[test]
fn r_priv_4_no_protected_value_leaves_for_a_non_pi() {
    let (record, history) = planted();
    let terms = ProtectedTerms::from_records([&record]);
    let mut owned = record.clone();
    owned.org = cso_delegate().org;
    let assigned = Record {
        assignee: Some(regulator().user),
        ..record.clone()
    };
    let cases = [
        (&record, cso_delegate()),
        (&record, regulator()),
        (&owned, cso_delegate()),
        (&assigned, regulator()),
    ];
    for (record, who) in cases {
        let full_record = masked_with(View::Record(record), &practitioner(), current(), &terms);
        let full_history = masked_with(
            View::History(record, &history),
            &practitioner(),
            current(),
            &terms,
        );
        let out_record = masked_with(View::Record(record), &who, current(), &terms);
        let out_history = masked_with(View::History(record, &history), &who, current(), &terms);
        for (full, out) in [(&full_record, &out_record), (&full_history, &out_history)] {
            let text = serde_json::to_string(&out.value).expect("json");
            for leak in LEAKS {
                assert!(
                    !text.contains(leak),
                    "{leak} leaked to {}: {text}",
                    who.user
                );
                assert!(
                    !text.to_lowercase().contains(&leak.to_lowercase()),
                    "{leak} leaked to {}",
                    who.user
                );
            }
            assert!(!text.contains("0499876543"), "{text}");
            assert!(!text.contains("protected_spans"), "{text}");
            assert!(out.disclosed.is_empty());
            assert_explicit_markers(&full.value, &out.value, "");
            // The PI's view does hold every planted value: the check is not vacuous.
            let full_text = serde_json::to_string(&full.value).expect("json");
            for leak in LEAKS {
                assert!(full_text.contains(leak), "{leak} missing for the PI");
            }
        }
    }
}

#[test]
fn r_priv_4_history_is_one_masked_list_of_the_records_events() {
    let (record, history) = planted();
    let out = masked_with(
        View::History(&record, &history),
        &regulator(),
        current(),
        &ProtectedTerms::from_records([&record]),
    );
    assert_eq!(out.value["record"], "REC-LEAK");
    let events = out.value["events"].as_array().expect("events");
    assert_eq!(events.len(), history.len());
    let created = position(&history, "created");
    assert_eq!(
        events[created]["change"]["details"]["reporter"]["name"],
        protected()
    );
    assert_eq!(
        events[position(&history, "note_added")]["change"]["text"],
        "The neighbour [protected] heard shouting."
    );
}

// ---------------------------------------------------------------- R-PRIV-5

fn fields(disclosed: &[Disclosure]) -> Vec<&str> {
    disclosed.iter().map(|d| d.field.as_str()).collect()
}

#[test]
fn r_priv_5_disclosures_name_the_reporter_fields_for_a_pi() {
    let record = new_intake(intake());
    let out = masked(&record, &practitioner());
    let mut expected: Vec<String> = REPORTER_FIELDS
        .iter()
        .map(|f| format!("details.reporter.{f}"))
        .collect();
    expected.sort();
    let mut disclosed = fields(&out.disclosed);
    disclosed.sort_unstable();
    assert_eq!(disclosed, expected);
    assert!(out.disclosed.iter().all(|d| d.record == record.id));

    let out = masked(&record, &community_service());
    assert!(fields(&out.disclosed).contains(&"details.reporter.name"));
}

#[test]
fn r_priv_5_no_disclosures_for_a_non_pi() {
    let record = new_intake(intake());
    for who in [cso_delegate(), regulator()] {
        assert!(masked(&record, &who).disclosed.is_empty(), "{}", who.user);
    }
}

#[test]
fn r_priv_5_no_disclosures_without_protected_fields() {
    let record = incident_record();
    assert!(masked(&record, &practitioner()).disclosed.is_empty());
}

#[test]
fn r_priv_5_history_disclosures_name_the_events() {
    let (record, history) = planted();
    let out = masked_with(
        View::History(&record, &history),
        &practitioner(),
        current(),
        &ProtectedTerms::from_records([&record]),
    );
    let fields = fields(&out.disclosed);
    let expected = [
        ("created", "details.reporter.name"),
        ("details_updated", "details.reporter.email"),
        ("note_added", "protected_spans"),
        ("note_amended", "protected_spans"),
    ];
    for (event, field) in expected {
        let path = format!("events[{}].change.{field}", position(&history, event));
        assert!(fields.contains(&path.as_str()), "{path} in {fields:?}");
    }
}

// ---------------------------------------------------------------- R-PRIV-6

#[test]
fn r_priv_6_protected_span_redacted_for_non_pi() {
    let text = "Aunt Mel (the caller) said Jordan was scared.";
    let record = add_note(
        incident_record(),
        text,
        vec![span_of(text, "Aunt Mel (the caller)")],
    );
    let out = masked(&record, &cso_delegate());
    let revision = &out.value["notes"][0]["revisions"][0];
    assert_eq!(revision["text"], "[protected] said Jordan was scared.");
    assert!(revision.get("protected_spans").is_none(), "{revision}");
    assert!(out.disclosed.is_empty());
}

#[test]
fn r_priv_6_protected_span_present_for_pi_and_disclosed() {
    let text = "Aunt Mel (the caller) said Jordan was scared.";
    let span = span_of(text, "Aunt Mel (the caller)");
    let record = add_note(incident_record(), text, vec![span]);
    let out = masked(&record, &practitioner());
    let revision = &out.value["notes"][0]["revisions"][0];
    assert_eq!(revision["text"], text);
    assert_eq!(
        revision["protected_spans"],
        json!([{ "start": span.start, "end": span.end }])
    );
    assert_eq!(
        fields(&out.disclosed),
        ["notes[0].revisions[0].protected_spans"]
    );
}

#[test]
fn r_priv_6_several_spans_and_terms_together() {
    let report = new_intake(intake());
    let text = "Aunt Mel rang; Robin Reporter too; Uncle Bo later.";
    let spans = vec![span_of(text, "Aunt Mel"), span_of(text, "Uncle Bo")];
    let record = add_note(incident_record(), text, spans);
    let terms = ProtectedTerms::from_records([&report]);
    let out = masked_with(View::Record(&record), &regulator(), current(), &terms);
    assert_eq!(
        out.value["notes"][0]["revisions"][0]["text"],
        "[protected] rang; [protected] too; [protected] later."
    );
}
