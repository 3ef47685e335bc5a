//! Seeding a benchmark database: four organisations with one worker each (the
//! department's a protective intervener), then generated records written straight to the
//! store in batches.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cims::demo::generate::{self, Author};
use cims::domain::actor::{OrgKind, Role};
use cims::domain::policy::PolicySet;
use cims::store::{NewUser, Organisation, Store};

/// Records written per transaction while seeding.
pub const BATCH: usize = 1000;

/// The department's worker: a protective intervener, who sees every record.
pub const PI_USER: &str = "dffh_worker";

/// Create the organisations and their workers; the authors records are generated for.
pub async fn authors(store: &Store) -> Vec<Author> {
    let orgs = [
        ("dffh", "DFFH Child Protection", OrgKind::Department),
        ("anglicare", "Anglicare Victoria", OrgKind::Cso),
        ("berry_street", "Berry Street", OrgKind::Cso),
        ("mackillop", "MacKillop Family Services", OrgKind::Cso),
    ];
    let mut authors = Vec::new();
    for (id, name, kind) in orgs {
        store
            .create_organisation(&Organisation {
                id: id.into(),
                name: name.into(),
                kind,
            })
            .await
            .expect("organisation");
        let user = format!("{id}_worker");
        store
            .create_user(&NewUser {
                id: user.clone(),
                org_id: id.into(),
                display_name: format!("Worker at {name}"),
                roles: BTreeSet::from([Role::Practitioner, Role::IncidentDelegate]),
                protective_intervener: kind == OrgKind::Department,
                password: None,
            })
            .await
            .expect("user");
        authors.push(Author {
            org: id.into(),
            org_kind: kind,
            user,
        });
    }
    authors
}

/// Write `count` generated records (from `seed`) in batches of [`BATCH`], then refresh the
/// planner's statistics; how long it took.
pub async fn records(
    store: &Store,
    authors: &[Author],
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    policies: &PolicySet,
) -> Duration {
    let all = generate::records(seed, count, now, authors);
    let started = Instant::now();
    for chunk in all.chunks(BATCH) {
        store
            .create_many(chunk.to_vec(), now, policies)
            .await
            .expect("seed");
    }
    store.analyze().await.expect("analyze");
    started.elapsed()
}
