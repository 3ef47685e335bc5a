//! Transmission (R-SUBMIT-1, R-SUBMIT-3): completing an item queues its submission; the
//! item a submission completes is done when its recipient accepts it, or by hand, with a
//! reason, for a submission made outside cims.

use chrono::{DateTime, Duration, Utc};

/// How far ahead of the server's clock a caller's may be.
const CLOCK_SKEW_MINUTES: i64 = 5;

use crate::domain::events::Change;
use crate::domain::model::{Milestone, Record};
use crate::domain::refusal::Refusal;
use crate::domain::submissions::SubmissionKind;

use super::checklist::{checked_item, prerequisites, roles};
use super::{Ctx, required_text};

/// Queue the submissions whose `queued_by` item these changes complete. When a submission
/// completes the very item that queues it, the item's milestone is left to the recipient's
/// acceptance: a tick says it is sent, not that it was received (R-SUBMIT-1).
pub(super) fn queue(ctx: &Ctx<'_>, record: &Record, changes: &mut Vec<Change>) {
    let ticked: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::ItemTicked { item } => Some(item.clone()),
            _ => None,
        })
        .collect();
    for route in ctx
        .policy
        .submissions
        .iter()
        .filter(|r| ticked.contains(&r.queued_by))
    {
        if route.completes == route.queued_by {
            let waits: Option<Milestone> = ctx
                .policy
                .item(record.kind(), &route.completes)
                .and_then(|i| i.milestone);
            changes.retain(|c| {
                !matches!(c, Change::MilestoneReached { milestone, .. } if Some(*milestone) == waits)
            });
        }
        changes.push(Change::SubmissionQueued {
            kind: route.kind,
            recipient: route.recipient,
        });
    }
}

/// R-SUBMIT-1: an item a submission completes, queued by another item, is done by the
/// recipient's acceptance, not by a tick.
pub(super) fn not_by_hand(ctx: &Ctx<'_>, item: &str) -> Result<(), Refusal> {
    match ctx
        .policy
        .submissions
        .iter()
        .find(|r| r.completes == item && r.queued_by != item)
    {
        Some(route) => Err(Refusal::rule(
            "R-SUBMIT-1",
            format!(
                "this is done when the {} accepts the {}; a submission made outside cims is recorded with when and why (submitted outside)",
                route.recipient.label(),
                route.kind.label().to_lowercase()
            ),
        )
        .on_field("item")),
        None => Ok(()),
    }
}

/// A submission made outside cims, recorded by hand: the item it completes is done and
/// its milestone reached at the time it was made, which may not be in the future nor
/// before the record's clock started.
pub(super) fn outside(
    ctx: &Ctx<'_>,
    record: &Record,
    kind: SubmissionKind,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<Vec<Change>, Refusal> {
    let route = ctx.policy.submission(kind).ok_or_else(|| {
        Refusal::invalid(format!(
            "policy {} transmits no {}",
            ctx.policy.id,
            kind.label().to_lowercase()
        ))
        .on_field("kind")
    })?;
    let item = checked_item(ctx, record, &route.completes)?;
    if !ctx.actor.has_any(&item.tick) {
        return Err(Refusal::forbidden(format!(
            "\"{}\" may be recorded by: {}",
            item.text,
            roles(&item.tick)
        )));
    }
    if record.is_done(&item.id)
        && item
            .milestone
            .is_some_and(|m| record.milestones.contains_key(&m))
    {
        return Err(Refusal::invalid(format!(
            "\"{}\" is already done",
            item.text
        )));
    }
    prerequisites(ctx, record, item)?;
    let reason = required_text(reason, "reason", Some("R-SUBMIT-1"))?;
    if at > ctx.now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(Refusal::invalid("a submission cannot be made in the future").on_field("at"));
    }
    // A moment ahead is a clock a little fast: taken as now.
    let at = at.min(ctx.now);
    let started = record.milestones.get(&Milestone::Identified).copied();
    if started.is_some_and(|s| at < s) {
        return Err(Refusal::invalid(
            "a submission cannot be made before the organisation became aware of the incident",
        )
        .on_field("at"));
    }
    let mut changes = vec![Change::SubmittedOutside { kind, at, reason }];
    if !record.is_done(&item.id) {
        changes.push(Change::ItemTicked {
            item: item.id.clone(),
        });
    }
    if let Some(milestone) = item.milestone {
        changes.push(Change::MilestoneReached { milestone, at });
    }
    Ok(changes)
}
