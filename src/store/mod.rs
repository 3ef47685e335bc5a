//! Persistence (DESIGN §2, §6): an append-only event log plus a projection of each record's
//! current state, on SQLite (embedded default, WAL) or PostgreSQL (`postgres://` URL),
//! through one SQL code path (sqlx `Any`).

mod accounts;
mod audit;
mod counts;
mod creates;
mod feed;
mod handovers;
mod idempotency;
mod identities;
mod migrate;
mod people;
mod queue;
mod records;
mod reminders;
mod reproject;
mod seen;
mod submissions;
mod terms;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use tokio::sync::watch;

pub use accounts::{NewUser, Organisation, User, hash_password};
pub use audit::AuditEntry;
pub use feed::FeedEvent;
pub use handovers::{Acknowledged, Addressee, StoredHandover};
pub use idempotency::Stored;
pub use identities::{LinkKind, NewLink, PersonLink, Undone};
pub use people::{KeyRows, MentionSight, Sharing, StoredMention};
pub use queue::{Page, QueueError, QueueQuery, QueueRow, Scope, SortKey, Viewer};
pub use records::{
    Appended, CommandRequest, HistoryEvent, IdempotencyKey, NewRecord, WriteError, id_prefix,
};
pub use reminders::{Finished, StoredReminder};
pub use seen::LastLook;
pub use submissions::{
    Answered, BatchBuilt, Submission, SubmissionFilter, SubmissionStatus, answer_audit, audit_entry,
};
pub use terms::TermCache;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL {0:?} is neither a SQLite path or sqlite: URL nor a postgres:// URL")]
    BadUrl(String),
    #[error(
        "the directory {0} for the database file does not exist: create it, or choose another path"
    )]
    NoDirectory(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

/// The store: a pool, the backend it talks to, and the newest event sequence it knows of
/// (a wake-up for change-feed readers).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    latest: Arc<watch::Sender<i64>>,
    terms: TermCache,
    writes: writer::WriteQueue,
    creates: creates::CreateQueue,
    reprojector: reproject::Reprojector,
    /// Woken when a submission is queued or to be tried again (R-SUBMIT-1).
    outbox: Arc<tokio::sync::Notify>,
    /// Whether this server sends non-major incident reports in month-end batches
    /// (R-SUBMIT-4): its submissions config says so.
    batching: Arc<std::sync::atomic::AtomicBool>,
}

/// Text form of an instant in the database: RFC 3339 UTC, to the second, so it sorts.
pub fn db_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse_db_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("bad time {text:?}")))
}

/// A SQLite file path or URL, or a `postgres://` URL, as the URL sqlx wants.
fn normalise_url(db: &str) -> Result<(Backend, String), StoreError> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok((Backend::Postgres, db.to_string()))
    } else if db.starts_with("sqlite:") {
        Ok((Backend::Sqlite, db.to_string()))
    } else if db.contains("://") || db.trim().is_empty() {
        Err(StoreError::BadUrl(db.to_string()))
    } else {
        let dir = std::path::Path::new(db)
            .parent()
            .filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|d| !d.is_dir()) {
            return Err(StoreError::NoDirectory(dir.display().to_string()));
        }
        Ok((Backend::Sqlite, format!("sqlite://{db}?mode=rwc")))
    }
}

impl Store {
    /// Open (creating if need be) and migrate the database.
    pub async fn open(db: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise_url(db)?;
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let pool = options.connect(&url).await?;
        if backend == Backend::Sqlite {
            // WAL lets readers go on while one writer commits; the setting is kept in the file.
            pool.execute("PRAGMA journal_mode=WAL").await?;
        }
        migrate::run(&pool, backend).await?;
        if backend == Backend::Sqlite {
            // Statistics for the query planner, where they are missing or stale.
            pool.execute("PRAGMA optimize=0x10002").await?;
        }
        let writes = writer::WriteQueue::connect(&url, backend, &pool).await?;
        let (latest, _) = watch::channel(0);
        let store = Store {
            pool,
            backend,
            latest: Arc::new(latest),
            outbox: Arc::new(tokio::sync::Notify::new()),
            batching: Arc::default(),
            terms: TermCache::default(),
            writes,
            creates: creates::CreateQueue::default(),
            reprojector: reproject::Reprojector::default(),
        };
        store.refresh_latest().await?;
        store.terms.sync(&store.pool).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The protected strings (reporters' identifying details) known to this store.
    /// Woken when a submission is queued or to be tried again: the delivering worker
    /// waits on it between looks.
    pub fn outbox(&self) -> Arc<tokio::sync::Notify> {
        self.outbox.clone()
    }

    /// Hold non-major incident reports for their month's batch from now on (R-SUBMIT-4),
    /// or send each on its own.
    pub fn batch_non_major(&self, on: bool) {
        self.batching
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn batching(&self) -> bool {
        self.batching.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn terms(&self) -> &TermCache {
        &self.terms
    }

    /// Load the protected strings other replicas committed, before answering a read, so
    /// what this replica masks is what every replica would (R-PRIV-2).
    pub async fn sync_terms(&self) -> Result<(), StoreError> {
        self.terms.sync(&self.pool).await
    }

    /// Is the database answering?
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Refresh the planner's statistics, after a bulk import for instance.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "ANALYZE records",
        };
        let turn = self.writes.turn().await;
        sqlx::query(sql).execute(turn.pool()).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.writes.close().await;
        self.pool.close().await;
    }
}
