//! The person index (R-PERSON-1): every person each record names, with the blocking keys
//! that find them, kept in step with the record in the same transaction as its write. A
//! search for candidates reads only the key rows it shares with the person sought, each
//! with the mention's digest, so it costs the same whatever the size of the register.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Any, Row, Transaction};

use crate::domain::model::Record;
use crate::domain::people::{Mention, MentionRef, PersonRecord, Role, digest, keys, mentions};

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
    let mut key_rows: Vec<(String, &Record, Role, usize, Option<String>)> = Vec::new();
    for record in records {
        for mention in mentions(record) {
            let data = serde_json::to_string(&mention.person).map_err(corrupt)?;
            let digest = digest(&mention.person);
            for key in keys(&mention.person) {
                key_rows.push((key, record, mention.role, mention.position, digest.clone()));
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
    for chunk in key_rows.chunks(VALUES_PER_STATEMENT / 7) {
        let sql = format!(
            "INSERT INTO mention_keys (key, record_id, role, position, org_id, assignee, \
             digest) VALUES {}",
            placeholders(backend, chunk.len(), 7)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, record, role, position, digest) in chunk {
            query = query
                .bind(key.as_str())
                .bind(record.id.as_str())
                .bind(role.as_str())
                .bind(i64::try_from(*position).map_err(corrupt)?)
                .bind(record.org.as_str())
                .bind(record.assignee.clone())
                .bind(digest.clone());
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

/// A mention that shares keys with the person sought, as its key rows tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sharing {
    pub at: MentionRef,
    /// The keys it was read under.
    pub keys: BTreeSet<String>,
    /// Its names and date of birth ([`crate::domain::people::digest`]), if it has one.
    pub digest: Option<String>,
}

/// The key rows a search read: each mention once, and the keys whose every row within
/// the caller's sight was read (none was cut at [`PER_KEY`]).
#[derive(Debug, Clone, Default)]
pub struct KeyRows {
    pub mentions: Vec<Sharing>,
    pub whole: BTreeSet<String>,
}

/// One read of one key's newest rows: by the key alone, or within the caller's
/// organisation or assignments. Only placeholders and constants are written into it.
fn key_read(param: usize, part: usize, within: &str, reporters: &str) -> String {
    format!(
        "SELECT * FROM (SELECT key, record_id, role, position, digest, \
         CAST({part} AS BIGINT) AS part FROM mention_keys{within} \
         {reporters} ORDER BY record_id DESC, role DESC, position DESC LIMIT {PER_KEY}) \
         AS k{param}_{part}"
    )
}

/// Where a read of one key finds its rows: the key alone, or within the caller's
/// organisation or assignments through the index that holds them in order. SQLite's
/// planner, which sees that most keys hold a few rows, would otherwise walk a large
/// block through the table's own order; it is told which index to use.
fn within(backend: Backend, param: usize, sight: Option<(&str, &str)>) -> String {
    let Some((index, column)) = sight else {
        return format!(" WHERE key = ${param}");
    };
    let indexed = match backend {
        Backend::Sqlite => format!(" INDEXED BY {index}"),
        Backend::Postgres => String::new(),
    };
    format!("{indexed} WHERE key = ${param} AND {column}")
}

impl Store {
    /// The key rows the caller may see that `person` shares, at most the newest
    /// [`PER_KEY`] of each key in each part of their sight, in one narrow read per key.
    pub async fn key_rows(
        &self,
        person: &PersonRecord,
        sight: &MentionSight,
    ) -> Result<KeyRows, StoreError> {
        let wanted: Vec<String> = keys(person).into_iter().collect();
        if wanted.is_empty() {
            return Ok(KeyRows::default());
        }
        let reporters = if sight.reporters {
            ""
        } else {
            " AND role <> 'reporter'"
        };
        // The sight is applied before each cut (R-PRIV-8), and the cut bounds the work.
        let first_key = if sight.everywhere { 1 } else { 3 };
        let reads: Vec<String> = (first_key..first_key + wanted.len())
            .flat_map(|param| {
                if sight.everywhere {
                    vec![key_read(
                        param,
                        0,
                        &within(self.backend, param, None),
                        reporters,
                    )]
                } else {
                    let org = Some(("mention_keys_org", "org_id = $1"));
                    let assigned = Some(("mention_keys_assignee", "assignee = $2"));
                    vec![
                        key_read(param, 1, &within(self.backend, param, org), reporters),
                        key_read(param, 2, &within(self.backend, param, assigned), reporters),
                    ]
                }
            })
            .collect();
        let sql = reads.join(" UNION ALL ");
        // Only placeholders are generated: every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if !sight.everywhere {
            query = query.bind(sight.org.as_str()).bind(sight.user.as_str());
        }
        for key in &wanted {
            query = query.bind(key.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        key_rows_of(&wanted, &rows)
    }
}

/// The mentions of the rows read, each once, and the keys read whole.
fn key_rows_of(wanted: &[String], rows: &[sqlx::any::AnyRow]) -> Result<KeyRows, StoreError> {
    let mut mentions: BTreeMap<MentionRef, Sharing> = BTreeMap::new();
    let mut read: BTreeMap<(String, i64), usize> = BTreeMap::new();
    for row in rows {
        let key: String = row.try_get("key")?;
        *read.entry((key.clone(), row.try_get("part")?)).or_default() += 1;
        let at = mention_ref(row)?;
        let sharing = mentions.entry(at.clone()).or_insert_with(|| Sharing {
            at,
            keys: BTreeSet::new(),
            digest: None,
        });
        sharing.digest = row.try_get("digest")?;
        sharing.keys.insert(key);
    }
    let whole = wanted
        .iter()
        .filter(|key| read.iter().all(|((k, _), n)| k != *key || *n < PER_KEY))
        .cloned()
        .collect();
    Ok(KeyRows {
        mentions: mentions.into_values().collect(),
        whole,
    })
}

/// Where the mention a row names is.
fn mention_ref(row: &sqlx::any::AnyRow) -> Result<MentionRef, StoreError> {
    let role: String = row.try_get("role")?;
    let position: i64 = row.try_get("position")?;
    Ok(MentionRef {
        record_id: row.try_get("record_id")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("a mention's role {role:?}")))?,
        position: usize::try_from(position).map_err(corrupt)?,
    })
}

/// A mention as `SELECT record_id, role, position, data` reads it.
pub(super) fn stored_mention(row: &sqlx::any::AnyRow) -> Result<StoredMention, StoreError> {
    let at = mention_ref(row)?;
    let data: String = row.try_get("data")?;
    Ok(StoredMention {
        record_id: at.record_id,
        role: at.role,
        position: at.position,
        person: serde_json::from_str(&data).map_err(corrupt)?,
    })
}
