//! Transmission (R-SUBMIT): what a client incident register sends, to whom, and when a
//! deadline is met by it. Pure: no I/O; the store queues submissions in the transaction of
//! the event that asks for them, and a worker in the server delivers them.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Who receives a submission.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The department, through the CIMS API (R-SUBMIT-1).
    Department,
    /// The Social Services Regulator's short form (R-SUBMIT-3, R-SSR-1).
    Regulator,
    /// The Commission for Children and Young People, through the Integrity Unit (R-SUBMIT-3,
    /// R-RCS-2).
    Ccyp,
}

impl Recipient {
    pub const ALL: [Recipient; 3] = [Recipient::Department, Recipient::Regulator, Recipient::Ccyp];

    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::Department => "department",
            Recipient::Regulator => "regulator",
            Recipient::Ccyp => "ccyp",
        }
    }

    pub fn parse(text: &str) -> Option<Recipient> {
        Recipient::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            Recipient::Department => "Department (CIMS)",
            Recipient::Regulator => "Social Services Regulator",
            Recipient::Ccyp => "CCYP (Integrity Unit)",
        }
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is sent.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    /// The endorsed incident report (R-DL-REPORT).
    IncidentReport,
    /// The investigation's outcome, with its report (R-DL-INVEST).
    InvestigationOutcome,
    /// The case review's outcome (R-DL-REVIEW).
    ReviewOutcome,
    /// The Social Services Regulator's short form for a critical notifiable incident
    /// (R-DL-SSR).
    SsrShortForm,
    /// The head of organisation's notification to CCYP under the Reportable Conduct Scheme
    /// (R-DL-RCS).
    CcypNotification,
    /// The month's non-major incident reports in one upload (R-SUBMIT-4).
    MonthlyBatch,
}

impl SubmissionKind {
    pub const ALL: [SubmissionKind; 6] = [
        SubmissionKind::IncidentReport,
        SubmissionKind::InvestigationOutcome,
        SubmissionKind::ReviewOutcome,
        SubmissionKind::SsrShortForm,
        SubmissionKind::CcypNotification,
        SubmissionKind::MonthlyBatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionKind::IncidentReport => "incident_report",
            SubmissionKind::InvestigationOutcome => "investigation_outcome",
            SubmissionKind::ReviewOutcome => "review_outcome",
            SubmissionKind::SsrShortForm => "ssr_short_form",
            SubmissionKind::CcypNotification => "ccyp_notification",
            SubmissionKind::MonthlyBatch => "monthly_batch",
        }
    }

    pub fn parse(text: &str) -> Option<SubmissionKind> {
        SubmissionKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            SubmissionKind::IncidentReport => "Incident report",
            SubmissionKind::InvestigationOutcome => "Investigation outcome",
            SubmissionKind::ReviewOutcome => "Review outcome",
            SubmissionKind::SsrShortForm => "SSR short form",
            SubmissionKind::CcypNotification => "CCYP notification",
            SubmissionKind::MonthlyBatch => "Monthly batch",
        }
    }
}

impl fmt::Display for SubmissionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wait before the next try after `attempts` failed ones: doubling from 30 seconds to at
/// most an hour, with `jitter` (0.0 to 1.0) spreading up to a fifth of it, so replicas
/// and submissions that failed together do not try again together.
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    const FIRST_SECONDS: i64 = 30;
    const MOST_SECONDS: i64 = 3600;
    let doubled = FIRST_SECONDS.saturating_mul(1_i64 << attempts.saturating_sub(1).min(20));
    let base = doubled.min(MOST_SECONDS);
    let spread = (base as f64 * 0.2 * jitter.clamp(0.0, 1.0)) as i64;
    Duration::seconds(base + spread)
}

/// When a submission that failed its `attempts`-th try is tried again.
pub fn next_try(now: DateTime<Utc>, attempts: u32, jitter: f64) -> DateTime<Utc> {
    now + backoff(attempts, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for r in Recipient::ALL {
            assert_eq!(Recipient::parse(r.as_str()), Some(r));
        }
        for k in SubmissionKind::ALL {
            assert_eq!(SubmissionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Recipient::parse("police"), None);
    }

    #[test]
    fn backoff_doubles_to_an_hour_and_jitter_adds_at_most_a_fifth() {
        assert_eq!(backoff(1, 0.0), Duration::seconds(30));
        assert_eq!(backoff(2, 0.0), Duration::seconds(60));
        assert_eq!(backoff(3, 0.0), Duration::seconds(120));
        assert_eq!(backoff(40, 0.0), Duration::seconds(3600));
        assert_eq!(backoff(1, 1.0), Duration::seconds(36));
        assert_eq!(backoff(40, 5.0), Duration::seconds(4320));
        assert!(backoff(0, 0.0) >= Duration::seconds(30));
    }
}
