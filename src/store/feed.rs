//! The change feed's source: events by global sequence, and a wake-up when new ones commit
//! (in-process through a watch channel; across replicas through PostgreSQL LISTEN/NOTIFY,
//! used only as a wake-up: readers always catch up from the events table).

use std::time::Duration;

use serde::Serialize;
use sqlx::Row;
use tokio::sync::watch;

use super::{Store, StoreError};

/// One feed entry: which record moved to which version, and who may hear of it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FeedEvent {
    pub seq: i64,
    pub record_id: String,
    pub version: i64,
    #[serde(skip)]
    pub org_id: String,
    #[serde(skip)]
    pub assignee: Option<String>,
    #[serde(skip)]
    pub ssr_critical: bool,
}

impl Store {
    /// Wakes when the newest known sequence changes.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.latest.subscribe()
    }

    pub(super) async fn refresh_latest(&self) -> Result<i64, StoreError> {
        let (last,): (i64,) = sqlx::query_as("SELECT last FROM event_seq WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        self.latest.send_if_modified(|latest| {
            let newer = last > *latest;
            if newer {
                *latest = last;
            }
            newer
        });
        Ok(last)
    }

    /// Events after `after`, oldest first, at most `limit`.
    pub async fn events_since(&self, after: i64, limit: i64) -> Result<Vec<FeedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.record_id, e.version, r.org_id, r.assignee, r.ssr_critical \
             FROM events e JOIN records r ON r.id = e.record_id \
             WHERE e.seq > $1 ORDER BY e.seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let ssr: i64 = row.try_get("ssr_critical")?;
                Ok(FeedEvent {
                    seq: row.try_get("seq")?,
                    record_id: row.try_get("record_id")?,
                    version: row.try_get("version")?,
                    org_id: row.try_get("org_id")?,
                    assignee: row.try_get("assignee")?,
                    ssr_critical: ssr != 0,
                })
            })
            .collect()
    }

    /// On PostgreSQL, listen for other replicas' commits and wake this one's feed readers
    /// (and load any new protected terms). Reconnects on failure; runs until the process
    /// ends.
    pub fn spawn_replica_listener(&self, url: String) {
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = store.listen(&url).await {
                    tracing::warn!(error = %e, "change notifications interrupted; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(&self, url: &str) -> Result<(), StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen("cims_events").await?;
        // Anything committed while not listening is picked up now.
        self.catch_up().await?;
        loop {
            listener.recv().await?;
            self.catch_up().await?;
        }
    }

    async fn catch_up(&self) -> Result<(), StoreError> {
        self.terms.sync(&self.pool).await?;
        self.refresh_latest().await?;
        Ok(())
    }
}
