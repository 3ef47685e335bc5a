//! Reminders: personal follow-ups on records, each kept for its owner alone, open until
//! its owner marks it done.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError, db_time, parse_db_time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReminder {
    pub id: i64,
    pub record_id: String,
    pub due_at: DateTime<Utc>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// What marking a reminder done came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    Now,
    /// It was done before, at this time.
    Before(DateTime<Utc>),
    /// No such reminder of the user's.
    NotYours,
}

impl Store {
    /// Keep a reminder; its id.
    pub async fn add_reminder(
        &self,
        owner: &str,
        record: &str,
        due_at: DateTime<Utc>,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reminders (owner, record_id, due_at, note, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(owner)
        .bind(record)
        .bind(db_time(due_at))
        .bind(note)
        .bind(db_time(at))
        .fetch_one(&mut **tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// How many reminders `owner` has open.
    pub async fn open_reminder_count(&self, owner: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM reminders \
             WHERE owner = $1 AND done_at IS NULL",
        )
        .bind(owner)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// `owner`'s open reminders, soonest first, at most `limit`.
    pub async fn open_reminders(
        &self,
        owner: &str,
        limit: i64,
    ) -> Result<Vec<StoredReminder>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, record_id, due_at, note, created_at FROM reminders \
             WHERE owner = $1 AND done_at IS NULL ORDER BY due_at, id LIMIT $2",
        )
        .bind(owner)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredReminder {
                    id: row.try_get("id")?,
                    record_id: row.try_get("record_id")?,
                    due_at: parse_db_time(&row.try_get::<String, _>("due_at")?)?,
                    note: row.try_get("note")?,
                    created_at: parse_db_time(&row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    /// The soonest open reminder of `owner` on each of these records (those with none are
    /// absent).
    pub async fn reminders_on(
        &self,
        owner: &str,
        records: &[&str],
    ) -> Result<BTreeMap<String, DateTime<Utc>>, StoreError> {
        let mut soonest = BTreeMap::new();
        for chunk in records.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT record_id, MIN(due_at) AS due_at FROM reminders WHERE owner = $1 \
                 AND done_at IS NULL AND record_id IN ({}) GROUP BY record_id",
                placeholders.join(", ")
            );
            // Only placeholders are generated: every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(owner);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                let due: String = row.try_get("due_at")?;
                soonest.insert(row.try_get("record_id")?, parse_db_time(&due)?);
            }
        }
        Ok(soonest)
    }

    /// `owner` marks a reminder of theirs done; the first time stands.
    pub async fn finish_reminder(
        &self,
        id: i64,
        owner: &str,
        at: DateTime<Utc>,
    ) -> Result<Finished, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT done_at FROM reminders WHERE id = $1 AND owner = $2")
            .bind(id)
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else {
            return Ok(Finished::NotYours);
        };
        if let Some(done) = row.try_get::<Option<String>, _>("done_at")? {
            return Ok(Finished::Before(parse_db_time(&done)?));
        }
        sqlx::query("UPDATE reminders SET done_at = $1 WHERE id = $2")
            .bind(db_time(at))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        tx.commit().await?;
        Ok(Finished::Now)
    }
}
