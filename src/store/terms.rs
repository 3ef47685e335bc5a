//! The protected strings of every reporter in the store (R-PRIV-2), kept in memory for
//! redaction and search text, and in the database so every server replica knows them all.
//!
//! Search text is made with the terms known when a record is written (R-PRIV-8), so a
//! write and the arrival of a new term must not pass each other unseen: every write holds
//! the terms while it computes its search text (shared on PostgreSQL; SQLite writes one at
//! a time) and first loads any term another writer or replica committed. A write that
//! brings a new term stores it pending; the records that held it before are re-projected
//! by [`super::reproject`], once every write that began before the term was stored has
//! ended.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use sqlx::{Any, AnyPool, Row, Transaction};

use crate::domain::mask::ProtectedTerms;
use crate::domain::model::Reporter;

use super::{Backend, StoreError};

/// The advisory lock that orders writes against new protected terms on PostgreSQL.
const TERMS_LOCK: i64 = 0x0c1a_5e7e;

#[derive(Clone, Default)]
pub struct TermCache {
    inner: Arc<RwLock<Cache>>,
}

#[derive(Default)]
struct Cache {
    terms: ProtectedTerms,
    /// The highest sequence whose terms are loaded.
    loaded_to: i64,
    /// Terms were learnt for a write that did not commit: reload from the database, so
    /// this process never believes a term is stored when it is not.
    stale: bool,
}

/// The identifying strings of reporters, trimmed, once each.
pub(super) fn reporter_strings<'a>(
    reporters: impl IntoIterator<Item = &'a Reporter>,
) -> Vec<String> {
    let strings: BTreeSet<String> = reporters
        .into_iter()
        .flat_map(Reporter::identifying_strings)
        .map(|s| s.trim().to_string())
        .collect();
    strings.into_iter().collect()
}

/// The terms a write taught this process. Unless the write commits, the cache is reloaded
/// from the database, so it never holds a term that was not stored.
pub(super) struct Learning {
    cache: TermCache,
    learnt: Vec<String>,
    committed: bool,
}

impl Learning {
    /// Learn strings about to be stored, so the write's own search text is redacted of them.
    pub(super) fn learn(&mut self, strings: &[String]) {
        let learnt = self.cache.with(|cache| {
            strings
                .iter()
                .filter(|s| cache.terms.add(s))
                .cloned()
                .collect::<Vec<_>>()
        });
        self.learnt.extend(learnt);
    }

    /// The strings this write was the first to teach.
    pub(super) fn learnt(&self) -> &[String] {
        &self.learnt
    }

    pub(super) fn committed(mut self) {
        self.committed = true;
    }
}

impl Drop for Learning {
    fn drop(&mut self) {
        if !self.committed && !self.learnt.is_empty() {
            self.cache.with(|cache| cache.stale = true);
        }
    }
}

/// The protected terms, read-locked.
pub struct Terms<'a>(RwLockReadGuard<'a, Cache>);

impl std::ops::Deref for Terms<'_> {
    type Target = ProtectedTerms;

    fn deref(&self) -> &ProtectedTerms {
        &self.0.terms
    }
}

impl TermCache {
    /// The terms as they stand, for masking. Hold them only for the work at hand: never
    /// across an `await`.
    pub fn read(&self) -> Terms<'_> {
        Terms(match self.inner.read() {
            Ok(cache) => cache,
            Err(poisoned) => poisoned.into_inner(),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Cache) -> T) -> T {
        match self.inner.write() {
            Ok(mut cache) => f(&mut cache),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Nothing learnt yet, for a write about to begin.
    pub(super) fn learning(&self) -> Learning {
        Learning {
            cache: self.clone(),
            learnt: Vec::new(),
            committed: false,
        }
    }

    /// Hold the terms for a write and load what others committed (see the module doc).
    pub(super) async fn hold(
        &self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
    ) -> Result<(), StoreError> {
        if backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
                .bind(TERMS_LOCK)
                .execute(&mut **tx)
                .await?;
        }
        self.sync(&mut **tx).await
    }

    /// Wait until every write that holds the terms now has ended: a write that begins
    /// later loads every term stored before it. On SQLite writes run one at a time, and
    /// the next one in turn is such a write already.
    pub(super) async fn barrier(&self, pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
        if backend == Backend::Postgres {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(TERMS_LOCK)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Record new terms with the write that introduced them; the ones not stored before.
    pub(super) async fn remember(
        &self,
        tx: &mut Transaction<'_, Any>,
        terms: &[String],
        seq: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        let mut added = Vec::new();
        for chunk in terms.chunks(80) {
            let values: Vec<String> = (1..=chunk.len())
                .map(|i| format!("(${}, ${}, 1)", 2 * i - 1, 2 * i))
                .collect();
            let sql = format!(
                "INSERT INTO protected_terms (term, added_seq, pending) VALUES {} \
                 ON CONFLICT (term) DO NOTHING RETURNING term",
                values.join(", ")
            );
            // Only placeholders are generated: every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for term in chunk {
                query = query.bind(term.clone()).bind(seq);
            }
            for row in query.fetch_all(&mut **tx).await? {
                added.push(row.try_get("term")?);
            }
        }
        Ok(added)
    }

    /// Load the terms committed since the last load (by other writers or replicas); all
    /// of them when the cache may hold terms that were never stored.
    pub async fn sync<'c, E>(&self, db: E) -> Result<(), StoreError>
    where
        E: sqlx::Executor<'c, Database = Any>,
    {
        let (since, stale) = self.with(|cache| (cache.loaded_to, cache.stale));
        let since = if stale { 0 } else { since };
        let rows = sqlx::query(
            "SELECT term, added_seq FROM protected_terms WHERE added_seq > $1 ORDER BY added_seq",
        )
        .bind(since)
        .fetch_all(db)
        .await?;
        if rows.is_empty() && !stale {
            return Ok(());
        }
        let mut loaded = Vec::with_capacity(rows.len());
        for row in &rows {
            let term: String = row.try_get("term")?;
            let seq: i64 = row.try_get("added_seq")?;
            loaded.push((term, seq));
        }
        self.with(|cache| {
            if stale {
                cache.terms = ProtectedTerms::new();
                cache.stale = false;
            }
            for (term, seq) in &loaded {
                cache.terms.add(term);
                cache.loaded_to = cache.loaded_to.max(*seq);
            }
        });
        Ok(())
    }
}
