//! Writes: on SQLite one at a time, through one connection, queued in this process.
//!
//! SQLite has one writer. A connection that finds the database locked waits in SQLite's
//! busy handler, sleeping in growing steps up to 100 ms and never in turn: with several
//! writers at once most of the time goes to sleeping, and one unlucky write can wait past
//! its timeout and fail. So this process's writes (a transaction, or one statement) queue
//! for their turn, first come first served, before SQLite's lock is asked for. (Another
//! process writing the same file still meets the busy handler.)
//!
//! They also share one connection: a connection's page cache is dropped whenever another
//! connection has written, so a writer that is always the same keeps the pages it needs
//! (the ends of the indexes) warm. PostgreSQL writes run side by side on the pool.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::Backend;

/// The writer's page cache on SQLite, in KiB (a negative `cache_size`).
const WRITER_CACHE_KIB: i64 = 262_144;

#[derive(Clone)]
pub(super) struct WriteQueue {
    pool: AnyPool,
    backend: Backend,
    turn: Arc<Mutex<()>>,
}

/// The turn to write, and the connections to write with.
pub(super) struct Turn<'a> {
    pool: &'a AnyPool,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Turn<'_> {
    pub(super) fn pool(&self) -> &AnyPool {
        self.pool
    }
}

/// A write transaction holding its turn until it commits or is dropped.
pub(super) struct WriteTx {
    // Declared first, so a dropped write rolls back before its turn passes on.
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteQueue {
    /// The writer of `url`: its own connection on SQLite, the readers' pool on PostgreSQL.
    pub(super) async fn connect(
        url: &str,
        backend: Backend,
        readers: &AnyPool,
    ) -> Result<WriteQueue, sqlx::Error> {
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            let sql = format!("PRAGMA cache_size = -{WRITER_CACHE_KIB}");
                            conn.execute(sqlx::AssertSqlSafe(sql)).await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => readers.clone(),
        };
        Ok(WriteQueue {
            pool,
            backend,
            turn: Arc::default(),
        })
    }

    /// Wait for the turn to write (SQLite only).
    pub(super) async fn turn(&self) -> Turn<'_> {
        Turn {
            pool: &self.pool,
            _turn: match self.backend {
                Backend::Sqlite => Some(self.turn.clone().lock_owned().await),
                Backend::Postgres => None,
            },
        }
    }

    /// Wait for the turn and begin; SQLite takes its write lock at once, so what the
    /// transaction reads stays current until it commits.
    pub(super) async fn begin(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.turn.clone().lock_owned().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx {
                    tx,
                    _turn: Some(turn),
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }

    pub(super) async fn close(&self) {
        if self.backend == Backend::Sqlite {
            self.pool.close().await;
        }
    }
}

impl WriteTx {
    pub(super) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = Transaction<'static, Any>;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}
