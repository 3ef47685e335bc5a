//! The store: migrations, an append-only event log, and records rebuilt from their events
//! (DESIGN §2), on SQLite and PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Arc;

use cims::domain::commands::Command;
use cims::domain::model::Details;
use cims::domain::policy::PolicySet;
use cims::store::{
    CommandRequest, NewRecord, NewUser, Organisation, QueueQuery, Scope, SortKey, Store, Viewer,
    WriteError,
};

use crate::fixtures::{incident, melb, practitioner};
use crate::support;

async fn seeded(url: &str) -> Store {
    let store = Store::open(url).await.expect("open");
    store
        .create_organisation(&Organisation {
            id: "dffh".into(),
            name: "DFFH".into(),
            kind: cims::domain::actor::OrgKind::Department,
        })
        .await
        .expect("organisation");
    store
        .create_user(&NewUser {
            id: "alice".into(),
            org_id: "dffh".into(),
            display_name: "Alice".into(),
            roles: [cims::domain::actor::Role::Practitioner].into(),
            protective_intervener: true,
            password: None,
        })
        .await
        .expect("user");
    store
}

async fn create_incident(store: &Store, policies: &Arc<PolicySet>) -> cims::store::Appended {
    create_at(
        store,
        policies,
        Details::Incident(incident()),
        "2026-11-23 11:00",
    )
    .await
}

/// A record of the practitioner's organisation, registered at a Melbourne time.
async fn create_at(
    store: &Store,
    policies: &Arc<PolicySet>,
    details: Details,
    at: &str,
) -> cims::store::Appended {
    store
        .create(
            NewRecord {
                org: "dffh".into(),
                details,
                assignee: None,
            },
            &practitioner(),
            melb(at),
            policies,
            None,
        )
        .await
        .expect("create")
}

#[tokio::test]
async fn events_cannot_be_changed_or_removed() {
    support::for_each_db(|url| async move {
        let store = seeded(&url).await;
        let policies = Arc::new(PolicySet::embedded().expect("policy"));
        let created = create_incident(&store, &policies).await;
        for sql in ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"] {
            let result = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(store.pool())
                .await;
            assert!(result.is_err(), "{sql} must be refused");
        }
        let history = store.history(&created.record.id).await.expect("history");
        assert_eq!(history.len(), 2);
        assert!(history.iter().all(|h| h.event.by == "alice"));
    })
    .await;
}

#[tokio::test]
async fn opening_twice_migrates_once_and_keeps_the_data() {
    support::for_each_db(|url| async move {
        let store = seeded(&url).await;
        let policies = Arc::new(PolicySet::embedded().expect("policy"));
        let created = create_incident(&store, &policies).await;
        let id = created.record.id.clone();
        let noted = store
            .command(
                CommandRequest {
                    known_reports: &Default::default(),
                    id: &id,
                    expected_version: 2,
                    command: &Command::AddNote {
                        category: None,
                        text: "Spoke with the unit manager.".into(),
                        protected_spans: vec![],
                    },
                    idempotency: None,
                },
                &practitioner(),
                melb("2026-11-23 12:00"),
                &policies,
            )
            .await
            .expect("note");
        store.close().await;
        let again = Store::open(&url).await.expect("reopen");
        let loaded = again.load(&id).await.expect("load").expect("record");
        assert_eq!(loaded, noted.record);
        assert_eq!(again.replay(&id).await.expect("replay"), Some(loaded));
        assert_eq!(id, "INC-2026-000001");
    })
    .await;
}

/// Rows written before the projection had its analysis columns are recomputed from their
/// state when a server starts, so `service:` and `outcome:` find them.
#[tokio::test]
async fn rows_from_an_earlier_projection_are_recomputed_from_their_state() {
    support::for_each_db(|url| async move {
        let store = seeded(&url).await;
        let policies = Arc::new(PolicySet::embedded().expect("policy"));
        let created = create_incident(&store, &policies).await;
        sqlx::query(
            "UPDATE records SET service_type = NULL, deadlines_missed = 0, projection_version = 0",
        )
        .execute(store.pool())
        .await
        .expect("age the row");
        let refreshed = store
            .refresh_stale_projections(&policies, melb("2026-11-23 12:00"))
            .await
            .expect("refresh");
        assert_eq!(refreshed, 1);
        let (service, version): (Option<String>, i64) =
            sqlx::query_as("SELECT service_type, projection_version FROM records WHERE id = $1")
                .bind(&created.record.id)
                .fetch_one(store.pool())
                .await
                .expect("row");
        assert_eq!(service.as_deref(), Some(incident().service_type.as_str()));
        let fresh = create_incident(&store, &policies).await;
        let (current,): (i64,) =
            sqlx::query_as("SELECT projection_version FROM records WHERE id = $1")
                .bind(&fresh.record.id)
                .fetch_one(store.pool())
                .await
                .expect("row");
        assert_eq!(
            version, current,
            "brought to the version a new row is written at"
        );
        assert_eq!(
            store
                .refresh_stale_projections(&policies, melb("2026-11-23 12:00"))
                .await
                .expect("again"),
            0,
            "nothing left to do"
        );
        assert_eq!(
            store.load(&created.record.id).await.expect("load"),
            Some(created.record),
            "the record itself is untouched"
        );
    })
    .await;
}

/// Creates that arrive together are written together (one transaction for the group), yet
/// each caller gets its own record: the next numbers in turn, its own events in sequence,
/// and a refused create its own refusal, taking no number. More arrive than one group holds.
#[tokio::test]
async fn creates_arriving_together_each_get_their_own_record_and_refusals_take_no_number() {
    support::for_each_db(|url| async move {
        let store = seeded(&url).await;
        let policies = Arc::new(PolicySet::embedded().expect("policy"));
        let now = melb("2026-11-23 11:00");
        let mut tasks = Vec::new();
        for n in 0..300 {
            let (store, policies) = (store.clone(), policies.clone());
            let mut details = incident();
            details.description = format!("Incident number {n} of the group.");
            if n % 6 == 5 {
                // Awareness after the time of the write is refused.
                details.identified_at = melb("2026-11-23 12:00");
            }
            tasks.push(tokio::spawn(async move {
                let new = NewRecord {
                    org: "dffh".into(),
                    details: Details::Incident(details),
                    assignee: None,
                };
                let result = store
                    .create(new, &practitioner(), now, &policies, None)
                    .await;
                (n, result)
            }));
        }
        let mut ids = BTreeSet::new();
        let mut seqs = BTreeSet::new();
        for task in tasks {
            let (n, result) = task.await.expect("task");
            if n % 6 == 5 {
                assert!(
                    matches!(result, Err(WriteError::Refused(_))),
                    "create {n} is refused: {result:?}"
                );
                continue;
            }
            let appended = result.expect("create");
            let record = &appended.record;
            assert!(
                record
                    .incident()
                    .is_some_and(|i| i.description == format!("Incident number {n} of the group.")),
                "create {n} got its own record"
            );
            assert_eq!(
                store.load(&record.id).await.expect("load").as_ref(),
                Some(record)
            );
            assert_eq!(
                store.replay(&record.id).await.expect("replay").as_ref(),
                Some(record)
            );
            let history = store.history(&record.id).await.expect("history");
            let stored: Vec<i64> = history.iter().map(|h| h.seq).collect();
            let told: Vec<i64> = (appended.first_seq..=appended.last_seq).collect();
            assert_eq!(
                stored, told,
                "create {n} is told its own events' sequence numbers"
            );
            seqs.extend(stored);
            assert!(ids.insert(record.id.clone()), "{} given twice", record.id);
        }
        let expected: BTreeSet<String> = (1..=250).map(|n| format!("INC-2026-{n:06}")).collect();
        assert_eq!(ids, expected, "250 records take the first 250 numbers");
        assert_eq!(
            seqs,
            (1..=500).collect(),
            "every event has its own sequence number"
        );
    })
    .await;
}

/// What an incident names, then a report whose reporter it named.
async fn named_then_reported(store: &Store, policies: &Arc<PolicySet>, name: &str) -> String {
    let incident = cims::domain::model::Incident {
        description: format!("{name} rang about the bruise on the bus."),
        ..incident()
    };
    let named = create_at(
        store,
        policies,
        Details::Incident(incident),
        "2026-11-23 11:00",
    )
    .await;
    let intake = cims::domain::model::Intake {
        reporter: cims::domain::model::Reporter {
            name: name.to_string(),
            ..crate::fixtures::reporter()
        },
        ..crate::fixtures::intake()
    };
    create_at(store, policies, Details::Intake(intake), "2026-11-23 13:00").await;
    named.record.id
}

/// A department user of another organisation's view: what every reader may see.
fn open_search(words: &str) -> QueueQuery {
    QueueQuery {
        viewer: Viewer {
            user: "ike".into(),
            org: "elsewhere".into(),
            scope: Scope::All,
            identifying_everywhere: false,
            protected: false,
        },
        filter: cims::domain::query::parse(words).expect("a filter"),
        sort: SortKey::Due,
        descending: false,
        limit: 50,
        cursor: None,
        now: melb("2026-11-23 14:00"),
    }
}

#[tokio::test]
async fn r_priv_8_no_search_reads_text_made_before_a_reporter_s_strings_were_stored() {
    support::for_each_db(|url| async move {
        let store = seeded(&url).await;
        let policies = Arc::new(PolicySet::embedded().expect("policy"));
        let named = named_then_reported(&store, &policies, "Robin Okafor").await;
        // At once, whether or not the records holding the name were re-projected yet.
        for words in ["okafor", "\"robin okafor\"", "\"okafor rang\""] {
            let page = store
                .queue(&open_search(words), &policies)
                .await
                .expect("search");
            assert!(
                page.rows.iter().all(|r| r.record.id != named),
                "{words} does not find the incident that names the reporter"
            );
        }
        let page = store
            .queue(&open_search("bruise"), &policies)
            .await
            .expect("search");
        assert!(page.rows.iter().any(|r| r.record.id == named));
    })
    .await;
}

#[tokio::test]
async fn r_priv_8_records_holding_a_new_reporter_s_strings_are_re_projected_without_a_search() {
    support::for_each_db(|url| async move {
        let store = seeded(&url).await;
        let policies = Arc::new(PolicySet::embedded().expect("policy"));
        let named = named_then_reported(&store, &policies, "Kim Larsen").await;
        let started = std::time::Instant::now();
        loop {
            let (pending,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM protected_terms WHERE pending = 1")
                    .fetch_one(store.pool())
                    .await
                    .expect("count");
            if pending == 0 {
                break;
            }
            assert!(
                started.elapsed() < crate::api::harness::PATIENCE,
                "the terms are still pending"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let (open,): (String,) = sqlx::query_as("SELECT search_open FROM records WHERE id = $1")
            .bind(&named)
            .fetch_one(store.pool())
            .await
            .expect("row");
        let open = open.to_lowercase();
        assert!(!open.contains("larsen"), "{open}");
        assert!(open.contains("bruise"), "{open}");
    })
    .await;
}

/// The rows of `record_counts` that a recount of the records does not give, and the other
/// way round: both empty when the counts are true.
async fn counts_against_recount(store: &Store) -> (i64, i64) {
    let recount = match store.backend() {
        cims::store::Backend::Sqlite => {
            "SELECT dimension, kind, created_on, org_id, status, cross_assignee, ssr_critical, \
             grp, COUNT(*) AS n FROM record_count_keys GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        }
        cims::store::Backend::Postgres => {
            "SELECT k.*, COUNT(*) AS n FROM records r CROSS JOIN LATERAL record_count_keys(r) k \
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        }
    };
    let kept = "SELECT dimension, kind, created_on, org_id, status, cross_assignee, \
                ssr_critical, grp, n FROM record_counts";
    let differ =
        |a: &str, b: &str| format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({a} EXCEPT {b}) AS d");
    let (missing,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(differ(recount, kept)))
        .fetch_one(store.pool())
        .await
        .expect("recount");
    let (extra,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(differ(kept, recount)))
        .fetch_one(store.pool())
        .await
        .expect("recount");
    (missing, extra)
}

#[tokio::test]
async fn r_priv_9_analysis_counts_equal_a_recount_after_inserts_changes_and_removals() {
    support::for_each_db(|url| async move {
        let store = Store::open(&url).await.expect("open");
        let policies = PolicySet::embedded().expect("policy");
        let now = chrono::Utc::now();
        cims::demo::seed(&store, &policies, 5, 300, now, &mut |_| {})
            .await
            .expect("seed");
        assert_eq!(
            counts_against_recount(&store).await,
            (0, 0),
            "after seeding"
        );
        let (total,): (i64,) = sqlx::query_as(
            "SELECT CAST(SUM(n) AS BIGINT) FROM record_counts WHERE dimension = 'stage'",
        )
        .fetch_one(store.pool())
        .await
        .expect("total");
        assert_eq!(total, 300, "each record counts once per dimension");

        // Every counted column changes on some rows, several rows to a statement.
        for change in [
            "UPDATE records SET stage = 'closed_by_test', status = 'closed' \
             WHERE id IN (SELECT id FROM records ORDER BY id LIMIT 40)",
            "UPDATE records SET next_due = '2030-01-01T00:00:00Z', deadlines_missed = 0, \
             next_due_open = '2030-01-02T00:00:00Z' WHERE id IN \
             (SELECT id FROM records ORDER BY id DESC LIMIT 30)",
            "UPDATE records SET deadlines_missed_identifying = 2, impact = 'major', \
             primary_type = NULL WHERE kind = 'incident' AND org_id <> 'dffh'",
            "UPDATE records SET org_id = 'anglicare', cross_assignee = 'alice', ssr_critical = 1, \
             created_on = '2026-01-01' WHERE id IN (SELECT id FROM records ORDER BY id LIMIT 7)",
            "UPDATE records SET search_open = 'not counted' WHERE id IN \
             (SELECT id FROM records ORDER BY id LIMIT 90)",
            "DELETE FROM records WHERE id IN (SELECT id FROM records ORDER BY id DESC LIMIT 11)",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(change))
                .execute(store.pool())
                .await
                .expect(change);
            assert_eq!(
                counts_against_recount(&store).await,
                (0, 0),
                "after {change}"
            );
        }
        let (empty,): (i64,) =
            sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM record_counts WHERE n <= 0")
                .fetch_one(store.pool())
                .await
                .expect("empty");
        assert_eq!(empty, 0, "counts that fall to nothing are removed");
        store.close().await;
    })
    .await;
}

/// R-PERSON-1: a SQLite database written before its mentions were kept in place order
/// keeps every mention when it is opened and the table is rebuilt.
#[tokio::test]
async fn rebuilding_the_mentions_table_keeps_every_mention() {
    let dir = tempfile::tempdir().expect("directory");
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
    let store = seeded(&url).await;
    let policies = Arc::new(PolicySet::embedded().expect("policy"));
    let created = create_incident(&store, &policies).await;
    let read = |store: Store| async move {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT record_id, role, position, data FROM person_mentions ORDER BY 1, 2, 3",
        )
        .fetch_all(store.pool())
        .await
        .expect("mentions");
        (store, rows)
    };
    let (store, before) = read(store).await;
    assert!(!before.is_empty());
    // The table as it was before: an ordinary table with its rows in insertion order.
    sqlx::raw_sql(
        "BEGIN; \
         CREATE TABLE old_mentions (record_id TEXT NOT NULL, role TEXT NOT NULL, \
         position BIGINT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (record_id, role, position)); \
         INSERT INTO old_mentions SELECT * FROM person_mentions; \
         DROP TABLE person_mentions; \
         ALTER TABLE old_mentions RENAME TO person_mentions; \
         DELETE FROM schema_migrations WHERE version = 17; \
         COMMIT;",
    )
    .execute(store.pool())
    .await
    .expect("the table as it was");
    store.close().await;
    let again = Store::open(&url).await.expect("reopen");
    let (again, after) = read(again).await;
    assert_eq!(after, before);
    let (kind,): (String,) =
        sqlx::query_as("SELECT sql FROM sqlite_master WHERE name = 'person_mentions'")
            .fetch_one(again.pool())
            .await
            .expect("schema");
    assert!(kind.contains("WITHOUT ROWID"), "{kind}");
    let at = cims::domain::people::MentionRef::parse(&format!("{}.client0", created.record.id))
        .expect("a mention");
    assert!(again.mention(&at).await.expect("read").is_some());
}

/// The key rows as a search reads them, each digest as the person it holds.
type KeyRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<cims::domain::people::PersonRecord>,
);

/// A key row as the table holds it.
type StoredKeyRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
);

async fn key_rows(store: &Store) -> Vec<KeyRow> {
    let rows: Vec<StoredKeyRow> = sqlx::query_as(
        "SELECT key, record_id, role, position, org_id, assignee, digest FROM mention_keys \
             ORDER BY key, record_id, role, position",
    )
    .fetch_all(store.pool())
    .await
    .expect("key rows");
    rows.into_iter()
        .map(|(key, record, role, position, org, assignee, digest)| {
            let person = digest.as_deref().and_then(cims::domain::people::undigest);
            (key, record, role, position, org, assignee, person)
        })
        .collect()
}

/// The key rows as they were before migration 20: no digests, an ordinary table.
const KEY_ROWS_BEFORE_DIGESTS: &str = "\
    CREATE TABLE old_keys (key TEXT NOT NULL, record_id TEXT NOT NULL, role TEXT NOT NULL, \
    position BIGINT NOT NULL, org_id TEXT NOT NULL, assignee TEXT, \
    PRIMARY KEY (key, record_id, role, position)); \
    INSERT INTO old_keys SELECT key, record_id, role, position, org_id, assignee \
    FROM mention_keys; \
    DROP TABLE mention_keys; \
    ALTER TABLE old_keys RENAME TO mention_keys; \
    CREATE INDEX mention_keys_record ON mention_keys(record_id); \
    CREATE INDEX mention_keys_org ON mention_keys(key, org_id, record_id); \
    CREATE INDEX mention_keys_assignee ON mention_keys(key, assignee, record_id); \
    DELETE FROM schema_migrations WHERE version IN (20, 21);";

/// R-PERSON-1, R-PERSON-2: a register indexed before key rows carried digests migrates
/// with every key row kept, each with the digest a write would give it, and a search for
/// candidates reads the same rows as before.
#[tokio::test]
async fn adding_digests_to_the_key_rows_keeps_every_row_and_every_answer() {
    support::for_each_db(|url| async move {
        let store = seeded(&url).await;
        let policies = Arc::new(PolicySet::embedded().expect("policy"));
        create_incident(&store, &policies).await;
        let mut intake = crate::fixtures::intake();
        intake.reporter.name = "Jordan Smyth".into();
        create_at(
            &store,
            &policies,
            Details::Intake(intake),
            "2026-11-23 13:00",
        )
        .await;
        let sought = cims::domain::people::PersonRecord::new(
            "Jordan",
            "Smith",
            cims::domain::people::Dob::Unknown,
        );
        let sight = cims::store::MentionSight {
            everywhere: false,
            org: "dffh".into(),
            user: "alice".into(),
            reporters: true,
        };
        let before = key_rows(&store).await;
        let found = store.key_rows(&sought, &sight).await.expect("search");
        assert!(before.iter().all(|row| row.6.is_some()), "{before:?}");
        assert!(found.mentions.len() >= 2, "{found:?}");

        let rebuilt = format!("BEGIN; {KEY_ROWS_BEFORE_DIGESTS} COMMIT;");
        sqlx::raw_sql(sqlx::AssertSqlSafe(rebuilt))
            .execute(store.pool())
            .await
            .expect("the key rows as they were");
        store.close().await;
        let again = Store::open(&url).await.expect("reopen");
        assert_eq!(key_rows(&again).await, before);
        let again_found = again.key_rows(&sought, &sight).await.expect("search");
        assert_eq!(again_found.mentions.len(), found.mentions.len());
        for (a, b) in again_found.mentions.iter().zip(&found.mentions) {
            assert_eq!((&a.at, &a.keys), (&b.at, &b.keys));
            let person = |d: &Option<String>| d.as_deref().and_then(cims::domain::people::undigest);
            assert_eq!(person(&a.digest), person(&b.digest));
        }
        assert_eq!(again_found.whole, found.whole);
        again.close().await;
    })
    .await;
}
