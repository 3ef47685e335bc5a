//! What happened to a record. Events are appended, never changed; the record is their fold.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::commands::ContactPurpose;
use super::model::{Details, IntakeDecision, KeptDeadline, Milestone, RcsScope, Span};
use super::submissions::{Recipient, SubmissionKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub by: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Change {
    Created {
        id: String,
        org: String,
        policy: String,
        stage: String,
        details: Details,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee: Option<String>,
    },
    DetailsUpdated {
        details: Details,
    },
    ItemTicked {
        item: String,
    },
    ItemUnticked {
        item: String,
    },
    ItemWaived {
        item: String,
        reason: String,
    },
    MilestoneReached {
        milestone: Milestone,
        at: DateTime<Utc>,
    },
    StageAdvanced {
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skipped: Vec<String>,
    },
    NoteAdded {
        note: u32,
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        protected_spans: Vec<Span>,
        /// R-NOTE-CAT; absent in notes written before categories, which are case notes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
    },
    NoteAmended {
        note: u32,
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        protected_spans: Vec<Span>,
        reason: String,
    },
    Assigned {
        user: Option<String>,
    },
    OrganisationChanged {
        from: String,
        to: String,
        reason: String,
    },
    RcsScopeConfirmed {
        scope: RcsScope,
    },
    PoliceHoldStarted,
    PoliceHoldEnded,
    InvestigationExtended {
        business_days: u32,
        reason: String,
    },
    InvestigationOutcomeRecorded {
        outcome: String,
    },
    ReviewSkipped {
        reason: String,
    },
    PrivacyBreachRaised,
    Endorsed,
    IntakeClassified {
        decision: IntakeDecision,
    },
    /// R-LINK-1: the intake report is linked to an incident that is also a new allegation.
    IncidentLinked {
        incident: String,
    },
    RereportDecided {
        investigate: bool,
        rationale: String,
    },
    /// R-INT-REREPORT-3: who the DAOM delegated the re-report decision to.
    RereportDelegated {
        to: String,
    },
    FeedbackExceptionRecorded {
        reason: String,
    },
    ContactRecorded {
        purpose: ContactPurpose,
    },
    LearningActionRaised {
        action: u32,
        what: String,
        owner: String,
        due_on: NaiveDate,
    },
    LearningActionClosed {
        action: u32,
        outcome: String,
    },
    Closed {
        reason: String,
    },
    /// R-LOCK-1: an endorsement withdrawn, and why; its item is to be done again.
    EndorsementWithdrawn {
        item: String,
        reason: String,
    },
    /// R-AWARE-1: the awareness time corrected, with the reason.
    AwarenessCorrected {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        reason: String,
    },
    /// R-SUBMIT-1: a submission is queued for its recipient, built from the record as it
    /// is after this event.
    SubmissionQueued {
        kind: SubmissionKind,
        recipient: Recipient,
    },
    /// R-SUBMIT-1: the recipient accepted the submission sent at `sent_at`, which is when
    /// its deadline was met.
    SubmissionAccepted {
        /// The submission's idempotency key.
        submission: String,
        kind: SubmissionKind,
        recipient: Recipient,
        reference: String,
        sent_at: DateTime<Utc>,
    },
    /// R-SUBMIT-1: the recipient refused the submission, with its reasons; the deadline is
    /// still to be met.
    SubmissionRejected {
        /// The submission's idempotency key.
        submission: String,
        kind: SubmissionKind,
        recipient: Recipient,
        reasons: Vec<String>,
    },
    /// R-SUBMIT-1: submitted outside cims at `at`, recorded by hand with the reason.
    SubmittedOutside {
        kind: SubmissionKind,
        at: DateTime<Utc>,
        reason: String,
    },
    /// R-DL-OWED: a deadline that fell due (or was met) is kept as it stood, because the
    /// change recorded with it would have moved or removed it.
    DeadlineKept {
        deadline: String,
        kept: KeptDeadline,
    },
}
