//! Server benchmark: seeds N records, then measures create throughput, queue-page,
//! analytics, learning-action and export
//! latency over HTTP, on SQLite and on a throw-away PostgreSQL.
//!
//!   cargo bench --bench server                       # 100,000 records, both databases
//!   cargo bench --bench server -- --records 20000 --db sqlite [--keep /tmp/bench.db]
//!   cargo bench --bench server -- --records 1000000 --db postgres --postgres-url URL
//!
//! A kept database (`--keep`, or the PostgreSQL database at `--postgres-url`) is seeded
//! only while empty, so a second run measures without seeding again. `--only people`
//! measures the people part alone (candidates, search, timelines), writing nothing, so a
//! kept database is measured as it is.

#[path = "common/measure.rs"]
mod measure;

#[path = "../tests/it/support/postgres.rs"]
#[allow(dead_code)]
mod postgres;

#[path = "common/seed.rs"]
mod seed;

use std::time::{Duration, Instant};

use chrono::Utc;
use cims::demo::generate;
use cims::domain::policy::PolicySet;
use cims::store::Store;

use cims::demo::BATCH;
const HTTP_CREATES: usize = 2000;
const CREATE_CLIENTS: usize = 8;
const QUEUE_REQUESTS: usize = 400;
const ANALYTICS_REQUESTS: usize = 40;
const EXPORTS: usize = 5;

struct Options {
    records: usize,
    /// Keep the SQLite database at this path, to look at it afterwards.
    keep: Option<String>,
    /// Use (and keep) this PostgreSQL database rather than a throw-away cluster.
    postgres_url: Option<String>,
    sqlite: bool,
    postgres: bool,
    /// Measure the people part alone.
    people_only: bool,
}

fn options() -> Options {
    let records = measure::flag("--records")
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let db = measure::flag("--db").unwrap_or_else(|| "both".into());
    Options {
        records,
        keep: measure::flag("--keep"),
        postgres_url: measure::flag("--postgres-url"),
        sqlite: db == "both" || db == "sqlite",
        postgres: db == "both" || db == "postgres",
        people_only: measure::flag("--only").as_deref() == Some("people"),
    }
}

/// A community service organisation's incident delegate: sees their organisation's records.
const CSO_USER: &str = "carol";

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// What each part measures with: the server's address, a client and both callers' tokens.
struct Bench {
    label: String,
    base: String,
    client: reqwest::Client,
    pi_token: String,
    cso_token: String,
}

async fn run(label: &str, url: &str, records: usize, people_only: bool) {
    let store = Store::open(url).await.expect("open store");
    let policies = PolicySet::embedded().expect("policy");
    let now = Utc::now();
    let seeded = seed::records(&store, 42, records, now, &policies).await;

    let (base, stop, server) = seed::serve(&store, PolicySet::embedded().expect("policy")).await;
    let token = |user: &'static str| {
        let store = store.clone();
        async move {
            store
                .issue_token(user, chrono::Duration::hours(1))
                .await
                .expect("token")
                .0
        }
    };
    cims::tls::install_default_provider();
    let bench = Bench {
        label: label.to_string(),
        base,
        client: reqwest::Client::new(),
        pi_token: token(seed::PI_USER).await,
        cso_token: token(CSO_USER).await,
    };
    match seeded {
        Some(took) => println!(
            "\n{label}: {records} records seeded in {:.1} s ({:.0} records/s, batches of {BATCH})",
            took.as_secs_f64(),
            records as f64 / took.as_secs_f64()
        ),
        None => println!("\n{label}: kept database, not seeded"),
    }
    if !people_only {
        creates(&bench, &store, now, &policies).await;
        queues_and_analytics(&bench).await;
    }
    people(&bench, &store).await;
    if !people_only {
        export(&bench, now).await;
    }
    let _ = stop.send(());
    let _ = server.await;
    store.close().await;
}

/// Create throughput over HTTP, several clients at once.
async fn creates(bench: &Bench, store: &Store, now: chrono::DateTime<Utc>, policies: &PolicySet) {
    let Bench {
        label,
        base,
        client,
        pi_token,
        ..
    } = bench;
    let author: Vec<_> = cims::demo::people()
        .into_iter()
        .filter(|p| p.user == seed::PI_USER)
        .collect();
    let bodies = generate::records(7, HTTP_CREATES, now, &author, policies.current());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for part in bodies.chunks(HTTP_CREATES / CREATE_CLIENTS) {
        let part: Vec<_> = part.iter().map(|(new, _)| new.details.clone()).collect();
        let (client, base, token) = (client.clone(), base.clone(), pi_token.clone());
        tasks.push(tokio::spawn(async move {
            for details in part {
                let response = client
                    .post(format!("{base}/v1/records"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "details": details }))
                    .send()
                    .await
                    .expect("create");
                assert_eq!(
                    response.status(),
                    201,
                    "{}",
                    response.text().await.unwrap_or_default()
                );
            }
        }));
    }
    for task in tasks {
        task.await.expect("creator");
    }
    let create_rate = HTTP_CREATES as f64 / started.elapsed().as_secs_f64();

    let (held,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM records")
        .fetch_one(store.pool())
        .await
        .expect("records held");
    println!("{label}: {held} records held after the creates");
    println!("{label}: create over HTTP, {CREATE_CLIENTS} clients: {create_rate:.0} records/s");
}

/// Queue pages, Trends and learning actions, as each caller.
async fn queues_and_analytics(bench: &Bench) {
    let Bench {
        label,
        base,
        client,
        pi_token,
        cso_token,
    } = bench;
    let queries = [
        ("PI, all open, by next deadline", &pi_token, ""),
        ("PI, impact:major", &pi_token, "impact:major"),
        ("PI, kind:intake overdue", &pi_token, "kind:intake overdue"),
        ("PI, mine (assigned or reminded)", &pi_token, "mine"),
        ("CSO, own organisation", &cso_token, ""),
        (
            "CSO, impact:major due:<3d",
            &cso_token,
            "impact:major due:<3d",
        ),
        ("CSO, stage:2 (few match)", &cso_token, "stage:2"),
    ];
    for (name, token, q) in queries {
        let url = format!("{base}/v1/queue?limit=50&q={}", encode(q));
        let (p50, p99) = timed(client, &url, token, QUEUE_REQUESTS).await;
        println!("{label}: queue page (50 rows) {name:<32} p50 {p50:>9}  p99 {p99:>9}");
    }
    // Stage 5: counts over every record the caller may see, by every grouping and interval.
    for (persona, token) in [("PI", &pi_token), ("CSO", &cso_token)] {
        for by in ["type", "service", "org", "impact", "stage", "outcome"] {
            for (interval, periods) in [("month", 12), ("week", 52)] {
                let url =
                    format!("{base}/v1/analytics?by={by}&interval={interval}&periods={periods}");
                let (p50, p99) = timed(client, &url, token, ANALYTICS_REQUESTS).await;
                let name = format!("{persona}, by {by} per {interval}");
                println!("{label}: analytics {name:<39} p50 {p50:>9}  p99 {p99:>9}");
            }
        }
    }
    for (persona, token) in [("PI", &pi_token), ("CSO", &cso_token)] {
        let url = format!("{base}/v1/learning-actions");
        let (p50, p99) = timed(client, &url, token, ANALYTICS_REQUESTS).await;
        let name = format!("open learning actions ({persona})");
        println!("{label}: {name:<49} p50 {p50:>9}  p99 {p99:>9}");
    }
}

/// Candidates, people search, timelines and a record's view with its people.
async fn people(bench: &Bench, store: &Store) {
    let Bench {
        label,
        base,
        client,
        pi_token,
        cso_token,
    } = bench;
    // Who a person being entered may be: children the register names, each sought with a
    // letter of the given name dropped, as a second report might spell them.
    let sought = children(store, "ORDER BY record_id LIMIT 100").await;
    // A running server has answered searches before: the newest records' children are
    // sought first, untimed, so the first timed searches do not pay alone for reaching
    // the tables at all. Their people are others: what is timed still reads its own.
    let others = children(store, "ORDER BY record_id DESC LIMIT 20").await;
    for token in [pi_token, cso_token] {
        posted(
            client,
            &format!("{base}/v1/people/candidates"),
            token,
            &others,
        )
        .await;
    }
    for (persona, token) in [("PI", &pi_token), ("CSO", &cso_token)] {
        let times = posted(
            client,
            &format!("{base}/v1/people/candidates"),
            token,
            &sought,
        )
        .await;
        percentiles(
            label,
            &format!("candidates for a new person ({persona})"),
            &times,
        );
    }
    // People search as the app's `P` asks it: a name alone, the widest a search gets.
    let by_name: Vec<serde_json::Value> = sought
        .iter()
        .map(|b| serde_json::json!({ "given_names": b["given_names"], "family_name": b["family_name"] }))
        .collect();
    for (persona, token) in [("PI", &pi_token), ("CSO", &cso_token)] {
        let times = posted(
            client,
            &format!("{base}/v1/people/candidates"),
            token,
            &by_name,
        )
        .await;
        percentiles(
            label,
            &format!("people search by name alone ({persona})"),
            &times,
        );
    }
    // A person's timeline, and a record's view with its people across records: people
    // practitioners decided are one, reached from their later mention.
    let linked: Vec<(String,)> = sqlx::query_as("SELECT a FROM person_links ORDER BY id LIMIT 100")
        .fetch_all(store.pool())
        .await
        .expect("decisions");
    for (persona, token) in [("PI", &pi_token), ("CSO", &cso_token)] {
        let mut times = Vec::new();
        let mut views = Vec::new();
        for (mention,) in linked.iter().chain(&linked) {
            // One out of the caller's sight answers 404, as one that is not there.
            let url = format!("{base}/v1/people/{mention}");
            times.push(got(client, &url, token, &[200, 404]).await);
            let record = mention.split('.').next().unwrap_or_default();
            let url = format!("{base}/v1/records/{record}");
            views.push(got(client, &url, token, &[200, 404]).await);
        }
        times.sort();
        views.sort();
        for (what, times) in [
            ("person timeline", &times),
            ("record view with its people", &views),
        ] {
            percentiles(label, &format!("{what} ({persona})"), times);
        }
    }
}

/// A CSV export of the most recent records that one export holds.
async fn export(bench: &Bench, now: chrono::DateTime<Utc>) {
    let Bench {
        label,
        base,
        client,
        pi_token,
        ..
    } = bench;
    let export_query = export_filter(client, base, pi_token, now).await;
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..EXPORTS {
        let started = Instant::now();
        let response = client
            .post(format!("{base}/v1/exports"))
            .bearer_auth(pi_token)
            .json(&serde_json::json!({ "format": "csv", "q": export_query }))
            .send()
            .await
            .expect("export");
        assert_eq!(response.status(), 200, "export {export_query}");
        rows = response
            .headers()
            .get("x-cims-rows")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        let _ = response.bytes().await.expect("body");
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "{label}: CSV export \"{export_query}\" ({rows} rows) p50 {:>9}  max {:>9}",
        ms(measure::percentile(&times, 0.50)),
        ms(measure::percentile(&times, 1.0))
    );
}

/// Children the register names, in the order and number `order` says, each as a search
/// with a letter of the given name dropped.
async fn children(store: &Store, order: &str) -> Vec<serde_json::Value> {
    let sql = format!("SELECT data FROM person_mentions WHERE role = 'child' {order}");
    sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.pool())
        .await
        .expect("children")
        .into_iter()
        .filter_map(|(data,)| {
            serde_json::from_str::<cims::domain::people::PersonRecord>(&data).ok()
        })
        .map(|p| {
            let mut given: Vec<char> = p.given_names.chars().collect();
            if given.len() > 3 {
                given.remove(2);
            }
            serde_json::json!({
                "given_names": given.into_iter().collect::<String>(),
                "family_name": p.family_name,
                "date_of_birth": p.dob.to_string().replace("unknown", ""),
            })
        })
        .collect()
}

/// How many records of any status and kind a filter matches, for the PI.
async fn count(client: &reqwest::Client, base: &str, token: &str, q: &str) -> i64 {
    let response = client
        .get(format!("{base}/v1/queue/count?q={}", encode(q)))
        .bearer_auth(token)
        .send()
        .await
        .expect("count");
    assert_eq!(response.status(), 200, "count {q}");
    let body: serde_json::Value = response.json().await.expect("count body");
    body["count"].as_i64().expect("a count")
}

/// The widest of a few views, narrowed to the most recent days, that one export holds
/// (at most 20,000 rows): on a large register even one day of every record is more.
async fn export_filter(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    now: chrono::DateTime<Utc>,
) -> String {
    let today = cims::domain::local_time::local_date(now);
    let within = |scope: &str, days: u64| {
        let from = today
            .checked_sub_days(chrono::Days::new(days))
            .unwrap_or(today);
        format!("status:any {scope} created:{from}..{today}")
    };
    for scope in [
        "",
        "kind:incident",
        "kind:intake",
        "org:anglicare",
        "org:anglicare kind:intake",
    ] {
        if count(client, base, token, &within(scope, 0)).await > 20_000 {
            continue;
        }
        let (mut low, mut high): (u64, u64) = (0, 400);
        while low < high {
            let mid = (low + high).div_ceil(2);
            if count(client, base, token, &within(scope, mid)).await <= 20_000 {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return within(scope, low);
    }
    panic!("every view holds more than one export on the most recent day");
}

/// One line of p50 and p99 of sorted `times`.
fn percentiles(label: &str, name: &str, times: &[Duration]) {
    println!(
        "{label}: {name:<49} p50 {:>9}  p99 {:>9}",
        ms(measure::percentile(times, 0.50)),
        ms(measure::percentile(times, 0.99))
    );
}

/// The times of POSTing each body to `url`, twice over, sorted.
async fn posted(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    bodies: &[serde_json::Value],
) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..2 {
        for body in bodies {
            let started = Instant::now();
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(body)
                .send()
                .await
                .expect("post");
            assert_eq!(response.status(), 200, "{url} {body}");
            let _ = response.bytes().await.expect("body");
            times.push(started.elapsed());
        }
    }
    times.sort();
    times
}

/// How long one GET of `url` took, its answer one of `statuses`.
async fn got(client: &reqwest::Client, url: &str, token: &str, statuses: &[u16]) -> Duration {
    let started = Instant::now();
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let _ = response.bytes().await.expect("body");
    assert!(statuses.contains(&status), "{url}: {status}");
    started.elapsed()
}

/// p50 and p99 of `requests` GETs of `url`.
async fn timed(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    requests: usize,
) -> (String, String) {
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        times.push(got(client, url, token, &[200]).await);
    }
    times.sort();
    (
        ms(measure::percentile(&times, 0.50)),
        ms(measure::percentile(&times, 0.99)),
    )
}

fn main() {
    // Server errors are logged; RUST_LOG=error shows them.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let options = options();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        if options.sqlite {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = options
                .keep
                .clone()
                .unwrap_or_else(|| format!("{}/bench.db", dir.path().display()));
            let url = format!("sqlite://{path}?mode=rwc");
            run("SQLite", &url, options.records, options.people_only).await;
        }
        if let (true, Some(url)) = (options.postgres, &options.postgres_url) {
            run("PostgreSQL", url, options.records, options.people_only).await;
        } else if options.postgres {
            match postgres::cluster() {
                Some(cluster) => {
                    let url = cluster.fresh_database().await;
                    run("PostgreSQL", &url, options.records, options.people_only).await;
                }
                None => println!("PostgreSQL: skipped (no PostgreSQL binaries found)"),
            }
        }
    });
}
