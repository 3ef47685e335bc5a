//! Synthetic data for demonstrations and benchmarks (clearly fictional, deterministic),
//! and the demo world: organisations, users of every kind, and their records.

pub mod coherence;
pub mod families;
pub mod generate;
pub mod receipts;
pub mod story;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::actor::{Actor, OrgKind, Role};
use crate::domain::events::Event;
use crate::domain::people::MentionRef;
use crate::domain::policy::PolicySet;
use crate::domain::refusal::Refusal;
use crate::store::{
    LinkKind, NewLink, NewUser, Organisation, Store, StoreError, WriteError, id_prefix,
};

use families::Who;
use generate::{Planned, Rng};

/// One of the demo's people.
pub struct DemoUser {
    pub user: &'static str,
    pub name: &'static str,
    pub org: &'static str,
    pub roles: &'static [Role],
    pub protective_intervener: bool,
    /// Their role in a few words.
    pub role: &'static str,
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
        role: "practitioner, PI",
        shows: "child protection practitioner (protective intervener): sees everything",
    },
    DemoUser {
        user: "tess",
        name: "Tess Moreau",
        org: "dffh",
        roles: &[Role::TeamManager, Role::Practitioner],
        protective_intervener: true,
        role: "team manager, PI",
        shows: "team manager (protective intervener): endorses, waives",
    },
    DemoUser {
        user: "carol",
        name: "Carol Osei",
        org: "anglicare",
        roles: &[Role::IncidentDelegate, Role::Practitioner],
        protective_intervener: false,
        role: "CSO delegate, not PI",
        shows: "CSO incident delegate (not a protective intervener): reporters and other organisations' clients masked",
    },
    DemoUser {
        user: "rex",
        name: "Rex Hall",
        org: "ssr",
        roles: &[Role::Viewer],
        protective_intervener: false,
        role: "regulator, not PI",
        shows: "regulator viewer (not a protective intervener): critical notifiable incidents only",
    },
    DemoUser {
        user: "ian",
        name: "Ian Brooks",
        org: "dffh",
        roles: &[Role::IntegrityUnit],
        protective_intervener: true,
        role: "Integrity Unit, PI",
        shows: "Integrity Unit (RCS delegate)",
    },
];

/// The people behind the records who are not demo logins: they write, endorse,
/// investigate and review, and appear in histories and the assignee picker.
pub const STAFF: &[DemoUser] = &[
    DemoUser {
        user: "dana",
        name: "Dana Price",
        org: "dffh",
        roles: &[Role::IncidentDelegate, Role::Daom],
        protective_intervener: true,
        role: "delegate, DAOM",
        shows: "department incident delegate and DAOM",
    },
    DemoUser {
        user: "ivy",
        name: "Ivy Chen",
        org: "dffh",
        roles: &[Role::InvestigationManager, Role::Investigator],
        protective_intervener: true,
        role: "investigations",
        shows: "investigation manager",
    },
    DemoUser {
        user: "rae",
        name: "Rae Singh",
        org: "dffh",
        roles: &[Role::Reviewer],
        protective_intervener: true,
        role: "reviewer",
        shows: "reviewer",
    },
    DemoUser {
        user: "pia",
        name: "Pia Rossi",
        org: "dffh",
        roles: &[Role::PracticeLeader],
        protective_intervener: true,
        role: "practice leader",
        shows: "practice leader",
    },
    DemoUser {
        user: "omar",
        name: "Omar Haddad",
        org: "dffh",
        roles: &[Role::Practitioner],
        protective_intervener: true,
        role: "after hours",
        shows: "after-hours child protection practitioner",
    },
    DemoUser {
        user: "sam",
        name: "Sam Rigney",
        org: "anglicare",
        roles: &[Role::Practitioner],
        protective_intervener: false,
        role: "residential care",
        shows: "residential care worker",
    },
    DemoUser {
        user: "bo",
        name: "Bo Tran",
        org: "berry_street",
        roles: &[Role::Practitioner],
        protective_intervener: false,
        role: "foster care",
        shows: "foster care worker",
    },
    DemoUser {
        user: "bea",
        name: "Bea Walsh",
        org: "berry_street",
        roles: &[Role::IncidentDelegate, Role::TeamManager],
        protective_intervener: false,
        role: "CSO delegate",
        shows: "incident delegate",
    },
    DemoUser {
        user: "max",
        name: "Max Kaur",
        org: "mackillop",
        roles: &[Role::Practitioner, Role::IncidentDelegate],
        protective_intervener: false,
        role: "CSO delegate",
        shows: "residential care worker and incident delegate",
    },
];

const ORGS: &[(&str, &str, OrgKind)] = &[
    ("dffh", "DFFH Child Protection", OrgKind::Department),
    ("anglicare", "Anglicare Victoria", OrgKind::Cso),
    ("berry_street", "Berry Street", OrgKind::Cso),
    ("mackillop", "MacKillop Family Services", OrgKind::Cso),
    ("ssr", "Social Services Regulator", OrgKind::Regulator),
];

/// Records generated and written per transaction.
pub const BATCH: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("the rules refused generated record {index}: {refusal}")]
    Refused { index: u64, refusal: Refusal },
}

fn actor(u: &DemoUser) -> Actor {
    let kind = ORGS
        .iter()
        .find(|(id, _, _)| *id == u.org)
        .map_or(OrgKind::Cso, |(_, _, kind)| *kind);
    Actor {
        user: u.user.to_string(),
        org: u.org.to_string(),
        org_kind: kind,
        roles: u.roles.iter().copied().collect(),
        protective_intervener: u.protective_intervener,
    }
}

/// Everyone in the demo world, as actors.
pub fn people() -> Vec<Actor> {
    USERS.iter().chain(STAFF).map(actor).collect()
}

/// Seed the demo world into an empty store: organisations, the demo users and staff, and
/// `records` records from `seed`. A store that already has organisations is left as it is.
/// `progress` hears how many records are written so far.
pub async fn seed(
    store: &Store,
    policies: &PolicySet,
    seed: u64,
    records: usize,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
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
    for u in USERS.iter().chain(STAFF) {
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
    seed_records(store, policies, &people(), seed, records, now, progress).await?;
    Ok(true)
}

/// Generate `count` records from `seed`, each with the history its plan calls for, acted
/// out by `people`, and write them in batches; then refresh the planner's statistics. The
/// next batch is acted out while the last one is written.
pub async fn seed_records(
    store: &Store,
    policies: &PolicySet,
    people: &[Actor],
    seed: u64,
    count: usize,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<(), DemoError> {
    let shared = Arc::new((people.to_vec(), policies.clone()));
    let mut written = 0;
    let mut writing: Option<(Vec<Vec<Event>>, Vec<NewLink>)> = None;
    let mut first_seen: BTreeMap<Who, String> = BTreeMap::new();
    for start in (0..count).step_by(BATCH) {
        let end = (start + BATCH).min(count);
        let plans = plans(
            seed,
            start as u64..end as u64,
            now,
            people,
            policies.in_force_at(now),
        );
        let ids = reserve_ids(store, &plans).await?;
        let links = decisions(&plans, &ids, &mut first_seen, seed, now);
        let shared = shared.clone();
        let acting = tokio::task::spawn_blocking(move || {
            let (people, policies) = &*shared;
            act_out(plans, ids, people, policies, seed, now)
        });
        if let Some((histories, links)) = writing.take() {
            written += histories.len();
            store.import_many(histories, now, policies).await?;
            store.import_links(&links).await?;
            progress(written);
        }
        writing = Some(match acting.await {
            Ok(histories) => (histories?, links),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(StoreError::Corrupt(format!("acting out records: {e}")).into()),
        });
    }
    if let Some((histories, links)) = writing {
        written += histories.len();
        store.import_many(histories, now, policies).await?;
        store.import_links(&links).await?;
        progress(written);
    }
    store.analyze().await?;
    Ok(())
}

/// Why the demo's practitioners decided a child or parent was one they knew.
const REASONS: &[&str] = &[
    "Same child: date of birth and school confirmed with the mother",
    "Same family: address and parents match the earlier report",
    "Confirmed with the carer: the same young person, known by a nickname",
    "CRIS number matches; the name was misspelt at intake",
];

/// Why the demo's practitioners decided twins are two children.
const APART_REASONS: &[&str] = &[
    "Twins: two children, confirmed with the school",
    "Twins, not one child: the mother confirmed both names",
    "Twins at the same address; each has a CRIS number of their own",
];

/// The practitioners' decisions that a person in these records is one named before
/// (R-PERSON-2): most repeats are decided, the rest left for matching to propose. The
/// first record to name someone is the one later ones are joined to. Half the twins both
/// named are decided to be two children, the first record of each kept apart.
fn decisions(
    plans: &[(u64, Planned)],
    ids: &[String],
    first_seen: &mut BTreeMap<Who, String>,
    seed: u64,
    now: DateTime<Utc>,
) -> Vec<NewLink> {
    let mut links = Vec::new();
    for ((index, planned), id) in plans.iter().zip(ids) {
        let mut rng = Rng::for_record(seed ^ 0xDEC1_DED0, *index);
        // Drawn apart from the merges' stream, so that those stay as they were.
        let mut twins = Rng::for_record(seed ^ 0x7A1E_A9A7, *index);
        for named in &planned.named {
            let at = MentionRef {
                record_id: id.clone(),
                role: named.role,
                position: named.position,
            }
            .to_string();
            // A protective intervener decides, who may see both records.
            let actor = if planned.author.protective_intervener {
                planned.author.user.clone()
            } else {
                "alice".to_string()
            };
            let decided_at = |rng: &mut Rng| {
                (planned.created_at + chrono::Duration::minutes(rng.between(10, 240))).min(now)
            };
            match first_seen.get(&named.who) {
                None => {
                    let elder = families::elder_twin(seed, named.who, now)
                        .and_then(|twin| first_seen.get(&twin));
                    if let Some(elder) = elder
                        && twins.chance(families::TWINS_APART_PERCENT)
                    {
                        links.push(NewLink {
                            kind: LinkKind::Distinct,
                            a: at.clone(),
                            b: elder.clone(),
                            actor: actor.clone(),
                            at: decided_at(&mut twins),
                            reason: twins.pick(APART_REASONS).to_string(),
                        });
                    }
                    first_seen.insert(named.who, at);
                }
                Some(first) if rng.chance(families::DECIDED_PERCENT) => {
                    links.push(NewLink {
                        kind: LinkKind::Same,
                        a: at,
                        b: first.clone(),
                        actor,
                        at: decided_at(&mut rng),
                        reason: rng.pick(REASONS).to_string(),
                    });
                }
                Some(_) => {}
            }
        }
    }
    links
}

/// The plans of records `indices` of `seed`, with their indices.
pub fn plans(
    seed: u64,
    indices: std::ops::Range<u64>,
    now: DateTime<Utc>,
    people: &[Actor],
    policy: &crate::domain::policy::Policy,
) -> Vec<(u64, Planned)> {
    indices
        .filter_map(|i| generate::plan(seed, i, now, people, policy).map(|p| (i, p)))
        .collect()
}

/// An id for each planned record, in order, from the counters of its kind and year.
async fn reserve_ids(store: &Store, plans: &[(u64, Planned)]) -> Result<Vec<String>, StoreError> {
    let prefixes: Vec<String> = plans
        .iter()
        .map(|(_, p)| id_prefix(p.new.details.kind(), p.created_at))
        .collect();
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for prefix in &prefixes {
        *counts.entry(prefix).or_default() += 1;
    }
    let mut reserved: BTreeMap<&str, std::vec::IntoIter<String>> = BTreeMap::new();
    for (prefix, n) in counts {
        reserved.insert(prefix, store.reserve_ids(prefix, n).await?.into_iter());
    }
    Ok(prefixes
        .iter()
        .filter_map(|p| reserved.get_mut(p.as_str()).and_then(Iterator::next))
        .collect())
}

/// Act out each record's story under the given ids: its events. The work is split over
/// the machine's cores, and each record has its own random stream, so the result does
/// not depend on the split.
pub fn act_out(
    plans: Vec<(u64, Planned)>,
    ids: Vec<String>,
    people: &[Actor],
    policies: &PolicySet,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<Vec<Vec<Event>>, DemoError> {
    let work: Vec<((u64, Planned), String)> = plans.into_iter().zip(ids).collect();
    crate::cores::map_on_every_core(&work, |((index, planned), id)| {
        let mut rng = Rng::for_record(!seed, *index);
        story::live(planned.clone(), id.clone(), people, policies, now, &mut rng).map_err(
            |refusal| DemoError::Refused {
                index: *index,
                refusal,
            },
        )
    })
    .into_iter()
    .collect()
}
