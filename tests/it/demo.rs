//! The demo world: a deterministic generator whose records live their stages through the
//! rules, and the batch import that writes them (records are the fold of their events).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use cims::demo::{self, generate::Planned};
use cims::domain::deadlines::{self, Status};
use cims::domain::events::Event;
use cims::domain::local_time;
use cims::domain::model::{Impact, ItemState, RcsScope, Record, Status as RecordStatus};
use cims::domain::policy::{PolicySet, TypeTag};
use cims::domain::rules::{incident as incident_rules, intake as intake_rules};
use cims::domain::{commands::Command, replay};
use cims::store::{CommandRequest, Store};

use crate::fixtures::melb;
use crate::support;

const RECORDS: u64 = 3000;

fn stories(seed: u64, count: u64, now: DateTime<Utc>) -> Vec<Vec<Event>> {
    let policies = PolicySet::embedded().expect("policy");
    let people = demo::people();
    let plans: Vec<(u64, Planned)> =
        demo::plans(seed, 0..count, now, &people, policies.in_force_at(now));
    let ids = (0..plans.len()).map(|i| format!("T-{i:06}")).collect();
    demo::act_out(plans, ids, &people, &policies, seed, now).expect("every story is allowed")
}

fn records(histories: &[Vec<Event>]) -> Vec<Record> {
    histories
        .iter()
        .map(|events| replay(events).expect("replays").expect("a record"))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_records_and_another_seed_others() {
    let now = melb("2026-11-24 15:00");
    let first = stories(7, 200, now);
    assert_eq!(first, stories(7, 200, now));
    assert_ne!(first, stories(8, 200, now));
}

/// Every stage of both kinds, every incident and service type, and the circumstances the
/// rules single out (R-RCS, R-SSR, R-POLICE-2, R-DL-INVEST, R-INT-FV, R-INT-REREPORT-3/5,
/// R-INT-TTR, R-INT-RSO, R-C2C-1), with deadlines overdue, due today and due tonight.
#[test]
fn demo_records_cover_every_stage_type_and_circumstance_the_rules_name() {
    let now = melb("2026-11-24 15:00");
    let policies = PolicySet::embedded().expect("policy");
    let policy = policies.in_force_at(now);
    let all = records(&stories(2026, RECORDS, now));

    let stages: BTreeSet<(&str, &str)> = all
        .iter()
        .filter(|r| r.status == RecordStatus::Open)
        .map(|r| (r.kind().as_str(), r.stage.as_str()))
        .collect();
    for stage in &policy.stages {
        assert!(
            stages.contains(&(stage.kind.as_str(), stage.id.as_str())),
            "no open record at {} stage {}",
            stage.kind.as_str(),
            stage.id
        );
    }
    for kind in ["incident", "intake"] {
        assert!(
            all.iter()
                .any(|r| r.kind().as_str() == kind && r.status == RecordStatus::Closed),
            "no closed {kind}"
        );
    }

    let incidents: Vec<_> = all.iter().filter_map(Record::incident).collect();
    let types: BTreeSet<&str> = incidents.iter().map(|i| i.primary_type.as_str()).collect();
    for t in &policy.incident_types {
        assert!(types.contains(t.id.as_str()), "no {} incident", t.id);
    }
    let services: BTreeSet<&str> = incidents.iter().map(|i| i.service_type.as_str()).collect();
    // Every service a child can be a client of: none for adults only (coherence).
    for s in policy.service_types.iter().filter(|s| !s.adults_only) {
        assert!(services.contains(s.id.as_str()), "no {} service", s.id);
    }
    for impact in [Impact::Major, Impact::NonMajor] {
        assert!(
            incidents.iter().any(|i| i.impact == Some(impact)),
            "{impact:?}"
        );
    }
    assert!(
        incidents
            .iter()
            .any(|i| policy.type_has(&i.primary_type, TypeTag::PoliceReferral))
    );
    assert!(
        incidents
            .iter()
            .any(|i| incident_rules::ssr_critical(i, policy).is_some())
    );
    assert!(
        incidents
            .iter()
            .any(|i| incident_rules::aboriginal_client(i))
    );
    assert!(
        incidents
            .iter()
            .any(|i| incident_rules::kinship_carer_subject(i))
    );
    assert!(incidents.iter().any(|i| incident_rules::rcs_employee(i)));
    assert!(
        incidents
            .iter()
            .any(|i| incident_rules::client_to_client_minors(i, policy.parameters.adult_age))
    );
    assert!(all.iter().any(|r| r.rcs_scope == Some(RcsScope::InScope)));
    assert!(
        all.iter()
            .any(|r| r.rcs_scope == Some(RcsScope::NotInScope))
    );
    assert!(
        all.iter().any(|r| r.police_hold_open()),
        "a police hold still open"
    );
    assert!(
        all.iter()
            .any(|r| r.police_holds.iter().any(|h| h.until.is_some()))
    );
    assert!(all.iter().any(|r| !r.extensions.is_empty()));
    assert!(all.iter().any(|r| r.investigation_outcome.is_some()));

    let intakes: Vec<_> = all.iter().filter_map(Record::intake).collect();
    let params = &policy.parameters;
    assert!(intakes.iter().all(|n| !n.reporter.name.is_empty()));
    assert!(
        intakes
            .iter()
            .any(|n| n.family_violence && n.maram.is_some())
    );
    assert!(
        intakes
            .iter()
            .any(|n| intake_rules::third_report(n, params))
    );
    assert!(
        intakes
            .iter()
            .any(|n| intake_rules::fifth_report(n, params))
    );
    assert!(
        intakes
            .iter()
            .any(|n| intake_rules::ttr_indicated(n, params))
    );
    assert!(intakes.iter().any(|n| intake_rules::rso_contact(n)));
    assert!(intakes.iter().any(|n| intake_rules::aboriginal_child(n)));
    assert!(intakes.iter().any(|n| n.decision.is_some()));
    assert!(intakes.iter().any(|n| n.rereport_decision.is_some()));

    assert!(
        all.iter().any(|r| r.notes.len() > 1),
        "notes written as work goes on"
    );
    assert!(
        all.iter().flat_map(|r| &r.notes).any(|n| n
            .current()
            .is_some_and(|rev| !rev.protected_spans.is_empty())),
        "a reporter's name protected in a note (R-PRIV-6)"
    );
    assert!(
        all.iter()
            .flat_map(|r| r.checklist.values())
            .any(|s| matches!(s, ItemState::Waived { .. }))
    );
    let orgs: BTreeSet<&str> = all.iter().map(|r| r.org.as_str()).collect();
    assert!(
        orgs.len() >= 4,
        "records of several organisations: {orgs:?}"
    );

    let today = local_time::local_date(now);
    let close_of_business = local_time::close_of_business(today);
    let (mut overdue, mut today_before_five, mut tonight) = (0, 0, 0);
    for record in all.iter().filter(|r| r.status == RecordStatus::Open) {
        for d in deadlines::deadlines(record, &policies, now) {
            match (&d.status, &d.due) {
                (Status::Overdue { .. }, _) => overdue += 1,
                (Status::Pending { .. }, Some(due)) if due.at.date_naive() == today => {
                    if due.at > close_of_business {
                        tonight += 1;
                    } else {
                        today_before_five += 1;
                    }
                }
                _ => {}
            }
        }
    }
    assert!(overdue > 0, "some work overdue");
    assert!(today_before_five > 0, "some work due this afternoon");
    assert!(tonight > 0, "some work due tonight, after hours");
}

/// Records written with their histories are the fold of their events, their ids come from
/// the same counters as records created one by one, and a history that does not begin with
/// the record's creation is refused with nothing written.
#[tokio::test]
async fn imported_histories_replay_to_their_projection_and_share_the_id_counters() {
    support::for_each_db(|url| async move {
        let store = Store::open(&url).await.expect("open");
        let policies = std::sync::Arc::new(PolicySet::embedded().expect("policy"));
        let now = Utc::now();
        assert!(
            demo::seed(&store, &policies, 11, 120, now, &mut |_| {})
                .await
                .expect("seed")
        );
        let count = |store: Store| async move {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM records")
                .fetch_one(store.pool())
                .await
                .expect("count");
            n
        };
        assert_eq!(count(store.clone()).await, 120);
        let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM records ORDER BY id")
            .fetch_all(store.pool())
            .await
            .expect("ids");
        for (id,) in &ids {
            let stored = store.load(id).await.expect("load").expect("exists");
            let replayed = store.replay(id).await.expect("replay").expect("exists");
            assert_eq!(stored, replayed, "{id}");
        }

        // A record created afterwards takes the next number of its kind and year.
        let alice = demo::people()
            .into_iter()
            .find(|p| p.user == "alice")
            .expect("alice");
        let fresh =
            demo::generate::records(5, 1, now, std::slice::from_ref(&alice), policies.current());
        let (new, actor) = fresh.into_iter().next().expect("a record");
        let created = store
            .create(new, &actor, now, &policies, None)
            .await
            .expect("create");
        assert!(
            ids.iter().all(|(id,)| *id != created.record.id),
            "{} was already taken",
            created.record.id
        );

        // A command on an imported open record works as on any other.
        let mut open = None;
        for (id,) in &ids {
            let record = store.load(id).await.expect("load").expect("exists");
            if record.status == RecordStatus::Open {
                open = Some(record);
                break;
            }
        }
        let before = open.expect("an open imported record");
        let first = &before.id;
        let noted = store
            .command(
                CommandRequest {
                    known_reports: &Default::default(),
                    id: first,
                    expected_version: i64::try_from(before.version).expect("version"),
                    command: &Command::AddNote {
                        category: None,
                        text: "Read the history before the handover.".into(),
                        protected_spans: Vec::new(),
                    },
                    idempotency: None,
                },
                &alice,
                now,
                &policies,
            )
            .await
            .expect("note");
        assert_eq!(noted.record.version, before.version + 1);

        let without_creation: Vec<Event> = store
            .history(&created.record.id)
            .await
            .expect("history")
            .into_iter()
            .skip(1)
            .map(|h| h.event)
            .collect();
        let refused = store
            .import_many(vec![without_creation], now, &policies)
            .await;
        assert!(refused.is_err());
        assert_eq!(count(store.clone()).await, 121);
        store.close().await;
    })
    .await;
}

/// The data tells a story on the Trends screen: steady volume through the year, and one
/// rising line (absences from Berry Street's residential units) with learning actions
/// raised about it, some closed on time, some late, some still open and overdue (R-STAGE).
#[test]
fn demo_trends_show_a_rising_line_and_learning_actions_followed_through() {
    let now = melb("2026-11-24 15:00");
    let all = records(&stories(2026, RECORDS, now));
    let months_ago = |r: &Record| (now - r.created_at).num_days() / 30;
    let incidents: Vec<&Record> = all.iter().filter(|r| r.incident().is_some()).collect();
    let per_month = |months: i64| incidents.iter().filter(|r| months_ago(r) == months).count();
    // Steady volume: no 30 days of the last year hold more than twice as many as others.
    let volume: Vec<usize> = (0..12).map(per_month).collect();
    let (low, high) = (volume.iter().min(), volume.iter().max());
    assert!(
        matches!((low, high), (Some(l), Some(h)) if *h <= 2 * *l && *l > 0),
        "incidents by month: {volume:?}"
    );
    let absences = |months: i64| {
        incidents
            .iter()
            .filter(|r| {
                months_ago(r) == months
                    && r.org == "berry_street"
                    && r.incident()
                        .is_some_and(|i| i.primary_type == "absent_client")
            })
            .count()
    };
    assert!(
        absences(0) >= 3 * absences(5).max(1),
        "absences climb: {} five months ago, {} this month",
        absences(5),
        absences(0)
    );

    let policies = PolicySet::embedded().expect("policy");
    let mut seen = BTreeSet::new();
    for record in &all {
        for deadline in deadlines::deadlines(record, &policies, now) {
            if deadline.id.starts_with("learning_action/") {
                seen.insert(match deadline.status {
                    Status::Met { .. } => "met",
                    Status::MetLate { .. } => "met late",
                    Status::Overdue { .. } => "overdue",
                    Status::Pending { .. } => "pending",
                    _ => "other",
                });
            }
        }
    }
    for status in ["met", "met late", "overdue", "pending"] {
        assert!(
            seen.contains(status),
            "a learning action {status}: {seen:?}"
        );
    }
}

/// A demo world that could happen (DOMAIN §8): no record the rules or plain sense rule out,
/// at the default seed and three others.
#[test]
fn demo_records_are_coherent_at_the_default_seed_and_three_others() {
    let now = melb("2026-11-24 15:00");
    let policies = PolicySet::embedded().expect("policy");
    for seed in [42, 1, 7, 2026] {
        let all = records(&stories(seed, 1500, now));
        let incoherent: Vec<String> = all
            .iter()
            .flat_map(|record| {
                demo::coherence::problems(record, policies.of_record(record))
                    .into_iter()
                    .map(move |problem| format!("{}: {problem}", record.id))
            })
            .collect();
        assert!(
            incoherent.is_empty(),
            "seed {seed}: {} incoherent records, e.g. {:?}",
            incoherent.len(),
            &incoherent[..incoherent.len().min(8)]
        );
    }
}

/// R-PERSON-1, R-PERSON-2: the demo's children come back in later reports and incidents,
/// written as callers give them (misspelt, a nickname, a date of birth unknown or swapped,
/// moved house); siblings and twins are in one report; matching finds the repeats and
/// never bands twins likely.
#[test]
fn demo_children_come_back_written_otherwise_and_matching_finds_them_but_not_twins() {
    use cims::domain::people::{Band, Role, compare, mentions};
    use std::collections::BTreeMap;
    let now = melb("2026-11-24 15:00");
    let policies = PolicySet::embedded().expect("policy");
    let weights = &policies.in_force_at(now).matching;
    let people = demo::people();
    let plans: Vec<(u64, Planned)> =
        demo::plans(7, 0..RECORDS, now, &people, policies.in_force_at(now));
    let named: Vec<Vec<_>> = plans.iter().map(|(_, p)| p.named.clone()).collect();
    let records = records(&stories(7, RECORDS, now));
    assert_eq!(records.len(), named.len());

    let mut by_who: BTreeMap<_, Vec<cims::domain::people::PersonRecord>> = BTreeMap::new();
    let mut twins = Vec::new();
    for (record, named) in records.iter().zip(&named) {
        let found = mentions(record);
        for n in named {
            let person = found
                .iter()
                .find(|m| m.role == n.role && m.position == n.position)
                .map(|m| m.person.clone())
                .expect("every named person is a mention");
            by_who.entry(n.who).or_default().push(person);
        }
        let children: Vec<_> = found.iter().filter(|m| m.role == Role::Child).collect();
        for (i, a) in children.iter().enumerate() {
            for b in &children[i + 1..] {
                if a.person.dob == b.person.dob
                    && a.person.family_name == b.person.family_name
                    && a.person.dob != cims::domain::people::Dob::Unknown
                {
                    twins.push((a.person.clone(), b.person.clone()));
                }
            }
        }
    }
    let repeated: Vec<_> = by_who.values().filter(|v| v.len() > 1).collect();
    assert!(
        repeated.len() * 10 > by_who.len(),
        "{} of {} people in more than one record",
        repeated.len(),
        by_who.len()
    );
    assert!(
        by_who.values().any(|v| v.len() >= 4),
        "someone comes back often"
    );
    let written_otherwise = repeated
        .iter()
        .filter(|v| {
            v.iter()
                .any(|p| p.given_names != v[0].given_names || p.family_name != v[0].family_name)
        })
        .count();
    assert!(written_otherwise > 0, "some repeats are spelt otherwise");
    assert!(!twins.is_empty(), "twins are reported together");

    let (mut pairs, mut found) = (0, 0);
    for people in &repeated {
        for later in &people[1..] {
            pairs += 1;
            found += usize::from(compare(&people[0], later, weights).band != Band::Unlikely);
        }
    }
    assert!(
        found * 100 >= pairs * 95,
        "matching finds {found} of {pairs} repeats"
    );
    for (a, b) in &twins {
        assert_ne!(
            compare(a, b, weights).band,
            Band::Likely,
            "twins {a:?} {b:?}"
        );
    }
}

/// R-PERSON-2: the demo's practitioners have decided most repeats are the people they
/// knew, and some twins two children; the decisions are stored with who made them, and a
/// person is then every record they appear in.
#[tokio::test]
async fn the_demo_stores_practitioners_decisions_that_repeats_are_one_person() {
    support::for_each_db(|url| async move {
        let store = Store::open(&url).await.expect("open");
        let policies = std::sync::Arc::new(PolicySet::embedded().expect("policy"));
        demo::seed(&store, &policies, 7, 600, Utc::now(), &mut |_| {})
            .await
            .expect("seed");
        let links: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT kind, a, b, actor FROM person_links ORDER BY id")
                .fetch_all(store.pool())
                .await
                .expect("links");
        assert!(links.len() > 20, "{} decisions", links.len());
        let staff: BTreeSet<String> = demo::people().into_iter().map(|a| a.user).collect();
        let mut twins = 0;
        for (kind, a, b, actor) in &links {
            assert!(staff.contains(actor), "{actor}");
            let mut ends = Vec::new();
            for end in [a, b] {
                let at = cims::domain::people::MentionRef::parse(end).expect("a mention");
                let mention = store.mention(&at).await.expect("read");
                assert!(mention.is_some(), "{end}");
                ends.extend(mention);
            }
            if kind == "distinct" {
                // Twins: two children of one family (an intake's children or an incident's
                // clients), with given names of their own.
                twins += 1;
                assert!(
                    ends.iter().all(|m| matches!(
                        m.role,
                        cims::domain::people::Role::Child | cims::domain::people::Role::Client
                    )),
                    "{a} {b}"
                );
                assert_ne!(
                    ends[0].person.given_names, ends[1].person.given_names,
                    "{a} {b}"
                );
            } else {
                assert_eq!(kind, "same");
            }
        }
        assert!(
            twins > 0,
            "no twins kept apart among {} decisions",
            links.len()
        );
    })
    .await;
}
