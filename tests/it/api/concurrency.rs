//! Optimistic concurrency (DESIGN §2): many writers on one record, each with the version it
//! read; one wins per version, the rest get 409 with the current version.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;
use tokio::sync::Barrier;

use super::harness::{Api, Persona};
use crate::{fixtures, support};

const WRITERS: usize = 20;

/// What one writer saw: for each attempt, the version it sent and the status it got.
type Attempts = Vec<(u64, u16)>;

async fn writer(api: Arc<Api>, id: String, n: usize, start: Arc<Barrier>) -> Attempts {
    let persona = if n.is_multiple_of(2) {
        Persona::Practitioner
    } else {
        Persona::CsoDelegate
    };
    let mut version = api.version(persona, &id).await;
    let mut attempts = Vec::new();
    start.wait().await;
    loop {
        let note = json!({ "command": "add_note", "text": format!("note from writer {n}") });
        let response = api.command(persona, &id, version, &note).await;
        attempts.push((version, response.status.as_u16()));
        match response.status.as_u16() {
            200 => return attempts,
            409 => {
                let body = response.json();
                assert_eq!(body["error"], json!("conflict"), "{body}");
                let current = body["current_version"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("a 409 carries current_version: {body}"));
                assert!(
                    current > version,
                    "the record moved on from {version}, so it is now later: {current}"
                );
                version = current;
            }
            other => panic!("writer {n}: unexpected {other}: {}", response.body),
        }
        assert!(
            attempts.len() <= WRITERS,
            "writer {n} never won: {attempts:?}"
        );
    }
}

async fn race(url: String) {
    let api = Arc::new(Api::start(&url).await);
    let id = api
        .create_incident(Persona::CsoDelegate, &fixtures::incident())
        .await;
    let initial = api.version(Persona::CsoDelegate, &id).await;

    let start = Arc::new(Barrier::new(WRITERS));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|n| tokio::spawn(writer(api.clone(), id.clone(), n, start.clone())))
        .collect();
    let mut by_version: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
    let mut wins = 0;
    for task in tasks {
        for (version, status) in task.await.expect("writer task") {
            let entry = by_version.entry(version).or_default();
            if status == 200 {
                entry.0 += 1;
                wins += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    // Every writer read the same version first: one of them won it.
    assert!(
        by_version
            .get(&initial)
            .is_some_and(|(won, lost)| *won == 1 && *lost == WRITERS - 1),
        "at version {initial}, one winner and {} losers: {by_version:?}",
        WRITERS - 1
    );
    // Exactly one command won at each version any writer tried.
    for (version, (won, _)) in &by_version {
        assert_eq!(*won, 1, "winners at version {version}: {by_version:?}");
    }
    assert_eq!(wins, WRITERS);

    let view = api
        .get(Persona::CsoDelegate, &format!("/v1/records/{id}"))
        .await
        .expect(200, "read the record");
    let version = view["version"].as_u64().expect("version");
    assert_eq!(version, initial + WRITERS as u64, "one event per note");
    let notes = view["record"]["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), wins, "one note per 200 response");

    let history = api
        .get(Persona::CsoDelegate, &format!("/v1/records/{id}/history"))
        .await
        .expect(200, "read the history");
    let versions: Vec<u64> = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["version"].as_u64().expect("event version"))
        .collect();
    assert_eq!(
        versions,
        (1..=version).collect::<Vec<_>>(),
        "history versions are contiguous"
    );

    let store = api.store();
    let projection = store.load(&id).await.expect("load").expect("record");
    let replayed = store.replay(&id).await.expect("replay").expect("record");
    assert_eq!(replayed, projection, "the log folds to the projection");

    match Arc::try_unwrap(api) {
        Ok(api) => api.stop().await,
        Err(_) => panic!("a writer still holds the client"),
    }
}

/// Twenty writers race on one record with the version they read: exactly one command wins
/// per version, every loser gets 409 with `current_version`, the notes equal the 200s,
/// history versions are 1..=version, and replaying the log gives the projection.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrency_one_winner_per_version() {
    support::for_each_db(race).await;
}
