//! What each user last saw of each record, and the changes others made after it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::queue::{Scope, Viewer};
use super::records::{HistoryEvent, history_event};
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

    /// The newest events after `after` made by anyone but the viewer, on records within
    /// their scope, newest first, at most `limit`, with the record each belongs to. The
    /// scope is applied here, so that the limit counts only what the viewer may see
    /// (R-PRIV-8).
    pub async fn changes_by_others(
        &self,
        after: i64,
        viewer: &Viewer,
        limit: i64,
    ) -> Result<Vec<(String, HistoryEvent)>, StoreError> {
        let scope = match viewer.scope {
            Scope::All => "",
            Scope::Own => " AND (r.org_id = $3 OR r.assignee = $2)",
            Scope::Regulator => {
                " AND (r.org_id = $3 OR r.assignee = $2 OR (r.kind = 'incident' AND r.ssr_critical = 1))"
            }
        };
        let sql = format!(
            "SELECT e.seq, e.record_id, e.version, e.at, e.actor, e.payload FROM events e \
             JOIN records r ON r.id = e.record_id \
             WHERE e.seq > $1 AND e.actor <> $2{scope} ORDER BY e.seq DESC LIMIT $4"
        );
        // The scope is one of three fixed texts; every value is bound.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(&viewer.user)
            .bind(&viewer.org)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("record_id")?, history_event(row)?)))
            .collect()
    }
}
