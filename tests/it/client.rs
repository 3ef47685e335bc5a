//! The typed client (DESIGN §1, §7) against a real server on SQLite and PostgreSQL: calls
//! round-trip, real error answers become actionable variants, text from the server comes
//! back sanitised, the change feed resumes across a server restart without missing a
//! change, offline writes land exactly once, and tokens and outboxes stay private (0600).

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use cims::client::api::encode;
use cims::client::feed::{self, FeedMsg, SseEvent, SseParser};
use cims::client::outbox::OutboxError;
use cims::client::sanitize::{clean, clean_value, is_forbidden};
use cims::client::session::{self, SessionError};
use cims::client::{Client, ClientError, Outbox, QueueRequest, new_idempotency_key};
use cims::domain::commands::Command;
use cims::domain::model::{Details, Impact};
use cims::domain::policy::PolicySet;
use cims::wire::{Change, CreateRecord, RecordView};
use proptest::prelude::*;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api::harness::{Api, PATIENCE, Persona, Server};
use crate::{fixtures, support};

fn client_for(api: &Api, persona: Persona) -> Client {
    Client::new(&api.server.base, api.token(persona)).expect("a client")
}

/// A loopback address nothing listens on (yet).
async fn free_address() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    listener.local_addr().expect("bound address")
}

fn incident_body() -> CreateRecord {
    CreateRecord {
        org: None,
        details: Details::Incident(fixtures::incident()),
        assignee: None,
    }
}

fn note(text: &str) -> Command {
    Command::AddNote {
        category: None,
        text: text.to_string(),
        protected_spans: Vec::new(),
    }
}

/// An update that R-IMPACT-2 refuses: abuse by staff must be major impact.
fn minor_impact_update() -> Command {
    let mut incident = fixtures::incident();
    incident.impact = Some(Impact::NonMajor);
    Command::UpdateIncident {
        incident,
        correction: None,
    }
}

fn id_of(view: &RecordView) -> String {
    view.record["id"]
        .as_str()
        .expect("a record has an id")
        .to_string()
}

async fn create(client: &Client) -> RecordView {
    client
        .create(&incident_body(), &new_idempotency_key())
        .await
        .expect("register an incident")
}

/// How many times `text` appears in the record's history.
async fn times_in_history(client: &Client, id: &str, text: &str) -> usize {
    let history = client.history(id).await.expect("read the history");
    serde_json::to_string(&history.events)
        .expect("history as JSON")
        .matches(text)
        .count()
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every string in `value`, keys included.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn typed_calls_round_trip() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = client_for(&api, Persona::Practitioner);

        let me = alice.me().await.expect("me");
        assert_eq!(me.user, "alice");
        assert_eq!(me.organisation.id, "dffh");
        assert!(me.protective_intervener);

        let policy = alice.policy().await.expect("policy");
        let embedded = PolicySet::embedded().expect("embedded policy");
        assert_eq!(
            &policy,
            embedded.in_force_at(chrono::Utc::now()),
            "the policy arrives as the server holds it"
        );

        let holidays = alice.holidays(2026).await.expect("holidays");
        assert_eq!(holidays.year, 2026);
        assert_eq!(holidays.holidays.len(), 14);
        assert_eq!(holidays.holidays[1].name, "Australia Day");

        // Create is idempotent with a key: the same key gives the same record, once.
        let key = new_idempotency_key();
        assert_eq!(key.len(), 32);
        let created = alice.create(&incident_body(), &key).await.expect("create");
        let again = alice.create(&incident_body(), &key).await.expect("retry");
        let id = id_of(&created);
        assert_eq!(id_of(&again), id);
        assert_eq!(again.version, created.version);
        let second = create(&alice).await;
        assert_ne!(id_of(&second), id);

        let read = alice.record(&id).await.expect("read");
        assert_eq!(read.version, created.version);
        assert_eq!(read.record, created.record);
        assert!(!read.deadlines.is_empty(), "an incident has deadlines");

        // Queue: structured terms with spaces and a colon, paging with a cursor.
        let all = alice
            .queue(&QueueRequest {
                q: Some("kind:incident impact:major".to_string()),
                view: Some("all".to_string()),
                sort: Some("-created".to_string()),
                limit: Some(1),
                cursor: None,
            })
            .await
            .expect("queue");
        assert_eq!(all.rows.len(), 1);
        assert_eq!(all.rows[0].id, id_of(&second), "newest first");
        let cursor = all.next_cursor.clone().expect("a second page");
        let next = alice
            .queue(&QueueRequest {
                q: Some("kind:incident impact:major".to_string()),
                view: Some("all".to_string()),
                sort: Some("-created".to_string()),
                limit: Some(1),
                cursor: Some(cursor),
            })
            .await
            .expect("second page");
        assert_eq!(next.rows.len(), 1);
        assert_eq!(next.rows[0].id, id);
        let none = alice
            .queue(&QueueRequest {
                q: Some("no such words & more=stuff?#".to_string()),
                ..QueueRequest::default()
            })
            .await
            .expect("free text with reserved characters");
        assert!(none.rows.is_empty());

        // A command moves the version on; the history shows it.
        let noted = alice
            .command(
                &id,
                read.version,
                &note("Spoke with the unit manager."),
                &new_idempotency_key(),
            )
            .await
            .expect("add a note");
        assert!(noted.version > read.version);
        let history = alice.history(&id).await.expect("history");
        assert_eq!(history.record, id);
        assert!(history.events.len() >= 2, "{:?}", history.events);
        assert_eq!(
            times_in_history(&alice, &id, "Spoke with the unit manager.").await,
            1
        );
        api.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn errors_map_from_real_answers() {
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = client_for(&api, Persona::Practitioner);

        // 401: a token the server does not know.
        let stranger = Client::new(&api.server.base, "not-a-real-token").expect("client");
        assert_eq!(stranger.me().await.unwrap_err(), ClientError::Unauthorized);

        // 404.
        assert_eq!(
            alice.record("INC-2099-999999").await.unwrap_err(),
            ClientError::NotFound
        );
        assert_eq!(
            alice.history("no/such id").await.unwrap_err(),
            ClientError::NotFound
        );

        // 409 with the current version.
        let created = create(&alice).await;
        let id = id_of(&created);
        let noted = alice
            .command(&id, created.version, &note("first"), &new_idempotency_key())
            .await
            .expect("note");
        let stale = alice
            .command(
                &id,
                created.version,
                &note("second"),
                &new_idempotency_key(),
            )
            .await
            .unwrap_err();
        assert_eq!(
            stale,
            ClientError::Conflict {
                current_version: noted.version
            }
        );

        // 422 names the rule and the field.
        match alice
            .command(
                &id,
                noted.version,
                &minor_impact_update(),
                &new_idempotency_key(),
            )
            .await
            .unwrap_err()
        {
            ClientError::Refused {
                rule,
                message,
                field,
            } => {
                assert_eq!(rule.as_deref(), Some("R-IMPACT-2"));
                assert_eq!(field.as_deref(), Some("impact"));
                assert!(!message.is_empty());
            }
            other => panic!("expected a refusal, got {other:?}"),
        }

        // 403: an admin account sees no client data.
        match client_for(&api, Persona::Admin)
            .queue(&QueueRequest::default())
            .await
            .unwrap_err()
        {
            ClientError::Forbidden(message) => assert!(message.contains("admin"), "{message}"),
            other => panic!("expected forbidden, got {other:?}"),
        }

        // 400: a sort the server does not know.
        match alice
            .queue(&QueueRequest {
                sort: Some("sideways".to_string()),
                ..QueueRequest::default()
            })
            .await
            .unwrap_err()
        {
            ClientError::Invalid(message) => assert!(message.contains("sort"), "{message}"),
            other => panic!("expected invalid, got {other:?}"),
        }

        // A key is sent only if it can be: checked before anything leaves.
        assert!(matches!(
            alice
                .command(&id, noted.version, &note("x"), "has space")
                .await
                .unwrap_err(),
            ClientError::Invalid(_)
        ));

        // Nobody listening: offline, saying where it tried.
        let closed = free_address().await;
        let nowhere = Client::new(&format!("http://{closed}/"), "token").expect("client");
        assert_eq!(nowhere.base(), format!("http://{closed}"));
        match nowhere.me().await.unwrap_err() {
            error @ ClientError::Offline { .. } => {
                let text = error.to_string();
                assert!(text.contains(&format!("http://{closed}")), "{text}");
                assert!(text.to_lowercase().contains("refused"), "{text}");
                assert!(error.is_offline());
            }
            other => panic!("expected offline, got {other:?}"),
        }
        // A name that does not resolve is offline too.
        let unresolvable =
            Client::new("http://no-such-host.invalid:8080", "token").expect("client");
        assert!(unresolvable.me().await.unwrap_err().is_offline());

        // HTTPS addresses are taken as they are.
        let secure = Client::new("https://cims.example:8443/", "token").expect("client");
        assert_eq!(secure.base(), "https://cims.example:8443");

        // Addresses that cannot work are refused before any request.
        for bad in ["ftp://host", "not a url", "http://h/?x=1"] {
            assert!(
                matches!(Client::new(bad, "token"), Err(ClientError::Invalid(_))),
                "{bad}"
            );
        }

        // Logging in: a wrong password is Unauthorized; the right one gives a token.
        api.store()
            .set_password("alice", "correct horse battery")
            .await
            .expect("set a password");
        assert_eq!(
            Client::login(&api.server.base, "alice", "wrong password!")
                .await
                .unwrap_err(),
            ClientError::Unauthorized
        );
        let session = Client::login(&api.server.base, "alice", "correct horse battery")
            .await
            .expect("log in");
        assert!(session.expires_at > chrono::Utc::now());
        let logged_in = Client::new(&api.server.base, &session.token).expect("client");
        assert_eq!(logged_in.me().await.expect("me").user, "alice");
        api.stop().await;
    })
    .await;
}

/// Emoji joined into one glyph (ZWJ sequences, skin tones, variation selectors) come apart
/// into emoji that stand alone: a terminal that advances by code point would otherwise draw
/// them wider than the app measured, over what lies beside them. CJK and combining accents
/// are kept.
fn intake_naming(name: &str, dob: &str) -> cims::domain::model::Intake {
    cims::domain::model::Intake {
        children: vec![cims::domain::model::Child {
            person: fixtures::person(name, dob),
            sexually_abusive_behaviour: false,
            rso_contact: false,
            prior_reports: Vec::new(),
            known_reports: Vec::new(),
        }],
        ..fixtures::intake()
    }
}

/// The refusal's message, or a panic naming what came instead.
fn refusal(error: ClientError) -> String {
    match error {
        ClientError::Refused { message, .. } => message,
        other => panic!("expected a refusal in the server's words, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r_person_2_the_client_reads_merges_and_undoes_people_and_refusals_keep_the_servers_words()
{
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = client_for(&api, Persona::Practitioner);
        let first = api
            .create_intake(
                Persona::Practitioner,
                &intake_naming("Jordan Smith", "2014-03-02"),
            )
            .await;
        let second = api
            .create_intake(
                Persona::Practitioner,
                &intake_naming("Jordon Smyth", "2014-03-02"),
            )
            .await;
        let (one, other) = (format!("{first}.child0"), format!("{second}.child0"));

        let alone = alice.person(&one).await.expect("the person");
        assert_eq!(alone.id, one);
        assert_eq!(alone.names, vec!["Jordan Smith".to_string()]);
        assert_eq!(alone.records.len(), 1);
        assert!(alone.history.is_empty());

        let merged = alice
            .merge_people(&one, &other, "same school and mother")
            .await
            .expect("merged");
        let mut records: Vec<&str> = merged.records.iter().map(|r| r.record.as_str()).collect();
        records.sort_unstable();
        assert_eq!(records, vec![first.as_str(), second.as_str()]);
        assert_eq!(merged.history.len(), 1);
        assert_eq!(merged.history[0].action, "merged");
        assert_eq!(merged.history[0].reason, "same school and mother");

        let again = alice.merge_people(&other, &one, "again").await.unwrap_err();
        assert!(refusal(again).contains("one person already"));
        let nobody = alice.person("INT-2099-999999.child0").await.unwrap_err();
        assert!(refusal(nobody).contains("no person INT-2099-999999.child0"));
        match client_for(&api, Persona::Regulator)
            .merge_people(&one, &other, "a guess")
            .await
            .unwrap_err()
        {
            ClientError::Forbidden(message) => {
                assert!(message.contains("may not merge people"), "{message}")
            }
            other => panic!("expected forbidden, got {other:?}"),
        }
        assert!(matches!(
            alice.merge_people(&one, &other, "  ").await.unwrap_err(),
            ClientError::Refused { .. }
        ));

        let merge = merged.history[0].merge;
        let undone = alice
            .undo_merge(merge, "the mother says they are cousins")
            .await
            .expect("undone");
        let actions: Vec<&str> = undone.history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, vec!["merged", "unmerged"]);
        assert_eq!(undone.records.len(), 1);
        let twice = alice.undo_merge(merge, "again").await.unwrap_err();
        assert!(refusal(twice).contains("undone already"));
        let unknown = alice.undo_merge(99_999, "why").await.unwrap_err();
        assert!(refusal(unknown).contains("no merge 99999"));

        api.stop().await;
    })
    .await;
}

#[test]
fn joined_emoji_come_apart_and_wide_text_is_kept() {
    assert_eq!(
        clean("👨\u{200d}👩\u{200d}👧 👩🏽 ☺\u{fe0f} ✌\u{fe0e}"),
        "👨👩👧 👩 ☺ ✌"
    );
    assert_eq!(clean("児童 Zoë"), "児童 Zoë");
}

/// A note planted with terminal escapes, bidi overrides, C1 controls and decomposed
/// accents comes back with none of them, in NFC, through every read.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_text_from_the_server_comes_back_sanitised() {
    let hostile = "ok\u{1b}]0;pwned\u{7}\u{202e}evil\u{9b}31m Jose\u{301}\r\nline\u{2067}2\ttab\u{200f}\u{61c}\u{7f}\u{85}";
    let cleaned = "ok]0;pwnedevil31m José\nline2\ttab";
    assert_eq!(clean(hostile), cleaned);
    support::for_each_db(|url| async move {
        let api = Api::start(&url).await;
        let alice = client_for(&api, Persona::Practitioner);
        let created = create(&alice).await;
        let id = id_of(&created);
        // Sent as raw JSON, so nothing on this side cleans it first.
        api.command(
            Persona::Practitioner,
            &id,
            created.version,
            &json!({ "command": "add_note", "text": hostile }),
        )
        .await
        .expect(200, "a note with control characters");
        let raw = api
            .get(Persona::Practitioner, &format!("/v1/records/{id}"))
            .await;
        assert!(
            raw.body.contains("\\u001b") || raw.body.contains('\u{1b}'),
            "the server stores and returns the text as written: {}",
            raw.body
        );

        let view = alice.record(&id).await.expect("read");
        let history = alice.history(&id).await.expect("history");
        let page = alice.queue(&QueueRequest::default()).await.expect("queue");
        let mut all = Vec::new();
        strings(&view.record, &mut all);
        strings(&Value::Array(history.events.clone()), &mut all);
        strings(
            &serde_json::to_value(&page).expect("page as JSON"),
            &mut all,
        );
        for s in &all {
            assert!(!s.chars().any(is_forbidden), "{s:?}");
        }
        assert!(
            all.iter().any(|s| s == cleaned),
            "the cleaned note is there"
        );
        assert!(
            serde_json::to_string(&view.record)
                .expect("JSON")
                .contains("José"),
            "NFC: the accent is composed"
        );
        api.stop().await;
    })
    .await;
}

#[test]
fn sanitising_walks_keys_and_values() {
    let value = json!({
        "a\u{1b}[2Jb": ["x\u{202d}y", {"k\u{9c}": "v\u{0}"}],
        "n": 1, "t": true, "z": null
    });
    assert_eq!(
        clean_value(value),
        json!({ "a[2Jb": ["xy", {"k": "v"}], "n": 1, "t": true, "z": null })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever comes in, nothing forbidden comes out, the result is NFC, and cleaning
    /// again changes nothing.
    #[test]
    fn sanitised_text_is_safe_and_stable(
        text in proptest::collection::vec(
            prop_oneof![
                any::<char>(),
                prop::char::range('\u{0}', '\u{a0}'),
                prop::char::range('\u{200b}', '\u{206f}'),
                Just('\u{61c}'),
                Just('\u{301}'),
                Just('\u{e9}'),
            ],
            0..64,
        ).prop_map(|chars| chars.into_iter().collect::<String>())
    ) {
        let once = clean(&text);
        prop_assert!(!once.chars().any(is_forbidden), "{:?}", once);
        prop_assert!(unicode_normalization::is_nfc(&once));
        prop_assert_eq!(clean(&once), once.clone());
        let kept: String = text.chars().filter(|c| matches!(c, '\n' | '\t')).collect();
        let kept_out: String = once.chars().filter(|c| matches!(c, '\n' | '\t')).collect();
        prop_assert_eq!(kept, kept_out, "newlines and tabs stay");
    }

    /// However the stream is cut into chunks, the same events come out.
    #[test]
    fn sse_events_survive_any_chunking(cuts in proptest::collection::vec(0usize..200, 0..12)) {
        let stream = sse_sample();
        let whole = parse_all(&[stream.as_slice()]);
        let mut points: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
        points.sort_unstable();
        let mut pieces = Vec::new();
        let mut from = 0;
        for at in points {
            pieces.push(&stream[from..at]);
            from = at;
        }
        pieces.push(&stream[from..]);
        prop_assert_eq!(parse_all(&pieces), whole);
    }
}

fn sse_sample() -> Vec<u8> {
    "\u{feff}: keep-alive\n\nid: 7\nevent: record\ndata: {\"seq\":7,\"record_id\":\"INC-1\",\"version\":2}\n\n\
     :comment\r\nid:8\r\nevent:record\r\ndata:{\"seq\":8,\r\ndata: \"record_id\":\"Jos\u{e9}\",\"version\":3}\r\n\r\n\
     data: no id, default type\r\rretry: 100\nunknown: field\nid\n\ndata\n\nid: 9\n\n"
        .as_bytes()
        .to_vec()
}

fn parse_all(pieces: &[&[u8]]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    pieces
        .iter()
        .flat_map(|p| parser.push(p).expect("parse"))
        .collect()
}

#[test]
fn sse_parser_follows_the_event_stream_format() {
    let events = parse_all(&[sse_sample().as_slice()]);
    assert_eq!(
        events,
        vec![
            SseEvent {
                id: Some("7".into()),
                event: "record".into(),
                data: r#"{"seq":7,"record_id":"INC-1","version":2}"#.into(),
            },
            SseEvent {
                id: Some("8".into()),
                event: "record".into(),
                data: "{\"seq\":8,\n\"record_id\":\"Jos\u{e9}\",\"version\":3}".into(),
            },
            SseEvent {
                id: Some("8".into()),
                event: "message".into(),
                data: "no id, default type".into(),
            },
            // `id` alone resets the id; `data` alone is an empty data line.
            SseEvent {
                id: Some(String::new()),
                event: "message".into(),
                data: String::new(),
            },
        ]
    );
    // A line that never ends is refused, not buffered without limit.
    let mut parser = SseParser::new();
    let long = vec![b'x'; feed::MAX_LINE + 1];
    assert!(parser.push(&long).is_err());
}

#[test]
fn query_values_are_percent_encoded() {
    assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    assert_eq!(QueueRequest::default().query_string(), "");
    let request = QueueRequest {
        q: Some("due:<24h smith".into()),
        view: None,
        sort: Some("-due".into()),
        limit: Some(20),
        cursor: Some("abc+/=".into()),
    };
    assert_eq!(
        request.query_string(),
        "?q=due%3A%3C24h%20smith&sort=-due&limit=20&cursor=abc%2B%2F%3D"
    );
}

/// The next message, failing the test if none comes within [`PATIENCE`].
async fn next_msg(rx: &mut mpsc::Receiver<FeedMsg>) -> FeedMsg {
    next_msg_within(rx, PATIENCE).await
}

async fn next_msg_within(rx: &mut mpsc::Receiver<FeedMsg>, wait: Duration) -> FeedMsg {
    tokio::time::timeout(wait, rx.recv())
        .await
        .unwrap_or_else(|_| panic!("no change-feed message within {wait:?}"))
        .expect("the feed task is running")
}

/// Changes until `count` have arrived (skipping connection news, which is recorded). A
/// reconnection may wait out the longest backoff first.
async fn changes(
    rx: &mut mpsc::Receiver<FeedMsg>,
    count: usize,
    news: &mut Vec<FeedMsg>,
) -> Vec<Change> {
    let mut out = Vec::new();
    while out.len() < count {
        match next_msg_within(rx, PATIENCE + feed::BACKOFF_MAX).await {
            FeedMsg::Change(change) => out.push(change),
            other => news.push(other),
        }
    }
    out
}

/// Every event of the records, as `(seq, id, version)`, in sequence order.
async fn logged(client: &Client, ids: &[&str]) -> Vec<(i64, String, i64)> {
    let mut out = Vec::new();
    for id in ids {
        for event in client.history(id).await.expect("history").events {
            out.push((
                event["seq"].as_i64().expect("seq"),
                (*id).to_string(),
                event["version"].as_i64().expect("version"),
            ));
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn feed_resumes_after_a_server_restart_without_missing_a_change() {
    support::for_each_db(|url| async move {
        let address = free_address().await;
        let api = Api::start_on(&url, address).await;
        let alice = client_for(&api, Persona::Practitioner);
        let (handle, mut rx) = feed::spawn(alice.clone(), None);
        assert_eq!(
            next_msg(&mut rx).await,
            FeedMsg::Connected { resumed: false }
        );
        let mut news = Vec::new();

        // Live changes arrive.
        let a = create(&alice).await;
        let a_id = id_of(&a);
        alice
            .command(&a_id, a.version, &note("live"), &new_idempotency_key())
            .await
            .expect("note");
        let count = logged(&alice, &[&a_id]).await.len();
        let mut seen = changes(&mut rx, count, &mut news).await;
        assert!(seen.iter().all(|c| c.record_id == a_id), "{seen:?}");

        // The server goes away: the consumer says so.
        let stopped = api.stop_for_restart().await;
        match next_msg(&mut rx).await {
            FeedMsg::Disconnected(reason) => assert!(!reason.is_empty()),
            other => panic!("expected a disconnection, got {other:?}"),
        }

        // Meanwhile another server on the same database takes writes.
        let side = Server::start(&stopped.url).await;
        let side_alice =
            Client::new(&side.base, stopped.token(Persona::Practitioner)).expect("client");
        let mut version = side_alice.record(&a_id).await.expect("read").version;
        for n in 0..3 {
            version = side_alice
                .command(
                    &a_id,
                    version,
                    &note(&format!("while away {n}")),
                    &new_idempotency_key(),
                )
                .await
                .expect("note while the first server is down")
                .version;
        }
        let b = create(&side_alice).await;
        let b_id = id_of(&b);
        side.stop().await;

        // The server comes back where it was: the consumer reconnects, resumes after the
        // last change it saw, and misses none.
        let api = stopped.start().await;
        let missing = logged(&alice, &[&a_id, &b_id]).await.len() - seen.len();
        assert!(
            missing >= 4,
            "three notes and a registration happened unseen"
        );
        let missed = changes(&mut rx, missing, &mut news).await;
        assert!(
            news.contains(&FeedMsg::Connected { resumed: true }),
            "{news:?}"
        );
        seen.extend(missed);
        let live = alice
            .command(&b_id, b.version, &note("after"), &new_idempotency_key())
            .await
            .expect("note after the restart");
        seen.extend(changes(&mut rx, 1, &mut news).await);
        assert_eq!(seen.last().map(|c| c.version as u64), Some(live.version));

        let got: Vec<(i64, String, i64)> = seen
            .iter()
            .map(|c| (c.seq, c.record_id.clone(), c.version))
            .collect();
        assert_eq!(
            got,
            logged(&alice, &[&a_id, &b_id]).await,
            "every change once, in order"
        );

        // Dropping the receiver ends the task.
        drop(rx);
        tokio::time::timeout(PATIENCE, handle.stop())
            .await
            .expect("the feed task ends");
        api.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn feed_reports_a_server_that_is_not_there_and_keeps_trying() {
    let address = free_address().await;
    let client = Client::new(&format!("http://{address}"), "token").expect("client");
    let (handle, mut rx) = feed::spawn(client, Some(5));
    for _ in 0..2 {
        match next_msg(&mut rx).await {
            FeedMsg::Disconnected(reason) => {
                assert!(reason.contains(&address.to_string()), "{reason}");
            }
            other => panic!("expected a disconnection, got {other:?}"),
        }
    }
    tokio::time::timeout(PATIENCE, handle.stop())
        .await
        .expect("the feed task stops on request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outbox_writes_made_offline_land_exactly_once() {
    support::for_each_db(|url| async move {
        let address = free_address().await;
        let api = Api::start_on(&url, address).await;
        let alice = client_for(&api, Persona::Practitioner);
        let [a, b, c, d] = [
            create(&alice).await,
            create(&alice).await,
            create(&alice).await,
            create(&alice).await,
        ];
        let (a_id, b_id, c_id, d_id) = (id_of(&a), id_of(&b), id_of(&c), id_of(&d));
        let stopped = api.stop_for_restart().await;

        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("outbox.json");
        let mut outbox = Outbox::open(&path).expect("open the outbox");
        assert_eq!(mode_of(&path), 0o600, "created readable by the owner only");

        // A write attempted while the server is down is queued.
        let first = note("offline A1");
        let key = new_idempotency_key();
        let error = alice
            .command(&a_id, a.version, &first, &key)
            .await
            .unwrap_err();
        assert!(error.is_offline(), "{error:?}");
        outbox.push(&a_id, a.version, first).expect("queue");
        // A second command on the same record, made against the same version.
        outbox
            .push(&a_id, a.version, note("offline A2"))
            .expect("queue");
        outbox
            .push(&b_id, b.version, note("offline B1"))
            .expect("queue");
        let stale = outbox
            .push(&c_id, c.version, note("offline C1"))
            .expect("queue");
        outbox
            .push(&d_id, d.version, minor_impact_update())
            .expect("queue");
        assert_eq!(outbox.pending().len(), 5);
        assert_eq!(mode_of(&path), 0o600, "still private after every write");

        // Replaying while still offline stops at once and keeps everything.
        let replay = outbox.replay(&alice).await.expect("replay");
        assert!(replay.applied.is_empty() && replay.failures.is_empty());
        assert!(replay.stopped.as_ref().is_some_and(ClientError::is_offline));
        assert_eq!(outbox.pending().len(), 5);

        // The queue survives a restart of the client.
        let pending = outbox.pending().to_vec();
        drop(outbox);
        let mut outbox = Outbox::open(&path).expect("reopen the outbox");
        assert_eq!(outbox.pending(), pending.as_slice());

        // Meanwhile someone else changes C.
        let side = Server::start(&stopped.url).await;
        let tess =
            Client::new(&side.base, stopped.token(Persona::TeamManager)).expect("client");
        let c_now = tess
            .command(&c_id, c.version, &note("by someone else"), &new_idempotency_key())
            .await
            .expect("a change by someone else")
            .version;
        side.stop().await;

        // The server is back where the client expects it.
        let api = stopped.start().await;
        let replay = outbox.replay(&alice).await.expect("replay");
        assert!(replay.stopped.is_none(), "{:?}", replay.stopped);
        let applied: Vec<&str> = replay
            .applied
            .iter()
            .map(|(e, _)| e.record_id.as_str())
            .collect();
        assert_eq!(applied, [a_id.as_str(), a_id.as_str(), b_id.as_str()]);
        assert_eq!(replay.conflicts.len(), 1);
        let conflict = &replay.conflicts[0];
        assert_eq!(conflict.entry, stale);
        assert_eq!(conflict.current_version, c_now);
        assert_eq!(
            conflict.current.as_ref().map(|v| v.version),
            Some(c_now),
            "the conflict comes with the record as it stands"
        );
        assert_eq!(replay.failures.len(), 1);
        assert_eq!(replay.failures[0].0.record_id, d_id);
        assert!(
            matches!(&replay.failures[0].1, ClientError::Refused { rule: Some(r), .. } if r == "R-IMPACT-2"),
            "{:?}",
            replay.failures[0].1
        );
        assert!(outbox.pending().is_empty());
        assert_eq!(outbox.conflicts(), vec![(stale.clone(), c_now)], "kept aside");

        for (id, text) in [
            (&a_id, "offline A1"),
            (&a_id, "offline A2"),
            (&b_id, "offline B1"),
        ] {
            assert_eq!(times_in_history(&alice, id, text).await, 1, "{text}");
        }
        assert_eq!(times_in_history(&alice, &c_id, "offline C1").await, 0);

        // A command whose answer was lost: it landed, and is still queued. Replaying it
        // sends the same key, and it lands no second time.
        let b_now = alice.record(&b_id).await.expect("read").version;
        let lost = outbox
            .push(&b_id, b_now, note("answer lost"))
            .expect("queue");
        alice
            .command(&lost.record_id, lost.base_version, &lost.command, &lost.key)
            .await
            .expect("the first attempt lands");
        let replay = outbox.replay(&alice).await.expect("replay");
        assert_eq!(replay.applied.len(), 1, "{replay:?}");
        assert!(outbox.pending().is_empty());
        assert_eq!(times_in_history(&alice, &b_id, "answer lost").await, 1);

        // The user still wants the conflicting note: it goes again at the current version.
        outbox.rebase(&stale.key, c_now).expect("rebase");
        let replay = outbox.replay(&alice).await.expect("replay");
        assert_eq!(replay.applied.len(), 1, "{replay:?}");
        assert!(outbox.conflicts().is_empty());
        assert_eq!(times_in_history(&alice, &c_id, "offline C1").await, 1);

        // What is queued can be dropped.
        let dropped = outbox.push(&a_id, 0, note("never mind")).expect("queue");
        assert!(outbox.remove(&dropped.key).expect("remove"));
        assert!(!outbox.remove(&dropped.key).expect("remove again"));
        assert!(Outbox::open(&path).expect("reopen").pending().is_empty());
        assert_eq!(mode_of(&path), 0o600);
        api.stop().await;
    })
    .await;
}

#[test]
fn an_outbox_others_can_read_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("outbox.json");
    std::fs::write(&path, "{}").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let error = Outbox::open(&path).unwrap_err();
    assert!(matches!(error, OutboxError::Exposed { mode: 0o644, .. }));
    let text = error.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("chmod 600"), "{text}");
    // Fixed as the message says, it opens.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    assert!(Outbox::open(&path).expect("open").pending().is_empty());
    // Garbage is reported, not silently replaced.
    std::fs::write(&path, "not json").expect("write");
    assert!(matches!(
        Outbox::open(&path).unwrap_err(),
        OutboxError::Corrupt { .. }
    ));
}

#[test]
fn token_file_is_private_and_a_readable_one_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("data").join("cims").join("token");
    assert!(session::load_token_from(&path).expect("load").is_none());
    session::save_token_to(&path, "tok-123\n").expect("save");
    assert_eq!(mode_of(&path), 0o600);
    assert_eq!(mode_of(path.parent().expect("dir")), 0o700);
    assert_eq!(
        session::load_token_from(&path).expect("load").as_deref(),
        Some("tok-123")
    );
    // Saving again replaces it, still private.
    session::save_token_to(&path, "tok-456").expect("save");
    assert_eq!(
        session::load_token_from(&path).expect("load").as_deref(),
        Some("tok-456")
    );

    for mode in [0o640, 0o604, 0o660] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        let error = session::load_token_from(&path).unwrap_err();
        assert!(matches!(error, SessionError::Exposed { .. }), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(
            text.contains(&format!("chmod 600 {}", path.display())),
            "{text}"
        );
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::fs::write(&path, "two words\n").expect("write");
    assert!(matches!(
        session::load_token_from(&path).unwrap_err(),
        SessionError::Malformed { .. }
    ));
    assert!(session::clear_token_at(&path).expect("clear"));
    assert!(!session::clear_token_at(&path).expect("clear again"));
    assert!(session::load_token_from(&path).expect("load").is_none());
}

/// `cims login` as the real binary, with a private HOME so the real data directory is
/// untouched.
async fn cims_login(
    home: &Path,
    args: Vec<String>,
    stdin: &'static str,
    envs: Vec<(&'static str, String)>,
) -> std::process::Output {
    let home = home.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        use std::process::{Command as Process, Stdio};
        let mut child = Process::new(env!("CARGO_BIN_EXE_cims"))
            .arg("login")
            .args(&args)
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env_remove("CIMS_TOKEN")
            .env_remove("CIMS_SERVER")
            .envs(envs)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run cims login");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write the password");
        child.wait_with_output().expect("cims login output")
    })
    .await
    .expect("cims login ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cims_login_saves_a_private_token() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = support::database(support::Db::Sqlite, &dir)
        .await
        .expect("a SQLite database");
    let api = Api::start(&url).await;
    api.store()
        .set_password("alice", "correct horse battery")
        .await
        .expect("set a password");
    let home = tempfile::tempdir().expect("temporary HOME");
    let token_path = home.path().join("data").join("cims").join("token");
    let args = |server: &str| {
        vec![
            "--server".to_string(),
            server.to_string(),
            "--user".to_string(),
            "alice".to_string(),
            "--password-stdin".to_string(),
        ]
    };

    // A wrong password: one clear line, nothing saved.
    let output = cims_login(
        home.path(),
        args(&api.server.base),
        "wrong password!\n",
        vec![],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("wrong username or password"), "{stderr}");
    assert!(!token_path.exists());

    // Nobody listening: where it tried, and how to start a server.
    let closed = free_address().await;
    let output = cims_login(
        home.path(),
        args(&format!("http://{closed}")),
        "correct horse battery\n",
        vec![],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("http://{closed}")), "{stderr}");
    assert!(stderr.contains("cims serve"), "{stderr}");

    // The right password: a private token that works.
    let output = cims_login(
        home.path(),
        args(&format!("{}/", api.server.base)),
        "correct horse battery\n",
        vec![],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("logged in as alice"), "{stdout}");
    assert!(
        stdout.contains(&token_path.display().to_string()),
        "{stdout}"
    );
    assert_eq!(mode_of(&token_path), 0o600);
    let token = session::load_token_from(&token_path)
        .expect("load")
        .expect("a token");
    let client = Client::new(&api.server.base, &token).expect("client");
    assert_eq!(client.me().await.expect("me").user, "alice");
    let server = std::fs::read_to_string(home.path().join("data").join("cims").join("server"))
        .expect("the server is remembered");
    assert_eq!(server.trim(), api.server.base);

    // With CIMS_TOKEN set, the user is told that it wins over the saved token.
    let output = cims_login(
        home.path(),
        args(&api.server.base),
        "correct horse battery\n",
        vec![("CIMS_TOKEN", "elsewhere".to_string())],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("CIMS_TOKEN"), "{stderr}");
    api.stop().await;
}
