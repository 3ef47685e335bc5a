//! `Idempotency-Key` on `POST /v1/records` (DESIGN §5): a retried create is safe.

use std::collections::BTreeSet;
use std::sync::Arc;

use cims::domain::model::Details;
use reqwest::Method;
use serde_json::{Value, json};

use super::harness::{Api, Persona, Response};
use crate::{fixtures, support};

const RACERS: usize = 12;

async fn create_with_key(api: &Api, persona: Persona, key: &str, body: &Value) -> Response {
    api.request(
        Method::POST,
        "/v1/records",
        Some(api.token(persona)),
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

fn id_of(response: &Response, what: &str) -> String {
    response.expect(201, what)["record"]["id"]
        .as_str()
        .expect("id")
        .to_string()
}

async fn incidents_in_queue(api: &Api, persona: Persona) -> BTreeSet<String> {
    api.queue_ids(persona, Some("kind:incident")).await
}

async fn keys(url: String) {
    let api = Arc::new(Api::start(&url).await);
    let persona = Persona::CsoDelegate;
    let body = json!({ "details": Details::Incident(fixtures::incident()) });

    // The same key and body twice: one record, 201 both times, the same representation.
    let first = create_with_key(&api, persona, "retry-1", &body).await;
    let second = create_with_key(&api, persona, "retry-1", &body).await;
    let id = id_of(&first, "the first create");
    assert_eq!(id_of(&second, "the retried create"), id);
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(
        first.header("location"),
        Some(format!("/v1/records/{id}").as_str())
    );
    assert_eq!(
        incidents_in_queue(&api, persona).await,
        BTreeSet::from([id.clone()]),
        "one record in the queue"
    );

    // The same key with another body is refused, and creates nothing.
    let mut other = fixtures::incident();
    other.description = "A different incident altogether.".to_string();
    let changed = json!({ "details": Details::Incident(other) });
    let refused = create_with_key(&api, persona, "retry-1", &changed).await;
    let error = refused.expect(422, "the key reused with another body");
    assert_eq!(error["error"], json!("invalid"), "{error}");
    assert_eq!(
        incidents_in_queue(&api, persona).await.len(),
        1,
        "nothing new was created"
    );

    // Keys belong to their user: another user's same key is a new request.
    let theirs = create_with_key(&api, Persona::Practitioner, "retry-1", &body).await;
    assert_ne!(id_of(&theirs, "another user's create"), id);

    // A different key is a different record.
    let fresh = create_with_key(&api, persona, "retry-2", &body).await;
    assert_ne!(id_of(&fresh, "a create with a fresh key"), id);

    // Many at once with one key: one record, and every one of them is told its id.
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let api = api.clone();
            let body = body.clone();
            tokio::spawn(async move { create_with_key(&api, persona, "race", &body).await })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for task in tasks {
        let response = task.await.expect("request task");
        ids.insert(id_of(&response, "a racing create"));
    }
    assert_eq!(ids.len(), 1, "one record for one key: {ids:?}");
    assert_eq!(
        incidents_in_queue(&api, persona).await.len(),
        3,
        "the first record, the fresh-key record and the raced one"
    );

    // A key must be visible ASCII.
    let bad = create_with_key(&api, persona, "", &body).await;
    bad.expect(400, "an empty key");

    match Arc::try_unwrap(api) {
        Ok(api) => api.stop().await,
        Err(_) => panic!("a request task still holds the client"),
    }
}

/// Same key and body → the same record (201 both times, one in the queue); same key and
/// another body → 422; many concurrent requests with one key → one record.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idempotency_same_key_same_record() {
    support::for_each_db(keys).await;
}

async fn keyed_command(api: &Api, id: &str, version: u64, key: &str, command: &Value) -> Response {
    let version = format!("\"{version}\"");
    api.request(
        Method::POST,
        &format!("/v1/records/{id}/commands"),
        Some(api.token(Persona::Practitioner)),
        Some(command),
        &[("if-match", &version), ("idempotency-key", key)],
    )
    .await
}

async fn command_keys(url: String) {
    let api = Api::start(&url).await;
    let id = api
        .create_incident(Persona::Practitioner, &fixtures::incident())
        .await;
    let version = api.version(Persona::Practitioner, &id).await;
    let note = json!({ "command": "add_note", "text": "Called the carer back." });
    // A write kept while offline and sent again on reconnect lands once: the replay
    // answers with the record as it stands, though its If-Match is now stale.
    let first = keyed_command(&api, &id, version, "outbox-1", &note).await;
    let first = first.expect(200, "the first send");
    let again = keyed_command(&api, &id, version, "outbox-1", &note).await;
    let again = again.expect(200, "the replay");
    assert_eq!(first["version"], again["version"]);
    assert_eq!(
        again["record"]["notes"].as_array().map(Vec::len),
        Some(1),
        "one note: {again}"
    );
    // The same key with another command, or on another record, is refused.
    let other = json!({ "command": "add_note", "text": "Something else." });
    keyed_command(&api, &id, version + 1, "outbox-1", &other)
        .await
        .expect(422, "the key with another command");
    let second = api
        .create_incident(Persona::Practitioner, &fixtures::incident())
        .await;
    keyed_command(&api, &second, 2, "outbox-1", &note)
        .await
        .expect(422, "the key on another record");
    api.stop().await;
}

/// A command sent twice with one `Idempotency-Key` is applied once; the key cannot be
/// reused for another command or record.
#[tokio::test]
async fn idempotency_commands_apply_once() {
    support::for_each_db(command_keys).await;
}
