//! Seeding a benchmark database with the demo world: its organisations and people, then
//! generated records, each with the history its stage calls for, written in batches.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cims::demo;
use cims::domain::policy::PolicySet;
use cims::store::Store;

/// A department practitioner and protective intervener, who sees every record.
pub const PI_USER: &str = "alice";

/// Seed the demo world with `count` generated records (from `seed`); how long it took.
pub async fn records(
    store: &Store,
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    policies: &PolicySet,
) -> Duration {
    let started = Instant::now();
    demo::seed(store, policies, seed, count, now, &mut |_| {})
        .await
        .expect("seed");
    started.elapsed()
}
