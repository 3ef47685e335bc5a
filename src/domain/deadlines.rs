//! The deadline engine (R-DL-*, R-INT-DL-*, R-INT-URGENT-1PM): when each obligation of a
//! record falls due, and whether it is pending, met, overdue or paused. Deadlines are
//! derived from the record and the policy every time, never stored as truth.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeDelta, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, CalendarError};
use super::local_time;
use super::model::{KeptDeadline, LearningAction, PoliceHold, Record};
use super::policy::{AtRisk, DeadlineRule, DueRule, FieldClass, Policy, PolicySet, TimeOfDay};
use super::rules;

/// A due instant with the reasoning behind it, in words a practitioner can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// Melbourne local time with its offset.
    pub at: DateTime<FixedOffset>,
    pub explanation: String,
    /// Days the count passed over, and why (weekend, holiday name, police hold).
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub date: NaiveDate,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DueError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("the deadline falls beyond the dates cims can place")]
    OutOfRange,
    /// The clock is stopped by an open police hold (R-POLICE-2).
    #[error("the clock is paused while police hold the investigation")]
    Paused { since: DateTime<Utc> },
}

/// Where a deadline stands at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// The clock has not started (e.g. the investigation clock before endorsement).
    NotStarted,
    Pending {
        remaining_secs: i64,
    },
    Met {
        at: DateTime<Utc>,
    },
    MetLate {
        at: DateTime<Utc>,
        late_secs: i64,
    },
    Overdue {
        late_secs: i64,
    },
    /// R-POLICE-2: waiting for police; no due time until they clear it.
    Paused {
        since: DateTime<Utc>,
    },
    /// The due time cannot be placed (e.g. an unknown AFL Friday); never guessed.
    Unknown {
        reason: String,
    },
    /// R-DL-OWED: an exception recorded before it fell due ended it.
    Excused {
        at: DateTime<Utc>,
        reason: String,
    },
    /// R-PRIV-9: the deadline reads what the caller may not see (whether the reporter is a
    /// professional, say), so whether it applies, and when, is not said.
    Withheld {
        masked: FieldClass,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub id: String,
    pub rule: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    #[serde(flatten)]
    pub status: Status,
    /// Where its at-risk band begins: from then until it falls due, it is coming up
    /// (`soon`). None when it has no due time or the calendar cannot place the band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_from: Option<DateTime<Utc>>,
    /// Kept at its due time by a later change (R-DL-OWED, R-AWARE-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Kept>,
}

/// Why a deadline is judged against a due time the record no longer gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub at: DateTime<Utc>,
    pub because: String,
    /// The condition that started it still holds: it is owed until met. When it no longer
    /// holds, its outcome is the one it had when it was kept.
    pub still_applies: bool,
}

impl Deadline {
    /// Still to be done: the queue sorts on these.
    pub fn is_open(&self) -> bool {
        let ended = self.kept.as_ref().is_some_and(|k| !k.still_applies);
        !ended
            && !matches!(
                self.status,
                Status::Met { .. } | Status::MetLate { .. } | Status::Excused { .. }
            )
    }

    /// Pending and inside its at-risk band at `now`: not overdue yet, but close.
    pub fn at_risk(&self, now: DateTime<Utc>) -> bool {
        self.is_open()
            && matches!(self.status, Status::Pending { .. })
            && self.at_risk_from.is_some_and(|from| from <= now)
            && self.due.as_ref().is_some_and(|d| now < d.at)
    }
}

/// Where the at-risk band of a clock started at `start` and due at `due` begins: never
/// before the clock started.
pub fn at_risk_from(
    band: AtRisk,
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    calendar: &Calendar,
) -> Result<DateTime<Utc>, CalendarError> {
    let from = match band {
        AtRisk::Share { percent } => {
            let span = (due - start).num_seconds().max(0);
            due - TimeDelta::seconds(span * i64::from(percent) / 100)
        }
        AtRisk::Hours { hours } => due - TimeDelta::hours(i64::from(hours)),
        AtRisk::BusinessHours { hours } => business_hours_before(due, hours, calendar)?,
    };
    Ok(from.max(start))
}

/// The instant `hours` business hours (09:00–17:00 on business days, R-CAL) before `due`.
fn business_hours_before(
    due: DateTime<Utc>,
    hours: u32,
    calendar: &Calendar,
) -> Result<DateTime<Utc>, CalendarError> {
    let mut left = TimeDelta::hours(i64::from(hours));
    let mut date = local_time::local_date(due);
    let mut until = due;
    loop {
        if calendar.is_business_day(date)? {
            let open = local_time::start_of_business(date).with_timezone(&Utc);
            let close = local_time::close_of_business(date).with_timezone(&Utc);
            let end = until.min(close);
            if end > open {
                if end - open >= left {
                    return Ok(end - left);
                }
                left -= end - open;
            }
        }
        // The calendar refuses dates it does not know, which ends the walk.
        date = date
            .pred_opt()
            .ok_or(CalendarError::YearOutOfRange { year: date.year() })?;
        until = local_time::end_of_day(date).with_timezone(&Utc);
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

fn add_days(date: NaiveDate, days: u32) -> Result<NaiveDate, DueError> {
    date.checked_add_days(Days::new(u64::from(days)))
        .ok_or(DueError::OutOfRange)
}

/// "; skips 4 weekend days and Fri 25 Dec (Christmas Day)": weekends counted, weekday
/// holidays and paused days named.
fn skipped_summary(skipped: &[Skipped]) -> String {
    let weekend = skipped
        .iter()
        .filter(|s| matches!(s.date.weekday(), Weekday::Sat | Weekday::Sun))
        .count();
    let named: Vec<String> = skipped
        .iter()
        .filter(|s| !matches!(s.date.weekday(), Weekday::Sat | Weekday::Sun))
        .map(|s| format!("{} ({})", s.date.format("%a %-d %b"), s.why))
        .collect();
    let mut parts = Vec::new();
    match weekend {
        0 => {}
        1 => parts.push("1 weekend day".to_string()),
        n => parts.push(format!("{n} weekend days")),
    }
    if !named.is_empty() {
        parts.push(named.join(", "));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; skips {}", parts.join(" and "))
    }
}

/// Is the clock stopped at the end of `date` by a police hold (R-POLICE-2)? A day counts
/// only if the clock was running when it ended.
fn paused_on(date: NaiveDate, holds: &[PoliceHold]) -> Option<&PoliceHold> {
    let end = local_time::end_of_day(date).with_timezone(&Utc);
    holds
        .iter()
        .find(|h| h.from <= end && h.until.is_none_or(|u| u > end))
}

/// When a clock started at `start` falls due under `rule` (R-CAL for business days).
/// `extra_business_days` are recorded extensions; `holds` pause a business-day count.
pub fn due(
    rule: &DueRule,
    start: DateTime<Utc>,
    calendar: &Calendar,
    extra_business_days: u32,
    holds: &[PoliceHold],
) -> Result<Due, DueError> {
    let local = start.with_timezone(&local_time::ZONE);
    let start_day = local.date_naive();
    match rule {
        DueRule::BusinessDays { days, at } => {
            let n = days.saturating_add(extra_business_days);
            let mut date = start_day;
            let mut counted = 0;
            let mut skipped = Vec::new();
            while counted < n {
                let previous = date;
                date = add_days(date, 1)?;
                if !calendar.is_business_day(date)? {
                    let why = calendar
                        .skipped_days(previous, date)?
                        .into_iter()
                        .next()
                        .map_or_else(|| "not a business day".to_string(), |(_, why)| why);
                    skipped.push(Skipped { date, why });
                } else if let Some(hold) = paused_on(date, holds) {
                    if hold.until.is_none() {
                        return Err(DueError::Paused { since: hold.from });
                    }
                    skipped.push(Skipped {
                        date,
                        why: "police hold (clock paused)".to_string(),
                    });
                } else {
                    counted += 1;
                }
            }
            let when = match at {
                TimeOfDay::EndOfDay => "end of day",
                TimeOfDay::CloseOfBusiness => "close of business (17:00)",
            };
            let mut explanation = format!(
                "{} business day after {}, {when}",
                ordinal(n),
                day(start_day)
            );
            if extra_business_days > 0 {
                explanation.push_str(&format!(
                    " ({days} + {extra_business_days} days of extension)"
                ));
            }
            explanation.push_str(&skipped_summary(&skipped));
            Ok(Due {
                at: at.on(date).fixed_offset(),
                explanation,
                skipped,
            })
        }
        DueRule::CalendarDays { days } => {
            let date = add_days(start_day, *days)?;
            Ok(Due {
                at: local_time::end_of_day(date).fixed_offset(),
                explanation: format!("{days} calendar days after {}, end of day", day(start_day)),
                skipped: Vec::new(),
            })
        }
        DueRule::CalendarDaysWithCutoff { days, cutoff } => {
            // R-INT-URGENT-1PM: before the cut-off the day of receipt is day one; at or
            // after it, day zero.
            let before = local.time() < *cutoff;
            let last = if before {
                add_days(start_day, days.saturating_sub(1))?
            } else {
                add_days(start_day, *days)?
            };
            let received = format!("{:02}:{:02}", local.hour(), local.minute());
            let cut = cutoff.format("%H:%M");
            let explanation = if before {
                format!(
                    "received {received}, before {cut}: {} is day one; {days} calendar days end {}",
                    start_day.format("%A"),
                    day(last)
                )
            } else {
                format!(
                    "received {received}, at or after {cut}: {} is day zero; {days} calendar days end {}",
                    start_day.format("%A"),
                    day(last)
                )
            };
            Ok(Due {
                at: local_time::end_of_day(last).fixed_offset(),
                explanation,
                skipped: Vec::new(),
            })
        }
    }
}

fn status_of(rule: &DeadlineRule, record: &Record, due: &Due, now: DateTime<Utc>) -> Status {
    status_by(record.milestones.get(&rule.met_by).copied(), due, now)
}

/// Where a deadline stands, given when (if ever) it was met.
fn status_by(met_at: Option<DateTime<Utc>>, due: &Due, now: DateTime<Utc>) -> Status {
    let due_at = due.at.with_timezone(&Utc);
    match met_at {
        Some(at) if at <= due_at => Status::Met { at },
        Some(at) => Status::MetLate {
            at,
            late_secs: (at - due_at).num_seconds(),
        },
        None if now <= due_at => Status::Pending {
            remaining_secs: (due_at - now).num_seconds(),
        },
        None => Status::Overdue {
            late_secs: (now - due_at).num_seconds(),
        },
    }
}

/// One deadline of a record under its policy, at `now`.
pub fn evaluate(
    rule: &DeadlineRule,
    record: &Record,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Deadline {
    let started_at = record.milestones.get(&rule.starts).copied();
    let mut deadline = Deadline {
        id: rule.id.clone(),
        rule: rule.rule.clone(),
        label: rule.label.clone(),
        started_at,
        due: None,
        status: Status::NotStarted,
        at_risk_from: None,
        kept: None,
    };
    let Some(start) = started_at else {
        return deadline;
    };
    // R-DL-INVEST: recorded extensions and police holds apply to the clock that allows them.
    let extra = if rule.extension_max_business_days.is_some() {
        record.extensions.iter().map(|e| e.business_days).sum()
    } else {
        0
    };
    let holds: &[PoliceHold] = if rule.paused_by_police {
        &record.police_holds
    } else {
        &[]
    };
    match due(&rule.due, start, calendar, extra, holds) {
        Ok(due) => {
            deadline.status = status_of(rule, record, &due, now);
            deadline.at_risk_from =
                at_risk_from(rule.at_risk, start, due.at.with_timezone(&Utc), calendar).ok();
            deadline.due = Some(due);
        }
        Err(DueError::Paused { since }) => deadline.status = Status::Paused { since },
        Err(e) => {
            deadline.status = Status::Unknown {
                reason: e.to_string(),
            }
        }
    }
    deadline
}

/// A learning action's own deadline: close of business on the date set when it was raised
/// (R-STAGE, stage 5).
fn learning_action(action: &LearningAction, calendar: &Calendar, now: DateTime<Utc>) -> Deadline {
    let due = Due {
        at: local_time::close_of_business(action.due_on).fixed_offset(),
        explanation: format!(
            "close of business on {}, the date set when the action was raised",
            day(action.due_on)
        ),
        skipped: Vec::new(),
    };
    Deadline {
        id: format!("learning_action/{}", action.id),
        rule: "R-STAGE".to_string(),
        label: format!("Learning action {} ({})", action.id, action.owner),
        started_at: Some(action.raised_at),
        status: status_by(action.closed.as_ref().map(|c| c.at), &due, now),
        at_risk_from: at_risk_from(
            AtRisk::default(),
            action.raised_at,
            due.at.with_timezone(&Utc),
            calendar,
        )
        .ok(),
        due: Some(due),
        kept: None,
    }
}

/// A deadline judged against the due time it was kept at (R-DL-OWED, R-AWARE-1): met or
/// met late by the milestone that meets it; while its condition holds, owed until then;
/// once its condition no longer holds, the outcome it had when it was kept; excused if an
/// exception ended it before it fell due.
fn kept(
    rule: &DeadlineRule,
    kept: &KeptDeadline,
    record: &Record,
    policy: &Policy,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Deadline {
    let due = Due {
        at: kept.due_at.with_timezone(&local_time::ZONE).fixed_offset(),
        explanation: kept.explanation.clone(),
        skipped: Vec::new(),
    };
    let still_applies = kept.excused.is_none() && rules::holds(rule.when, record, policy);
    let met_at = record.milestones.get(&rule.met_by).copied();
    let status = match (&kept.excused, met_at) {
        (Some(reason), _) => Status::Excused {
            at: kept.at,
            reason: reason.clone(),
        },
        (None, Some(_)) => status_by(met_at, &due, now),
        (None, None) if still_applies => status_by(None, &due, now),
        (None, None) => status_by(None, &due, kept.at.max(kept.due_at)),
    };
    Deadline {
        id: rule.id.clone(),
        rule: rule.rule.clone(),
        label: rule.label.clone(),
        started_at: Some(kept.started_at),
        at_risk_from: at_risk_from(rule.at_risk, kept.started_at, kept.due_at, calendar).ok(),
        due: Some(due),
        status,
        kept: Some(Kept {
            at: kept.at,
            because: kept.because.clone(),
            still_applies,
        }),
    }
}

/// Every deadline that applies to the record, or was kept (R-DL-OWED), judged by the
/// policy it was created under (R-ERA), then those of its learning actions.
pub fn deadlines(record: &Record, policies: &PolicySet, now: DateTime<Utc>) -> Vec<Deadline> {
    let policy: &Policy = policies.of_record(record);
    policy
        .deadlines
        .iter()
        .filter(|d| d.applies_to(record.kind()))
        .filter_map(|d| match record.kept_deadlines.get(&d.id) {
            Some(k) => Some(kept(d, k, record, policy, &policies.calendar, now)),
            None if rules::holds(d.when, record, policy) => {
                Some(evaluate(d, record, &policies.calendar, now))
            }
            None => None,
        })
        .chain(
            record
                .learning_actions
                .iter()
                .map(|a| learning_action(a, &policies.calendar, now)),
        )
        .collect()
}

/// The earliest start of an at-risk band among the open deadlines: with `next_due`, what
/// tells whether a record is coming up (`due:at_risk`).
pub fn next_at_risk(deadlines: &[Deadline]) -> Option<DateTime<Utc>> {
    deadlines
        .iter()
        .filter(|d| d.is_open())
        .filter_map(|d| d.at_risk_from)
        .min()
}

/// The earliest open due instant: what the queue sorts by.
pub fn next_due(deadlines: &[Deadline]) -> Option<DateTime<FixedOffset>> {
    deadlines
        .iter()
        .filter(|d| d.is_open())
        .filter_map(|d| d.due.as_ref().map(|due| due.at))
        .min()
}
