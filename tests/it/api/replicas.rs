//! Two servers on one PostgreSQL database (DESIGN §6): a change committed through one is
//! told to the other's change-feed subscribers, woken by LISTEN/NOTIFY.

use serde_json::json;

use super::harness::{Api, Persona};
use crate::fixtures;
use crate::support::{self, Db};

/// A subscriber on server B hears of a change made through server A within a few seconds.
/// PostgreSQL only: SQLite is one process's database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_feed_hears_other_servers_changes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let Some(url) = support::database(Db::Postgres, &dir).await else {
        return;
    };
    let a = Api::start(&url).await;
    let b = a.replica().await;

    let mut feed = b.feed(Persona::Practitioner, None).await;
    let id = a
        .create_incident(Persona::CsoDelegate, &fixtures::incident())
        .await;
    let seen = feed.until(|e| e.json()["record_id"] == json!(id)).await;
    assert_eq!(seen.len(), 1, "the first event B tells of is A's change");

    // A note through A is read back through B at the version A reported.
    let version = a.note(Persona::CsoDelegate, &id, "written through A").await;
    feed.until(|e| {
        let data = e.json();
        data["record_id"] == json!(id) && data["version"] == json!(version)
    })
    .await;
    assert_eq!(b.version(Persona::CsoDelegate, &id).await, version);

    // And the other way round, and for a user of the owning organisation.
    let mut feed = a.feed(Persona::CsoDelegate, None).await;
    let version = b.note(Persona::Daom, &id, "written through B").await;
    feed.until(|e| {
        let data = e.json();
        data["record_id"] == json!(id) && data["version"] == json!(version)
    })
    .await;
    drop(feed);

    b.stop().await;
    a.stop().await;
}
