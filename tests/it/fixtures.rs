//! Builders for the records, actors and times the specifications talk about.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use cims::domain::actor::{Actor, OrgKind, Role};
use cims::domain::commands::Command;
use cims::domain::local_time;
use cims::domain::model::{
    AboriginalStatus, CareArrangement, Child, Details, HarmKind, Incident, Intake, Parent, Person,
    Record, Reporter, Subject, SubjectRelation,
};
use cims::domain::policy::{Policy, PolicySet};
use cims::domain::refusal::Refusal;
use cims::domain::submissions::{
    Outcome, SYSTEM_ACTOR, Sent, SubmissionKind, answered, submission_key,
};
use cims::domain::{decide, evolve};

pub fn policies() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| PolicySet::embedded().expect("embedded policy"))
}

pub fn current() -> &'static Policy {
    policies().current()
}

/// A Melbourne local time, e.g. `melb("2026-11-23 12:59")`.
pub fn melb(text: &str) -> DateTime<Utc> {
    local_time::parse_local(text)
        .expect("valid local time")
        .with_timezone(&Utc)
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid date")
}

pub fn actor(user: &str, org: &str, kind: OrgKind, roles: &[Role], pi: bool) -> Actor {
    Actor {
        user: user.to_string(),
        org: org.to_string(),
        org_kind: kind,
        roles: roles.iter().copied().collect::<BTreeSet<_>>(),
        protective_intervener: pi,
    }
}

/// A child protection practitioner: a protective intervener in the department.
pub fn practitioner() -> Actor {
    actor(
        "alice",
        "dffh",
        OrgKind::Department,
        &[Role::Practitioner],
        true,
    )
}

pub fn team_manager() -> Actor {
    actor(
        "tess",
        "dffh",
        OrgKind::Department,
        &[Role::TeamManager],
        true,
    )
}

pub fn daom() -> Actor {
    actor("dan", "dffh", OrgKind::Department, &[Role::Daom], true)
}

pub fn practice_leader() -> Actor {
    actor(
        "pat",
        "dffh",
        OrgKind::Department,
        &[Role::PracticeLeader],
        true,
    )
}

pub fn delegate() -> Actor {
    actor(
        "dee",
        "dffh",
        OrgKind::Department,
        &[Role::IncidentDelegate],
        true,
    )
}

pub fn integrity_unit() -> Actor {
    actor(
        "ian",
        "dffh",
        OrgKind::Department,
        &[Role::IntegrityUnit],
        true,
    )
}

pub fn investigator() -> Actor {
    actor(
        "ivy",
        "dffh",
        OrgKind::Department,
        &[Role::Investigator, Role::InvestigationManager],
        true,
    )
}

/// A CSO's incident delegate: not a protective intervener.
pub fn cso_delegate() -> Actor {
    actor(
        "carol",
        "anglicare",
        OrgKind::Cso,
        &[Role::IncidentDelegate, Role::Practitioner],
        false,
    )
}

/// A regulator's viewer: read only, not a protective intervener.
pub fn regulator() -> Actor {
    actor("rex", "ssr", OrgKind::Regulator, &[Role::Viewer], false)
}

pub fn person(name: &str, dob: &str) -> Person {
    Person {
        name: name.to_string(),
        date_of_birth: Some(date(dob)),
        ..Person::default()
    }
}

/// Physical abuse of a 12-year-old by a residential care worker, no hospital treatment.
pub fn incident() -> Incident {
    Incident {
        identified_at: melb("2026-11-23 10:00"),
        occurred_at: Some(melb("2026-11-23 08:30")),
        clients: vec![person("Jordan Smith", "2014-05-02")],
        subject: Some(Subject {
            relation: SubjectRelation::Staff,
            person: Some(person("Sam Worker", "1990-01-01")),
        }),
        care_arrangement: CareArrangement::ResidentialCare,
        harm: HarmKind::Harm,
        service_type: "out_of_home_care".to_string(),
        primary_type: "physical_abuse".to_string(),
        secondary_type: None,
        impact: Some(cims::domain::model::Impact::Major),
        circumstances: BTreeSet::new(),
        description: "Jordan reported being pushed against a wall by a staff member.".to_string(),
        location: Some("Residential unit, Footscray".to_string()),
        // R-SCOPE-3: residential care is a CSO's to report; this unit is the department's.
        responsibility_reason: Some("The department runs this residential unit.".to_string()),
    }
}

pub fn reporter() -> Reporter {
    Reporter {
        name: "Robin Reporter".to_string(),
        relationship: Some("school teacher".to_string()),
        phone: Some("0400 111 222".to_string()),
        email: Some("robin@example.org".to_string()),
        address: Some("1 School Lane, Sunshine".to_string()),
        professional: true,
        consented_in_writing: false,
    }
}

/// A report about one 8-year-old from a professional reporter.
pub fn intake() -> Intake {
    Intake {
        received_at: melb("2026-11-23 12:59"),
        reporter: reporter(),
        children: vec![Child {
            person: person("Casey Brown", "2018-03-10"),
            sexually_abusive_behaviour: false,
            rso_contact: false,
            prior_reports: Vec::new(),
            known_reports: Vec::new(),
        }],
        parents: vec![Parent {
            person: Person {
                name: "Alex Brown".to_string(),
                aboriginal_status: AboriginalStatus::NotAboriginal,
                ..Person::default()
            },
            relationship: Some("mother".to_string()),
            parent_of: None,
        }],
        concerns: "Casey arrived at school with bruising and said she was hit at home.".to_string(),
        family_violence: false,
        maram: None,
        consequence: None,
        probability: None,
        decision: None,
        feedback_exception: None,
        rereport_decision: None,
        auto_pir: BTreeSet::new(),
        harm_types: BTreeSet::new(),
    }
}

/// Apply a command and fold its events into the record.
pub fn apply(
    record: Option<Record>,
    command: Command,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Record, Refusal> {
    let events = decide(&command, record.as_ref(), by, now, policies())?;
    let mut state = record;
    for event in &events {
        state = Some(evolve(state, event).expect("events apply"));
    }
    state.ok_or_else(|| Refusal::invalid("no events"))
}

/// Apply a command that must succeed.
pub fn ok(record: Record, command: Command, by: &Actor, now: DateTime<Utc>) -> Record {
    match apply(Some(record), command.clone(), by, now) {
        Ok(record) => record,
        Err(refusal) => panic!("{command:?} refused: {refusal}"),
    }
}

/// The refusal a command must meet.
pub fn refused(record: &Record, command: Command, by: &Actor, now: DateTime<Utc>) -> Refusal {
    match apply(Some(record.clone()), command.clone(), by, now) {
        Ok(_) => panic!("{command:?} was accepted"),
        Err(refusal) => refusal,
    }
}

pub fn create(details: Details, by: &Actor, now: DateTime<Utc>) -> Result<Record, Refusal> {
    apply(
        None,
        Command::Create {
            id: "REC-1".to_string(),
            org: by.org.clone(),
            details,
            assignee: None,
        },
        by,
        now,
    )
}

pub fn new_incident(incident: Incident) -> Record {
    create(
        Details::Incident(incident),
        &practitioner(),
        melb("2026-11-23 11:00"),
    )
    .expect("incident registers")
}

pub fn new_intake(intake: Intake) -> Record {
    create(
        Details::Intake(intake),
        &practitioner(),
        melb("2026-11-23 13:30"),
    )
    .expect("intake registers")
}

pub fn tick(record: Record, item: &str, by: &Actor, now: DateTime<Utc>) -> Record {
    ok(
        record,
        Command::Tick {
            item: item.to_string(),
        },
        by,
        now,
    )
}

/// The recipient accepted the record's last queued submission of `kind`, sent at `now`
/// (R-SUBMIT-1): what the delivering worker records.
pub fn accepted(record: Record, kind: SubmissionKind, now: DateTime<Utc>) -> Record {
    let policy = policies()
        .by_id(&record.policy)
        .expect("the record's policy");
    let route = policy.submission(kind).expect("a submission of this kind");
    let sent = Sent {
        key: submission_key(&record.id, i64::try_from(record.version).expect("version")),
        kind,
        recipient: route.recipient,
        queued_by: "alice".into(),
        sent_at: now,
    };
    let outcome = Outcome::Accepted {
        reference: "CIMS-000001".into(),
    };
    let mut record = record;
    for change in answered(policy, &record, &sent, &outcome) {
        let event = cims::domain::events::Event {
            at: now,
            by: SYSTEM_ACTOR.into(),
            change,
        };
        record = evolve(Some(record), &event).expect("the answer applies");
    }
    record
}

pub fn principal_practitioner() -> Actor {
    actor(
        "pia",
        "dffh",
        OrgKind::Department,
        &[Role::PrincipalPractitioner],
        true,
    )
}

/// A child named in an intake report, born on `dob`.
pub fn child(name: &str, dob: &str) -> Child {
    Child {
        person: person(name, dob),
        sexually_abusive_behaviour: false,
        rso_contact: false,
        prior_reports: Vec::new(),
        known_reports: Vec::new(),
    }
}

/// A parent with the given Aboriginal and/or Torres Strait Islander status.
pub fn parent(name: &str, relationship: &str, status: AboriginalStatus) -> Parent {
    Parent {
        person: Person {
            name: name.to_string(),
            aboriginal_status: status,
            ..Person::default()
        },
        relationship: Some(relationship.to_string()),
        parent_of: None,
    }
}

/// The required items of an incident's first stage (identification and response).
/// The required items of an intake report's first three stages, in order.
pub const INTAKE_STAGE_1: &[&str] = &[
    "role_explained",
    "reporter_recorded",
    "people_recorded",
    "aboriginal_status",
    "concerns_recorded",
    "registered",
];
pub const INTAKE_STAGE_2: &[&str] = &[
    "supervisor_consulted",
    "cris_search",
    "responsible_for_harm_check",
    "professional_information",
];
pub const INTAKE_STAGE_3: &[&str] = &[
    "risk_assessment",
    "team_manager_consulted",
    "auto_pir_checked",
];

pub const INCIDENT_STAGE_1: &[&str] = &[
    "immediate_safety",
    "medical_attention",
    "emergency_services",
    "evidence_preserved",
    "basic_understanding",
    "client_acknowledged",
    "support_person_contacted",
    "scope_confirmed",
];

/// Tick every first-stage item of an incident and advance it to reporting.
pub fn incident_past_stage_1(mut record: Record, by: &Actor, now: DateTime<Utc>) -> Record {
    for item in INCIDENT_STAGE_1 {
        record = tick(record, item, by, now);
    }
    ok(record, Command::AdvanceStage, by, now)
}

/// Do what comes before the incident report is endorsed (R-ORDER-1), where it applies
/// and is not done yet: classification, the written report, police notified.
pub fn ready_to_endorse(mut record: Record, by: &Actor, now: DateTime<Utc>) -> Record {
    for id in ["classified", "report_written", "police_notified"] {
        let item = current()
            .item(record.kind(), id)
            .unwrap_or_else(|| panic!("{id} is an incident item"));
        if cims::domain::rules::holds(item.when, &record, current()) && !record.is_done(id) {
            record = tick(record, id, by, now);
        }
    }
    record
}

/// Does the policy's item `id` apply to the record as it stands?
pub fn item_applies(record: &Record, id: &str) -> bool {
    let policy = policies().of_record(record);
    let item = policy
        .item(record.kind(), id)
        .unwrap_or_else(|| panic!("{id} is an item of {} records", record.kind().as_str()));
    cims::domain::rules::holds(item.when, record, policy)
}
