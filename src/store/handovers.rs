//! Handovers between shifts: written by one worker to a person or an organisation, a line
//! per record, acknowledged once by one of those it is addressed to.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError, db_time, parse_db_time};

/// Whom a handover is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressee {
    User(String),
    /// Everyone of an organisation (the team on shift).
    Org(String),
}

#[derive(Debug, Clone)]
pub struct StoredHandover {
    pub id: i64,
    pub author: String,
    pub to: Addressee,
    pub written_at: DateTime<Utc>,
    /// Who acknowledged it, and when.
    pub acknowledged: Option<(String, DateTime<Utc>)>,
    /// Each record handed over, with its line, in the order written.
    pub items: Vec<(String, String)>,
}

/// What acknowledging came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acknowledged {
    Now,
    /// Someone had already: who, and when.
    Before(String, DateTime<Utc>),
    /// No such handover addressed to the user.
    NotYours,
}

impl Store {
    /// Keep a handover; its id.
    pub async fn write_handover(
        &self,
        author: &str,
        to: &Addressee,
        items: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let (to_user, to_org) = match to {
            Addressee::User(u) => (Some(u.as_str()), None),
            Addressee::Org(o) => (None, Some(o.as_str())),
        };
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO handovers (author, to_user, to_org, written_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(author)
        .bind(to_user)
        .bind(to_org)
        .bind(db_time(at))
        .fetch_one(&mut **tx)
        .await?;
        for (position, (record, line)) in items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO handover_items (handover_id, position, record_id, line) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(record)
            .bind(line)
            .execute(&mut **tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The newest handovers addressed to `user` or to their organisation, or written by
    /// them, at most `limit`.
    pub async fn handovers_of(
        &self,
        user: &str,
        org: &str,
        limit: i64,
    ) -> Result<Vec<StoredHandover>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, author, to_user, to_org, written_at, acknowledged_by, \
             acknowledged_at FROM handovers \
             WHERE to_user = $1 OR to_org = $2 OR author = $3 ORDER BY id DESC LIMIT $4",
        )
        .bind(user)
        .bind(org)
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut handovers = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let items = sqlx::query(
                "SELECT record_id, line FROM handover_items WHERE handover_id = $1 \
                 ORDER BY position",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("record_id")?, r.try_get("line")?)))
            .collect::<Result<Vec<(String, String)>, sqlx::Error>>()?;
            let to = match (
                row.try_get::<Option<String>, _>("to_user")?,
                row.try_get::<Option<String>, _>("to_org")?,
            ) {
                (Some(user), _) => Addressee::User(user),
                (None, Some(org)) => Addressee::Org(org),
                (None, None) => {
                    return Err(StoreError::Corrupt(format!("handover {id} is for no one")));
                }
            };
            let written: String = row.try_get("written_at")?;
            let by: Option<String> = row.try_get("acknowledged_by")?;
            let when: Option<String> = row.try_get("acknowledged_at")?;
            let acknowledged = match (by, when) {
                (Some(by), Some(when)) => Some((by, parse_db_time(&when)?)),
                _ => None,
            };
            handovers.push(StoredHandover {
                id,
                author: row.try_get("author")?,
                to,
                written_at: parse_db_time(&written)?,
                acknowledged,
                items,
            });
        }
        Ok(handovers)
    }

    /// `user` (of `org`) acknowledges a handover addressed to them or their organisation;
    /// the first acknowledgement stands.
    pub async fn acknowledge_handover(
        &self,
        id: i64,
        user: &str,
        org: &str,
        at: DateTime<Utc>,
    ) -> Result<Acknowledged, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT author, acknowledged_by, acknowledged_at FROM handovers \
             WHERE id = $1 AND (to_user = $2 OR to_org = $3)",
        )
        .bind(id)
        .bind(user)
        .bind(org)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            return Ok(Acknowledged::NotYours);
        };
        let author: String = row.try_get("author")?;
        if author == user {
            return Ok(Acknowledged::NotYours);
        }
        let by: Option<String> = row.try_get("acknowledged_by")?;
        let when: Option<String> = row.try_get("acknowledged_at")?;
        if let (Some(earlier), Some(at_then)) = (by, when) {
            return Ok(Acknowledged::Before(earlier, parse_db_time(&at_then)?));
        }
        sqlx::query(
            "UPDATE handovers SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3",
        )
        .bind(user)
        .bind(db_time(at))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        tx.commit().await?;
        Ok(Acknowledged::Now)
    }
}
