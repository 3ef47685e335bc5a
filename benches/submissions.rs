//! Submissions (R-SUBMIT-1): how fast the worker delivers, and how long a report takes
//! from its endorsement to the recipient's acceptance on the record, against a receiver on
//! loopback. Endorsements go over HTTP to the server, as the app sends them; the worker
//! sends with the https transport, as `cims serve` does.
//!
//!   cargo bench --bench submissions                                   # both databases
//!   cargo bench --bench submissions -- --reports 2000 --paced 500 --rate 20 --db sqlite
//!
//! Throughput: `--reports` endorsed while no worker runs, then delivered by one worker.
//! Latency: `--paced` endorsements at `--rate` a second with the worker running; each is
//! timed from sending the endorsement until its acceptance is on the record.

#[path = "common/databases.rs"]
mod databases;
#[path = "common/measure.rs"]
mod measure;

#[path = "common/seed.rs"]
#[allow(dead_code)]
mod seed;

#[path = "../tests/it/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

#[path = "../tests/it/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use cims::domain::policy::PolicySet;
use cims::store::Store;
use cims::submit::transport::SubmissionsConfig;
use cims::submit::worker::{Pace, Worker};
use futures_util::StreamExt;
use serde_json::{Value, json};

/// Carol, Anglicare's incident delegate in the demo world.
const DELEGATE: &str = "carol";
/// Requests in flight while preparing and endorsing.
const CONCURRENCY: usize = 8;

struct Options {
    reports: usize,
    paced: usize,
    rate: f64,
    sqlite: bool,
    postgres: bool,
}

fn options() -> Options {
    let db = measure::flag("--db").unwrap_or_else(|| "both".into());
    let number = |flag: &str, default: usize| {
        measure::flag(flag)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    Options {
        reports: number("--reports", 1000),
        paced: number("--paced", 300),
        rate: measure::flag("--rate")
            .and_then(|n| n.parse().ok())
            .filter(|r: &f64| *r > 0.0)
            .unwrap_or(20.0),
        sqlite: db == "both" || db == "sqlite",
        postgres: db == "both" || db == "postgres",
    }
}

/// The receiver: accepts every submission, once per key, and notes when each arrived.
#[derive(Clone, Default)]
struct Receiver {
    arrived: Arc<Mutex<HashMap<String, String>>>,
    sends: Arc<std::sync::atomic::AtomicUsize>,
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    receiver
        .sends
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut arrived = receiver.arrived.lock().expect("lock");
    let first = !arrived.contains_key(&key);
    let at = arrived
        .entry(key.clone())
        .or_insert_with(|| Utc::now().to_rfc3339())
        .clone();
    let status = if first {
        StatusCode::CREATED
    } else {
        StatusCode::CONFLICT
    };
    (
        status,
        Json(json!({"reference": format!("BENCH-{key}"), "received_at": at})),
    )
}

async fn serve_receiver() -> (Receiver, String) {
    let receiver = Receiver::default();
    let router = axum::Router::new()
        .route("/v1/submissions", axum::routing::post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (receiver, format!("http://{address}/v1/submissions"))
}

/// A worker sending the department's submissions to `endpoint` over https's transport.
fn worker(store: &Store, dir: &std::path::Path, endpoint: &str) -> Worker {
    let token = dir.join("token");
    std::fs::write(&token, "bench-token\n").expect("token file");
    let config = SubmissionsConfig::parse(&format!(
        "[submissions.department]\ntransport = \"https\"\nendpoint = \"{endpoint}\"\n\
         token_file = {token:?}\n"
    ))
    .expect("config");
    let transports = config.build(dir).expect("transports");
    Worker::new(
        store.clone(),
        Arc::new(PolicySet::embedded().expect("policy")),
        transports,
        Pace::default(),
    )
}

struct Http {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Http {
    async fn send(&self, path: &str, version: Option<u64>, body: &Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body);
        if let Some(version) = version {
            request = request.header("if-match", format!("\"{version}\""));
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let answer: Value = response.json().await.expect("JSON");
        assert!(status.is_success(), "{path} {body}: {status} {answer}");
        answer
    }

    /// A new incident worked to the point of endorsement: its id and version.
    async fn ready_to_endorse(&self, n: usize) -> (String, u64) {
        let mut incident = fixtures::incident();
        incident.description = format!("Bench incident {n}: pushed in the corridor.");
        let created = self
            .send(
                "/v1/records",
                None,
                &json!({"details": cims::domain::model::Details::Incident(incident)}),
            )
            .await;
        let id = created["record"]["id"].as_str().expect("id").to_string();
        let mut version = created["version"].as_u64().expect("version");
        let mut steps: Vec<Value> = fixtures::INCIDENT_STAGE_1
            .iter()
            .map(|item| json!({"command": "tick", "item": item}))
            .collect();
        steps.push(json!({"command": "advance_stage"}));
        for item in ["classified", "report_written", "police_notified"] {
            steps.push(json!({"command": "tick", "item": item}));
        }
        for step in steps {
            let answer = self
                .send(&format!("/v1/records/{id}/commands"), Some(version), &step)
                .await;
            version = answer["version"].as_u64().expect("version");
        }
        (id, version)
    }

    async fn endorse(&self, (id, version): &(String, u64)) {
        self.send(
            &format!("/v1/records/{id}/commands"),
            Some(*version),
            &json!({"command": "endorse"}),
        )
        .await;
    }
}

async fn prepare(http: &Http, from: usize, count: usize) -> Vec<(String, u64)> {
    futures_util::stream::iter(from..from + count)
        .map(|n| http.ready_to_endorse(n))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

/// Records whose report the recipient accepted, as the record says.
async fn accepted(store: &Store) -> Vec<String> {
    sqlx::query_as::<_, (String,)>(
        "SELECT record_id FROM submissions WHERE status = 'accepted' AND record_id IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await
    .expect("accepted")
    .into_iter()
    .map(|(id,)| id)
    .collect()
}

async fn run(label: &str, url: &str, options: &Options) {
    let store = Store::open(url).await.expect("open store");
    let policies = PolicySet::embedded().expect("policy");
    seed::records(&store, 5, 50, Utc::now(), &policies).await;
    let already = accepted(&store).await.len();
    let (base, stop_server, server) = seed::serve(&store, policies).await;
    let token = store
        .issue_token(DELEGATE, chrono::Duration::hours(2))
        .await
        .expect("token")
        .0;
    let http = Arc::new(Http {
        client: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
        base,
        token,
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let (receiver, endpoint) = serve_receiver().await;

    // Throughput: a queue of endorsed reports, then one worker.
    let ready = prepare(&http, 0, options.reports).await;
    futures_util::stream::iter(ready.iter())
        .map(|r| http.endorse(r))
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let paced = prepare(&http, options.reports, options.paced).await;
    let (stop_worker, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let delivering = tokio::spawn(worker(&store, dir.path(), &endpoint).run(stopped));
    let goal = already + options.reports;
    while accepted(&store).await.len() < goal {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "delivered within 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivery = started.elapsed();

    // Latency: endorsements at a steady rate while the worker runs.
    let gap = Duration::from_secs_f64(1.0 / options.rate);
    let sent_at: Arc<Mutex<BTreeMap<String, Instant>>> = Arc::default();
    let endorsing = {
        let sent_at = Arc::clone(&sent_at);
        let http = Arc::clone(&http);
        async move {
            let mut tick = tokio::time::interval(gap);
            let mut pending = Vec::new();
            for r in paced {
                tick.tick().await;
                sent_at
                    .lock()
                    .expect("lock")
                    .insert(r.0.clone(), Instant::now());
                let http = Arc::clone(&http);
                pending.push(tokio::spawn(async move { http.endorse(&r).await }));
            }
            for endorsement in pending {
                endorsement.await.expect("endorsed");
            }
        }
    };
    let watching = async {
        let mut seen: BTreeMap<String, Instant> = BTreeMap::new();
        let deadline = Instant::now() + Duration::from_secs(600);
        while seen.len() < goal + options.paced && Instant::now() < deadline {
            let now = Instant::now();
            for id in accepted(&store).await {
                seen.entry(id).or_insert(now);
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        seen
    };
    let ((), seen) = tokio::join!(endorsing, watching);
    let sent_at = sent_at.lock().expect("lock").clone();
    let mut latencies: Vec<Duration> = sent_at
        .iter()
        .filter_map(|(id, sent)| seen.get(id).map(|done| done.duration_since(*sent)))
        .collect();
    latencies.sort();
    let _ = stop_worker.send(true);
    let _ = delivering.await;
    let _ = stop_server.send(());
    let _ = server.await;
    store.close().await;

    let sends = receiver.sends.load(std::sync::atomic::Ordering::Relaxed);
    let keys = receiver.arrived.lock().expect("lock").len();
    println!(
        "\n{label}: {} reports delivered by one worker in {:.2} s: {:.0} submissions/s",
        options.reports,
        delivery.as_secs_f64(),
        options.reports as f64 / delivery.as_secs_f64()
    );
    println!(
        "  endorsement → accepted on the record, {} endorsements at {}/s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        options.rate,
        measure::percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        measure::percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    println!("  the receiver had {sends} sends of {keys} keys");
    assert_eq!(
        latencies.len(),
        options.paced,
        "every paced report accepted"
    );
    assert_eq!(
        keys,
        options.reports + options.paced,
        "every report sent, under one key each"
    );
    assert_eq!(sends, keys, "nothing sent twice");
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
            "submissions.db",
            async |label, url| run(label, url, &options).await,
        )
        .await;
    });
}
