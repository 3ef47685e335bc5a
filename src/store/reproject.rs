//! Re-projection of the records that hold a newly protected term (R-PRIV-8).
//!
//! A write that brings a reporter's name, phone, email or address stores it as a protected
//! term at once, marked pending, and its own records' search text is redacted of it. The
//! records written before, whose text may name the same person, are re-projected afterwards,
//! many terms at a time: by a task started when the write commits, and, whatever that task
//! has reached, before any search runs. So a search never reads text made without a term
//! that is stored, and a write does not pay for finding the records of every other.
//!
//! Finding the holders goes through the full-text index of the words records hold, never by
//! reading every record. They are looked for only once every write that began before the
//! terms were stored, and so may have made its text without them, has ended (on PostgreSQL
//! the advisory lock every write holds shared is taken exclusively for a moment); a write
//! that begins later knows them. A holder changed since it was read is left as its own
//! write made it, with the terms known.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::Row;

use crate::domain::mask::{patterns, search_text};
use crate::domain::model::Record;
use crate::domain::policy::PolicySet;

use super::records::corrupt;
use super::{Backend, Store, StoreError};

/// How long the task waits before it starts, so the terms of the creates arriving together
/// are looked for together.
const GATHER: Duration = Duration::from_millis(250);

/// Terms to a full-text query, terms to a pass, and records to a statement.
const TERMS_PER_QUERY: usize = 100;
const TERMS_PER_PASS: usize = 2000;
const RECORDS_PER_READ: usize = 200;

/// Whether this process has a re-projection task running.
#[derive(Clone, Default)]
pub(super) struct Reprojector {
    running: Arc<AtomicBool>,
}

impl Store {
    /// Start re-projecting in the background, unless this process already is.
    pub(super) fn reproject_soon(&self, policies: Arc<PolicySet>) {
        if self.reprojector.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(GATHER).await;
                if let Err(e) = store.reproject_pending(&policies).await {
                    // A search re-projects what is still pending before it runs.
                    tracing::warn!(error = %e, "re-projecting records that hold new protected terms");
                }
                store.reprojector.running.store(false, Ordering::Release);
                // A term stored while the task was finishing found it running.
                let again = matches!(store.has_pending().await, Ok(true));
                if !again || store.reprojector.running.swap(true, Ordering::AcqRel) {
                    return;
                }
            }
        });
    }

    /// Is any stored term still waiting for the records that hold it to be re-projected?
    async fn has_pending(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT term FROM protected_terms WHERE pending = 1 LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Re-project every record holding a term pending now. Searches call this first, so
    /// they never read text made without a stored term. (A term stored while it runs may be
    /// left for the next: a search that began before it was stored is answered as of then.)
    pub(super) async fn reproject_pending(&self, policies: &PolicySet) -> Result<(), StoreError> {
        loop {
            // A pass that took fewer than it could left nothing pending from before it.
            if self.reproject_pass(policies).await? < TERMS_PER_PASS {
                return Ok(());
            }
        }
    }

    /// One pass over the oldest pending terms, up to [`TERMS_PER_PASS`]: how many it took.
    async fn reproject_pass(&self, policies: &PolicySet) -> Result<usize, StoreError> {
        let terms: Vec<String> = sqlx::query(
            "SELECT term FROM protected_terms WHERE pending = 1 ORDER BY added_seq LIMIT $1",
        )
        .bind(i64::try_from(TERMS_PER_PASS).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get("term"))
        .collect::<Result<_, _>>()?;
        if terms.is_empty() {
            // Nothing is pending, or another task or replica finished first.
            return Ok(0);
        }
        self.terms.barrier(&self.pool, self.backend).await?;
        let mut tx = self.writes.begin().await?;
        self.terms.sync(&mut **tx).await?;
        let mut holders = BTreeSet::new();
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT id FROM records WHERE rowid IN \
                 (SELECT rowid FROM records_words WHERE records_words MATCH $1)"
            }
            Backend::Postgres => {
                "SELECT id FROM records \
                 WHERE to_tsvector('simple', search_words) @@ to_tsquery('simple', $1)"
            }
        };
        for chunk in terms.chunks(TERMS_PER_QUERY) {
            if let Some(query) = word_query(self.backend, chunk) {
                let ids: Vec<(String,)> =
                    sqlx::query_as(sql).bind(query).fetch_all(&mut **tx).await?;
                holders.extend(ids.into_iter().map(|(id,)| id));
            }
        }
        let holders: Vec<String> = holders.into_iter().collect();
        for chunk in holders.chunks(RECORDS_PER_READ) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT version, state, search_open, search_identifying, search_protected, \
                 search_words \
                 FROM records WHERE id IN ({})",
                params.join(", ")
            );
            // Only placeholders are generated: every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            let rows = query.fetch_all(&mut **tx).await?;
            for row in &rows {
                let version: i64 = row.try_get("version")?;
                let state: String = row.try_get("state")?;
                let record: Record = serde_json::from_str(&state).map_err(corrupt)?;
                let text = search_text(&record, policies.of_record(&record), &self.terms.read());
                let stored: [String; 4] = [
                    row.try_get("search_open")?,
                    row.try_get("search_identifying")?,
                    row.try_get("search_protected")?,
                    row.try_get("search_words")?,
                ];
                // The records whose text was made with the terms known already stand.
                if stored
                    == [&text.open, &text.identifying, &text.protected, &text.words]
                        .map(String::as_str)
                {
                    continue;
                }
                // Only the search text changes: the rest of the projection stands.
                sqlx::query(
                    "UPDATE records SET search_open = $1, search_identifying = $2, \
                     search_protected = $3, search_words = $4 WHERE id = $5 AND version = $6",
                )
                .bind(text.open)
                .bind(text.identifying)
                .bind(text.protected)
                .bind(text.words)
                .bind(record.id.as_str())
                .bind(version)
                .execute(&mut **tx)
                .await?;
            }
        }
        for chunk in terms.chunks(RECORDS_PER_READ) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "UPDATE protected_terms SET pending = 0 WHERE term IN ({})",
                params.join(", ")
            );
            // Only placeholders are generated: every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for term in chunk {
                query = query.bind(term.as_str());
            }
            query.execute(&mut **tx).await?;
        }
        tx.commit().await?;
        Ok(terms.len())
    }
}

/// The full-text query that finds the records holding any of `terms`: one of a term's
/// spellings as a phrase, its words next to each other in order. Words are letters and
/// digits only, so quoting them is safe.
fn word_query(backend: Backend, terms: &[String]) -> Option<String> {
    let groups: Vec<String> = terms
        .iter()
        .flat_map(|term| patterns(term))
        .map(|words| match backend {
            Backend::Sqlite => format!("\"{}\"", words.join(" ")),
            Backend::Postgres => {
                let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
                format!("({})", quoted.join(" <-> "))
            }
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    Some(groups.join(match backend {
        Backend::Sqlite => " OR ",
        Backend::Postgres => " | ",
    }))
}
