//! Load: concurrent clients on loopback, each holding a change-feed subscription while it
//! reads queues, records and histories and writes notes, for a fixed time. Reports latency
//! per kind of request and the error rate, and checks that every client's change feed
//! carried every event exactly once, in order (no gaps).
//!
//!   cargo bench --bench load                                 # 50 clients, 60 s, both databases
//!   cargo bench --bench load -- --clients 20 --seconds 10 --db sqlite

#[path = "common/databases.rs"]
mod databases;
#[path = "common/measure.rs"]
mod measure;

#[path = "common/seed.rs"]
mod seed;

#[path = "../tests/it/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use cims::demo::generate::Rng;
use cims::domain::policy::PolicySet;
use cims::store::Store;
use futures_util::StreamExt;
use serde_json::{Value, json};

/// Records in the database before the clients start.
const SEEDED: usize = 5000;
/// Protective interveners: they see every record, so their feeds carry every event.
const USERS: [&str; 3] = [seed::PI_USER, "tess", "ian"];

struct Options {
    clients: usize,
    seconds: u64,
    sqlite: bool,
    postgres: bool,
}

fn options() -> Options {
    let db = measure::flag("--db").unwrap_or_else(|| "both".into());
    Options {
        clients: measure::flag("--clients")
            .and_then(|n| n.parse().ok())
            .unwrap_or(50),
        seconds: measure::flag("--seconds")
            .and_then(|n| n.parse().ok())
            .unwrap_or(60),
        sqlite: db == "both" || db == "sqlite",
        postgres: db == "both" || db == "postgres",
    }
}

#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    errors: usize,
    conflicts: usize,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (kind, mut l) in other.latencies {
            self.latencies.entry(kind).or_default().append(&mut l);
        }
        self.errors += other.errors;
        self.conflicts += other.conflicts;
    }
}

/// The sequence numbers a change feed delivered, until `stop` and then until `last` is in.
async fn read_feed(
    base: String,
    token: String,
    after: i64,
    stop: Arc<AtomicBool>,
    last: Arc<std::sync::atomic::AtomicI64>,
) -> Vec<i64> {
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{base}/v1/events?after={after}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("open the change feed");
    assert_eq!(response.status(), 200, "change feed");
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut seen = Vec::new();
    loop {
        let done = stop.load(Ordering::Relaxed)
            && seen.last().copied().unwrap_or(after) >= last.load(Ordering::Relaxed);
        if done {
            return seen;
        }
        let Ok(chunk) = tokio::time::timeout(Duration::from_millis(200), stream.next()).await
        else {
            continue;
        };
        let Some(Ok(bytes)) = chunk else {
            return seen;
        };
        buffer.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(id) = block
                .lines()
                .find_map(|l| l.strip_prefix("id:"))
                .and_then(|v| v.trim().parse::<i64>().ok())
            {
                seen.push(id);
            }
        }
    }
}

async fn timed(
    tally: &mut Tally,
    kind: &'static str,
    request: reqwest::RequestBuilder,
) -> Option<Value> {
    let started = Instant::now();
    let response = request.send().await;
    let elapsed = started.elapsed();
    tally.latencies.entry(kind).or_default().push(elapsed);
    match response {
        Ok(r) if r.status().is_success() => r.json().await.ok(),
        Ok(r) if r.status() == 409 => {
            tally.conflicts += 1;
            None
        }
        _ => {
            tally.errors += 1;
            None
        }
    }
}

/// One client's mixed work until `deadline`: mostly reads, one request in ten a note.
async fn client(base: String, token: String, n: usize, deadline: Instant) -> Tally {
    let http = reqwest::Client::new();
    let mut rng = Rng::new(n as u64);
    let mut tally = Tally::default();
    let mut ids: Vec<String> = Vec::new();
    let views = ["mine", "due_today", "overdue", "major", "intake", "all"];
    while Instant::now() < deadline {
        let roll = rng.below(100);
        if roll < 50 || ids.is_empty() {
            let view = rng.pick(&views);
            let page = timed(
                &mut tally,
                "queue page",
                http.get(format!("{base}/v1/queue?view={view}&limit=50"))
                    .bearer_auth(&token),
            )
            .await;
            if let Some(rows) = page.as_ref().and_then(|p| p["rows"].as_array()) {
                ids = rows
                    .iter()
                    .filter_map(|r| r["id"].as_str().map(String::from))
                    .collect();
            }
        } else if roll < 75 {
            let id = rng.pick(&ids).clone();
            timed(
                &mut tally,
                "record",
                http.get(format!("{base}/v1/records/{id}"))
                    .bearer_auth(&token),
            )
            .await;
        } else if roll < 90 {
            let id = rng.pick(&ids).clone();
            timed(
                &mut tally,
                "history",
                http.get(format!("{base}/v1/records/{id}/history"))
                    .bearer_auth(&token),
            )
            .await;
        } else {
            let id = rng.pick(&ids).clone();
            let Some(view) = timed(
                &mut tally,
                "record",
                http.get(format!("{base}/v1/records/{id}"))
                    .bearer_auth(&token),
            )
            .await
            else {
                continue;
            };
            let version = view["version"].as_u64().unwrap_or(0);
            timed(
                &mut tally,
                "note (write)",
                http.post(format!("{base}/v1/records/{id}/commands"))
                    .bearer_auth(&token)
                    .header("if-match", format!("\"{version}\""))
                    .json(&json!({ "command": "add_note", "text": format!("load client {n}") })),
            )
            .await;
        }
    }
    tally
}

async fn run(label: &str, url: &str, options: &Options) {
    let store = Store::open(url).await.expect("open store");
    let policies = PolicySet::embedded().expect("policy");
    seed::records(&store, 3, SEEDED, Utc::now(), &policies).await;
    let (base, stop_server, server) = seed::serve(&store, policies).await;
    let mut tokens = Vec::new();
    for user in USERS {
        tokens.push(
            store
                .issue_token(user, chrono::Duration::hours(2))
                .await
                .expect("token")
                .0,
        );
    }
    let start = *store.subscribe().borrow();
    let stop = Arc::new(AtomicBool::new(false));
    let last = Arc::new(std::sync::atomic::AtomicI64::new(start));
    let feeds: Vec<_> = (0..options.clients)
        .map(|n| {
            tokio::spawn(read_feed(
                base.clone(),
                tokens[n % tokens.len()].clone(),
                start,
                Arc::clone(&stop),
                Arc::clone(&last),
            ))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..options.clients)
        .map(|n| {
            tokio::spawn(client(
                base.clone(),
                tokens[n % tokens.len()].clone(),
                n,
                deadline,
            ))
        })
        .collect();
    let mut tally = Tally::default();
    for w in workers {
        tally.merge(w.await.expect("client"));
    }
    let elapsed = started.elapsed();
    let final_seq = *store.subscribe().borrow();
    last.store(final_seq, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    let expected: Vec<i64> = (start + 1..=final_seq).collect();
    let mut gapless = 0;
    for feed in feeds {
        let seen = tokio::time::timeout(Duration::from_secs(30), feed)
            .await
            .expect("feeds catch up within 30 s")
            .expect("feed task");
        if seen == expected {
            gapless += 1;
        } else {
            let missing = expected.iter().filter(|s| !seen.contains(s)).count();
            println!(
                "  a feed differs: {} events, {missing} missing, {} expected",
                seen.len(),
                expected.len()
            );
        }
    }
    let _ = stop_server.send(());
    let _ = server.await;
    store.close().await;

    let total: usize = tally.latencies.values().map(Vec::len).sum();
    println!(
        "\n{label}: {} clients for {:.0} s over {SEEDED} seeded records: {total} requests ({:.0}/s), \
         {} errors ({:.3}%), {} write conflicts (409, expected when two clients write one record)",
        options.clients,
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        tally.errors,
        100.0 * tally.errors as f64 / total.max(1) as f64,
        tally.conflicts
    );
    for (kind, mut latencies) in tally.latencies {
        latencies.sort();
        println!(
            "  {kind:<14} {:>7} requests  p50 {:>6.2} ms  p99 {:>6.2} ms",
            latencies.len(),
            measure::percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
            measure::percentile(&latencies, 0.99).as_secs_f64() * 1000.0
        );
    }
    println!(
        "  change feeds: {gapless} of {} delivered all {} events in order, none missing",
        options.clients,
        expected.len()
    );
    assert_eq!(gapless, options.clients, "every feed is complete");
    assert_eq!(tally.errors, 0, "no request failed");
}

fn main() {
    cims::tls::install_default_provider();
    let options = options();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        databases::on_each(
            options.sqlite,
            options.postgres,
            "load.db",
            async |label, url| run(label, url, &options).await,
        )
        .await;
    });
}
