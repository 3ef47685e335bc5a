//! The outbox (R-SUBMIT-1): submissions queued in the transaction of the event that asks
//! for them, leased by a delivering worker so that two servers never send one at once
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer), and answered on the
//! record in one transaction with the answer.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};

use crate::domain::events::{Change, Event};
use crate::domain::local_time;
use crate::domain::mask::{MaskContext, ProtectedTerms};
use crate::domain::model::{Impact, Record};
use crate::domain::policy::{Policy, PolicySet};
use crate::domain::refusal::Refusal;
use crate::domain::submissions::{
    self, BatchMember, BatchMonth, Outcome, Recipient, SYSTEM_ACTOR, Sent, SubmissionKind,
    submission_key,
};

use super::audit::audit_in;
use super::records::{Also, WriteError, corrupt, version_of};
use super::{Backend, Store, StoreError, db_time, parse_db_time};

/// A submission to be written with the event that queued it.
#[derive(Debug, Clone)]
pub(super) struct NewSubmission {
    key: String,
    record_id: String,
    org: String,
    recipient: Recipient,
    kind: SubmissionKind,
    payload: String,
    queued_by: String,
    queued_at: DateTime<Utc>,
    /// Waits for its month's batch (R-SUBMIT-4).
    held: bool,
    /// Answered within the same history (an imported record's): the answer, when the
    /// accepted copy was sent, and when the answer came.
    answer: Option<(Outcome, DateTime<Utc>, DateTime<Utc>)>,
}

/// The answer to `key` among `events`, if one is there.
fn answer_in(events: &[Event], key: &str) -> Option<(Outcome, DateTime<Utc>, DateTime<Utc>)> {
    events.iter().find_map(|e| match &e.change {
        Change::SubmissionAccepted {
            submission,
            reference,
            sent_at,
            ..
        } if submission == key => Some((
            Outcome::Accepted {
                reference: reference.clone(),
            },
            *sent_at,
            e.at,
        )),
        Change::SubmissionRejected {
            submission,
            reasons,
            ..
        } if submission == key => Some((
            Outcome::Rejected {
                reasons: reasons.clone(),
            },
            e.at,
            e.at,
        )),
        _ => None,
    })
}

/// The submissions these events queue, built from the record they leave. Each one's
/// idempotency key is its record and the version of the event that queued it, so the same
/// event can never queue two.
pub(super) fn outbox(
    record: &Record,
    expected_version: i64,
    events: &[Event],
    policies: &PolicySet,
    terms: &ProtectedTerms,
    batching: bool,
    now: DateTime<Utc>,
) -> Result<Vec<NewSubmission>, WriteError> {
    let Some(policy) = policies.by_id(&record.policy) else {
        return Ok(Vec::new());
    };
    let ctx = MaskContext {
        today: local_time::local_date(now),
        protected_terms: terms,
    };
    let mut queued = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if let Change::SubmissionQueued { kind, recipient } = &event.change {
            let version = expected_version + i64::try_from(i).map_err(corrupt)? + 1;
            let payload = submissions::payload(*kind, record, policy, &ctx);
            let key = submission_key(&record.id, version);
            queued.push(NewSubmission {
                answer: answer_in(&events[i..], &key),
                key,
                record_id: record.id.clone(),
                org: record.org.clone(),
                recipient: *recipient,
                kind: *kind,
                payload: serde_json::to_string(&payload).map_err(corrupt)?,
                queued_by: event.by.clone(),
                queued_at: event.at,
                held: submissions::held_for_batch(policy, record, *kind, batching),
            });
        }
    }
    Ok(queued)
}

/// What stops a submission not yet on its way (queued, held for a batch, or failing and
/// waiting to try again): one made outside cims (R-SUBMIT-1), so the recipient never gets
/// it twice; or the endorsement or tick that queued it taken back (R-LOCK-1), so a report
/// no longer endorsed is never sent. One being sent, awaiting its receipt or in a batch
/// goes on, and its answer is recorded as any other. Each withdrawal is in the audit log.
pub(super) async fn withdraw_unsent(
    tx: &mut Transaction<'_, Any>,
    record: &Record,
    events: &[Event],
    policy: Option<&Policy>,
) -> Result<(), WriteError> {
    for event in events {
        let (kinds, why): (Vec<SubmissionKind>, &str) = match &event.change {
            Change::SubmittedOutside { kind, .. } => (vec![*kind], "made outside cims"),
            Change::EndorsementWithdrawn { item, .. } | Change::ItemUnticked { item } => (
                policy
                    .map(|p| p.submissions_queued_by(item).map(|r| r.kind).collect())
                    .unwrap_or_default(),
                "what queued it was taken back",
            ),
            _ => continue,
        };
        for kind in kinds {
            let withdrawn = sqlx::query(
                "UPDATE submissions SET status = 'withdrawn' \
                 WHERE record_id = $1 AND kind = $2 AND status IN ('queued', 'held', 'failing') \
                 RETURNING id, idempotency_key",
            )
            .bind(&record.id)
            .bind(kind.as_str())
            .fetch_all(&mut **tx)
            .await?;
            for row in withdrawn {
                let id: i64 = row.try_get("id")?;
                let key: String = row.try_get("idempotency_key")?;
                let detail = serde_json::json!({
                    "submission": id, "key": key, "kind": kind, "why": why,
                });
                audit_in(
                    tx,
                    &event.by,
                    "submission_withdrawn",
                    Some(&record.id),
                    &detail,
                    event.at,
                )
                .await?;
            }
        }
    }
    Ok(())
}

pub(super) async fn insert(
    tx: &mut Transaction<'_, Any>,
    queued: &[NewSubmission],
) -> Result<(), WriteError> {
    for s in queued {
        let (status, reference, reasons, sent_at, answered_at, attempts) = match &s.answer {
            None if s.held => (SubmissionStatus::Held, None, None, None, None, 0),
            None => (SubmissionStatus::Queued, None, None, None, None, 0),
            Some((Outcome::Accepted { reference }, sent, answered)) => (
                SubmissionStatus::Accepted,
                Some(reference.clone()),
                None,
                Some(db_time(*sent)),
                Some(db_time(*answered)),
                1,
            ),
            Some((Outcome::Rejected { reasons }, sent, answered)) => (
                SubmissionStatus::Rejected,
                None,
                Some(serde_json::to_string(reasons).map_err(corrupt)?),
                Some(db_time(*sent)),
                Some(db_time(*answered)),
                1,
            ),
        };
        sqlx::query(
            "INSERT INTO submissions (idempotency_key, record_id, org_id, recipient, kind, \
             payload, status, attempts, next_try_at, queued_by, queued_at, reference, reasons, \
             sent_at, answered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $9, $10, $7, $8, $7, $11, $12, $13, $14)",
        )
        .bind(&s.key)
        .bind(&s.record_id)
        .bind(&s.org)
        .bind(s.recipient.as_str())
        .bind(s.kind.as_str())
        .bind(&s.payload)
        .bind(db_time(s.queued_at))
        .bind(&s.queued_by)
        .bind(status.as_str())
        .bind(attempts)
        .bind(reference)
        .bind(reasons)
        .bind(sent_at)
        .bind(answered_at)
        .execute(&mut **tx)
        .await?;
        // Queued now (not arriving answered, as an imported history's): in the audit log
        // with the event that queued it.
        if s.answer.is_none() {
            let detail = serde_json::json!({
                "key": s.key,
                "recipient": s.recipient,
                "kind": s.kind,
            });
            audit_in(
                tx,
                &s.queued_by,
                "submission_queued",
                Some(&s.record_id),
                &detail,
                s.queued_at,
            )
            .await?;
        }
    }
    Ok(())
}

/// Where a submission is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Waiting for its first try.
    Queued,
    /// A non-major incident report waiting for its month's batch (R-SUBMIT-4).
    Held,
    /// Sent in the batch `batch`; answered with it.
    Batched,
    /// Being sent by a worker, whose lease ends at `lease_until`.
    Sending,
    /// Handed over (written to the recipient's folder); its receipt is still to come.
    Awaiting,
    Accepted,
    Rejected,
    /// The last try failed; tried again at `next_try_at`.
    Failing,
    /// Not sent: it was made outside cims before it went (R-SUBMIT-1).
    Withdrawn,
}

impl SubmissionStatus {
    pub const ALL: [SubmissionStatus; 9] = [
        SubmissionStatus::Queued,
        SubmissionStatus::Held,
        SubmissionStatus::Batched,
        SubmissionStatus::Sending,
        SubmissionStatus::Awaiting,
        SubmissionStatus::Accepted,
        SubmissionStatus::Rejected,
        SubmissionStatus::Failing,
        SubmissionStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Queued => "queued",
            SubmissionStatus::Held => "held",
            SubmissionStatus::Batched => "batched",
            SubmissionStatus::Sending => "sending",
            SubmissionStatus::Awaiting => "awaiting",
            SubmissionStatus::Accepted => "accepted",
            SubmissionStatus::Rejected => "rejected",
            SubmissionStatus::Failing => "failing",
            SubmissionStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<SubmissionStatus> {
        SubmissionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A submission as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Submission {
    pub id: i64,
    pub idempotency_key: String,
    pub record_id: Option<String>,
    pub org: String,
    pub recipient: Recipient,
    pub kind: SubmissionKind,
    pub status: SubmissionStatus,
    pub attempts: i64,
    pub next_try_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    /// When the copy that was answered (or is awaiting its answer) was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
    /// The recipient's reference, once accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The recipient's reasons, once rejected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub queued_by: String,
    pub queued_at: DateTime<Utc>,
    /// The rejected submission this one sends again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<i64>,
    /// The month's batch this report was sent in (R-SUBMIT-4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<i64>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

const COLUMNS: &str = "id, idempotency_key, record_id, org_id, recipient, kind, payload, status, \
     attempts, next_try_at, lease_until, sent_at, answered_at, reference, reasons, last_error, \
     queued_by, queued_at, replaces, batch_id";

fn time(row: &sqlx::any::AnyRow, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    row.try_get::<Option<String>, _>(column)?
        .as_deref()
        .map(parse_db_time)
        .transpose()
}

fn submission_of(row: &sqlx::any::AnyRow) -> Result<Submission, StoreError> {
    let text = |column: &str| -> Result<String, StoreError> { Ok(row.try_get(column)?) };
    let bad =
        |what: &str, value: &str| StoreError::Corrupt(format!("a submission's {what} {value:?}"));
    let recipient = text("recipient")?;
    let kind = text("kind")?;
    let status = text("status")?;
    let reasons: Option<String> = row.try_get("reasons")?;
    Ok(Submission {
        id: row.try_get("id")?,
        idempotency_key: text("idempotency_key")?,
        record_id: row.try_get("record_id")?,
        org: text("org_id")?,
        recipient: Recipient::parse(&recipient).ok_or_else(|| bad("recipient", &recipient))?,
        kind: SubmissionKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        status: SubmissionStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        attempts: row.try_get("attempts")?,
        next_try_at: parse_db_time(&text("next_try_at")?)?,
        lease_until: time(row, "lease_until")?,
        sent_at: time(row, "sent_at")?,
        answered_at: time(row, "answered_at")?,
        reference: row.try_get("reference")?,
        reasons: reasons
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("a submission's reasons: {e}")))?
            .unwrap_or_default(),
        last_error: row.try_get("last_error")?,
        queued_by: text("queued_by")?,
        queued_at: parse_db_time(&text("queued_at")?)?,
        replaces: row.try_get("replaces")?,
        batch: row.try_get("batch_id")?,
        payload: serde_json::from_str(&text("payload")?)
            .map_err(|e| StoreError::Corrupt(format!("a submission's payload: {e}")))?,
    })
}

/// A recipient's answer, recorded with the events it adds to the record.
#[derive(Debug, Clone)]
pub struct Answered {
    pub id: i64,
    /// The batch it was answered in, for a report sent in a month's batch (R-SUBMIT-4).
    pub batch: Option<i64>,
    pub worker: String,
    pub outcome: Outcome,
    pub sent_at: DateTime<Utc>,
    pub answered_at: DateTime<Utc>,
}

/// How a recipient's answer is written in the audit log: its action and what it said.
pub fn answer_audit(outcome: &Outcome) -> (&'static str, serde_json::Value) {
    match outcome {
        Outcome::Accepted { reference } => (
            "submission_accepted",
            serde_json::json!({"reference": reference}),
        ),
        Outcome::Rejected { reasons } => (
            "submission_rejected",
            serde_json::json!({"reasons": reasons}),
        ),
    }
}

/// A submission's audit entry: which one it is, and `more` (an object) beside it.
pub fn audit_entry(s: &Submission, more: serde_json::Value) -> serde_json::Value {
    let mut entry = serde_json::json!({
        "submission": s.id,
        "key": s.idempotency_key,
        "recipient": s.recipient,
        "kind": s.kind,
    });
    if let (Some(map), serde_json::Value::Object(more)) = (entry.as_object_mut(), more) {
        map.extend(more);
    }
    entry
}

/// Record the answer on the submission, if it is still this worker's to answer; otherwise
/// the whole write is refused, so an answer is never recorded twice.
pub(super) async fn record_answer(
    tx: &mut Transaction<'_, Any>,
    answer: &Answered,
) -> Result<(), WriteError> {
    let (status, reference, reasons) = match &answer.outcome {
        Outcome::Accepted { reference } => {
            (SubmissionStatus::Accepted, Some(reference.clone()), None)
        }
        Outcome::Rejected { reasons } => (
            SubmissionStatus::Rejected,
            None,
            Some(serde_json::to_string(reasons).map_err(corrupt)?),
        ),
    };
    // A report in a batch is answered with its batch, whose lease the worker holds; any
    // other only by the worker that leased it.
    let holder = match answer.batch {
        Some(_) => "batch_id = $7 AND status = 'batched'",
        None => "leased_by = $7 AND status IN ('sending', 'awaiting')",
    };
    let sql = format!(
        "UPDATE submissions SET status = $1, reference = $2, reasons = $3, sent_at = $4, \
         answered_at = $5, lease_until = NULL, leased_by = NULL, last_error = NULL \
         WHERE id = $6 AND {holder}"
    );
    let mut update = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status.as_str())
        .bind(reference)
        .bind(reasons)
        .bind(db_time(answer.sent_at))
        .bind(db_time(answer.answered_at))
        .bind(answer.id);
    update = match answer.batch {
        Some(batch) => update.bind(batch),
        None => update.bind(answer.worker.clone()),
    };
    let done = update.execute(&mut **tx).await?.rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(WriteError::Refused(Refusal::invalid(format!(
            "submission {} is no longer this worker's to answer",
            answer.id
        ))))
    }
}

/// What building a month's batch came to (R-SUBMIT-4).
#[derive(Debug, Clone)]
pub enum BatchBuilt {
    /// The batch, and the records whose reports went on their own as no longer non-major.
    Built {
        batch: Submission,
        released: Vec<String>,
    },
    /// The month's batch was built before: this one.
    Already(Submission),
    /// No report was waiting for it.
    Nothing { released: Vec<String> },
}

/// Which submissions a list shows.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    pub status: Option<SubmissionStatus>,
    pub recipient: Option<Recipient>,
    pub record: Option<String>,
    /// Only these organisations' (none: every organisation's).
    pub orgs: Option<Vec<String>>,
}

impl Store {
    /// Lease up to `limit` submissions due at `now` for `worker` until `now + lease`: those
    /// queued or failing whose time has come, those awaiting a receipt whose next look is
    /// due, and those whose sender's lease ran out (a crash between sending and recording
    /// the answer: they are sent again with the same key).
    pub async fn lease_submissions(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Submission>, StoreError> {
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // The lock clause is one of two constants; every value is bound.
        let sql = format!(
            "UPDATE submissions SET \
             status = CASE WHEN status = 'awaiting' THEN 'awaiting' ELSE 'sending' END, \
             attempts = CASE WHEN status = 'awaiting' THEN attempts ELSE attempts + 1 END, \
             leased_by = $1, lease_until = $2 \
             WHERE id IN (SELECT id FROM submissions \
               WHERE ((status IN ('queued', 'failing', 'awaiting') AND next_try_at <= $3) \
                      OR status = 'sending') \
                 AND (lease_until IS NULL OR lease_until <= $3) \
               ORDER BY next_try_at, id LIMIT $4{skip_locked}) \
             RETURNING {COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker)
            .bind(db_time(now + lease))
            .bind(db_time(now))
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?;
        tx.commit().await?;
        let mut leased: Vec<Submission> =
            rows.iter().map(submission_of).collect::<Result<_, _>>()?;
        leased.sort_by_key(|s| (s.next_try_at, s.id));
        Ok(leased)
    }

    /// The recipient answered: the answer and the events it adds to the record are written
    /// together. `Ok(false)` when it was answered already (by this or another worker).
    pub async fn answer_submission(
        &self,
        submission: &Submission,
        answer: &Answered,
        policies: &PolicySet,
    ) -> Result<bool, WriteError> {
        let Some(record_id) = submission.record_id.clone() else {
            return self.answer_batch(submission, answer, policies).await;
        };
        // A colleague's write between the read and this one moves the version: read again.
        for _ in 0..5 {
            let record = self.load(&record_id).await?.ok_or(WriteError::NotFound)?;
            let version = version_of(&record)?;
            let Some(policy) = policies.by_id(&record.policy) else {
                return Err(WriteError::Refused(Refusal::invalid(format!(
                    "record {record_id} was created under policy {}, which this server does not have",
                    record.policy
                ))));
            };
            let sent = Sent {
                key: submission.idempotency_key.clone(),
                kind: submission.kind,
                recipient: submission.recipient,
                queued_by: submission.queued_by.clone(),
                sent_at: answer.sent_at,
            };
            let events: Vec<Event> = submissions::answered(policy, &record, &sent, &answer.outcome)
                .into_iter()
                .map(|change| Event {
                    at: answer.answered_at,
                    by: SYSTEM_ACTOR.to_string(),
                    change,
                })
                .collect();
            match self
                .write_events(
                    record,
                    version,
                    &events,
                    policies,
                    answer.answered_at,
                    Also::Answer(answer),
                )
                .await
            {
                Ok(_) => return Ok(true),
                Err(WriteError::Conflict { .. }) => continue,
                Err(WriteError::Refused(_)) => return Ok(false),
                Err(other) => return Err(other),
            }
        }
        Err(WriteError::Conflict { current: 0 })
    }

    /// A month's batch was answered (R-SUBMIT-4): each report in it is answered on its
    /// record as if sent alone (an acceptance meets its deadline at the batch's sending),
    /// then the batch itself. A worker lost half-way leaves the batch's lease to run out;
    /// the next sends it again with the same key and answers the reports still waiting.
    async fn answer_batch(
        &self,
        batch: &Submission,
        answer: &Answered,
        policies: &PolicySet,
    ) -> Result<bool, WriteError> {
        let members = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM submissions WHERE batch_id = $1 AND status = 'batched' \
             ORDER BY id"
        )))
        .bind(batch.id)
        .fetch_all(&self.pool)
        .await?;
        for row in &members {
            let member = submission_of(row)?;
            let answered = Answered {
                id: member.id,
                batch: Some(batch.id),
                ..answer.clone()
            };
            if Box::pin(self.answer_submission(&member, &answered, policies)).await? {
                // Each report's answer is in the audit log on its record, as if sent alone.
                let (action, mut said) = answer_audit(&answer.outcome);
                said["batch"] = serde_json::json!(batch.id);
                let detail = audit_entry(&member, said);
                self.audit(
                    SYSTEM_ACTOR,
                    action,
                    member.record_id.as_deref(),
                    &detail,
                    answer.answered_at,
                )
                .await?;
            }
        }
        let mut tx = self.begin_write().await?;
        let done = record_answer(&mut tx, answer).await;
        match done {
            Ok(()) => {
                tx.commit().await?;
                Ok(true)
            }
            Err(WriteError::Refused(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Build `org`'s batch for `month` (R-SUBMIT-4) from every non-major incident report
    /// held and queued before the month ended, as one submission delivered like any other.
    /// A held report whose incident is no longer non-major is sent on its own instead.
    pub async fn build_batch(
        &self,
        org: &str,
        month: BatchMonth,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<BatchBuilt, WriteError> {
        let key = submissions::batch_key(org, month);
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let mut tx = self.begin_write().await?;
        if let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM submissions WHERE idempotency_key = $1"
        )))
        .bind(&key)
        .fetch_optional(&mut **tx)
        .await?
        {
            return Ok(BatchBuilt::Already(submission_of(&row)?));
        }
        // The lock clause is one of two constants; every value is bound.
        let held = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM submissions \
             WHERE org_id = $1 AND status = 'held' AND queued_at < $2 ORDER BY id{lock}"
        )))
        .bind(org)
        .bind(db_time(month.end()))
        .fetch_all(&mut **tx)
        .await?;
        let mut members = Vec::new();
        let mut ids = Vec::new();
        let mut released = Vec::new();
        for row in &held {
            let s = submission_of(row)?;
            let Some(record_id) = s.record_id.clone() else {
                continue;
            };
            let non_major = self
                .load(&record_id)
                .await?
                .and_then(|r| r.incident().map(|i| i.impact == Some(Impact::NonMajor)))
                .unwrap_or(false);
            if !non_major {
                sqlx::query(
                    "UPDATE submissions SET status = 'queued', next_try_at = $1 WHERE id = $2",
                )
                .bind(db_time(now))
                .bind(s.id)
                .execute(&mut **tx)
                .await?;
                released.push(record_id);
                continue;
            }
            ids.push(s.id);
            members.push(BatchMember {
                submission: s.idempotency_key,
                record: record_id,
                report: s.payload,
            });
        }
        if members.is_empty() {
            tx.commit().await?;
            if !released.is_empty() {
                self.outbox.notify_one();
            }
            return Ok(BatchBuilt::Nothing { released });
        }
        let payload = submissions::batch_payload(org, month, &members);
        let row = sqlx::query(
            "INSERT INTO submissions (idempotency_key, record_id, org_id, recipient, kind, \
             payload, status, attempts, next_try_at, queued_by, queued_at) \
             VALUES ($1, NULL, $2, $3, $4, $5, 'queued', 0, $6, $7, $6) RETURNING id",
        )
        .bind(&key)
        .bind(org)
        .bind(Recipient::Department.as_str())
        .bind(SubmissionKind::MonthlyBatch.as_str())
        .bind(serde_json::to_string(&payload).map_err(corrupt)?)
        .bind(db_time(now))
        .bind(by)
        .fetch_one(&mut **tx)
        .await?;
        let batch: i64 = row.try_get("id")?;
        for id in &ids {
            sqlx::query("UPDATE submissions SET status = 'batched', batch_id = $1 WHERE id = $2")
                .bind(batch)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        let detail = serde_json::json!({
            "key": key,
            "month": month.to_string(),
            "reports": ids.len(),
            "sent_on_their_own": released,
        });
        audit_in(&mut tx, by, "submission_batch_built", None, &detail, now).await?;
        tx.commit().await?;
        self.outbox.notify_one();
        let built = self.submission(batch).await?.ok_or(WriteError::NotFound)?;
        Ok(BatchBuilt::Built {
            batch: built,
            released,
        })
    }

    /// The organisations with reports held since before `before` (R-SUBMIT-4): those whose
    /// batch is due.
    pub async fn held_orgs(&self, before: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT org_id FROM submissions WHERE status = 'held' AND queued_at < $1 \
             ORDER BY org_id",
        )
        .bind(db_time(before))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("org_id")?))
            .collect()
    }

    /// A server that no longer sends batches sends what it held on its own now; how many.
    pub async fn release_held(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let released = sqlx::query(
            "UPDATE submissions SET status = 'queued', next_try_at = $1 WHERE status = 'held'",
        )
        .bind(db_time(now))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        if released > 0 {
            self.outbox.notify_one();
        }
        Ok(released)
    }

    /// Handed over; its receipt is looked for again at `next_look`.
    pub async fn submission_awaiting(
        &self,
        id: i64,
        worker: &str,
        sent_at: Option<DateTime<Utc>>,
        next_look: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE submissions SET status = 'awaiting', sent_at = COALESCE($1, sent_at), \
             next_try_at = $2, lease_until = NULL, leased_by = NULL, last_error = NULL \
             WHERE id = $3 AND leased_by = $4",
        )
        .bind(sent_at.map(db_time))
        .bind(db_time(next_look))
        .bind(id)
        .bind(worker)
        .execute(&mut **tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The try failed: tried again at `next_try`, with the error kept for the operator.
    pub async fn submission_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        next_try: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE submissions SET status = 'failing', last_error = $1, next_try_at = $2, \
             lease_until = NULL, leased_by = NULL WHERE id = $3 AND leased_by = $4",
        )
        .bind(error)
        .bind(db_time(next_try))
        .bind(id)
        .bind(worker)
        .execute(&mut **tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn submission(&self, id: i64) -> Result<Option<Submission>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM submissions WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(submission_of).transpose()
    }

    /// The newest submissions the filter lets through, at most `limit`.
    pub async fn submissions(
        &self,
        filter: &SubmissionFilter,
        limit: i64,
    ) -> Result<Vec<Submission>, StoreError> {
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let next = |value: String, binds: &mut Vec<String>| {
            binds.push(value);
            format!("${}", binds.len() + 1)
        };
        if let Some(status) = filter.status {
            conditions.push(format!(
                "status = {}",
                next(status.as_str().into(), &mut binds)
            ));
        }
        if let Some(recipient) = filter.recipient {
            conditions.push(format!(
                "recipient = {}",
                next(recipient.as_str().into(), &mut binds)
            ));
        }
        if let Some(record) = &filter.record {
            conditions.push(format!("record_id = {}", next(record.clone(), &mut binds)));
        }
        if let Some(orgs) = &filter.orgs {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = orgs.iter().map(|o| next(o.clone(), &mut binds)).collect();
            conditions.push(format!("org_id IN ({})", list.join(", ")));
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        // Only placeholders are generated: every value is bound.
        let sql =
            format!("SELECT {COLUMNS} FROM submissions{filter_sql} ORDER BY id DESC LIMIT $1");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
        for value in &binds {
            query = query.bind(value.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(submission_of).collect()
    }

    /// Try a failing submission again now, with the same key; send a rejected one again as
    /// a new submission built from the record as it now is, naming the one it replaces.
    /// `None` when there is nothing to try again (queued, being sent, awaiting, accepted).
    pub async fn retry_submission(
        &self,
        id: i64,
        by: &str,
        now: DateTime<Utc>,
        policies: &PolicySet,
    ) -> Result<Option<Submission>, WriteError> {
        let Some(submission) = self.submission(id).await? else {
            return Err(WriteError::NotFound);
        };
        match submission.status {
            SubmissionStatus::Failing => {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "UPDATE submissions SET status = 'queued', next_try_at = $1 \
                     WHERE id = $2 AND status = 'failing'",
                )
                .bind(db_time(now))
                .bind(id)
                .execute(&mut **tx)
                .await?;
                tx.commit().await?;
                self.outbox.notify_one();
                Ok(self.submission(id).await?)
            }
            SubmissionStatus::Rejected => {
                let Some(record_id) = &submission.record_id else {
                    return Ok(None);
                };
                let record = self.load(record_id).await?.ok_or(WriteError::NotFound)?;
                let Some(policy) = policies.by_id(&record.policy) else {
                    return Ok(None);
                };
                let payload = {
                    let terms = self.terms.read();
                    let ctx = MaskContext {
                        today: local_time::local_date(now),
                        protected_terms: &terms,
                    };
                    submissions::payload(submission.kind, &record, policy, &ctx)
                };
                let mut tx = self.begin_write().await?;
                let row = sqlx::query(
                    "INSERT INTO submissions (idempotency_key, record_id, org_id, recipient, kind, \
                     payload, status, attempts, next_try_at, queued_by, queued_at, replaces) \
                     SELECT $1, $2, $3, $4, $5, $6, 'queued', 0, $7, $8, $7, $9 \
                     WHERE NOT EXISTS (SELECT 1 FROM submissions WHERE replaces = $9) \
                     RETURNING id",
                )
                .bind(format!("{record_id}-r{id}"))
                .bind(record_id)
                .bind(&record.org)
                .bind(submission.recipient.as_str())
                .bind(submission.kind.as_str())
                .bind(serde_json::to_string(&payload).map_err(corrupt)?)
                .bind(db_time(now))
                .bind(by)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
                tx.commit().await?;
                self.outbox.notify_one();
                match row {
                    Some(row) => Ok(self.submission(row.try_get("id")?).await?),
                    None => Ok(None),
                }
            }
            SubmissionStatus::Queued
            | SubmissionStatus::Held
            | SubmissionStatus::Batched
            | SubmissionStatus::Withdrawn
            | SubmissionStatus::Sending
            | SubmissionStatus::Awaiting
            | SubmissionStatus::Accepted => Ok(None),
        }
    }
}
