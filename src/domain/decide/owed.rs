//! R-DL-OWED and R-AWARE-1: what was owed stays owed. A deadline that has fallen due, or
//! been met, keeps its due time and outcome when a later change (a corrected fact, an
//! awareness time put later, an exception recorded too late) would move or remove it. An
//! exception recorded before a deadline falls due ends it as excused, with its reason.

use chrono::{DateTime, Utc};

use crate::domain::deadlines::{self, Deadline, Status};
use crate::domain::events::{Change, Event};
use crate::domain::evolve::evolve;
use crate::domain::model::{KeptDeadline, Record};
use crate::domain::policy::PolicySet;
use crate::domain::refusal::Refusal;

/// The changes that keep the deadlines `changes` would otherwise move or remove.
pub(super) fn keep(
    record: &Record,
    changes: &[Change],
    by: &str,
    now: DateTime<Utc>,
    policies: &PolicySet,
) -> Result<Vec<Change>, Refusal> {
    let mut after = record.clone();
    for change in changes {
        let event = Event {
            at: now,
            by: by.to_string(),
            change: change.clone(),
        };
        after = evolve(Some(after), &event).map_err(|e| Refusal::invalid(e.to_string()))?;
    }
    let before = deadlines::deadlines(record, policies, now);
    let after = deadlines::deadlines(&after, policies, now);
    let excuse = changes.iter().find_map(|c| match c {
        Change::FeedbackExceptionRecorded { reason } => Some(reason.as_str()),
        _ => None,
    });
    let mut kept = Vec::new();
    for old in before
        .iter()
        .filter(|d| d.kept.is_none() && !record.kept_deadlines.contains_key(&d.id))
    {
        let (Some(started_at), Some(due)) = (old.started_at, &old.due) else {
            continue;
        };
        let new = after.iter().find(|d| d.id == old.id);
        let moved = new.is_none_or(|new| new.started_at != old.started_at || new.due != old.due);
        let decided = matches!(
            old.status,
            Status::Met { .. } | Status::MetLate { .. } | Status::Overdue { .. }
        );
        let excused = match (excuse, &old.status, new) {
            (Some(reason), Status::Pending { .. }, None) => Some(reason.to_string()),
            _ => None,
        };
        if (decided && moved) || excused.is_some() {
            kept.push(Change::DeadlineKept {
                deadline: old.id.clone(),
                kept: KeptDeadline {
                    started_at,
                    due_at: due.at.with_timezone(&Utc),
                    explanation: due.explanation.clone(),
                    at: now,
                    because: because(changes, old),
                    excused,
                },
            });
        }
    }
    Ok(kept)
}

/// In words, the change that would have moved or removed the deadline.
fn because(changes: &[Change], deadline: &Deadline) -> String {
    // The most telling change first: a correction says more than the edit that carries it.
    let specific = changes.iter().find_map(|c| match c {
        Change::AwarenessCorrected { from, to, reason } => Some(format!(
            "the awareness time was corrected from {} to {} ({reason})",
            melbourne(*from),
            melbourne(*to)
        )),
        Change::FeedbackExceptionRecorded { reason } => {
            Some(format!("an exception was recorded ({reason})"))
        }
        _ => None,
    });
    let said = specific.or_else(|| {
        changes
            .iter()
            .any(|c| matches!(c, Change::DetailsUpdated { .. }))
            .then(|| "the record's details were changed".to_string())
    });
    let said = said.unwrap_or_else(|| "a later change".to_string());
    match deadline.status {
        Status::Pending { .. } => said,
        _ => format!("{said} after it fell due or was met: its due time and outcome stand"),
    }
}

fn melbourne(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::domain::local_time::ZONE)
        .format("%a %-d %b %Y %H:%M")
        .to_string()
}
