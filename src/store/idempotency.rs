//! `Idempotency-Key`: the same key and body give the same result, once.

use chrono::{DateTime, Utc};
use sqlx::{Any, Row, Transaction};

use super::{IdempotencyKey, Store, StoreError, db_time};

/// What a key was used for: the request's hash and the record it created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub request_hash: String,
    pub status: i64,
    pub record_id: String,
}

pub(super) async fn remember(
    tx: &mut Transaction<'_, Any>,
    key: &IdempotencyKey,
    status: i64,
    record_id: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO idempotency (user_id, key, request_hash, status, response, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&key.user)
    .bind(&key.key)
    .bind(&key.request_hash)
    .bind(status)
    .bind(record_id)
    .bind(db_time(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    pub async fn idempotent(&self, user: &str, key: &str) -> Result<Option<Stored>, StoreError> {
        let row = sqlx::query(
            "SELECT request_hash, status, response FROM idempotency WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(Stored {
                request_hash: row.try_get("request_hash")?,
                status: row.try_get("status")?,
                record_id: row.try_get("response")?,
            })),
        }
    }
}
