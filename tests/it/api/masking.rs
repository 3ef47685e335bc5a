//! R-PRIV-1 to R-PRIV-5 through the API: distinct marker strings are planted in every
//! protected field, every identifying field and in free text, and every way a non-PI can
//! read is searched for them.

use std::collections::BTreeSet;

use cims::domain::model::{Circumstance, Details, Person, Reporter};
use serde_json::{Value, json};

use super::harness::{Api, Persona, Response, encode};
use crate::{fixtures, support};

// Protected (R-PRIV-1): the reporter of the department's intake report.
const P_NAME: &str = "Quillon Marrowfax";
const P_PHONE: &str = "0491 573 829";
const P_EMAIL: &str = "quillon.marrowfax@protected.example";
const P_ADDRESS: &str = "77 Zyzzyva Crescent Protectville";
const P_RELATIONSHIP: &str = "Thimbleward neighbour";
// Protected (R-PRIV-6): a span of a case note.
const P_SPAN: &str = "Spansecret Glimmerwick";
const PROTECTED: [&str; 6] = [P_NAME, P_PHONE, P_EMAIL, P_ADDRESS, P_RELATIONSHIP, P_SPAN];

// Identifying (R-PRIV-3): the people of the department's intake report.
const INTAKE_IDENTIFYING: [&str; 6] = [
    "Wilhelmina Idcheck",
    "2015-07-19",
    "12 Identa Boulevard Markerton",
    "0398 765 432",
    "CRIS-ID-558877",
    "Bartholomew Parentmark",
];

// Identifying (R-PRIV-3): the people and place of Anglicare's incident.
const INCIDENT_IDENTIFYING: [&str; 7] = [
    "Percival Clientmark",
    "2013-02-14",
    "5 Clientway Idville",
    "0387 654 321",
    "CRIS-ID-771133",
    "Sterling Subjectmark",
    "Hidden Cottage Locmark",
];

// The Orange Door's own report: its reporter (protected) and child (identifying).
const CS_PROTECTED: [&str; 4] = [
    "Ottoline Cswitness",
    "0455 101 202",
    "ottoline@cs.example",
    "3 Orangery Lane Doorton",
];
const CS_IDENTIFYING: [&str; 2] = ["Barnaby Cschild", "2016-09-30"];

struct Planted {
    /// The department's intake report, assigned to Anglicare's delegate.
    intake: String,
    /// Anglicare's critical notifiable incident, naming the reporter in free text.
    incident: String,
    /// The Orange Door's intake report.
    cs_intake: String,
    /// A Berry Street incident holding no markers.
    berry: String,
    /// A Berry Street incident whose description named the reporter before the report
    /// was made: its stored search text still holds the name.
    early: String,
}

fn identified(name: &str, dob: &str, address: &str, phone: &str, cris: &str) -> Person {
    Person {
        address: Some(address.to_string()),
        phone: Some(phone.to_string()),
        cris_number: Some(cris.to_string()),
        ..fixtures::person(name, dob)
    }
}

async fn plant(api: &Api) -> Planted {
    let mut early = fixtures::incident();
    early.description = format!("A visitor, {P_NAME}, saw the client being pushed.");
    let early = api.create_incident(Persona::CsoPractitioner, &early).await;

    // The department's report, with every protected and identifying field marked.
    let mut intake = fixtures::intake();
    intake.reporter = Reporter {
        name: P_NAME.to_string(),
        relationship: Some(P_RELATIONSHIP.to_string()),
        phone: Some(P_PHONE.to_string()),
        email: Some(P_EMAIL.to_string()),
        address: Some(P_ADDRESS.to_string()),
        professional: true,
        consented_in_writing: false,
    };
    let [child, dob, address, phone, cris, parent] = INTAKE_IDENTIFYING;
    intake.children = vec![fixtures::child(child, dob)];
    intake.children[0].person = identified(child, dob, address, phone, cris);
    intake.parents[0].person.name = parent.to_string();
    let response = api
        .create(
            Persona::Practitioner,
            &json!({ "details": Details::Intake(intake), "assignee": Persona::CsoDelegate.user() }),
        )
        .await;
    let intake_id = response.expect(201, "the department registers the report")["record"]["id"]
        .as_str()
        .expect("id")
        .to_string();

    // Anglicare's incident names the reporter in its description (R-PRIV-2) and is critical
    // notifiable, so the regulator reads it.
    let [client, dob, address, phone, cris, subject, location] = INCIDENT_IDENTIFYING;
    let mut incident = fixtures::incident();
    incident.clients = vec![identified(client, dob, address, phone, cris)];
    if let Some(s) = incident.subject.as_mut() {
        s.person = Some(fixtures::person(subject, "1988-01-01"));
    }
    incident.location = Some(location.to_string());
    incident.description =
        format!("During the evening shift the client told {P_NAME} about being pushed.");
    incident
        .circumstances
        .insert(Circumstance::HospitalTreatment);
    let response = api
        .create(
            Persona::CsoDelegate,
            &json!({ "details": Details::Incident(incident) }),
        )
        .await;
    let view = response.expect(201, "Anglicare registers the incident");
    assert_no_markers(
        &response.body,
        &PROTECTED,
        "the author's own create response",
    );
    assert_eq!(
        view["warnings"].as_array().map_or(0, Vec::len),
        0,
        "R-PRIV-10: an author who is not a protective intervener is not told that a string is a reporter's"
    );
    let incident_id = view["record"]["id"].as_str().expect("id").to_string();

    // A note naming the reporter, with a protected span (R-PRIV-2, R-PRIV-6).
    let text = format!("Follow-up: {P_NAME} rang again on {P_PHONE}. Source: {P_SPAN}.");
    let start = text.find(P_SPAN).expect("span in the text");
    let version = api.version(Persona::CsoDelegate, &incident_id).await;
    let response = api
        .command(
            Persona::CsoDelegate,
            &incident_id,
            version,
            &json!({
                "command": "add_note",
                "text": text,
                "protected_spans": [{ "start": start, "end": start + P_SPAN.len() }],
            }),
        )
        .await;
    let view = response.expect(200, "Anglicare's delegate adds the note");
    assert_no_markers(&response.body, &PROTECTED, "the author's own note response");
    assert_eq!(
        view["warnings"].as_array().map_or(0, Vec::len),
        0,
        "R-PRIV-10: the note's author is not a protective intervener, so is not told"
    );

    // The Orange Door's own report.
    let mut cs = fixtures::intake();
    cs.reporter = Reporter {
        name: CS_PROTECTED[0].to_string(),
        relationship: Some("family friend".to_string()),
        phone: Some(CS_PROTECTED[1].to_string()),
        email: Some(CS_PROTECTED[2].to_string()),
        address: Some(CS_PROTECTED[3].to_string()),
        professional: false,
        consented_in_writing: false,
    };
    cs.children = vec![fixtures::child(CS_IDENTIFYING[0], CS_IDENTIFYING[1])];
    let cs_intake = api.create_intake(Persona::CommunityService, &cs).await;

    let berry = api
        .create_incident(Persona::CsoPractitioner, &fixtures::incident())
        .await;
    Planted {
        intake: intake_id,
        incident: incident_id,
        cs_intake,
        berry,
        early,
    }
}

fn assert_no_markers(body: &str, markers: &[&str], what: &str) {
    let lower = body.to_lowercase();
    for marker in markers {
        assert!(
            !lower.contains(&marker.to_lowercase()),
            "{what}: {marker:?} leaked: {body}"
        );
    }
}

/// The words a search is tried with: the whole value as a phrase, and its longer words.
fn searches(marker: &str) -> Vec<String> {
    let mut out = vec![format!("\"{marker}\"")];
    out.extend(
        marker
            .split_whitespace()
            .filter(|w| w.chars().count() >= 6)
            .map(String::from),
    );
    out
}

/// Everything a persona can read, each response labelled.
async fn read_everything(api: &Api, persona: Persona, p: &Planted) -> Vec<(String, Response)> {
    let mut out = Vec::new();
    let mut paths = vec![
        "/v1/queue".to_string(),
        "/v1/queue?view=all&sort=-updated".to_string(),
        "/v1/queue?q=kind%3Aintake".to_string(),
        "/v1/queue?cursor=zz".to_string(),
        "/v1/audit".to_string(),
    ];
    for id in [&p.intake, &p.incident, &p.cs_intake, &p.berry, &p.early] {
        paths.push(format!("/v1/records/{id}"));
        paths.push(format!("/v1/records/{id}/history"));
    }
    for marker in PROTECTED
        .iter()
        .chain(&INTAKE_IDENTIFYING)
        .chain(&INCIDENT_IDENTIFYING)
        .chain(&CS_PROTECTED)
        .chain(&CS_IDENTIFYING)
    {
        for q in searches(marker) {
            paths.push(format!("/v1/queue?q={}", encode(&q)));
        }
    }
    for path in paths {
        let response = api.get(persona, &path).await;
        out.push((format!("{persona:?} GET {path}"), response));
    }
    // Error paths on the incident: a refused update (R-IMPACT-2), a stale version, a note.
    let current = api.version(Persona::Daom, &p.incident).await;
    let mut incident = match api
        .store()
        .load(&p.incident)
        .await
        .expect("load")
        .expect("the incident")
        .details
    {
        Details::Incident(i) => i,
        Details::Intake(_) => panic!("an incident"),
    };
    incident.impact = Some(cims::domain::model::Impact::NonMajor);
    for (version, command) in [
        (
            current,
            json!({ "command": "update_incident", "incident": incident }),
        ),
        (1, json!({ "command": "add_note", "text": "late" })),
        (
            current,
            json!({ "command": "tick", "item": "no_such_item" }),
        ),
    ] {
        let response = api.command(persona, &p.incident, version, &command).await;
        assert!(
            !response.status.is_success(),
            "{persona:?}: {command} must be refused: {}",
            response.body
        );
        out.push((
            format!("{persona:?} command {}", command["command"]),
            response,
        ));
    }
    out
}

/// The record ids a search finds, for a persona.
async fn found(api: &Api, persona: Persona, marker: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for q in searches(marker) {
        ids.extend(api.queue_ids(persona, Some(&q)).await);
    }
    ids
}

/// Read the feed from the start until `sentinel` reaches `version`; the events' data.
async fn feed_data(api: &Api, persona: Persona, sentinel: &str, version: u64) -> Vec<Value> {
    let mut feed = api.feed(persona, Some(0)).await;
    let events = feed
        .until(|e| {
            let data = e.json();
            data["record_id"] == json!(sentinel) && data["version"] == json!(version)
        })
        .await;
    events.iter().map(|e| e.json()).collect()
}

async fn leak_checks(url: String) {
    let api = Api::start(&url).await;
    let p = plant(&api).await;
    let all_identifying: Vec<&str> = INTAKE_IDENTIFYING
        .iter()
        .chain(&INCIDENT_IDENTIFYING)
        .chain(&CS_IDENTIFYING)
        .copied()
        .collect();

    for persona in Persona::NON_PI {
        let bodies = read_everything(&api, persona, &p).await;
        // What this persona may see besides open data.
        let (may_identify, may_protect): (Vec<&str>, Vec<&str>) = match persona {
            // Owner of the incident and assignee of the report (R-PRIV-3).
            Persona::CsoDelegate => (
                INTAKE_IDENTIFYING
                    .iter()
                    .chain(&INCIDENT_IDENTIFYING)
                    .copied()
                    .collect(),
                Vec::new(),
            ),
            // The department's own intake report, but not its reporter (R-PRIV-3).
            Persona::Investigator => (INTAKE_IDENTIFYING.to_vec(), Vec::new()),
            // A community-based child and family service sees its reporters (R-PRIV-1).
            Persona::CommunityService => (CS_IDENTIFYING.to_vec(), CS_PROTECTED.to_vec()),
            _ => (Vec::new(), Vec::new()),
        };
        let forbidden: Vec<&str> = PROTECTED
            .iter()
            .chain(&CS_PROTECTED)
            .chain(&all_identifying)
            .copied()
            .filter(|m| !may_identify.contains(m) && !may_protect.contains(m))
            .collect();
        for (what, response) in &bodies {
            assert_no_markers(&response.body, &forbidden, what);
            if response.status.is_client_error() {
                let error = response.json();
                assert!(error["error"].is_string(), "{what}: {}", response.body);
            }
        }
        // Searching by a value the persona may not see finds nothing (R-PRIV-4).
        for marker in &forbidden {
            let ids = if persona == Persona::Admin {
                BTreeSet::new()
            } else {
                found(&api, persona, marker).await
            };
            assert!(
                ids.is_empty(),
                "{persona:?} found {ids:?} by searching for {marker:?}"
            );
        }
        // What the persona may see, it sees and finds.
        for marker in may_identify.iter().chain(&may_protect) {
            assert!(
                bodies
                    .iter()
                    .any(|(_, r)| r.body.to_lowercase().contains(&marker.to_lowercase())),
                "{persona:?} should see {marker:?}"
            );
            let expected = if CS_IDENTIFYING.contains(marker) || CS_PROTECTED.contains(marker) {
                &p.cs_intake
            } else if INTAKE_IDENTIFYING.contains(marker) {
                &p.intake
            } else {
                &p.incident
            };
            let ids = found(&api, persona, marker).await;
            assert!(
                ids.contains(expected),
                "{persona:?} searching for {marker:?} finds {expected}, got {ids:?}"
            );
        }
    }

    // The regulator sees the critical incident, masked: a marker, never an empty value.
    let view = api
        .get(Persona::Regulator, &format!("/v1/records/{}", p.incident))
        .await
        .expect(200, "the regulator reads the critical incident");
    let details = &view["record"]["details"];
    assert_eq!(
        details["clients"][0]["name"]["masked"],
        json!("identifying")
    );
    assert_eq!(details["clients"][0]["name"]["display"], json!("P.C. (13)"));
    assert_eq!(details["location"], json!({ "masked": "identifying" }));
    assert!(
        details["description"]
            .as_str()
            .is_some_and(|d| d.contains("[protected]")),
        "the reporter's name is redacted from the description: {details}"
    );
    // Anglicare's delegate, the assignee, gets the reporter as markers.
    let view = api
        .get(Persona::CsoDelegate, &format!("/v1/records/{}", p.intake))
        .await
        .expect(200, "the assignee reads the report");
    let reporter = &view["record"]["details"]["reporter"];
    for field in ["name", "relationship", "phone", "email", "address"] {
        assert_eq!(
            reporter[field],
            json!({ "masked": "protected" }),
            "reporter.{field}"
        );
    }

    // The change feed carries no field data, only what the persona may see.
    for (persona, sentinel) in [
        (Persona::CsoDelegate, &p.incident),
        (Persona::CsoPractitioner, &p.berry),
        (Persona::Regulator, &p.incident),
        (Persona::CommunityService, &p.cs_intake),
    ] {
        let version = api
            .note(Persona::Daom, sentinel, "feed sentinel note")
            .await;
        let data = feed_data(&api, persona, sentinel, version).await;
        let visible = api.queue_ids(persona, None).await;
        for change in &data {
            let keys: BTreeSet<&str> = change
                .as_object()
                .expect("event data is an object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys,
                BTreeSet::from(["record_id", "seq", "version"]),
                "{persona:?}: {change}"
            );
            let id = change["record_id"].as_str().expect("record id");
            assert!(
                visible.contains(id),
                "{persona:?}'s feed tells of {id}, which it may not see"
            );
        }
    }
    api.feed_forbidden(Persona::Admin).await;

    // A protective intervener sees everything, and each disclosure is audited (R-PRIV-5).
    let mut pi_bodies = Vec::new();
    for path in [
        format!("/v1/records/{}", p.intake),
        format!("/v1/records/{}/history", p.intake),
        format!("/v1/records/{}", p.incident),
    ] {
        pi_bodies.push(
            api.get(Persona::Practitioner, &path)
                .await
                .expect(200, &path)
                .to_string(),
        );
    }
    let pi_text = pi_bodies.join("\n").to_lowercase();
    for marker in PROTECTED
        .iter()
        .chain(&INTAKE_IDENTIFYING)
        .chain(&INCIDENT_IDENTIFYING)
    {
        assert!(
            pi_text.contains(&marker.to_lowercase()),
            "the protective intervener sees {marker:?}"
        );
    }
    assert!(
        found(&api, Persona::Practitioner, P_NAME)
            .await
            .is_superset(&BTreeSet::from([p.intake.clone(), p.incident.clone()])),
        "a protective intervener finds the report and the incident by the reporter's name"
    );
    for reader in [Persona::Daom, Persona::Admin] {
        let audit = api
            .get(reader, "/v1/audit?limit=1000")
            .await
            .expect(200, &format!("{reader:?} reads the audit log"));
        let entries = audit.as_array().expect("audit entries");
        let disclosed = |actor: &str, action: &str, record: &str, field: &str| {
            entries.iter().any(|e| {
                e["actor"] == json!(actor)
                    && e["action"] == json!(action)
                    && e["record_id"] == json!(record)
                    && e["detail"]["fields"]
                        .as_array()
                        .is_some_and(|f| f.iter().any(|x| x.as_str() == Some(field)))
            })
        };
        assert!(
            disclosed(
                "alice",
                "disclosed_protected",
                &p.intake,
                "details.reporter.name"
            ),
            "the practitioner's read of the reporter is audited: {audit}"
        );
        assert!(
            entries.iter().any(|e| e["actor"] == json!("alice")
                && e["action"] == json!("disclosed_protected_history")
                && e["record_id"] == json!(p.intake)),
            "the practitioner's read of the history is audited: {audit}"
        );
        assert!(
            disclosed(
                "cora",
                "disclosed_protected",
                &p.cs_intake,
                "details.reporter.name"
            ),
            "the community service's read of its reporter is audited: {audit}"
        );
        for non_pi in ["carol", "bea", "rex", "ada"] {
            assert!(
                !entries.iter().any(|e| e["actor"] == json!(non_pi)),
                "{non_pi} was shown nothing protected, so nothing is audited: {audit}"
            );
        }
        // The audit log names fields, never their values.
        assert_no_markers(&audit.to_string(), &PROTECTED, "the audit log");
    }
    api.stop().await;
}

/// R-PRIV-1..4: protected markers never reach a non-PI through any endpoint (reads,
/// history, queue, search, feed, errors) and searching by them finds nothing; identifying
/// markers reach only the owning organisation and the assignee; the community service sees
/// its reporters (R-PRIV-1 param). R-PRIV-5: a PI sees them all and is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn masking_leak_r_priv_1_to_5() {
    support::for_each_db(leak_checks).await;
}

/// R-PRIV-5: the answer to creating a report shows its author only what they have just
/// written, so it is no disclosure; reading the report afterwards is one, and is audited.
async fn creating_is_no_disclosure_but_reading_is(url: String) {
    let api = Api::start(&url).await;
    let mut intake = fixtures::intake();
    intake.reporter.name = P_NAME.to_string();
    let response = api
        .create(
            Persona::Practitioner,
            &json!({ "details": Details::Intake(intake) }),
        )
        .await;
    let id = response.expect(201, "the practitioner registers the report")["record"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let disclosures = |audit: &Value| {
        audit
            .as_array()
            .expect("audit entries")
            .iter()
            .filter(|e| e["action"] == json!("disclosed_protected") && e["record_id"] == json!(id))
            .count()
    };
    let audit = api
        .get(Persona::Daom, "/v1/audit?limit=1000")
        .await
        .expect(200, "the audit log");
    assert_eq!(disclosures(&audit), 0, "creating is no disclosure: {audit}");
    api.get(Persona::Practitioner, &format!("/v1/records/{id}"))
        .await
        .expect(200, "the practitioner reads the report");
    let audit = api
        .get(Persona::Daom, "/v1/audit?limit=1000")
        .await
        .expect(200, "the audit log");
    assert_eq!(disclosures(&audit), 1, "the read is audited: {audit}");
}

#[tokio::test]
async fn creating_a_report_is_no_disclosure_but_reading_it_is() {
    support::for_each_db(creating_is_no_disclosure_but_reading_is).await;
}
