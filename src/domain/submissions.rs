//! Transmission (R-SUBMIT): what a client incident register sends, to whom, and when a
//! deadline is met by it. Pure: no I/O; the store queues submissions in the transaction of
//! the event that asks for them, and a worker in the server delivers them.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::events::Change;
use super::local_time;
use super::mask::{MaskContext, View, Visibility, mask_as};
use super::model::{Impact, Milestone, Record};
use super::policy::Policy;

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

/// Who records a recipient's answer on a record: cims itself.
pub const SYSTEM_ACTOR: &str = "cims";

/// The idempotency key of the submission queued by the event at `version` of a record:
/// the same event can never queue two, and a resend after a crash carries the same key.
pub fn submission_key(record: &str, version: i64) -> String {
    format!("{record}-v{version}")
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

/// When a submission was made, for its deadline (R-SUBMIT-1): the recipient's own receipt
/// time where it gives one that can be true — after it was queued, not after now, allowing
/// a few minutes of clock difference — else when cims sent the copy that was answered. A
/// resend after a crash is answered with the first receipt's time, the true one.
pub fn submission_time(
    received_at: Option<DateTime<Utc>>,
    queued_at: DateTime<Utc>,
    sent_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    const CLOCKS_MAY_DIFFER: Duration = Duration::minutes(5);
    match received_at {
        Some(at) if at >= queued_at - CLOCKS_MAY_DIFFER && at <= now + CLOCKS_MAY_DIFFER => {
            at.clamp(queued_at, now.max(queued_at)).trunc_subsecs(0)
        }
        _ => sent_at,
    }
}

/// What every recipient may be sent: the identifying details of the people the record is
/// about, never a protected one — a reporter's identity or a protected span (R-SUBMIT-2,
/// R-PRIV-2).
const RECIPIENT_SIGHT: Visibility = Visibility {
    protected: false,
    identifying: true,
};

/// The payload of a submission of `kind`, built from the record as it is and masked for
/// its recipient (R-SUBMIT-2): one shape per kind, each naming the record it comes from.
pub fn payload(
    kind: SubmissionKind,
    record: &Record,
    policy: &Policy,
    ctx: &MaskContext<'_>,
) -> Value {
    let masked = mask_as(View::Record(record), RECIPIENT_SIGHT, policy, ctx).value;
    let details = masked.get("details").cloned().unwrap_or(Value::Null);
    let field = |name: &str| details.get(name).cloned().unwrap_or(Value::Null);
    let top = |name: &str| masked.get(name).cloned().unwrap_or(Value::Null);
    let milestone = |m: Milestone| {
        record
            .milestones
            .get(&m)
            .map_or(Value::Null, |at| json!(at))
    };
    let mut body = Map::new();
    body.insert("kind".into(), json!(kind));
    body.insert("record".into(), json!(record.id));
    body.insert("organisation".into(), json!(record.org));
    body.insert("policy".into(), json!(record.policy));
    let mut put = |key: &str, value: Value| {
        body.insert(key.into(), value);
    };
    match kind {
        // A batch's own payload is its reports' (`batch_payload`); built from one record it
        // is that record's report.
        SubmissionKind::IncidentReport | SubmissionKind::MonthlyBatch => {
            put("incident", details.clone());
            put("endorsed_at", milestone(Milestone::ReportEndorsed));
        }
        SubmissionKind::InvestigationOutcome => {
            put("outcome", top("investigation_outcome"));
            put("identified_at", field("identified_at"));
            put("primary_type", field("primary_type"));
            put("impact", field("impact"));
            put("police_holds", top("police_holds"));
            put("extensions", top("extensions"));
        }
        SubmissionKind::ReviewOutcome => {
            put("identified_at", field("identified_at"));
            put("primary_type", field("primary_type"));
            put("impact", field("impact"));
            put(
                "covered_by_investigation",
                top("review_covered_by_investigation"),
            );
            put("learning_actions", top("learning_actions"));
        }
        SubmissionKind::SsrShortForm => {
            for key in [
                "identified_at",
                "occurred_at",
                "service_type",
                "primary_type",
                "secondary_type",
                "impact",
                "harm",
                "description",
            ] {
                put(key, field(key));
            }
        }
        SubmissionKind::CcypNotification => {
            for key in [
                "identified_at",
                "occurred_at",
                "primary_type",
                "subject",
                "description",
            ] {
                put(key, field(key));
            }
            put("rcs_scope", top("rcs_scope"));
        }
    }
    Value::Object(body)
}

/// A calendar month in Melbourne, whose non-major incident reports go in one batch
/// (R-SUBMIT-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BatchMonth {
    first: NaiveDate,
}

impl BatchMonth {
    /// `YYYY-MM`, e.g. `2026-11`.
    pub fn parse(text: &str) -> Result<BatchMonth, String> {
        let bad = || format!("month {text:?}: expected YYYY-MM, e.g. 2026-11");
        let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(|first| BatchMonth { first })
            .ok_or_else(bad)
    }

    /// The Melbourne month `instant` falls in.
    pub fn of(instant: DateTime<Utc>) -> BatchMonth {
        let date = local_time::local_date(instant);
        BatchMonth {
            first: date.with_day(1).unwrap_or(date),
        }
    }

    /// The month before this one.
    pub fn previous(self) -> BatchMonth {
        let day_before = self.first.pred_opt().unwrap_or(self.first);
        BatchMonth {
            first: day_before.with_day(1).unwrap_or(day_before),
        }
    }

    /// The first instant after the month, at midnight in Melbourne: reports queued before
    /// it are due in this month's batch.
    pub fn end(self) -> DateTime<Utc> {
        let last = self
            .first
            .checked_add_months(chrono::Months::new(1))
            .and_then(|next| next.pred_opt())
            .unwrap_or(self.first);
        local_time::end_of_day(last).with_timezone(&Utc) + Duration::seconds(1)
    }
}

impl fmt::Display for BatchMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// The idempotency key of an organisation's batch for a month: one batch per month, so a
/// second build of the same month, or a resend after a crash, can never send two.
pub fn batch_key(org: &str, month: BatchMonth) -> String {
    format!("{org}-batch-{month}")
}

/// Whether a submission of `kind` queued on `record` waits for its month's batch
/// (R-SUBMIT-4): the policy allows it, the server sends batches, and it is the report of
/// an incident classified non-major.
pub fn held_for_batch(
    policy: &Policy,
    record: &Record,
    kind: SubmissionKind,
    batching: bool,
) -> bool {
    batching
        && policy.parameters.non_major_batch
        && kind == SubmissionKind::IncidentReport
        && record
            .incident()
            .is_some_and(|i| i.impact == Some(Impact::NonMajor))
}

/// One report in a batch: the key it was queued under, its record and the payload built
/// when it was queued.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchMember {
    pub submission: String,
    pub record: String,
    pub report: Value,
}

/// The batch's payload: the organisation's month and every report in it (R-SUBMIT-4).
pub fn batch_payload(org: &str, month: BatchMonth, members: &[BatchMember]) -> Value {
    json!({
        "kind": SubmissionKind::MonthlyBatch,
        "organisation": org,
        "month": month.to_string(),
        "count": members.len(),
        "reports": members,
    })
}

/// A recipient's answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Accepted { reference: String },
    Rejected { reasons: Vec<String> },
}

/// A submission as its answer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Its idempotency key, which names it on the record and to the recipient.
    pub key: String,
    pub kind: SubmissionKind,
    pub recipient: Recipient,
    /// Who queued it: a rejected submission returns to them.
    pub queued_by: String,
    /// When the accepted copy was sent: what meets the deadline.
    pub sent_at: DateTime<Utc>,
}

/// What the recipient's answer records on the record (R-SUBMIT-1). An acceptance
/// completes the item the submission completes and reaches its milestone at the time of
/// sending (unless already reached earlier, as by a submission made outside cims); a
/// rejection returns the record to whoever queued it, with the recipient's reasons in its
/// history, and the deadline still to be met.
pub fn answered(policy: &Policy, record: &Record, sent: &Sent, outcome: &Outcome) -> Vec<Change> {
    match outcome {
        Outcome::Accepted { reference } => {
            let mut changes = vec![Change::SubmissionAccepted {
                submission: sent.key.clone(),
                kind: sent.kind,
                recipient: sent.recipient,
                reference: reference.clone(),
                sent_at: sent.sent_at,
            }];
            let item = policy
                .submission(sent.kind)
                .and_then(|route| policy.item(record.kind(), &route.completes));
            if let Some(item) = item {
                if !record.is_done(&item.id) {
                    changes.push(Change::ItemTicked {
                        item: item.id.clone(),
                    });
                }
                if let Some(milestone) = item.milestone
                    && record
                        .milestones
                        .get(&milestone)
                        .is_none_or(|reached| *reached > sent.sent_at)
                {
                    changes.push(Change::MilestoneReached {
                        milestone,
                        at: sent.sent_at,
                    });
                }
            }
            changes
        }
        Outcome::Rejected { reasons } => {
            let mut changes = vec![Change::SubmissionRejected {
                submission: sent.key.clone(),
                kind: sent.kind,
                recipient: sent.recipient,
                reasons: reasons.clone(),
            }];
            if record.assignee.as_deref() != Some(sent.queued_by.as_str()) {
                changes.push(Change::Assigned {
                    user: Some(sent.queued_by.clone()),
                });
            }
            changes
        }
    }
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
    fn the_recipient_s_receipt_time_is_the_submission_time_when_it_can_be_true_r_submit_1() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let queued = at("2026-12-01T10:00:00Z");
        let resent = at("2026-12-01T10:20:00Z");
        let now = at("2026-12-01T10:20:01Z");
        // The first copy was received before a crash; the resend is answered with its time.
        assert_eq!(
            submission_time(Some(at("2026-12-01T10:00:02.7Z")), queued, resent, now),
            at("2026-12-01T10:00:02Z")
        );
        assert_eq!(submission_time(None, queued, resent, now), resent);
        // A clock a little off is kept within what can be true; one far off is not believed.
        assert_eq!(
            submission_time(Some(at("2026-12-01T09:58:00Z")), queued, resent, now),
            queued
        );
        assert_eq!(
            submission_time(Some(at("2026-12-01T10:23:00Z")), queued, resent, now),
            now
        );
        for far in ["2026-11-30T10:00:00Z", "2026-12-02T10:00:00Z"] {
            assert_eq!(submission_time(Some(at(far)), queued, resent, now), resent);
        }
    }

    #[test]
    fn a_batch_month_ends_at_melbourne_midnight_r_submit_4() {
        let november = BatchMonth::parse("2026-11").unwrap();
        assert_eq!(november.to_string(), "2026-11");
        // 1 December 2026 00:00 in Melbourne (daylight saving, UTC+11).
        assert_eq!(november.end().to_rfc3339(), "2026-11-30T13:00:00+00:00");
        assert_eq!(november.previous().to_string(), "2026-10");
        assert_eq!(
            BatchMonth::parse("2027-01").unwrap().previous().to_string(),
            "2026-12"
        );
        let at = DateTime::parse_from_rfc3339("2026-11-30T13:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(BatchMonth::of(at).to_string(), "2026-12");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-11-01"] {
            assert!(BatchMonth::parse(bad).is_err(), "{bad}");
        }
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
