//! R-PRIV-8, the principle behind R-PRIV-1..4: for a given caller, every answer depends only
//! on what that caller may see.
//!
//! Two stores are built that differ only in values a caller may not see — reporters' names,
//! phones, emails and addresses (R-PRIV-1), whether a reporter is a professional, another
//! organisation's client's name (keeping the initials and age the caller may see) and
//! Aboriginal status (R-PRIV-3) — while everything the caller may see of them, the masked
//! form included, is the same. The same requests are then made of both as that caller:
//! queue pages with generated search words, counts, analytics, exports, reads, histories and
//! refused commands. Their answers must be equal once ids of time are set aside. The cases
//! come from a fixed seed; `CIMS_PRIVACY_CASES` asks for more.

use std::collections::BTreeSet;

use cims::domain::model::{
    AboriginalStatus, Child, Circumstance, Details, Intake, Parent, Person, Reporter,
};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};
use serde_json::{Value, json};

use super::harness::{Api, Persona, encode};
use crate::{fixtures, support};

/// Reporters' details, one set per store. The stores' words never meet: a word of one is
/// no word of the other, nor of the text everyone may see.
const REPORTERS: [[&str; 4]; 2] = [
    [
        "Robin Okafor",
        "0400 111 222",
        "robin.okafor@example.org",
        "7 Wattle Grove, Reservoir",
    ],
    [
        "Kim Larsen",
        "0411 999 888",
        "kim.larsen@example.net",
        "12 Banksia Street, Sunbury",
    ],
];
const SECOND_REPORTERS: [[&str; 4]; 2] = [
    [
        "Jesse Adeyemi",
        "(03) 9123 4567",
        "jadeyemi@example.com",
        "3 Tuart Close, Brunswick",
    ],
    [
        "Morgan Petrov",
        "(03) 9876 5432",
        "mpetrov@example.com",
        "40 Jarrah Road, Coburg",
    ],
];
/// Another organisation's clients: the same initials, different names.
const OTHER_CLIENTS: [&str; 2] = ["Taylor Nguyen", "Tessa Norris"];

/// Words anyone who sees a record's text may read. The reporters' family names are among
/// them: a word that is part of a hidden name, written on its own, must be found as any
/// other word is. (No given name is, so no whole name is ever spelt by chance.)
const WORDS: [&str; 14] = [
    "bruise",
    "shift",
    "saw",
    "rang",
    "neighbour",
    "visit",
    "night",
    "kitchen",
    "worried",
    "bus",
    "okafor",
    "larsen",
    "adeyemi",
    "petrov",
];

/// How a reporter's detail is written in a text.
#[derive(Debug, Clone, Copy)]
enum Spelling {
    AsGiven,
    Upper,
    /// A phone in international form; other details as given.
    International,
}

/// A piece of text: visible words, or a reporter's detail (reporter, field, spelling).
#[derive(Debug, Clone)]
enum Piece {
    Word(usize),
    Slot(usize, usize, Spelling),
}

/// An intake report's concerns, its parent's relationship, whether it is assigned to the
/// CSO delegate, whether its reporter is a professional in each store, and whether it is
/// classified (which starts the feedback deadline of a professional's report).
type IntakePlan = (Vec<Piece>, Vec<Piece>, bool, [bool; 2], bool);

#[derive(Debug, Clone)]
struct World {
    /// Text of each intake's concerns, parent's relationship, and whether it is assigned to
    /// the CSO delegate; the professional flag differs between the stores.
    intakes: Vec<IntakePlan>,
    /// The CSO's incidents: description and one note.
    incidents: Vec<(Vec<Piece>, Vec<Piece>)>,
    /// Another organisation's critical incidents, seen by the regulator: description and
    /// the client's Aboriginal status in each store.
    critical: Vec<(Vec<Piece>, [bool; 2])>,
    /// Extra search words.
    probes: Vec<String>,
}

fn pieces() -> impl Strategy<Value = Vec<Piece>> {
    let piece = prop_oneof![
        2 => (0..WORDS.len()).prop_map(Piece::Word),
        1 => (0..2usize, 0..4usize, prop_oneof![
            Just(Spelling::AsGiven),
            Just(Spelling::Upper),
            Just(Spelling::International),
        ])
            .prop_map(|(r, f, s)| Piece::Slot(r, f, s)),
    ];
    prop::collection::vec(piece, 1..8)
}

fn world() -> impl Strategy<Value = World> {
    (
        // Two reporters at least, so every detail a text names is a reporter's.
        prop::collection::vec(
            (
                pieces(),
                pieces(),
                any::<bool>(),
                any::<[bool; 2]>(),
                any::<bool>(),
            ),
            2..4,
        ),
        prop::collection::vec((pieces(), pieces()), 1..3),
        prop::collection::vec((pieces(), any::<[bool; 2]>()), 1..3),
        prop::collection::vec("[a-z0-9 ]{1,6}", 0..3),
    )
        .prop_map(|(intakes, incidents, critical, probes)| World {
            intakes,
            incidents,
            critical,
            probes,
        })
}

fn reporter_detail(store: usize, reporter: usize, field: usize) -> &'static str {
    match reporter {
        0 => REPORTERS[store][field],
        _ => SECOND_REPORTERS[store][field],
    }
}

fn render(pieces: &[Piece], store: usize) -> String {
    let parts: Vec<String> = pieces
        .iter()
        .map(|piece| match *piece {
            Piece::Word(w) => WORDS[w].to_string(),
            Piece::Slot(r, f, spelling) => {
                let detail = reporter_detail(store, r, f);
                match spelling {
                    Spelling::AsGiven => detail.to_string(),
                    Spelling::Upper => detail.to_uppercase(),
                    Spelling::International if f == 1 => {
                        let digits: String = detail.chars().filter(char::is_ascii_digit).collect();
                        format!("+61 {}", &digits[1..])
                    }
                    Spelling::International => detail.to_string(),
                }
            }
        })
        .collect();
    // A comma after a detail, as in "<name>, saw": a phrase across the redaction.
    parts.join(", ")
}

fn reporter(store: usize, which: usize, professional: bool) -> Reporter {
    let detail = |f| reporter_detail(store, which, f).to_string();
    Reporter {
        name: detail(0),
        relationship: Some("neighbour".to_string()),
        phone: Some(detail(1)),
        email: Some(detail(2)),
        address: Some(detail(3)),
        professional,
        consented_in_writing: false,
    }
}

/// When every report was received, the same in both stores: an hour before the test began,
/// so the feedback deadline, due two days after classifying, comes before the team
/// manager's.
static RECEIVED: std::sync::LazyLock<chrono::DateTime<chrono::Utc>> =
    std::sync::LazyLock::new(|| {
        use chrono::SubsecRound;
        (chrono::Utc::now() - chrono::Duration::hours(1)).trunc_subsecs(0)
    });

/// Build the store's records, in the same order in both stores.
async fn build(api: &Api, world: &World, store: usize) {
    // The CSO's incidents name the reporters before they report: their text must be
    // redacted once the reports arrive, not only text written afterwards.
    // Each record with a handover line naming what its text names (reporters' details).
    let mut handed = Vec::new();
    for (description, note) in &world.incidents {
        let incident = cims::domain::model::Incident {
            description: render(description, store),
            ..fixtures::incident()
        };
        let id = api.create_incident(Persona::CsoDelegate, &incident).await;
        handed.push(json!({ "record": id, "line": render(description, store) }));
        // And she reminds herself of it, in the same words.
        let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
        api.post(
            Persona::CsoDelegate,
            "/v1/reminders",
            &json!({ "record": id, "at": tomorrow, "note": render(description, store) }),
        )
        .await
        .expect(201, "the delegate sets a reminder");
        api.note(Persona::CsoDelegate, &id, &render(note, store))
            .await;
    }
    for (index, (concerns, relationship, assigned, professional, classified)) in
        world.intakes.iter().enumerate()
    {
        let intake = Intake {
            received_at: *RECEIVED,
            reporter: reporter(store, index % 2, professional[store]),
            concerns: render(concerns, store),
            parents: vec![Parent {
                person: Person {
                    name: "Alex Brown".to_string(),
                    aboriginal_status: AboriginalStatus::NotAboriginal,
                    ..Person::default()
                },
                relationship: Some(format!("aunt; {}", render(relationship, store))),
                // An aunt is no child's parent.
                parent_of: Some(Vec::new()),
            }],
            children: vec![Child {
                person: fixtures::person("Casey Brown", "2018-03-10"),
                sexually_abusive_behaviour: false,
                rso_contact: false,
                prior_reports: Vec::new(),
                known_reports: Vec::new(),
            }],
            ..fixtures::intake()
        };
        let mut body = json!({ "details": Details::Intake(intake) });
        if *assigned {
            body["assignee"] = json!(Persona::CsoDelegate.user());
        }
        let created = api
            .create(Persona::Practitioner, &body)
            .await
            .expect(201, "the practitioner registers an intake report");
        handed.push(json!({
            "record": created["record"]["id"],
            "line": render(concerns, store),
        }));
        if *classified {
            let id = created["record"]["id"].as_str().expect("an id");
            let classify = json!({
                "command": "classify_intake",
                "classifications": ["child_wellbeing"],
                "consequence": "concerning",
                "probability": "unlikely",
            });
            let version = api.version(Persona::Practitioner, id).await;
            api.command(Persona::Practitioner, id, version, &classify)
                .await
                .expect(200, "the practitioner classifies the report");
        }
    }
    // A protective intervener decides every report's child and the delegate's first
    // client are one person: each caller follows only the decisions in their sight.
    let children: Vec<String> = handed
        .iter()
        .filter_map(|h| h["record"].as_str())
        .filter(|id| id.starts_with("INT-"))
        .map(|id| format!("{id}.child0"))
        .collect();
    let first_client = handed
        .iter()
        .filter_map(|h| h["record"].as_str())
        .find(|id| id.starts_with("INC-"))
        .map(|id| format!("{id}.client0"));
    // And that the delegate's other clients of the same name are other children, for a
    // reason that names a reporter.
    let clients: Vec<String> = handed
        .iter()
        .filter_map(|h| h["record"].as_str())
        .filter(|id| id.starts_with("INC-"))
        .map(|id| format!("{id}.client0"))
        .collect();
    for other in clients.iter().skip(1) {
        api.post(
            Persona::Practitioner,
            &format!("/v1/people/{}/distinct", clients[0]),
            &json!({ "with": other, "reason": format!("Another child, says {}", REPORTERS[store][0]) }),
        )
        .await
        .expect(200, "the practitioner keeps them apart");
    }
    if let Some(first) = children.first() {
        for other in children.iter().skip(1).chain(first_client.iter()) {
            api.post(
                Persona::Practitioner,
                &format!("/v1/people/{first}/merge"),
                // A reason may name a reporter: read only as any text naming them is.
                &json!({ "with": other, "reason": format!("Same child, says {}", REPORTERS[store][0]) }),
            )
            .await
            .expect(200, "the practitioner merges");
        }
    }
    for (description, aboriginal) in &world.critical {
        let mut incident = cims::domain::model::Incident {
            description: render(description, store),
            clients: vec![Person {
                aboriginal_status: if aboriginal[store] {
                    AboriginalStatus::Aboriginal
                } else {
                    AboriginalStatus::NotAboriginal
                },
                ..fixtures::person(OTHER_CLIENTS[store], "2013-06-01")
            }],
            ..fixtures::incident()
        };
        incident
            .circumstances
            .insert(Circumstance::HospitalTreatment);
        let critical = api
            .create_incident(Persona::CsoPractitioner, &incident)
            .await;
        // In the second store only, a protective intervener decides that the delegate's
        // first client is not another organisation's client: a decision none of the
        // callers may see both ends of, so none may learn of it (R-PERSON-3).
        if store == 1
            && let Some(first) = &first_client
        {
            api.post(
                Persona::Practitioner,
                &format!("/v1/people/{first}/distinct"),
                &json!({ "with": format!("{critical}.client0"), "reason": "Another child" }),
            )
            .await
            .expect(200, "the practitioner keeps them apart");
        }
    }
    // A protective intervener hands them over to each reader's organisation.
    for org in ["anglicare", "ssr", "dffh"] {
        api.post(
            Persona::Practitioner,
            "/v1/handovers",
            &json!({ "to_org": org, "items": handed }),
        )
        .await
        .expect(201, "the practitioner hands the records over");
    }
}

/// What a caller may search for: the words they see, every reporter's details and their
/// parts and spellings, phrases across a redaction, the other client's name, and noise.
fn searches(world: &World) -> Vec<String> {
    let mut words: BTreeSet<String> = WORDS.iter().map(|w| w.to_string()).collect();
    for (store, client) in OTHER_CLIENTS.iter().enumerate() {
        for which in 0..2 {
            for field in 0..4 {
                let detail = reporter_detail(store, which, field);
                words.insert(format!("\"{}\"", detail.to_lowercase()));
                for part in detail.split([' ', '@', '.', ',']).filter(|p| p.len() > 1) {
                    words.insert(part.to_lowercase());
                    words.insert(format!("\"{}, saw\"", part.to_lowercase()));
                    words.insert(part.chars().take(3).collect::<String>().to_lowercase());
                }
                let digits: String = detail.chars().filter(char::is_ascii_digit).collect();
                if digits.len() > 8 {
                    words.insert(digits[1..].to_string());
                    words.insert(digits[digits.len() - 7..].to_string());
                }
            }
        }
        for part in client.split(' ') {
            words.insert(part.to_lowercase());
        }
    }
    words.extend(world.probes.iter().map(|p| p.trim().to_string()));
    words.insert("[protected]".to_string());
    // Filters on deadlines, which a withheld deadline must not move (R-PRIV-9).
    for filter in [
        "due:<3d",
        "due:at_risk",
        "overdue",
        "outcome:overdue",
        "outcome:met",
    ] {
        words.insert(filter.to_string());
    }
    words.into_iter().filter(|w| !w.is_empty()).collect()
}

/// Times and durations differ between two runs; nothing else may.
fn normalise(value: &mut Value) {
    match value {
        Value::String(text) => {
            let time = text.len() >= 19
                && text.as_bytes()[4] == b'-'
                && text.as_bytes()[10] == b'T'
                && text.as_bytes()[13] == b':';
            if time {
                *text = "<time>".to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key.ends_with("_secs") {
                    *child = Value::Null;
                } else {
                    normalise(child);
                }
            }
        }
        _ => {}
    }
}

/// One answer, as comparable text: the status and the normalised body.
async fn answer(response: super::harness::Response) -> String {
    let mut body = serde_json::from_str::<Value>(&response.body)
        .unwrap_or_else(|_| Value::String(response.body.clone()));
    normalise(&mut body);
    format!("{} {}", response.status, body)
}

/// Everything `persona` is answered, in order, by one store.
async fn answers(api: &Api, persona: Persona, searches: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut ask = |what: String, text: String| out.push((what, text));
    for q in searches {
        let q = encode(q);
        for path in [
            format!("/v1/queue?view=all&q={q}"),
            format!("/v1/queue/count?view=all&q={q}"),
            format!("/v1/analytics?by=type&interval=month&q={q}"),
            format!("/v1/analytics?by=outcome&interval=month&q={q}"),
        ] {
            ask(path.clone(), answer(api.get(persona, &path).await).await);
        }
    }
    let exported = api
        .post(
            persona,
            "/v1/exports",
            &json!({ "format": "json", "view": "all" }),
        )
        .await;
    ask("export".into(), answer(exported).await);
    // What others changed, in the words of each record's history; what was handed over.
    let since = api.get(persona, "/v1/since?from=0").await;
    ask("since".into(), answer(since).await);
    let handovers = api.get(persona, "/v1/handovers").await;
    ask("handovers".into(), answer(handovers).await);
    // Who a person being entered may be: a reporter's name as the first store spells it,
    // and a child every report names (R-PERSON-3).
    for seek in [
        json!({ "given_names": "Robin", "family_name": "Okafor" }),
        json!({ "given_names": "Jesse", "family_name": "Adeyemi", "phones": ["0400 111 222"] }),
        json!({ "given_names": "Casey", "family_name": "Brown", "date_of_birth": "2018-03-10" }),
    ] {
        let found = api.post(persona, "/v1/people/candidates", &seek).await;
        ask(format!("candidates {seek}"), answer(found).await);
    }
    // Her own reminders, and the records they put in Mine.
    let reminders = api.get(persona, "/v1/reminders").await;
    ask("reminders".into(), answer(reminders).await);
    // What was sent for the records (R-SUBMIT-1), and the queue's filters on it.
    for path in [
        "/v1/submissions",
        "/v1/queue?view=all&q=submission:pending",
        "/v1/queue?view=all&q=submission:failing",
        "/v1/queue/count?view=all&q=submission:pending",
    ] {
        ask(path.into(), answer(api.get(persona, path).await).await);
    }
    for path in ["/v1/queue?view=mine", "/v1/queue?q=reminder:me"] {
        ask(path.into(), answer(api.get(persona, path).await).await);
    }
    let page = api
        .get(persona, "/v1/queue?view=all&sort=due&limit=500")
        .await;
    let ids: Vec<String> = serde_json::from_str::<Value>(&page.body)
        .ok()
        .and_then(|v| v["rows"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|row| row["id"].as_str().map(String::from))
        .collect();
    ask("queue".into(), answer(page).await);
    for id in ids {
        for path in [
            format!("/v1/records/{id}"),
            format!("/v1/records/{id}/history"),
            format!("/v1/people/{id}.client0"),
            format!("/v1/people/{id}.child0"),
            format!("/v1/people/{id}.reporter0"),
            format!("/v1/people/{id}.parent0"),
            // The records a person is in, through the queue and its count (R-PERSON-1).
            format!("/v1/queue?view=all&q=person:{id}.child0"),
            format!("/v1/queue?view=all&q=person:{id}.client0"),
            format!("/v1/queue/count?view=all&q=person:{id}.child0"),
            format!("/v1/submissions?record={id}"),
        ] {
            ask(path.clone(), answer(api.get(persona, &path).await).await);
        }
        // Who else a record's client may be, asked for them (R-PERSON-2, R-PERSON-3).
        for (given, family) in [("Casey", "Brown"), ("Jordan", "Smith")] {
            let seek = json!({ "given_names": given, "family_name": family, "person": format!("{id}.client0") });
            let found = api.post(persona, "/v1/people/candidates", &seek).await;
            ask(format!("candidates {seek}"), answer(found).await);
        }
        let version = api.version(persona, &id).await;
        for command in [
            json!({ "command": "withdraw_endorsement", "item": "endorsed", "reason": "facts corrected" }),
            json!({ "command": "tick", "item": "submitted" }),
            json!({ "command": "submitted_outside", "kind": "ssr_short_form", "at": "2026-11-23T00:00:00Z", "reason": "by telephone" }),
            json!({ "command": "delegate_rereport", "to": "tess" }),
            json!({ "command": "tick", "item": "acsass_plan" }),
            json!({ "command": "tick", "item": "feedback_given" }),
            json!({ "command": "record_feedback_exception", "reason": "not in the child's interests" }),
            // A category that fits only an Aboriginal child (R-NOTE-CAT, R-PRIV-9).
            json!({
                "command": "add_note",
                "text": "Statement of Recognition written with the family.",
                "category": "statement_of_recognition",
            }),
            json!({ "command": "advance_stage" }),
        ] {
            let response = api.command(persona, &id, version, &command).await;
            let refused = !response.status.is_success();
            ask(format!("{id} {command}"), answer(response).await);
            if !refused {
                // Nothing may change between the two stores' runs: a command that was
                // accepted ends the comparison of commands on this record.
                break;
            }
        }
    }
    out
}

async fn equal_answers(world: World, url_of: impl AsyncFn() -> String) {
    let searches = searches(&world);
    let stores = [
        Api::start(&url_of().await).await,
        Api::start(&url_of().await).await,
    ];
    for (store, api) in stores.iter().enumerate() {
        build(api, &world, store).await;
    }
    for persona in [
        Persona::CsoDelegate,
        Persona::Regulator,
        Persona::Investigator,
    ] {
        let first = answers(&stores[0], persona, &searches).await;
        let second = answers(&stores[1], persona, &searches).await;
        assert_eq!(first.len(), second.len(), "{persona:?}: as many answers");
        for ((what, a), (_, b)) in first.iter().zip(&second) {
            assert_eq!(
                a, b,
                "R-PRIV-8: {persona:?} is answered differently by two stores that differ only in what they may not see, for {what}"
            );
        }
    }
    for api in stores {
        api.stop().await;
    }
}

fn cases() -> u32 {
    std::env::var("CIMS_PRIVACY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

#[test]
fn r_priv_8_two_stores_that_differ_only_in_hidden_values_answer_alike() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for db in support::Db::ALL {
        let dirs = std::sync::Mutex::new(Vec::new());
        let url_of = async || {
            let dir = tempfile::tempdir().expect("a directory");
            let url = support::database(db, &dir).await;
            dirs.lock().expect("directories").push(dir);
            url
        };
        if runtime.block_on(url_of()).is_none() {
            continue;
        }
        let mut runner = TestRunner::new(ProptestConfig {
            cases: cases(),
            rng_seed: RngSeed::Fixed(0x000c_1a5e_0008),
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        let result = runner.run(&world(), |world| {
            runtime.block_on(equal_answers(world, async || {
                url_of().await.expect("the database was there a moment ago")
            }));
            Ok(())
        });
        if let Err(e) = result {
            panic!("against {}: {e}", db.name());
        }
    }
}
