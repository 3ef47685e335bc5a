//! What each user last saw of each record, and the changes others made after it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::records::HistoryEvent;
use super::{Store, StoreError, db_time, parse_db_time};

/// When a user last looked at any record: the register's newest event then, and the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastLook {
    pub seq: i64,
    pub at: DateTime<Utc>,
}

impl Store {
    /// The newest event sequence of the register.
    pub async fn latest_seq(&self) -> Result<i64, StoreError> {
        let (last,): (i64,) = sqlx::query_as("SELECT last FROM event_seq WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(last)
    }

    /// `user` has seen `record_id` at `version`. A mark never goes back to an older version.
    pub async fn mark_seen(
        &self,
        user: &str,
        record_id: &str,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let turn = self.writes.turn().await;
        sqlx::query(
            "INSERT INTO record_seen (user_id, record_id, version, seq, seen_at) \
             VALUES ($1, $2, $3, (SELECT last FROM event_seq WHERE id = 1), $4) \
             ON CONFLICT (user_id, record_id) DO UPDATE SET \
             version = CASE WHEN excluded.version > record_seen.version \
                 THEN excluded.version ELSE record_seen.version END, \
             seq = excluded.seq, seen_at = excluded.seen_at",
        )
        .bind(user)
        .bind(record_id)
        .bind(version)
        .bind(db_time(now))
        .execute(turn.pool())
        .await?;
        Ok(())
    }

    /// The versions `user` has seen of these records (those never seen are absent).
    pub async fn seen_versions(
        &self,
        user: &str,
        records: &[&str],
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let mut seen = BTreeMap::new();
        for chunk in records.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT record_id, version FROM record_seen WHERE user_id = $1 \
                 AND record_id IN ({})",
                placeholders.join(", ")
            );
            // Only placeholders are generated: every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                seen.insert(row.try_get("record_id")?, row.try_get("version")?);
            }
        }
        Ok(seen)
    }

    /// When `user` last looked at a record, if ever.
    pub async fn last_look(&self, user: &str) -> Result<Option<LastLook>, StoreError> {
        let row = sqlx::query(
            "SELECT seq, seen_at FROM record_seen WHERE user_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let at: String = row.try_get("seen_at")?;
            Ok(LastLook {
                seq: row.try_get("seq")?,
                at: parse_db_time(&at)?,
            })
        })
        .transpose()
    }

    /// The newest events after `after` made by anyone but `user`, newest first, at most
    /// `limit`, with the record each belongs to.
    pub async fn changes_by_others(
        &self,
        after: i64,
        user: &str,
        limit: i64,
    ) -> Result<Vec<(String, HistoryEvent)>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, record_id, version, at, actor, payload FROM events \
             WHERE seq > $1 AND actor <> $2 ORDER BY seq DESC LIMIT $3",
        )
        .bind(after)
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at: String = row.try_get("at")?;
                let payload: String = row.try_get("payload")?;
                Ok((
                    row.try_get("record_id")?,
                    HistoryEvent {
                        seq: row.try_get("seq")?,
                        version: row.try_get("version")?,
                        event: crate::domain::events::Event {
                            at: parse_db_time(&at)?,
                            by: row.try_get("actor")?,
                            change: serde_json::from_str(&payload)
                                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        },
                    },
                ))
            })
            .collect()
    }
}
