//! The store: migrations, an append-only event log, and records rebuilt from their events
//! (DESIGN §2), on SQLite and PostgreSQL.

use cims::domain::commands::Command;
use cims::domain::model::Details;
use cims::domain::policy::PolicySet;
use cims::store::{CommandRequest, NewRecord, NewUser, Organisation, Store};

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

async fn create_incident(store: &Store, policies: &PolicySet) -> cims::store::Appended {
    store
        .create(
            NewRecord {
                org: "dffh".into(),
                details: Details::Incident(incident()),
                assignee: None,
            },
            &practitioner(),
            melb("2026-11-23 11:00"),
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
        let policies = PolicySet::embedded().expect("policy");
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
        let policies = PolicySet::embedded().expect("policy");
        let created = create_incident(&store, &policies).await;
        let id = created.record.id.clone();
        let noted = store
            .command(
                CommandRequest {
                    id: &id,
                    expected_version: 2,
                    command: &Command::AddNote {
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
        let policies = PolicySet::embedded().expect("policy");
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
        assert_eq!(version, 2);
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
