//! New records, written in groups (group commit).
//!
//! A create is decided before it waits for the database, so a refusal costs no write.
//! Creates that arrive while a group is being written wait, and the first of them to get
//! the turn writes all that are waiting as the next group: one transaction, one statement
//! per table, one commit. Under load a write's cost is shared by the group; alone, a
//! create is a group of one. If a group's transaction fails, each of its creates is
//! written again on its own, so its caller gets its own answer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use crate::domain::actor::Actor;
use crate::domain::commands::Command;
use crate::domain::decide;
use crate::domain::events::{Change, Event};
use crate::domain::model::Details;
use crate::domain::policy::PolicySet;

use super::Store;
use super::records::{
    Appended, IdempotencyKey, NewRecord, Projection, WriteError, fold, id_prefix,
    insert_projections, log_time, reserve,
};
use super::terms::reporter_strings;

/// The most creates written in one group: enough to share the cost, few enough that a
/// group's transaction stays short.
const GROUP: usize = 128;

/// A decided create, waiting for its id and the database.
pub(super) struct Create {
    events: Vec<Event>,
    /// The prefix of its id (kind and year).
    prefix: String,
    /// Its reporter's identifying strings, protected from the moment it is written.
    strings: Vec<String>,
    now: DateTime<Utc>,
    policies: Arc<PolicySet>,
    idempotency: Option<IdempotencyKey>,
}

enum Outcome {
    Written(Box<Appended>),
    /// The group failed: write this create alone.
    Alone(Create),
}

type Waiting = (Create, oneshot::Sender<Outcome>);

/// Creates waiting to be written, and the turn to write them.
#[derive(Clone, Default)]
pub(super) struct CreateQueue {
    waiting: Arc<Mutex<Vec<Waiting>>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl CreateQueue {
    fn push(&self, waiting: Waiting) {
        match self.waiting.lock() {
            Ok(mut w) => w.push(waiting),
            Err(poisoned) => poisoned.into_inner().push(waiting),
        }
    }

    /// The waiting creates decided under `policies`, oldest first, up to a group.
    fn take(&self, policies: &Arc<PolicySet>) -> Vec<Waiting> {
        let mut all = match self.waiting.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut group = Vec::new();
        let mut i = 0;
        while i < all.len() && group.len() < GROUP {
            if Arc::ptr_eq(&all[i].0.policies, policies) {
                group.push(all.remove(i));
            } else {
                i += 1;
            }
        }
        group
    }
}

impl Store {
    /// Register a new record: the id (`INC-2026-000123`) is allocated when it is written.
    /// `idempotency` is `(user, key, request hash)`, stored with the result.
    pub async fn create(
        &self,
        new: NewRecord,
        actor: &Actor,
        now: DateTime<Utc>,
        policies: &Arc<PolicySet>,
        idempotency: Option<&IdempotencyKey>,
    ) -> Result<Appended, WriteError> {
        let NewRecord {
            org,
            details,
            assignee,
        } = new;
        let now = log_time(now);
        let prefix = id_prefix(details.kind(), now);
        // The id is not known yet; nothing decided depends on it but its place in the
        // `Created` event, which is filled in when it is allocated.
        let command = Command::Create {
            id: format!("{prefix}-new"),
            org,
            details,
            assignee,
        };
        let events = decide(&command, None, actor, now, policies).map_err(WriteError::Refused)?;
        let strings = reporter_strings(events.iter().filter_map(|e| match &e.change {
            Change::Created {
                details: Details::Intake(intake),
                ..
            } => Some(&intake.reporter),
            _ => None,
        }));
        let create = Create {
            events,
            prefix,
            strings,
            now,
            policies: policies.clone(),
            idempotency: idempotency.cloned(),
        };
        let (sender, mut answer) = oneshot::channel();
        self.creates.push((create, sender));
        let outcome = tokio::select! {
            biased;
            outcome = &mut answer => outcome.ok(),
            _turn = self.creates.turn.lock() => loop {
                // The group is written by a task of its own: a caller who goes away while
                // it is written does not take the other callers' answers with it.
                let (store, policies) = (self.clone(), policies.clone());
                let wrote = tokio::spawn(async move { store.write_waiting(&policies).await }).await;
                match answer.try_recv() {
                    // More may have been waiting than one group holds, this create among them.
                    Err(oneshot::error::TryRecvError::Empty) if wrote.unwrap_or(false) => continue,
                    // Or a group written for a caller who went away holds it.
                    Err(oneshot::error::TryRecvError::Empty) => break (&mut answer).await.ok(),
                    outcome => break outcome.ok(),
                }
            },
        };
        match outcome {
            Some(Outcome::Written(appended)) => Ok(*appended),
            Some(Outcome::Alone(create)) => {
                let mut written = self.write_creates(&[create]).await?;
                written
                    .pop()
                    .ok_or_else(|| WriteError::Store(super::records::corrupt("no record written")))
            }
            None => Err(WriteError::Store(super::records::corrupt(
                "a create was dropped before it was written",
            ))),
        }
    }

    /// Write the waiting group and answer each of its creates; `false` if none was waiting.
    async fn write_waiting(&self, policies: &Arc<PolicySet>) -> bool {
        let group = self.creates.take(policies);
        if group.is_empty() {
            return false;
        }
        let (creates, senders): (Vec<Create>, Vec<_>) = group.into_iter().unzip();
        match self.write_creates(&creates).await {
            Ok(written) => {
                for (sender, appended) in senders.into_iter().zip(written) {
                    // A caller that went away no longer waits for its answer.
                    let _ = sender.send(Outcome::Written(Box::new(appended)));
                }
            }
            Err(_) => {
                for (sender, create) in senders.into_iter().zip(creates) {
                    let _ = sender.send(Outcome::Alone(create));
                }
            }
        }
        true
    }

    /// Write decided creates in one transaction, all or none; their ids are allocated here.
    async fn write_creates(&self, creates: &[Create]) -> Result<Vec<Appended>, WriteError> {
        let Some(policies) = creates.first().map(|c| c.policies.clone()) else {
            return Ok(Vec::new());
        };
        let strings: Vec<String> = creates.iter().flat_map(|c| c.strings.clone()).collect();
        let (mut tx, mut learning) = self.begin_holding().await?;
        learning.learn(&strings);
        let ids = allocate_ids(&mut tx, creates).await?;
        let mut records = Vec::with_capacity(creates.len());
        let mut logs = Vec::with_capacity(creates.len());
        for (create, id) in creates.iter().zip(ids) {
            let mut events = create.events.clone();
            for event in &mut events {
                if let Change::Created { id: created, .. } = &mut event.change {
                    created.clone_from(&id);
                }
            }
            records.push(fold(None, &events)?);
            logs.push(events);
        }
        let projections: Vec<Projection> = {
            let terms = self.terms.read();
            records
                .iter()
                .zip(creates)
                .map(|(record, c)| Projection::of(record, &c.policies, &terms, c.now))
                .collect()
        };
        let rows: Vec<_> = records.iter().zip(&projections).collect();
        insert_projections(&mut tx, self.backend, &rows).await?;
        let named: Vec<&crate::domain::model::Record> = records.iter().collect();
        super::people::index_people(&mut tx, self.backend, &named, super::people::Indexed::New)
            .await?;
        let appends: Vec<_> = records
            .iter()
            .zip(&logs)
            .map(|(r, events)| (r, 0, events.as_slice()))
            .collect();
        let (first_seq, last_seq) = self.append(&mut tx, &appends).await?;
        let protected = self.protect(&mut tx, learning.learnt(), last_seq).await?;
        for (create, record) in creates.iter().zip(&records) {
            if let Some(key) = &create.idempotency {
                super::idempotency::remember(&mut tx, key, 201, &record.id, create.now).await?;
            }
        }
        self.commit(tx, last_seq).await?;
        learning.committed();
        if protected {
            self.reproject_soon(policies);
        }
        let mut seq = first_seq;
        Ok(records
            .into_iter()
            .zip(&logs)
            .map(|(record, events)| {
                let first = seq;
                seq += i64::try_from(events.len()).unwrap_or(i64::MAX);
                Appended {
                    record,
                    first_seq: first,
                    last_seq: seq - 1,
                }
            })
            .collect())
    }
}

/// One id per create, in order: the numbers of each prefix are taken together.
async fn allocate_ids(
    tx: &mut super::writer::WriteTx,
    creates: &[Create],
) -> Result<Vec<String>, WriteError> {
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for create in creates {
        *counts.entry(&create.prefix).or_default() += 1;
    }
    let mut numbers: BTreeMap<&str, std::vec::IntoIter<String>> = BTreeMap::new();
    for (prefix, count) in counts {
        numbers.insert(
            prefix,
            reserve(&mut ***tx, prefix, count).await?.into_iter(),
        );
    }
    creates
        .iter()
        .map(|create| {
            numbers
                .get_mut(create.prefix.as_str())
                .and_then(Iterator::next)
                .ok_or_else(|| WriteError::Store(super::records::corrupt("an id was not reserved")))
        })
        .collect()
}
