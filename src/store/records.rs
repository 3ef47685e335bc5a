//! Reading and writing records: load → decide → append with the expected version →
//! update the projection → commit → wake the feed, all of a write in one transaction.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::domain::actor::Actor;
use crate::domain::commands::Command;
use crate::domain::deadlines;
use crate::domain::events::{Change, Event};
use crate::domain::local_time;
use crate::domain::mask::{ProtectedTerms, Sight, Visibility, search_text};
use crate::domain::model::{Details, PriorReport, Record, RecordKind};
use crate::domain::policy::{Policy, PolicySet};
use crate::domain::refusal::Refusal;
use crate::domain::rules;
use crate::domain::{decide, evolve};

use super::people::{Indexed, index_people};
use super::terms::{Learning, reporter_strings};
use super::writer::WriteTx;
use super::{Backend, Store, StoreError, db_time, parse_db_time};

/// Sorts after every real due time: records with nothing open come last.
pub(super) const NOTHING_DUE: &str = "9999-12-31T23:59:59Z";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}")]
    Refused(Refusal),
    #[error("no such record")]
    NotFound,
    #[error("the record is at version {current}, not the version this change was based on")]
    Conflict { current: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> WriteError {
        WriteError::Store(StoreError::Database(e))
    }
}

/// A committed write: the record as it now stands and the sequence numbers of its events.
#[derive(Debug, Clone)]
pub struct Appended {
    pub record: Record,
    pub first_seq: i64,
    pub last_seq: i64,
}

/// What a new record is: its owner, details and (optionally) who holds it.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub org: String,
    pub details: Details,
    pub assignee: Option<String>,
}

/// An `Idempotency-Key` as stored: per user, with a hash of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub user: String,
    pub key: String,
    pub request_hash: String,
}

/// A command for one record, at the version the caller read.
#[derive(Debug, Clone, Copy)]
pub struct CommandRequest<'a> {
    pub id: &'a str,
    pub expected_version: i64,
    pub command: &'a Command,
    pub idempotency: Option<&'a IdempotencyKey>,
    /// The earlier reports cims holds on each child of an intake, as the actor may see
    /// them (R-INT-REREPORT-3): the command is decided with them; they are not stored.
    pub known_reports: &'a BTreeMap<usize, Vec<PriorReport>>,
}

/// One stored event of a record's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEvent {
    pub seq: i64,
    pub version: i64,
    #[serde(flatten)]
    pub event: Event,
}

/// When the next deadline falls due and how many were met late, counted over the
/// deadlines one visibility class may see (R-PRIV-9): the queue sorts and filters each
/// caller on the class they have of the record, so neither depends on a deadline withheld
/// from them (R-PRIV-8).
struct Due {
    next: String,
    missed: i64,
    /// Where the earliest at-risk band of the open deadlines begins.
    risk: String,
}

impl Due {
    fn of(shown: &[deadlines::Deadline]) -> Due {
        let missed = shown
            .iter()
            .filter(|d| matches!(d.status, deadlines::Status::MetLate { .. }))
            .count();
        Due {
            next: deadlines::next_due(shown).map_or_else(
                || NOTHING_DUE.to_string(),
                |d| db_time(d.with_timezone(&Utc)),
            ),
            missed: i64::try_from(missed).unwrap_or(i64::MAX),
            risk: deadlines::next_at_risk(shown).map_or_else(|| NOTHING_DUE.to_string(), db_time),
        }
    }

    fn seen_by(
        visibility: Visibility,
        all: &[deadlines::Deadline],
        policy: &Policy,
        record: &Record,
    ) -> Due {
        Due::of(&Sight::with(visibility, policy, record).deadlines(all.to_vec()))
    }
}

/// The columns the queue filters, sorts and searches on.
pub(super) struct Projection {
    /// Over every deadline: what protective interveners sort on.
    due: Due,
    /// Over the deadlines readers of identifying but not protected fields may see.
    due_identifying: Due,
    /// Over the deadlines every reader may see.
    due_open: Due,
    /// The Melbourne date of creation, `YYYY-MM-DD`.
    created_on: String,
    impact: Option<String>,
    primary_type: Option<String>,
    service_type: Option<String>,
    ssr_critical: i64,
    open_actions: i64,
    /// Owners of the open learning actions, each as `\nowner\n`.
    action_owners: String,
    search_open: String,
    search_identifying: String,
    search_protected: String,
    search_words: String,
}

fn snake(value: impl Serialize) -> Option<String> {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
}

impl Projection {
    /// The search text of each visibility class comes from the record as masked for that
    /// class, with the protected strings known now (R-PRIV-8).
    pub(super) fn of(
        record: &Record,
        policies: &PolicySet,
        terms: &ProtectedTerms,
        now: DateTime<Utc>,
    ) -> Self {
        let policy = policies.of_record(record);
        let all = deadlines::deadlines(record, policies, now);
        let identifying = Visibility {
            protected: false,
            identifying: true,
        };
        let open = Visibility {
            protected: false,
            identifying: false,
        };
        let (impact, primary_type, ssr) = match &record.details {
            Details::Incident(i) => (
                i.impact.and_then(snake),
                Some(i.primary_type.clone()),
                rules::incident::ssr_critical_record(record, policy).is_some(),
            ),
            Details::Intake(_) => (None, None, false),
        };
        let text = search_text(record, policy, terms);
        Projection {
            due_identifying: Due::seen_by(identifying, &all, policy, record),
            due_open: Due::seen_by(open, &all, policy, record),
            due: Due::of(&all),
            created_on: local_time::local_date(record.created_at).to_string(),
            impact,
            primary_type,
            service_type: record.incident().map(|i| i.service_type.clone()),
            ssr_critical: i64::from(ssr),
            open_actions: i64::try_from(record.open_learning_actions().count()).unwrap_or(i64::MAX),
            action_owners: record
                .open_learning_actions()
                .map(|a| format!("\n{}\n", a.owner))
                .collect(),
            search_open: text.open,
            search_identifying: text.identifying,
            search_protected: text.protected,
            search_words: text.words,
        }
    }
}

/// The projections of many records, computed on every core.
fn projections_of(
    records: &[Record],
    policies: &PolicySet,
    terms: &ProtectedTerms,
    now: DateTime<Utc>,
) -> Vec<Projection> {
    crate::cores::map_on_every_core(records, |record| {
        Projection::of(record, policies, terms, now)
    })
}

/// Placeholders for `rows` rows of `columns` values: `($1, $2), ($3, $4)` for PostgreSQL;
/// plain `(?, ?), (?, ?)` for SQLite, whose driver binds those by position, where it looks
/// numbered ones up by name, one scan of all names each.
pub(super) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| placeholder(backend, r * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn placeholder(backend: Backend, number: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${number}"),
    }
}

pub(super) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// The prefix of the ids of records of this kind created at `at`: `INC-2026`, `INT-2026`.
pub fn id_prefix(kind: RecordKind, at: DateTime<Utc>) -> String {
    let year = local_time::local_date(at).year();
    match kind {
        RecordKind::Incident => format!("INC-{year}"),
        RecordKind::Intake => format!("INT-{year}"),
    }
}

impl Store {
    /// The current state of a record, from its projection.
    pub async fn load(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let row = sqlx::query("SELECT state FROM records WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let state: String = row.try_get("state")?;
                serde_json::from_str(&state).map(Some).map_err(corrupt)
            }
        }
    }

    /// The current state of each of these records that exists, in no particular order.
    pub async fn load_many(&self, ids: &[String]) -> Result<Vec<Record>, StoreError> {
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(RECORDS_PER_LOAD) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            // Only placeholders are generated: every value is bound.
            let sql = format!(
                "SELECT state FROM records WHERE id IN ({})",
                params.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                let state: String = row.try_get("state")?;
                records.push(serde_json::from_str(&state).map_err(corrupt)?);
            }
        }
        Ok(records)
    }

    /// Begin a write (see [`super::writer`]): the protected terms read in the transaction
    /// stay current until it commits.
    pub(super) async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        self.writes.begin().await
    }

    /// Begin a write of records: the terms are held and brought up to date (R-PRIV-8).
    pub(super) async fn begin_holding(&self) -> Result<(WriteTx, Learning), WriteError> {
        let mut tx = self.begin_write().await?;
        self.terms.hold(&mut tx, self.backend).await?;
        Ok((tx, self.terms.learning()))
    }

    /// Store the strings a write learnt, pending the re-projection of the records that
    /// held them before (see [`super::reproject`]). True when one was new to the database.
    pub(super) async fn protect(
        &self,
        tx: &mut Transaction<'_, Any>,
        learnt: &[String],
        seq: i64,
    ) -> Result<bool, WriteError> {
        if learnt.is_empty() {
            return Ok(false);
        }
        Ok(!self.terms.remember(tx, learnt, seq).await?.is_empty())
    }

    /// Reserve `count` consecutive record numbers under `prefix` (see [`id_prefix`]): the
    /// ids of records written later with [`Store::import_many`].
    pub async fn reserve_ids(&self, prefix: &str, count: u32) -> Result<Vec<String>, StoreError> {
        let turn = self.writes.turn().await;
        Ok(reserve(turn.pool(), prefix, count).await?)
    }

    /// Write records that arrive with their whole history (imports and seeding), in one
    /// transaction, all or none. Each history must begin with the record's creation; the
    /// record stored is the fold of its events, never a state taken on trust.
    pub async fn import_many(
        &self,
        histories: Vec<Vec<Event>>,
        now: DateTime<Utc>,
        policies: &PolicySet,
    ) -> Result<(), WriteError> {
        // Times as the log keeps them, so the stored record is the fold of the stored events.
        let histories: Vec<Vec<Event>> = histories
            .into_iter()
            .map(|events| {
                events
                    .into_iter()
                    .map(|e| Event {
                        at: log_time(e.at),
                        ..e
                    })
                    .collect()
            })
            .collect();
        let mut records = Vec::with_capacity(histories.len());
        for events in &histories {
            if !matches!(
                events.first().map(|e| &e.change),
                Some(Change::Created { .. })
            ) {
                return Err(WriteError::Store(corrupt(
                    "an imported history must begin with the record's creation",
                )));
            }
            records.push(fold(None, events)?);
        }
        let strings = reporter_strings(
            records
                .iter()
                .filter_map(Record::intake)
                .map(|i| &i.reporter),
        );
        let (mut tx, mut learning) = self.begin_holding().await?;
        learning.learn(&strings);
        let projections = {
            let terms = self.terms.read();
            projections_of(&records, policies, &terms, now)
        };
        let rows: Vec<(&Record, &Projection)> = records.iter().zip(&projections).collect();
        insert_projections(&mut tx, self.backend, &rows).await?;
        let named: Vec<&Record> = records.iter().collect();
        index_people(&mut tx, self.backend, &named, Indexed::New).await?;
        let appends: Vec<(&Record, i64, &[Event])> = records
            .iter()
            .zip(&histories)
            .map(|(r, events)| (r, 0, events.as_slice()))
            .collect();
        let (_, last_seq) = self.append(&mut tx, &appends).await?;
        let mut outbox = Vec::new();
        {
            let terms = self.terms.read();
            for (record, events) in records.iter().zip(&histories) {
                outbox.extend(super::submissions::outbox(
                    record,
                    0,
                    events,
                    policies,
                    &terms,
                    self.batching(),
                    now,
                )?);
            }
        }
        super::submissions::insert(&mut tx, &outbox).await?;
        let protected = self.protect(&mut tx, learning.learnt(), last_seq).await?;
        self.commit(tx, last_seq).await?;
        if !outbox.is_empty() {
            self.outbox.notify_one();
        }
        learning.committed();
        if protected {
            self.reproject_pending(policies).await?;
        }
        Ok(())
    }

    /// Apply one command to a record at the version the caller read. With an idempotency
    /// key, the key is stored with the change, so a replay can be recognised.
    pub async fn command(
        &self,
        request: CommandRequest<'_>,
        actor: &Actor,
        now: DateTime<Utc>,
        policies: &PolicySet,
    ) -> Result<Appended, WriteError> {
        let CommandRequest {
            id,
            expected_version,
            command,
            idempotency,
            known_reports,
        } = request;
        let mut current = self.load(id).await?.ok_or(WriteError::NotFound)?;
        current.know_reports(known_reports.clone());
        let version = version_of(&current)?;
        if version != expected_version {
            return Err(WriteError::Conflict { current: version });
        }
        let now = log_time(now);
        let events =
            decide(command, Some(&current), actor, now, policies).map_err(WriteError::Refused)?;
        if events.is_empty() {
            return Ok(Appended {
                record: current,
                first_seq: 0,
                last_seq: 0,
            });
        }
        self.write_events(
            current,
            expected_version,
            &events,
            policies,
            now,
            Also::Remember(idempotency),
        )
        .await
    }

    /// Append `events` to `current`, read at `expected_version`, with the projection, the
    /// person index, the record's links, its queued submissions (the outbox, R-SUBMIT-1)
    /// and `also`, all in one transaction.
    pub(super) async fn write_events(
        &self,
        current: Record,
        expected_version: i64,
        events: &[Event],
        policies: &PolicySet,
        now: DateTime<Utc>,
        also: Also<'_>,
    ) -> Result<Appended, WriteError> {
        let id = current.id.clone();
        let indexed_as = super::people::index_of(&current);
        let record = fold(Some(current), events)?;
        let strings = reporter_strings(record.intake().map(|i| &i.reporter));
        let (mut tx, mut learning) = self.begin_holding().await?;
        learning.learn(&strings);
        // The projection every caller's queue reads is made without what one caller's
        // sight found in other records (R-PRIV-8).
        let shared = if record.known_reports().is_empty() {
            Cow::Borrowed(&record)
        } else {
            let mut shared = record.clone();
            shared.know_reports(BTreeMap::new());
            Cow::Owned(shared)
        };
        let projection = Projection::of(&shared, policies, &self.terms.read(), now);
        let updated = update_projection(&mut tx, &record, &projection, expected_version).await?;
        if !updated {
            drop(tx);
            let current = match self.load(&id).await? {
                Some(r) => version_of(&r)?,
                None => return Err(WriteError::NotFound),
            };
            return Err(WriteError::Conflict { current });
        }
        // Most writes (a note, a tick) leave who the record names as it was.
        if super::people::index_of(&record) != indexed_as {
            index_people(&mut tx, self.backend, &[&record], Indexed::Before).await?;
        }
        let (first_seq, last_seq) = self
            .append(&mut tx, &[(&record, expected_version, events)])
            .await?;
        for event in events {
            if let Change::IncidentLinked { incident } = &event.change {
                sqlx::query("INSERT INTO record_links (intake_id, incident_id) VALUES ($1, $2)")
                    .bind(&record.id)
                    .bind(incident)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        let protected = self.protect(&mut tx, learning.learnt(), last_seq).await?;
        let outbox = super::submissions::outbox(
            &record,
            expected_version,
            events,
            policies,
            &self.terms.read(),
            self.batching(),
            now,
        )?;
        super::submissions::insert(&mut tx, &outbox).await?;
        super::submissions::withdraw_unsent(
            &mut tx,
            &record,
            events,
            policies.by_id(&record.policy),
        )
        .await?;
        match also {
            Also::Remember(Some(key)) => {
                super::idempotency::remember(&mut tx, key, 200, &record.id, now).await?;
            }
            Also::Remember(None) => {}
            Also::Answer(answer) => super::submissions::record_answer(&mut tx, answer).await?,
        }
        self.commit(tx, last_seq).await?;
        learning.committed();
        if !outbox.is_empty() {
            self.outbox.notify_one();
        }
        if protected {
            self.reproject_pending(policies).await?;
        }
        Ok(Appended {
            record,
            first_seq,
            last_seq,
        })
    }

    /// Take the next sequence numbers and append each record's new events after its
    /// `base` version. The counter row is locked until commit, so events commit in sequence
    /// order. The first and last sequence numbers taken.
    pub(super) async fn append(
        &self,
        tx: &mut Transaction<'_, Any>,
        writes: &[(&Record, i64, &[Event])],
    ) -> Result<(i64, i64), WriteError> {
        let total: usize = writes.iter().map(|(_, _, events)| events.len()).sum();
        let count = i64::try_from(total).map_err(corrupt)?;
        let (last,): (i64,) =
            sqlx::query_as("UPDATE event_seq SET last = last + $1 WHERE id = 1 RETURNING last")
                .bind(count)
                .fetch_one(&mut **tx)
                .await?;
        let first = last - count + 1;
        let mut rows = Vec::with_capacity(total);
        let mut seq = first;
        for (record, base, events) in writes {
            for (version, event) in (base + 1..).zip(*events) {
                rows.push((seq, record.id.as_str(), version, event));
                seq += 1;
            }
        }
        insert_events(tx, self.backend, &rows).await?;
        Ok((first, last))
    }

    pub(super) async fn commit(&self, tx: WriteTx, last_seq: i64) -> Result<(), WriteError> {
        let mut tx = tx;
        if self.backend == super::Backend::Postgres {
            // Wake every replica's feed; the payload is only a sequence number.
            sqlx::query("SELECT pg_notify('cims_events', $1)")
                .bind(last_seq.to_string())
                .execute(&mut **tx)
                .await?;
        }
        tx.commit().await?;
        self.latest.send_if_modified(|latest| {
            let newer = last_seq > *latest;
            if newer {
                *latest = last_seq;
            }
            newer
        });
        Ok(())
    }

    /// R-LINK-1: the intake reports linked to an incident.
    pub async fn intakes_linked_to(&self, incident: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT intake_id FROM record_links WHERE incident_id = $1 ORDER BY intake_id",
        )
        .bind(incident)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// A record's events in order.
    pub async fn history(&self, id: &str) -> Result<Vec<HistoryEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, version, at, actor, payload FROM events WHERE record_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(history_event).collect()
    }

    /// Recompute the projection rows written before the projection's current version from
    /// the state they hold, in batches. Returns how many were brought up to date.
    pub async fn refresh_stale_projections(
        &self,
        policies: &PolicySet,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        const BATCH: i64 = 500;
        let mut refreshed = 0;
        loop {
            let rows = sqlx::query(
                "SELECT state FROM records WHERE projection_version < $1 ORDER BY id LIMIT $2",
            )
            .bind(PROJECTION_VERSION)
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(refreshed);
            }
            let mut tx = self.begin_write().await?;
            self.terms.hold(&mut tx, self.backend).await?;
            for row in &rows {
                let state: String = row.try_get("state")?;
                let record: Record = serde_json::from_str(&state).map_err(corrupt)?;
                let projection = Projection::of(&record, policies, &self.terms.read(), now);
                let updated =
                    update_projection(&mut tx, &record, &projection, version_of(&record)?)
                        .await
                        .map_err(|e| match e {
                            WriteError::Store(e) => e,
                            other => StoreError::Corrupt(other.to_string()),
                        })?;
                index_people(&mut tx, self.backend, &[&record], Indexed::Before)
                    .await
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if !updated {
                    return Err(StoreError::Corrupt(format!(
                        "record {}: its row's version differs from its state's",
                        record.id
                    )));
                }
                refreshed += 1;
            }
            tx.commit().await?;
        }
    }

    /// Rebuild a record from its events alone, to check the projection against the log.
    pub async fn replay(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let events: Vec<Event> = self
            .history(id)
            .await?
            .into_iter()
            .map(|h| h.event)
            .collect();
        evolve::replay(&events).map_err(corrupt)
    }
}

/// One stored event from a row of `events` (seq, version, at, actor, payload).
pub(super) fn history_event(row: &sqlx::any::AnyRow) -> Result<HistoryEvent, StoreError> {
    let at: String = row.try_get("at")?;
    let payload: String = row.try_get("payload")?;
    Ok(HistoryEvent {
        seq: row.try_get("seq")?,
        version: row.try_get("version")?,
        event: Event {
            at: parse_db_time(&at)?,
            by: row.try_get("actor")?,
            change: serde_json::from_str(&payload).map_err(corrupt)?,
        },
    })
}

/// Take `count` consecutive record numbers under `prefix`: their ids, in order.
pub(super) async fn reserve<'c, E>(
    db: E,
    prefix: &str,
    count: u32,
) -> Result<Vec<String>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let (last,): (i64,) = sqlx::query_as(
        "INSERT INTO id_counters (prefix, last) VALUES ($1, $2) \
         ON CONFLICT (prefix) DO UPDATE SET last = id_counters.last + $2 RETURNING last",
    )
    .bind(prefix)
    .bind(i64::from(count))
    .fetch_one(db)
    .await?;
    let first = last - i64::from(count) + 1;
    Ok((first..=last).map(|n| format!("{prefix}-{n:06}")).collect())
}

/// The event log keeps times to the second (`db_time`): changes are decided at that
/// precision so that the projection is exactly what replaying the log gives.
pub(super) fn log_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(0)
}

pub(super) fn version_of(record: &Record) -> Result<i64, StoreError> {
    i64::try_from(record.version).map_err(corrupt)
}

/// What a write stores besides its events, in their transaction.
pub(super) enum Also<'a> {
    /// The command's idempotency key, if it has one.
    Remember(Option<&'a IdempotencyKey>),
    /// A recipient's answer to a submission (R-SUBMIT-1).
    Answer(&'a super::submissions::Answered),
}

pub(super) fn fold(state: Option<Record>, events: &[Event]) -> Result<Record, WriteError> {
    let mut state = state;
    for event in events {
        state = Some(evolve(state, event).map_err(corrupt)?);
    }
    state.ok_or_else(|| WriteError::Store(corrupt("a write produced no record")))
}

/// A statement costs far more than a row, so rows are written many to a statement, within
/// both backends' limits on values per statement.
pub(super) const VALUES_PER_STATEMENT: usize = 4000;

/// The projection's columns in the order [`bind_projection`] binds them.
const PROJECTION_COLUMNS: &str = "id, kind, org_id, stage, status, assignee, version, \
     created_at, updated_at, next_due, impact, primary_type, ssr_critical, search_open, \
     search_identifying, search_protected, state, service_type, deadlines_missed, open_actions, \
     action_owners, projection_version, created_on, search_words, next_due_identifying, \
     deadlines_missed_identifying, next_due_open, deadlines_missed_open, at_risk_from, \
     at_risk_from_identifying, at_risk_from_open";
const PROJECTION_VALUES: usize = 31;

/// Raised whenever the projection gains a column, so rows written before are recomputed.
pub(super) const PROJECTION_VERSION: i64 = 6;

/// Records read by one statement.
const RECORDS_PER_LOAD: usize = 200;

/// `cross_assignee`: the assignee when they are not a user of the record's organisation.
/// The placeholders bind the assignee, the organisation and the assignee again.
fn cross_assignee([assignee, org, again]: [&str; 3]) -> String {
    format!(
        "CASE WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = {assignee} AND u.org_id = {org}) \
         THEN NULL ELSE {again} END"
    )
}

fn bind_projection<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    record: &Record,
    p: &Projection,
) -> Result<sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>, StoreError> {
    Ok(query
        .bind(record.id.clone())
        .bind(record.kind().as_str())
        .bind(record.org.clone())
        .bind(record.stage.clone())
        .bind(snake(record.status).unwrap_or_default())
        .bind(record.assignee.clone())
        .bind(version_of(record)?)
        .bind(db_time(record.created_at))
        .bind(db_time(record.updated_at))
        .bind(p.due.next.clone())
        .bind(p.impact.clone())
        .bind(p.primary_type.clone())
        .bind(p.ssr_critical)
        .bind(p.search_open.clone())
        .bind(p.search_identifying.clone())
        .bind(p.search_protected.clone())
        .bind(serde_json::to_string(record).map_err(corrupt)?)
        .bind(p.service_type.clone())
        .bind(p.due.missed)
        .bind(p.open_actions)
        .bind(p.action_owners.clone())
        .bind(PROJECTION_VERSION)
        .bind(p.created_on.clone())
        .bind(p.search_words.clone())
        .bind(p.due_identifying.next.clone())
        .bind(p.due_identifying.missed)
        .bind(p.due_open.next.clone())
        .bind(p.due_open.missed)
        .bind(p.due.risk.clone())
        .bind(p.due_identifying.risk.clone())
        .bind(p.due_open.risk.clone()))
}

/// Insert the projection rows of new records.
pub(super) async fn insert_projections(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    rows: &[(&Record, &Projection)],
) -> Result<(), WriteError> {
    // Each row binds its values, then those of the cross-assignee test.
    const PER_ROW: usize = PROJECTION_VALUES + 3;
    for chunk in rows.chunks(VALUES_PER_STATEMENT / PER_ROW) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let base = r * PER_ROW;
                let bound: Vec<String> = (1..=PROJECTION_VALUES)
                    .map(|c| placeholder(backend, base + c))
                    .collect();
                let [a, o, again] =
                    [1, 2, 3].map(|k| placeholder(backend, base + PROJECTION_VALUES + k));
                let cross = cross_assignee([&a, &o, &again]);
                format!("({}, {cross})", bound.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO records ({PROJECTION_COLUMNS}, cross_assignee) VALUES {}",
            values.join(", ")
        );
        // Only placeholders are generated: every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (record, projection) in chunk {
            query = bind_projection(query, record, projection)?
                .bind(record.assignee.clone())
                .bind(record.org.clone())
                .bind(record.assignee.clone());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Update a record's projection row if it is still at the `expected` version. False when
/// someone else wrote first.
async fn update_projection(
    tx: &mut Transaction<'_, Any>,
    record: &Record,
    p: &Projection,
    expected: i64,
) -> Result<bool, WriteError> {
    let sql = format!(
        "UPDATE records SET kind = $2, org_id = $3, stage = $4, status = $5, assignee = $6, \
         version = $7, created_at = $8, updated_at = $9, next_due = $10, impact = $11, \
         primary_type = $12, ssr_critical = $13, search_open = $14, \
         search_identifying = $15, search_protected = $16, state = $17, service_type = $18, \
         deadlines_missed = $19, open_actions = $20, action_owners = $21, \
         projection_version = $22, created_on = $23, search_words = $24, \
         next_due_identifying = $25, deadlines_missed_identifying = $26, next_due_open = $27, \
         deadlines_missed_open = $28, at_risk_from = $29, at_risk_from_identifying = $30, \
         at_risk_from_open = $31, cross_assignee = {} \
         WHERE id = $1 AND version = $32",
        cross_assignee(["$6", "$3", "$6"])
    );
    let query = bind_projection(sqlx::query(sqlx::AssertSqlSafe(sql)), record, p)?.bind(expected);
    let result = query.execute(&mut **tx).await?;
    Ok(result.rows_affected() == 1)
}

/// The `event` field of a stored change: its kind.
#[derive(serde::Deserialize)]
struct EventTag {
    event: String,
}

/// Insert events: `(seq, record id, version, event)`.
async fn insert_events(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    rows: &[(i64, &str, i64, &Event)],
) -> Result<(), WriteError> {
    for chunk in rows.chunks(VALUES_PER_STATEMENT / 7) {
        let sql = format!(
            "INSERT INTO events (seq, record_id, version, at, actor, kind, payload) VALUES {}",
            placeholders(backend, chunk.len(), 7)
        );
        // Only placeholders are generated: every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (seq, record_id, version, event) in chunk {
            let payload = serde_json::to_string(&event.change).map_err(corrupt)?;
            let kind = serde_json::from_str::<EventTag>(&payload)
                .map(|t| t.event)
                .unwrap_or_default();
            query = query
                .bind(*seq)
                .bind(record_id.to_string())
                .bind(*version)
                .bind(db_time(event.at))
                .bind(event.by.clone())
                .bind(kind)
                .bind(payload);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
