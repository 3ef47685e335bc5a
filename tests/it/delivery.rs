//! Delivery survives crashes (R-SUBMIT-1): the real `cims serve` is killed with SIGKILL
//! while it is sending, between the recipient's receipt and the answer being recorded, and
//! started again, again and again. Every endorsed report is accepted exactly once, always
//! under one idempotency key, and its deadline shows when the recipient first received it.
//! On SQLite and PostgreSQL.
//!
//! Three kills per database run with the suite; more with
//! `CIMS_DELIVERY_KILLS=20 cargo test --release --test it delivery -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cims::domain::events::Change;
use cims::domain::model::Milestone;
use cims::store::{Store, SubmissionFilter, SubmissionStatus};

use crate::api::harness::Api;
use crate::support::serve::ServeProcess;
use crate::transport::{Behaviour, Receiver, serve_http};
use crate::{fixtures, support};

/// The receiver answers this long after a submission arrives: the window to kill in.
const ANSWER_AFTER_MILLIS: u64 = 400;

/// Enough reports that every kill falls on a send: two a kill, and some to spare.
fn reports() -> usize {
    kills() * 2 + 6
}

fn kills() -> usize {
    std::env::var("CIMS_DELIVERY_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(3)
}

/// `cims serve` on `db`, sending the department's submissions to `endpoint` with a short
/// lease, so a crashed server's sends are taken over within seconds.
fn serve(db: &str, config: &std::path::Path) -> ServeProcess {
    let config = config.to_string_lossy().to_string();
    ServeProcess::start(
        &[
            "--db",
            db,
            "--listen",
            "127.0.0.1:0",
            "--submissions",
            &config,
        ],
        &[],
    )
}

fn write_config(dir: &std::path::Path, endpoint: &str) -> std::path::PathBuf {
    let token = dir.join("token");
    std::fs::write(&token, "delivery-test-token\n").expect("the token");
    let config = dir.join("submissions.toml");
    std::fs::write(
        &config,
        format!(
            "[submissions.department]\ntransport = \"https\"\nendpoint = \"{endpoint}\"\n\
             token_file = {token:?}\ntimeout_seconds = 1\n\n[delivery]\nlease_seconds = 2\n"
        ),
    )
    .expect("the config");
    config
}

/// Wait until the receiver has taken in more than `seen` submissions, or `patience` ends.
async fn until_received(receiver: &Receiver, seen: usize, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if receiver.keys().len() > seen {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

async fn accepted_count(db: &str) -> usize {
    let store = Store::open(db).await.expect("open");
    let filter = SubmissionFilter {
        status: Some(SubmissionStatus::Accepted),
        ..SubmissionFilter::default()
    };
    let n = store.submissions(&filter, 500).await.expect("list").len();
    store.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_between_sending_and_recording_sends_again_with_the_same_key_r_submit_1() {
    support::for_each_db(|url| async move {
        // Endorsed reports wait in the outbox of a database no server is delivering from.
        let api = Api::start(&url).await;
        let mut ids = Vec::new();
        for n in 0..reports() {
            let mut incident = fixtures::incident();
            incident.description = format!("Client {n} was pushed in the corridor.");
            ids.push(
                crate::api::submissions::endorse(
                    &api,
                    &incident,
                    &["classified", "report_written", "police_notified"],
                )
                .await,
            );
        }
        api.stop().await;
        let dir = tempfile::tempdir().expect("a directory");
        let (receiver, endpoint) =
            serve_http(Behaviour::OncePerKeyAfter(ANSWER_AFTER_MILLIS)).await;
        let config = write_config(dir.path(), &endpoint);

        // Kill the server each time a submission has arrived and before its answer.
        let mut killed_mid_send = 0;
        for _ in 0..kills() {
            let server = serve(&url, &config);
            let seen = receiver.keys().len();
            let arrived = until_received(&receiver, seen, Duration::from_secs(20)).await;
            tokio::time::sleep(Duration::from_millis(ANSWER_AFTER_MILLIS / 4)).await;
            server.kill();
            if !arrived {
                break;
            }
            killed_mid_send += 1;
        }
        // The last server delivers the rest.
        let server = serve(&url, &config);
        let deadline = Instant::now() + Duration::from_secs(90);
        while accepted_count(&url).await < reports() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        server.kill();

        let store = Store::open(&url).await.expect("open after the kills");
        let first_received: BTreeMap<String, DateTime<Utc>> = receiver
            .first_received()
            .into_iter()
            .map(|(key, at)| {
                let at = DateTime::parse_from_rfc3339(&at).expect("a time").to_utc();
                (key, at)
            })
            .collect();
        let mut keys_by_record: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for key in receiver.keys() {
            let record = key
                .rsplit_once("-v")
                .map(|(r, _)| r.to_string())
                .unwrap_or_default();
            keys_by_record.entry(record).or_default().insert(key);
        }
        for id in &ids {
            // Nothing lost: accepted, once, on the record.
            let filter = SubmissionFilter {
                record: Some(id.clone()),
                ..SubmissionFilter::default()
            };
            let submissions = store.submissions(&filter, 10).await.expect("list");
            assert_eq!(submissions.len(), 1, "{id}: {submissions:?}");
            let submission = &submissions[0];
            assert_eq!(
                submission.status,
                SubmissionStatus::Accepted,
                "{id}: {submission:?}"
            );
            let events = store.history(id).await.expect("events");
            let accepted = events
                .iter()
                .filter(|e| matches!(e.event.change, Change::SubmissionAccepted { .. }))
                .count();
            assert_eq!(accepted, 1, "{id}: accepted once on the record");
            // Nothing sent twice under different keys.
            let keys = &keys_by_record[id];
            assert_eq!(
                keys,
                &BTreeSet::from([submission.idempotency_key.clone()]),
                "{id}: one key"
            );
            // The deadline shows when the recipient first received it.
            let record = store.load(id).await.expect("load").expect("the record");
            let submitted = record.milestones[&Milestone::ReportSubmitted];
            let first = first_received[&submission.idempotency_key];
            assert!(
                (submitted - first).num_milliseconds().abs() < 1000,
                "{id}: submitted {submitted}, first received {first}"
            );
        }
        let sent = receiver.keys().len();
        assert!(
            killed_mid_send > 0 && sent > reports(),
            "a kill fell between a send and its answer ({killed_mid_send} kills, {sent} sends)"
        );
        eprintln!(
            "{} reports, {killed_mid_send} kills between sending and recording: \
             {sent} sends, 0 lost, 0 sent under a second key, each accepted once",
            reports()
        );
        store.close().await;
    })
    .await;
}
