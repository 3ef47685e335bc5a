//! The audit log: who saw protected details, who exported, who changed ownership
//! (R-PRIV-5). Readable only by `admin` and `daom`, which the server enforces.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use super::{Store, StoreError, db_time, parse_db_time};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub record_id: Option<String>,
    pub detail: serde_json::Value,
}

const INSERT: &str =
    "INSERT INTO audit (at, actor, action, record_id, detail) VALUES ($1, $2, $3, $4, $5)";

/// An entry written by `executor`: the pool, or a transaction's connection.
async fn insert<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    actor: &str,
    action: &str,
    record_id: Option<&str>,
    detail: &serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(INSERT)
        .bind(db_time(at))
        .bind(actor)
        .bind(action)
        .bind(record_id)
        .bind(detail.to_string())
        .execute(executor)
        .await?;
    Ok(())
}

/// An entry written in `tx`, so that it stands or falls with the change it tells of.
pub(super) async fn audit_in(
    tx: &mut Transaction<'_, Any>,
    actor: &str,
    action: &str,
    record_id: Option<&str>,
    detail: &serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    insert(&mut **tx, actor, action, record_id, detail, at).await
}

impl Store {
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        record_id: Option<&str>,
        detail: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let turn = self.writes.turn().await;
        insert(turn.pool(), actor, action, record_id, detail, at).await
    }

    /// The newest entries first.
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, record_id, detail FROM audit ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at: String = row.try_get("at")?;
                let detail: String = row.try_get("detail")?;
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: parse_db_time(&at)?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    record_id: row.try_get("record_id")?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }
}
