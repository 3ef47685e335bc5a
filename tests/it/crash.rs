//! Crash safety: the real server is killed with SIGKILL while 50 writers register records
//! and write notes; after a restart every write it acknowledged is there, and every record
//! is exactly the fold of its events (nothing half-written). On SQLite and PostgreSQL.
//!
//! Two rounds per database run with the suite; more with
//! `CIMS_CRASH_ROUNDS=10 cargo test --release --test it crash -- --nocapture`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::api::harness::{Persona, client, seed};
use crate::support::serve::ServeProcess;
use crate::{fixtures, support};
use cims::domain::model::Details;
use cims::store::Store;

const WRITERS: usize = 50;
/// Each writer stops by itself after this many writes, killed or not.
const WRITES_PER_WRITER: usize = 40;

fn rounds() -> usize {
    std::env::var("CIMS_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2)
}

/// `cims serve` on `db` on a fresh loopback port, answering once this returns.
fn serve(db: &str) -> (ServeProcess, String) {
    let server = ServeProcess::start(&["--db", db, "--listen", "127.0.0.1:0"], &[]);
    let base = format!("http://127.0.0.1:{}", server.port);
    (server, base)
}

/// What the server acknowledged: records created, and notes with the version they made.
#[derive(Default)]
struct Acknowledged {
    created: Vec<String>,
    notes: Vec<(String, u64, String)>,
}

/// One writer: registers a record, then writes notes on it, until its writes run out or
/// the server stops answering.
async fn writer(
    base: String,
    token: String,
    (round, n): (usize, usize),
    stop: Arc<AtomicBool>,
    acks: Arc<AtomicUsize>,
) -> Acknowledged {
    let client = client();
    let mut done = Acknowledged::default();
    let mut current: Option<(String, u64)> = None;
    for i in 0..WRITES_PER_WRITER {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let sent =
            match &current {
                None => {
                    client
                        .post(format!("{base}/v1/records"))
                        .bearer_auth(&token)
                        .header("idempotency-key", format!("crash-{round}-{n}-{i}"))
                        .json(&json!({ "details": Details::Incident(fixtures::incident()) }))
                        .send()
                        .await
                }
                Some((id, version)) => client
                    .post(format!("{base}/v1/records/{id}/commands"))
                    .bearer_auth(&token)
                    .header("if-match", format!("\"{version}\""))
                    .json(&json!({ "command": "add_note", "text": format!("writer {n} note {i}") }))
                    .send()
                    .await,
            };
        let Ok(response) = sent else { break };
        let status = response.status().as_u16();
        let Ok(body) = response.json::<Value>().await else {
            break;
        };
        let id = body["record"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let version = body["version"].as_u64().unwrap_or_default();
        match status {
            201 => {
                done.created.push(id.clone());
                current = Some((id, version));
            }
            200 => {
                done.notes
                    .push((id.clone(), version, format!("writer {n} note {i}")));
                current = Some((id, version));
            }
            other => panic!("writer {n}: unexpected {other}: {body}"),
        }
        acks.fetch_add(1, Ordering::Relaxed);
    }
    done
}

async fn round(db: &str, tokens: &BTreeMap<Persona, String>, round: usize) {
    let (server, base) = serve(db);
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(AtomicUsize::new(0));
    let token = tokens[&Persona::Practitioner].clone();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|n| {
            tokio::spawn(writer(
                base.clone(),
                token.clone(),
                (round, n),
                Arc::clone(&stop),
                Arc::clone(&acks),
            ))
        })
        .collect();
    // Kill at a different point each round, in the middle of the writing.
    let kill_after = 200 + 150 * (round % 5);
    let deadline = Instant::now() + Duration::from_secs(60);
    while acks.load(Ordering::Relaxed) < kill_after && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill();
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Acknowledged::default();
    for task in tasks {
        let done = task.await.expect("writer");
        acknowledged.created.extend(done.created);
        acknowledged.notes.extend(done.notes);
    }
    assert!(
        acknowledged.created.len() + acknowledged.notes.len() >= kill_after.min(200),
        "the server was killed before the writers got going"
    );

    // Nothing acknowledged is lost, read from the store directly after the crash.
    let store = Store::open(db).await.expect("reopen after the crash");
    for id in &acknowledged.created {
        assert!(
            store.load(id).await.expect("load").is_some(),
            "round {round}: acknowledged record {id} is missing"
        );
    }
    for (id, version, text) in &acknowledged.notes {
        let record = store.load(id).await.expect("load").expect("exists");
        assert!(
            record.version >= *version,
            "round {round}: {id} is at version {} but version {version} was acknowledged",
            record.version
        );
        assert!(
            record
                .notes
                .iter()
                .any(|n| n.current().is_some_and(|r| r.text == *text)),
            "round {round}: the acknowledged note {text:?} on {id} is missing"
        );
    }
    // Nothing is half-written: every record is the fold of its stored events.
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM records")
        .fetch_all(store.pool())
        .await
        .expect("ids");
    for (id,) in &ids {
        let stored = store.load(id).await.expect("load");
        let replayed = store.replay(id).await.expect("replay");
        assert_eq!(
            stored, replayed,
            "round {round}: {id} differs from its events"
        );
    }
    let (orphans,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = e.record_id)",
    )
    .fetch_one(store.pool())
    .await
    .expect("orphans");
    assert_eq!(orphans, 0, "round {round}: events without their record");
    store.close().await;

    // The restarted server answers for what was acknowledged.
    let (server, base) = serve(db);
    if let Some(id) = acknowledged.created.first() {
        let response = client()
            .get(format!("{base}/v1/records/{id}"))
            .bearer_auth(&tokens[&Persona::Practitioner])
            .send()
            .await
            .expect("read after restart");
        assert_eq!(response.status(), 200);
    }
    server.kill();
    eprintln!(
        "round {round}: killed after {} acknowledged writes ({} records, {} notes); all present, {} records replay exactly",
        acknowledged.created.len() + acknowledged.notes.len(),
        acknowledged.created.len(),
        acknowledged.notes.len(),
        ids.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_loses_no_acknowledged_write_and_half_writes_nothing() {
    support::for_each_db(|url| async move {
        let store = Store::open(&url).await.expect("open");
        let tokens = seed(&store).await;
        store.close().await;
        for r in 0..rounds() {
            round(&url, &tokens, r).await;
        }
    })
    .await;
}
