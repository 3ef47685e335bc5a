//! The delivering worker (R-SUBMIT-1): leases due submissions, sends each with its
//! idempotency key through its recipient's transport, and records the answer on the record.
//! A worker that dies between sending and recording leaves its lease to run out; the next
//! worker sends again with the same key, so the recipient sees one submission.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::json;
use tokio::sync::watch;

use crate::domain::policy::PolicySet;
use crate::domain::submissions::{
    BatchMonth, Outcome, Recipient, SYSTEM_ACTOR, next_try, submission_time,
};
use crate::store::{
    Answered, BatchBuilt, Store, StoreError, Submission, SubmissionStatus, WriteError,
    answer_audit, audit_entry,
};

use super::transport::{Answer, Outgoing, Transport};

/// How a worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How long a leased submission is this worker's alone: longer than a send may take.
    pub lease: Duration,
    /// The longest wait between looks when nothing wakes the worker (another replica's
    /// submissions, receipts dropped in a folder).
    pub poll: std::time::Duration,
    /// The wait before looking again for a receipt.
    pub receipt_look: Duration,
    /// Submissions leased at once.
    pub batch: i64,
}

impl Default for Pace {
    fn default() -> Pace {
        Pace {
            lease: Duration::minutes(10),
            poll: std::time::Duration::from_secs(2),
            receipt_look: Duration::seconds(2),
            batch: 16,
        }
    }
}

pub struct Worker {
    store: Store,
    policies: Arc<PolicySet>,
    transports: BTreeMap<Recipient, Transport>,
    pace: Pace,
    /// Names this worker on its leases.
    id: String,
}

/// A number in 0..1 from the operating system, to spread retries.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    }
}

fn worker_id() -> String {
    let mut bytes = [0u8; 6];
    let suffix = match getrandom::fill(&mut bytes) {
        Ok(()) => bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        Err(_) => "0".into(),
    };
    format!("{}-{suffix}", std::process::id())
}

impl Worker {
    pub fn new(
        store: Store,
        policies: Arc<PolicySet>,
        transports: BTreeMap<Recipient, Transport>,
        pace: Pace,
    ) -> Worker {
        Worker {
            store,
            policies,
            transports,
            pace,
            id: worker_id(),
        }
    }

    /// Deliver until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let woken = self.store.outbox();
        loop {
            if *stop.borrow() {
                return;
            }
            let leased = match self.round().await {
                Ok(leased) => leased,
                Err(e) => {
                    tracing::warn!(error = %e, "submissions: could not lease");
                    0
                }
            };
            if leased >= self.pace.batch {
                continue;
            }
            tokio::select! {
                _ = woken.notified() => {}
                _ = tokio::time::sleep(self.pace.poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Lease what is due and deliver it; how many were leased.
    pub async fn round(&self) -> Result<i64, StoreError> {
        if self.store.batching() {
            self.build_due_batches(Utc::now()).await;
        }
        let leased = self
            .store
            .lease_submissions(&self.id, Utc::now(), self.pace.lease, self.pace.batch)
            .await?;
        let count = i64::try_from(leased.len()).unwrap_or(i64::MAX);
        for submission in leased {
            if let Err(e) = self.deliver(&submission).await {
                tracing::warn!(submission = submission.id, error = %e, "submissions: could not record the outcome");
            }
        }
        Ok(count)
    }

    /// Once a month has ended in Melbourne, each organisation's reports held in it go in
    /// its batch (R-SUBMIT-4). A batch built already (by a colleague's command or another
    /// replica) is left as it is.
    async fn build_due_batches(&self, now: DateTime<Utc>) {
        let month = BatchMonth::of(now).previous();
        let orgs = match self.store.held_orgs(month.end()).await {
            Ok(orgs) => orgs,
            Err(e) => {
                tracing::warn!(error = %e, "submissions: could not look for held reports");
                return;
            }
        };
        for org in orgs {
            match self.store.build_batch(&org, month, SYSTEM_ACTOR, now).await {
                Ok(BatchBuilt::Built { batch, released }) => {
                    tracing::info!(org, %month, batch = batch.id, sent_on_their_own = released.len(), "submissions: month's batch built");
                }
                Ok(BatchBuilt::Already(_) | BatchBuilt::Nothing { .. }) => {}
                Err(e) => {
                    tracing::warn!(org, %month, error = %e, "submissions: could not build the month's batch");
                }
            }
        }
    }

    async fn deliver(&self, s: &Submission) -> Result<(), WriteError> {
        let Some(transport) = self.transports.get(&s.recipient) else {
            let error = format!("no transport is configured for {}", s.recipient.label());
            return self.failed(s, &error).await;
        };
        // A submission handed over earlier is looked for in its receipts; any other is sent
        // now, at whole seconds, as the outbox keeps times, so the record and its
        // submission agree.
        let handed_over_now = s.status != SubmissionStatus::Awaiting;
        let (answer, sent_at) = if handed_over_now {
            let sent_at = Utc::now().trunc_subsecs(0);
            let outgoing = Outgoing {
                key: &s.idempotency_key,
                recipient: s.recipient,
                kind: s.kind,
                payload: &s.payload,
            };
            (transport.send(&outgoing).await, sent_at)
        } else {
            let receipt = transport.receipt(&s.idempotency_key).await;
            (
                receipt.map(|r| r.unwrap_or(Answer::Awaiting)),
                s.sent_at.unwrap_or(s.queued_at),
            )
        };
        match answer {
            Ok(Answer::Accepted {
                reference,
                received_at,
            }) => {
                let submitted = submission_time(received_at, s.queued_at, sent_at, Utc::now());
                self.answer(s, Outcome::Accepted { reference }, submitted)
                    .await
            }
            Ok(Answer::Rejected { reasons }) => {
                self.answer(s, Outcome::Rejected { reasons }, sent_at).await
            }
            Ok(Answer::Awaiting) => {
                self.store
                    .submission_awaiting(
                        s.id,
                        &self.id,
                        handed_over_now.then_some(sent_at),
                        Utc::now() + self.pace.receipt_look,
                    )
                    .await?;
                if !handed_over_now {
                    return Ok(());
                }
                self.audit(
                    s,
                    "submission_sent",
                    json!({"transport": transport.to_string()}),
                )
                .await
            }
            Err(failed) => self.failed(s, &failed.0).await,
        }
    }

    async fn answer(
        &self,
        s: &Submission,
        outcome: Outcome,
        sent_at: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let (action, detail) = answer_audit(&outcome);
        let answered = Answered {
            id: s.id,
            batch: None,
            worker: self.id.clone(),
            outcome,
            sent_at,
            answered_at: Utc::now(),
        };
        if self
            .store
            .answer_submission(s, &answered, &self.policies)
            .await?
        {
            self.audit(s, action, detail).await?;
        }
        Ok(())
    }

    async fn failed(&self, s: &Submission, error: &str) -> Result<(), WriteError> {
        let attempts = u32::try_from(s.attempts.max(1)).unwrap_or(u32::MAX);
        let again = next_try(Utc::now(), attempts, jitter());
        self.store
            .submission_failed(s.id, &self.id, error, again)
            .await?;
        self.audit(
            s,
            "submission_failed",
            json!({"error": error, "attempts": s.attempts, "next_try_at": again}),
        )
        .await
    }

    async fn audit(
        &self,
        s: &Submission,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), WriteError> {
        let entry = audit_entry(s, detail);
        self.store
            .audit(
                SYSTEM_ACTOR,
                action,
                s.record_id.as_deref(),
                &entry,
                Utc::now(),
            )
            .await?;
        Ok(())
    }
}
