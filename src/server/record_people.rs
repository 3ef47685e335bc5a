//! What a record's people bring to it, as the caller may see them: each person's records
//! across the register (R-PERSON-1), the earlier reports cims holds on an intake's children
//! (R-INT-REREPORT-3, R-INT-REREPORT-5), and a pattern of incidents for one client
//! (R-PATTERN-1). All of it is found through the people the caller may see, so a record
//! out of their sight never counts (R-PRIV-8).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::domain::actor::Actor;
use crate::domain::local_time;
use crate::domain::model::{Classification, Details, PriorReport, Record};
use crate::domain::people::MentionRef;
use crate::domain::people::{Role, mentions};
use crate::wire::{IncidentPattern, RecordPerson};

use super::AppState;
use super::error::ApiError;
use super::persons::{Loaded, Seen, person_as_seen};

/// The record's people as the caller may see them, and the earlier reports on each child.
pub(super) struct RecordPeople {
    pub people: Vec<RecordPerson>,
    pub known_reports: BTreeMap<usize, Vec<PriorReport>>,
}

/// When an incident happened (or became known), or an intake was received.
fn happened(record: &Record) -> DateTime<Utc> {
    match &record.details {
        Details::Incident(incident) => incident.occurred_at.unwrap_or(incident.identified_at),
        Details::Intake(intake) => intake.received_at,
    }
}

/// The earlier intake reports on the same child (R-INT-REREPORT-3): received before this
/// one, investigated when classified for protective intervention.
fn earlier_reports(record: &Record, seen: &Seen) -> Vec<(String, PriorReport)> {
    let Details::Intake(this) = &record.details else {
        return Vec::new();
    };
    let mut earlier: Vec<(String, PriorReport)> = seen
        .mentions
        .iter()
        .filter(|(m, r)| m.role == Role::Child && r.id != record.id)
        .filter_map(|(_, r)| match &r.details {
            Details::Intake(other) if other.received_at < this.received_at => Some((
                r.id.clone(),
                PriorReport {
                    received_on: local_time::local_date(other.received_at),
                    investigated: other.decision.as_ref().is_some_and(|d| {
                        d.classifications
                            .contains(&Classification::ProtectiveIntervention)
                    }),
                },
            )),
            _ => None,
        })
        .collect();
    earlier.sort_by(|a, b| b.1.received_on.cmp(&a.1.received_on).then(a.0.cmp(&b.0)));
    earlier.dedup_by(|a, b| a.0 == b.0);
    earlier
}

/// R-PATTERN-1: the client's incidents within the window ending at this one, when they
/// reach the policy's count.
fn pattern(record: &Record, seen: &Seen, state: &AppState) -> Option<IncidentPattern> {
    if !matches!(record.details, Details::Incident(_)) {
        return None;
    }
    let parameters = &state.policy_of(record).parameters;
    let until = happened(record);
    let from = until - Duration::days(i64::from(parameters.pattern_window_days));
    let mut within: Vec<(DateTime<Utc>, String)> = seen
        .mentions
        .iter()
        .filter(|(m, r)| m.role == Role::Client && matches!(r.details, Details::Incident(_)))
        .map(|(_, r)| (happened(r), r.id.clone()))
        .filter(|(at, _)| *at >= from && *at <= until)
        .collect();
    within.sort_by(|a, b| b.cmp(a));
    within.dedup_by(|a, b| a.1 == b.1);
    (within.len() >= parameters.pattern_count).then(|| IncidentPattern {
        incidents: within.into_iter().map(|(_, id)| id).collect(),
        window_days: parameters.pattern_window_days,
    })
}

/// The earlier reports cims holds on each child of an intake, as `actor` may see them
/// (R-INT-REREPORT-3): what a command on it is decided with. Only the children are
/// followed.
pub(super) async fn known_reports(
    state: &AppState,
    actor: &Actor,
    record: &Record,
) -> Result<BTreeMap<usize, Vec<PriorReport>>, ApiError> {
    let mut loaded = Loaded::default();
    let mut known = BTreeMap::new();
    for mention in mentions(record)
        .into_iter()
        .filter(|m| m.role == Role::Child)
    {
        let at = MentionRef {
            record_id: record.id.clone(),
            role: mention.role,
            position: mention.position,
        };
        if let Some(seen) = person_as_seen(state, actor, &at, &mut loaded).await? {
            let earlier = earlier_reports(record, &seen);
            if !earlier.is_empty() {
                known.insert(
                    mention.position,
                    earlier.into_iter().map(|(_, r)| r).collect(),
                );
            }
        }
    }
    Ok(known)
}

/// The people `record` names, each followed across the records `actor` may see.
pub(super) async fn record_people(
    state: &AppState,
    actor: &Actor,
    record: &Record,
) -> Result<RecordPeople, ApiError> {
    let mut loaded = Loaded::default();
    let mut people = Vec::new();
    let mut known_reports = BTreeMap::new();
    for mention in mentions(record) {
        let at = MentionRef {
            record_id: record.id.clone(),
            role: mention.role,
            position: mention.position,
        };
        let Some(seen) = person_as_seen(state, actor, &at, &mut loaded).await? else {
            continue;
        };
        let earlier = if mention.role == Role::Child {
            earlier_reports(record, &seen)
        } else {
            Vec::new()
        };
        if !earlier.is_empty() {
            known_reports.insert(
                mention.position,
                earlier.iter().map(|(_, r)| r.clone()).collect(),
            );
        }
        people.push(RecordPerson {
            person: at.to_string(),
            role: mention.role.as_str().to_string(),
            position: mention.position,
            records: seen.records().len(),
            earlier_reports: earlier.into_iter().map(|(id, _)| id).collect(),
            pattern: if mention.role == Role::Client {
                pattern(record, &seen, state)
            } else {
                None
            },
        });
    }
    Ok(RecordPeople {
        people,
        known_reports,
    })
}
