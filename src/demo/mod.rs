//! Synthetic data for demonstrations and benchmarks (clearly fictional, deterministic),
//! and the demo world: organisations, users of every kind, and their records.

pub mod generate;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::domain::actor::{OrgKind, Role};
use crate::domain::policy::PolicySet;
use crate::store::{NewUser, Organisation, Store, StoreError, WriteError};

use generate::Author;

/// One of the demo's people.
pub struct DemoUser {
    pub user: &'static str,
    pub name: &'static str,
    pub org: &'static str,
    pub roles: &'static [Role],
    pub protective_intervener: bool,
    /// What logging in as them shows.
    pub shows: &'static str,
}

/// The demo's people: switch between them (`cims demo --as`) to see masking change.
pub const USERS: &[DemoUser] = &[
    DemoUser {
        user: "alice",
        name: "Alice Nguyen",
        org: "dffh",
        roles: &[Role::Practitioner],
        protective_intervener: true,
        shows: "child protection practitioner (protective intervener): sees everything",
    },
    DemoUser {
        user: "tess",
        name: "Tess Moreau",
        org: "dffh",
        roles: &[Role::TeamManager, Role::Practitioner],
        protective_intervener: true,
        shows: "team manager (protective intervener): endorses, waives",
    },
    DemoUser {
        user: "carol",
        name: "Carol Osei",
        org: "anglicare",
        roles: &[Role::IncidentDelegate, Role::Practitioner],
        protective_intervener: false,
        shows: "CSO incident delegate (not a protective intervener): reporters and other organisations' clients masked",
    },
    DemoUser {
        user: "rex",
        name: "Rex Hall",
        org: "ssr",
        roles: &[Role::Viewer],
        protective_intervener: false,
        shows: "regulator viewer (not a protective intervener): critical notifiable incidents only",
    },
    DemoUser {
        user: "ian",
        name: "Ian Brooks",
        org: "dffh",
        roles: &[Role::IntegrityUnit],
        protective_intervener: true,
        shows: "Integrity Unit (RCS delegate)",
    },
];

const ORGS: &[(&str, &str, OrgKind)] = &[
    ("dffh", "DFFH Child Protection", OrgKind::Department),
    ("anglicare", "Anglicare Victoria", OrgKind::Cso),
    ("berry_street", "Berry Street", OrgKind::Cso),
    ("ssr", "Social Services Regulator", OrgKind::Regulator),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Write(#[from] WriteError),
}

/// Seed the demo world into an empty store: organisations, the demo users, and `records`
/// records from `seed`. A store that already has organisations is left as it is.
pub async fn seed(
    store: &Store,
    policies: &PolicySet,
    seed: u64,
    records: usize,
    now: DateTime<Utc>,
) -> Result<bool, DemoError> {
    if !store.organisations().await?.is_empty() {
        return Ok(false);
    }
    for (id, name, kind) in ORGS {
        store
            .create_organisation(&Organisation {
                id: id.to_string(),
                name: name.to_string(),
                kind: *kind,
            })
            .await?;
    }
    for u in USERS {
        store
            .create_user(&NewUser {
                id: u.user.to_string(),
                org_id: u.org.to_string(),
                display_name: u.name.to_string(),
                roles: u.roles.iter().copied().collect::<BTreeSet<_>>(),
                protective_intervener: u.protective_intervener,
                password: None,
            })
            .await?;
    }
    // Records are written (and half of them held) by Alice, Carol and a Berry Street
    // worker, so each demo user has work of their own in "Mine".
    store
        .create_user(&NewUser {
            id: "bo".into(),
            org_id: "berry_street".into(),
            display_name: "Bo Tran".into(),
            roles: BTreeSet::from([Role::Practitioner]),
            protective_intervener: false,
            password: None,
        })
        .await?;
    let authors = [
        ("alice", "dffh", OrgKind::Department),
        ("carol", "anglicare", OrgKind::Cso),
        ("bo", "berry_street", OrgKind::Cso),
    ]
    .map(|(user, org, org_kind)| Author {
        org: org.to_string(),
        org_kind,
        user: user.to_string(),
    });
    let all = generate::records(seed, records, now, &authors);
    for chunk in all.chunks(1000) {
        store.create_many(chunk.to_vec(), now, policies).await?;
    }
    store.analyze().await?;
    Ok(true)
}
