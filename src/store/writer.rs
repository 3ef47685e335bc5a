//! Write transactions, one at a time on SQLite, queued in this process.
//!
//! SQLite has one writer. A connection that finds the database locked waits in SQLite's
//! busy handler, sleeping in growing steps up to 100 ms and never in turn: with several
//! writers at once most of the time goes to sleeping, and one unlucky write can wait past
//! its timeout and fail. So this process's writers (a transaction, or one statement)
//! queue for their turn, first come first
//! served, before SQLite's lock is asked for. (Another process writing the same file still
//! meets the busy handler.) PostgreSQL writers run side by side.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::Backend;

/// The turn of this process's SQLite writers.
#[derive(Clone, Default)]
pub(super) struct WriteQueue(Arc<Mutex<()>>);

/// A write transaction holding its turn until it commits or is dropped.
pub(super) struct WriteTx {
    // Declared first, so a dropped write rolls back before its turn passes on.
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteQueue {
    /// Wait for the turn to write one statement outside a transaction (SQLite only).
    pub(super) async fn turn(&self, backend: Backend) -> Option<OwnedMutexGuard<()>> {
        match backend {
            Backend::Sqlite => Some(self.0.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// Wait for the turn (SQLite only) and begin; SQLite takes its write lock at once, so
    /// what the transaction reads stays current until it commits.
    pub(super) async fn begin(
        &self,
        pool: &AnyPool,
        backend: Backend,
    ) -> Result<WriteTx, sqlx::Error> {
        match backend {
            Backend::Sqlite => {
                let turn = self.turn(backend).await;
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx { tx, _turn: turn })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: pool.begin().await?,
                _turn: None,
            }),
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
