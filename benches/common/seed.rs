//! Seeding a benchmark database with the demo world: its organisations and people, then
//! generated records, each with the history its stage calls for, written in batches.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cims::demo;
use cims::domain::policy::PolicySet;
use cims::store::Store;

/// A department practitioner and protective intervener, who sees every record.
pub const PI_USER: &str = "alice";

/// Seed the demo world with `count` generated records (from `seed`); how long it took, or
/// `None` when the store was seeded already (a kept database).
pub async fn records(
    store: &Store,
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    policies: &PolicySet,
) -> Option<Duration> {
    let started = Instant::now();
    let seeded = demo::seed(store, policies, seed, count, now, &mut |_| {})
        .await
        .expect("seed");
    seeded.then(|| started.elapsed())
}

/// A server over `store` on a fresh loopback port: its base URL, the sender that stops it,
/// and its task.
pub async fn serve(
    store: &Store,
    policies: PolicySet,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cims::server::serve_on(
        listener,
        store.clone(),
        policies,
        async {
            let _ = stopped.await;
        },
    ));
    (base, stop, server)
}
