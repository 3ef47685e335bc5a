//! The person index (R-PERSON-1): every person each record names, with the blocking keys
//! that find them, kept in step with the record in the same transaction as its write. A
//! search for candidates reads only the mentions that share a key with the person sought,
//! so it costs the same whatever the size of the register.

use sqlx::{Any, Row, Transaction};

use crate::domain::model::Record;
use crate::domain::people::{Mention, MentionRef, PersonRecord, Role, keys, mentions};

use super::records::{VALUES_PER_STATEMENT, WriteError, corrupt, placeholders};
use super::{Backend, Store, StoreError};

/// A person as one record names them.
#[derive(Debug, Clone)]
pub struct StoredMention {
    pub record_id: String,
    pub role: Role,
    pub position: usize,
    pub person: PersonRecord,
}

impl StoredMention {
    /// Where this mention is.
    pub fn at(&self) -> MentionRef {
        MentionRef {
            record_id: self.record_id.clone(),
            role: self.role,
            position: self.position,
        }
    }
}

/// What the index holds of a record: who it names, and the organisation and assignee its
/// keys are read through. A write that changes none of them leaves the index as it is.
pub(super) fn index_of(record: &Record) -> (Vec<Mention>, String, Option<String>) {
    (
        mentions(record),
        record.org.clone(),
        record.assignee.clone(),
    )
}

/// Whether the records are new, with nothing indexed yet, or written before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Indexed {
    New,
    Before,
}

/// Index the mentions and keys of these records, replacing what was indexed of them.
pub(super) async fn index_people(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    records: &[&Record],
    indexed: Indexed,
) -> Result<(), WriteError> {
    for record in records.iter().filter(|_| indexed == Indexed::Before) {
        for table in ["person_mentions", "mention_keys"] {
            // The table name is one of two constants; the id is bound.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE record_id = $1"
            )))
            .bind(&record.id)
            .execute(&mut **tx)
            .await?;
        }
    }
    let mut mention_rows: Vec<(&str, Mention, String)> = Vec::new();
    let mut key_rows: Vec<(String, &Record, Role, usize)> = Vec::new();
    for record in records {
        for mention in mentions(record) {
            let data = serde_json::to_string(&mention.person).map_err(corrupt)?;
            for key in keys(&mention.person) {
                key_rows.push((key, record, mention.role, mention.position));
            }
            mention_rows.push((record.id.as_str(), mention, data));
        }
    }
    for chunk in mention_rows.chunks(VALUES_PER_STATEMENT / 4) {
        let sql = format!(
            "INSERT INTO person_mentions (record_id, role, position, data) VALUES {}",
            placeholders(backend, chunk.len(), 4)
        );
        // Only placeholders are generated: every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (record, mention, data) in chunk {
            query = query
                .bind(*record)
                .bind(mention.role.as_str())
                .bind(i64::try_from(mention.position).map_err(corrupt)?)
                .bind(data.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    for chunk in key_rows.chunks(VALUES_PER_STATEMENT / 6) {
        let sql = format!(
            "INSERT INTO mention_keys (key, record_id, role, position, org_id, assignee) \
             VALUES {}",
            placeholders(backend, chunk.len(), 6)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, record, role, position) in chunk {
            query = query
                .bind(key.as_str())
                .bind(record.id.as_str())
                .bind(role.as_str())
                .bind(i64::try_from(*position).map_err(corrupt)?)
                .bind(record.org.as_str())
                .bind(record.assignee.clone());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The most mentions one key contributes to a search: its newest. A common name's
/// year block may hold more; the name with the whole date of birth (`fd:`) holds few.
const PER_KEY: usize = 120;

/// Whose mentions a search may read: the caller's own sight, applied before any limit, so
/// what is left out never depends on what they may not see (R-PERSON-3, R-PRIV-8).
#[derive(Debug, Clone)]
pub struct MentionSight {
    /// May see identifying details of every record (protective interveners).
    pub everywhere: bool,
    /// Otherwise, those of their organisation's records and of those assigned to them.
    pub org: String,
    pub user: String,
    /// May see protected details, and so match against reporters.
    pub reporters: bool,
}

impl Store {
    /// The mentions the caller may see that share a blocking key with `person`, at most
    /// `limit`, most keys shared first.
    pub async fn mentions_sharing_keys(
        &self,
        person: &PersonRecord,
        sight: &MentionSight,
        limit: i64,
    ) -> Result<Vec<StoredMention>, StoreError> {
        let wanted: Vec<String> = keys(person).into_iter().collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let reporters = if sight.reporters {
            ""
        } else {
            " AND role <> 'reporter'"
        };
        // Per key, its newest mentions within the caller's sight, at most PER_KEY: the
        // sight is applied before the cut (R-PRIV-8), and the cut bounds the work.
        let read = |key: usize, within: &str| {
            format!(
                "SELECT * FROM (SELECT record_id, role, position FROM mention_keys \
                 WHERE key = ${key}{within}{reporters} ORDER BY record_id DESC LIMIT {PER_KEY}) \
                 AS k{key}"
            )
        };
        let first_key = if sight.everywhere { 2 } else { 4 };
        let per_key: Vec<String> = (0..wanted.len())
            .map(|i| {
                let key = i + first_key;
                if sight.everywhere {
                    read(key, "")
                } else {
                    format!(
                        "SELECT * FROM ({} UNION {}) AS s{key}",
                        read(key, " AND org_id = $2"),
                        read(key, " AND assignee = $3")
                    )
                }
            })
            .collect();
        let sql = format!(
            "SELECT m.record_id, m.role, m.position, m.data FROM person_mentions m JOIN \
             (SELECT record_id, role, position, COUNT(*) AS shared FROM ({}) AS postings \
              GROUP BY record_id, role, position ORDER BY shared DESC, record_id LIMIT $1) k \
             ON m.record_id = k.record_id AND m.role = k.role AND m.position = k.position \
             ORDER BY k.shared DESC, m.record_id",
            per_key.join(" UNION ALL ")
        );
        // Only placeholders are generated: every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
        if !sight.everywhere {
            query = query.bind(sight.org.as_str()).bind(sight.user.as_str());
        }
        for key in &wanted {
            query = query.bind(key.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(stored_mention).collect()
    }
}

/// A mention as `SELECT record_id, role, position, data` reads it.
pub(super) fn stored_mention(row: &sqlx::any::AnyRow) -> Result<StoredMention, StoreError> {
    let role: String = row.try_get("role")?;
    let position: i64 = row.try_get("position")?;
    let data: String = row.try_get("data")?;
    Ok(StoredMention {
        record_id: row.try_get("record_id")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("a mention's role {role:?}")))?,
        position: usize::try_from(position).map_err(corrupt)?,
        person: serde_json::from_str(&data).map_err(corrupt)?,
    })
}
