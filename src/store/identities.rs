//! People as identities (R-PERSON-1, R-PERSON-2). Every mention of a person in a record is
//! a person of its own, named `<record>.<role><position>`; a practitioner's decision that two
//! mentions are one person, or that they are not, is a link between them, kept with who
//! decided it, when and why, and undone in place, never deleted. A person is every mention
//! joined by "same" links not undone;
//! the server follows only the links a caller may see both ends of, so who a person is never
//! depends on a record the caller may not see (R-PERSON-3, R-PRIV-8).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::domain::people::MentionRef;

use super::people::{StoredMention, stored_mention};
use super::records::{VALUES_PER_STATEMENT, corrupt, placeholders};
use super::{Store, StoreError};

/// What a practitioner decided of two mentions (R-PERSON-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// They are one person.
    Same,
    /// They are not: matching stops proposing the one as the other, and the two cannot be
    /// merged while the decision stands.
    Distinct,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Same => "same",
            LinkKind::Distinct => "distinct",
        }
    }

    fn parse(text: &str) -> Result<LinkKind, StoreError> {
        match text {
            "same" => Ok(LinkKind::Same),
            "distinct" => Ok(LinkKind::Distinct),
            other => Err(corrupt(format!("person link kind {other:?}"))),
        }
    }
}

/// A decision about two mentions, and its undoing if it was undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLink {
    pub id: i64,
    pub kind: LinkKind,
    pub a: String,
    pub b: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub reason: String,
    pub undone: Option<Undone>,
}

impl PersonLink {
    /// The other end, seen from `from`.
    pub fn other(&self, from: &str) -> &str {
        if self.a == from { &self.b } else { &self.a }
    }

    /// A decision that they are one person, not undone: one a person is followed along.
    pub fn joins(&self) -> bool {
        self.kind == LinkKind::Same && self.undone.is_none()
    }

    /// A decision that they are not one person, not undone.
    pub fn keeps_apart(&self) -> bool {
        self.kind == LinkKind::Distinct && self.undone.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    pub actor: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

const LINK_COLUMNS: &str = "id, kind, a, b, actor, at, reason, undone_by, undone_at, undo_reason";

/// Links read per statement (each id is bound twice).
const LINKS_PER_READ: usize = 200;

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(corrupt)
}

fn link_of(row: &sqlx::any::AnyRow) -> Result<PersonLink, StoreError> {
    let at: String = row.try_get("at")?;
    let undone_at: Option<String> = row.try_get("undone_at")?;
    let undone = match undone_at {
        None => None,
        Some(at) => Some(Undone {
            actor: row
                .try_get::<Option<String>, _>("undone_by")?
                .unwrap_or_default(),
            at: time(&at)?,
            reason: row
                .try_get::<Option<String>, _>("undo_reason")?
                .unwrap_or_default(),
        }),
    };
    Ok(PersonLink {
        id: row.try_get("id")?,
        kind: LinkKind::parse(&row.try_get::<String, _>("kind")?)?,
        a: row.try_get("a")?,
        b: row.try_get("b")?,
        actor: row.try_get("actor")?,
        at: time(&at)?,
        reason: row.try_get("reason")?,
        undone,
    })
}

/// A decision written in bulk (the demo's practitioners' decisions).
#[derive(Debug, Clone)]
pub struct NewLink {
    pub kind: LinkKind,
    pub a: String,
    pub b: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl Store {
    /// Write decisions made elsewhere, as they were made.
    pub async fn import_links(&self, links: &[NewLink]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for chunk in links.chunks(VALUES_PER_STATEMENT / 6) {
            let sql = format!(
                "INSERT INTO person_links (kind, a, b, actor, at, reason) VALUES {}",
                placeholders(self.backend, chunk.len(), 6)
            );
            // Only placeholders are generated: every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for link in chunk {
                query = query
                    .bind(link.kind.as_str())
                    .bind(link.a.as_str())
                    .bind(link.b.as_str())
                    .bind(link.actor.as_str())
                    .bind(link.at.to_rfc3339())
                    .bind(link.reason.as_str());
            }
            query.execute(&mut **tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The mention at `at`, if the record names someone there.
    pub async fn mention(&self, at: &MentionRef) -> Result<Option<StoredMention>, StoreError> {
        Ok(self
            .mentions(std::slice::from_ref(at))
            .await?
            .into_iter()
            .next())
    }

    /// The mentions at these places that a record names, in one read per chunk of
    /// records; a place no record names is left out.
    pub async fn mentions(&self, at: &[MentionRef]) -> Result<Vec<StoredMention>, StoreError> {
        let wanted: BTreeSet<&MentionRef> = at.iter().collect();
        let records: Vec<&str> = wanted
            .iter()
            .map(|m| m.record_id.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut found = Vec::new();
        for chunk in records.chunks(LINKS_PER_READ) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            // Only placeholders are generated: every value is bound.
            let sql = format!(
                "SELECT record_id, role, position, data FROM person_mentions \
                 WHERE record_id IN ({})",
                params.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                let mention = stored_mention(&row)?;
                if wanted.contains(&mention.at()) {
                    found.push(mention);
                }
            }
        }
        Ok(found)
    }

    /// Every link, made or undone, with an end at one of these mentions; oldest first.
    pub async fn links_of(&self, ends: &[String]) -> Result<Vec<PersonLink>, StoreError> {
        let mut links = Vec::new();
        for chunk in ends.chunks(LINKS_PER_READ) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let list = params.join(", ");
            // Only placeholders are generated: every value is bound.
            let sql = format!(
                "SELECT {LINK_COLUMNS} FROM person_links WHERE a IN ({list}) OR b IN ({list})"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for end in chunk {
                query = query.bind(end.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                links.push(link_of(&row)?);
            }
        }
        links.sort_by_key(|l| l.id);
        links.dedup_by_key(|l| l.id);
        Ok(links)
    }

    pub async fn person_link(&self, id: i64) -> Result<Option<PersonLink>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM person_links WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(link_of).transpose()
    }

    /// Record a practitioner's decision that two mentions are one person, or that they are
    /// not (R-PERSON-2).
    pub async fn link_people(
        &self,
        kind: LinkKind,
        a: &MentionRef,
        b: &MentionRef,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<PersonLink, StoreError> {
        let at = now.to_rfc3339();
        let (a, b) = (a.to_string(), b.to_string());
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO person_links (kind, a, b, actor, at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(a.as_str())
        .bind(b.as_str())
        .bind(actor)
        .bind(at.as_str())
        .bind(reason)
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        tx.commit().await?;
        Ok(PersonLink {
            id,
            kind,
            a,
            b,
            actor: actor.to_string(),
            at: time(&at)?,
            reason: reason.to_string(),
            undone: None,
        })
    }

    /// Undo a decision (R-PERSON-2): the link stays, marked undone. `None` when it was
    /// undone already (by another, a moment before).
    pub async fn unlink_people(
        &self,
        id: i64,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PersonLink>, StoreError> {
        let at = now.to_rfc3339();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE person_links SET undone_by = $1, undone_at = $2, undo_reason = $3 \
             WHERE id = $4 AND undone_at IS NULL",
        )
        .bind(actor)
        .bind(at.as_str())
        .bind(reason)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM person_links WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
        let link = link_of(&row)?;
        tx.commit().await?;
        Ok(Some(link))
    }
}
