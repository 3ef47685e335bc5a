//! What the program reads from outside — commands, policy files, config files — is either
//! understood or refused with a reason that says where; it never panics (DESIGN §5, §3, §7).
//!
//! Inputs are arbitrary text, arbitrary JSON built from the commands' own vocabulary, and
//! valid documents mutated: bytes cut, inserted, duplicated, lines dropped, swapped or
//! repeated. Every property runs from a fixed seed, so a failure is the same on every run.

use chrono::TimeZone;
use cims::domain::calendar::Calendar;
use cims::domain::commands::Command;
use cims::domain::model::{Details, RcsScope, Span};
use cims::domain::policy::PolicySet;
use cims::tui::config::Config;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};
use serde_json::{Value, json};

use crate::api::harness::{Api, Persona};
use crate::{fixtures, support};

/// A fixed seed and no persistence file: the same cases on every run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x000c_1a5e_ed01),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One command of every shape, valid as far as decoding goes.
fn valid_commands() -> Vec<String> {
    let commands = vec![
        Command::Create {
            id: "INC-2026-000001".into(),
            org: "dffh".into(),
            details: Details::Incident(fixtures::incident()),
            assignee: None,
        },
        Command::Create {
            id: "INT-2026-000001".into(),
            org: "dffh".into(),
            details: Details::Intake(fixtures::intake()),
            assignee: Some("alice".into()),
        },
        Command::UpdateIncident {
            incident: fixtures::incident(),
            correction: None,
        },
        Command::UpdateIntake {
            intake: fixtures::intake(),
        },
        Command::Tick {
            item: "immediate_safety".into(),
        },
        Command::Waive {
            item: "medical_attention".into(),
            reason: "no injury".into(),
        },
        Command::AddNote {
            category: None,
            text: "Rang the reporter.".into(),
            protected_spans: vec![Span { start: 0, end: 4 }],
        },
        Command::AmendNote {
            note: 1,
            text: "Rang the school.".into(),
            protected_spans: Vec::new(),
            reason: "wrong place".into(),
        },
        Command::Assign {
            user: Some("tess".into()),
        },
        Command::ConfirmRcsScope {
            scope: RcsScope::InScope,
        },
        Command::ExtendInvestigation {
            business_days: 5,
            reason: "police".into(),
        },
        Command::RaisePrivacyBreach {
            identified_at: chrono::Utc
                .with_ymd_and_hms(2026, 11, 23, 1, 0, 0)
                .single()
                .expect("a valid instant"),
        },
        Command::Endorse,
        Command::ClassifyIntake {
            classifications: [cims::domain::model::Classification::ChildWellbeing].into(),
            urgency: None,
            rationale: Some("referred".into()),
            consequence: None,
            probability: None,
        },
        Command::Close {
            reason: "done".into(),
        },
    ];
    commands
        .iter()
        .map(|c| serde_json::to_string(c).expect("a command serialises"))
        .collect()
}

/// `text` with one edit at a place and of a size the strategy picks: bytes removed, text
/// inserted, a stretch repeated, or the text cut short. The result is valid UTF-8 (edits
/// land on character boundaries).
fn mutated(text: String) -> impl Strategy<Value = String> {
    let len = text.len();
    (
        0..4u8,
        0..=len,
        0..=len,
        "\\PC{0,8}|[{}\\[\\]\",:0-9a-z_]{1,6}",
    )
        .prop_map(move |(kind, a, b, insert)| {
            let (mut from, mut to) = (a.min(b), a.max(b));
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            while !text.is_char_boundary(to) {
                to -= 1;
            }
            let to = to.max(from);
            match kind {
                0 => format!("{}{}", &text[..from], &text[to..]),
                1 => format!("{}{insert}{}", &text[..from], &text[from..]),
                2 => format!("{}{}", &text[..to], &text[from..]),
                _ => text[..from].to_string(),
            }
        })
}

/// `text` with lines dropped, swapped or repeated, or one edit as in [`mutated`].
fn mutated_lines(text: &'static str) -> impl Strategy<Value = String> {
    let lines: Vec<&'static str> = text.lines().collect();
    let count = lines.len();
    prop_oneof![
        (0..count, 0..count, 0..3u8).prop_map(move |(a, b, kind)| {
            let mut edited = lines.clone();
            match kind {
                0 => {
                    edited.remove(a);
                }
                1 => edited.swap(a, b),
                _ => edited.insert(b, lines[a]),
            }
            edited.join("\n")
        }),
        mutated(text.to_string()),
    ]
}

/// JSON built from the commands' vocabulary, nested a few levels: closer to a real command
/// than random text, so decoding gets past the tag.
fn json_like() -> impl Strategy<Value = Value> {
    let words = prop::sample::select(vec![
        "command",
        "add_note",
        "text",
        "waive",
        "item",
        "reason",
        "create",
        "id",
        "org",
        "details",
        "kind",
        "incident",
        "intake",
        "note",
        "protected_spans",
        "start",
        "end",
        "classifications",
        "business_days",
        "identified_at",
        "scope",
        "user",
        "update_intake",
        "close",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        words.clone().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(words.clone().prop_map(String::from), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Any text, valid commands mutated, and command-shaped JSON.
fn command_bodies() -> impl Strategy<Value = String> {
    let valid = valid_commands();
    prop_oneof![
        "\\PC{0,64}",
        prop::sample::select(valid).prop_flat_map(mutated),
        json_like().prop_map(|v| v.to_string()),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Decoding a command from whatever arrives returns a command or an error.
    #[test]
    fn decoding_any_command_body_never_panics(body in command_bodies()) {
        let _ = serde_json::from_str::<Command>(&body);
        let _ = serde_json::from_slice::<Command>(body.as_bytes());
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// A policy file changed in any way loads or is refused with an error that names the
    /// file it is in (R-ERA: eras are data, and bad data is reported where it is).
    #[test]
    fn a_mutated_policy_file_loads_or_names_the_file(current in mutated_lines(CURRENT_POLICY)) {
        let calendar = Calendar::embedded().expect("the embedded calendar");
        let loaded = PolicySet::from_sources(
            &[("current.toml", &current), ("earlier.toml", EARLIER_POLICY)],
            calendar,
        );
        if let Err(e) = loaded {
            let text = e.to_string();
            prop_assert!(
                text.contains("current.toml") || text.contains("earlier.toml"),
                "the error does not name a file: {text}"
            );
        }
    }

    /// A config file changed in any way, or any text at all, parses or is refused with an
    /// error that starts with the file's name.
    #[test]
    fn a_mutated_config_file_parses_or_names_the_file(
        text in prop_oneof![mutated_lines(FULL_CONFIG), "\\PC{0,200}"],
    ) {
        if let Err(e) = Config::parse("my-config.toml", &text) {
            prop_assert!(
                e.to_string().starts_with("my-config.toml: "),
                "the error does not name the file: {e}"
            );
        }
    }

    /// A key the app does not know, in any section, is refused naming the key and the file.
    #[test]
    fn an_unknown_config_key_is_named_with_the_file(
        section in 0..4usize,
        key in "[a-z][a-z_]{2,14}",
    ) {
        prop_assume!(!matches!(key.as_str(), "url" | "theme" | "idle_lock_minutes" | "title" | "query"));
        let mut lines: Vec<String> = FULL_CONFIG.lines().map(String::from).collect();
        let headers: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with('['))
            .map(|(n, _)| n)
            .collect();
        lines.insert(headers[section % headers.len()] + 1, format!("{key} = [\"x\"]"));
        let text = lines.join("\n");
        let e = Config::parse("my-config.toml", &text)
            .expect_err("an unknown key is refused");
        prop_assert!(e.to_string().starts_with("my-config.toml: "), "{e}");
        prop_assert!(e.to_string().contains(&key), "the key is not named: {e}");
    }
}

const CURRENT_POLICY: &str = include_str!("../../policy/cims-2024-12-09.toml");
const EARLIER_POLICY: &str = include_str!("../../policy/cims-2020-02-03.toml");

/// A config with every section: server, ui, a key override and a view of one's own.
const FULL_CONFIG: &str = "[server]
url = \"https://cims.example.org\"

[ui]
theme = \"mono\"
idle_lock_minutes = 5

[keys]
quit = [\"q\", \"ctrl-q\"]

[[views]]
title = \"My intakes\"
query = \"kind:intake assigned:me\"
";

/// Malformed command bodies through the API are answered 4xx with a JSON error that says
/// what is wrong — never 5xx, never a dropped connection. Bodies that happen to be valid
/// may be carried out (2xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_command_bodies_get_a_clear_client_error() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let me = Persona::Practitioner;
        let id = api.create_incident(me, &fixtures::incident()).await;
        let path = format!("/v1/records/{id}/commands");
        let handle = tokio::runtime::Handle::current();
        let mut runner = TestRunner::new(config(64));
        let outcome = tokio::task::block_in_place(|| {
            runner.run(&command_bodies(), |body| {
                let (status, text) = handle.block_on(async {
                    let version = api.version(me, &id).await;
                    let response = api
                        .client
                        .post(api.url_of(&path))
                        .bearer_auth(api.token(me))
                        .header("content-type", "application/json")
                        .header("if-match", format!("\"{version}\""))
                        .body(body.clone())
                        .send()
                        .await
                        .expect("the server answers");
                    let status = response.status();
                    (status, response.text().await.expect("the body"))
                });
                prop_assert!(
                    status.is_success() || status.is_client_error(),
                    "{status} for {body:?}: {text}"
                );
                if status.is_client_error() {
                    let error: Value = serde_json::from_str(&text)
                        .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {text}")))?;
                    prop_assert!(error["error"].is_string(), "{status}: {text}");
                    prop_assert!(
                        error["message"].as_str().is_some_and(|m| !m.is_empty()),
                        "{status}: the error says what is wrong: {text}"
                    );
                }
                Ok(())
            })
        });
        if let Err(failure) = outcome {
            panic!("{failure}");
        }
        api.stop().await;
    })
    .await;
}
