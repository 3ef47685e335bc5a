//! The protected strings of every reporter in the store (R-PRIV-2), kept in memory for
//! redaction and search, persisted so every server replica knows them all.

use std::sync::{Arc, RwLock};

use sqlx::{Any, AnyPool, Row, Transaction};

use crate::domain::mask::ProtectedTerms;
use crate::domain::model::Reporter;

use super::StoreError;

#[derive(Clone, Default)]
pub struct TermCache {
    inner: Arc<RwLock<Cache>>,
}

#[derive(Default)]
struct Cache {
    terms: Arc<ProtectedTerms>,
    /// The highest event sequence whose terms are loaded.
    loaded_to: i64,
}

impl TermCache {
    /// The terms as they stand; cheap to take, never blocks a writer for long.
    pub fn snapshot(&self) -> Arc<ProtectedTerms> {
        match self.inner.read() {
            Ok(cache) => Arc::clone(&cache.terms),
            Err(poisoned) => Arc::clone(&poisoned.into_inner().terms),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Cache) -> T) -> T {
        match self.inner.write() {
            Ok(mut cache) => f(&mut cache),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    pub(super) fn add_reporter(&self, reporter: &Reporter) {
        self.with(|cache| Arc::make_mut(&mut cache.terms).add_reporter(reporter));
    }

    /// Record terms in the database with the write that introduced them.
    pub(super) async fn remember(
        &self,
        tx: &mut Transaction<'_, Any>,
        terms: &std::collections::BTreeSet<&str>,
        seq: i64,
    ) -> Result<(), sqlx::Error> {
        let terms: std::collections::BTreeSet<&str> = terms.iter().map(|t| t.trim()).collect();
        let terms: Vec<&str> = terms.into_iter().collect();
        for chunk in terms.chunks(80) {
            let values: Vec<String> = (1..=chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i - 1, 2 * i))
                .collect();
            let sql = format!(
                "INSERT INTO protected_terms (term, added_seq) VALUES {} ON CONFLICT (term) DO NOTHING",
                values.join(", ")
            );
            // Only placeholders are generated: every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for term in chunk {
                query = query.bind(term.to_string()).bind(seq);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Load terms other writers (or other replicas) added since the last load.
    pub async fn refresh(&self, pool: &AnyPool) -> Result<(), StoreError> {
        let since = self.with(|cache| cache.loaded_to);
        let rows = sqlx::query(
            "SELECT term, added_seq FROM protected_terms WHERE added_seq > $1 ORDER BY added_seq",
        )
        .bind(since)
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut loaded = Vec::with_capacity(rows.len());
        for row in &rows {
            let term: String = row.try_get("term")?;
            let seq: i64 = row.try_get("added_seq")?;
            loaded.push((term, seq));
        }
        self.with(|cache| {
            let terms = Arc::make_mut(&mut cache.terms);
            for (term, seq) in &loaded {
                terms.add(term);
                cache.loaded_to = cache.loaded_to.max(*seq);
            }
        });
        Ok(())
    }
}
