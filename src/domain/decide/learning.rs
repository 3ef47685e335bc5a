//! Learning actions (R-STAGE, stage 5): raised once an investigation or review is under way,
//! each owned, due by a date and closed with what came of it. A record cannot close while
//! one is still open, so no action is dropped.

use chrono::NaiveDate;

use crate::domain::events::Change;
use crate::domain::local_time::local_date;
use crate::domain::model::Record;
use crate::domain::refusal::Refusal;

use super::checklist::stage_number;
use super::{Ctx, incident_of, required_text};

/// Stages from which a learning action may be raised: investigation (3) onwards.
const FIRST_STAGE: u8 = 3;
/// A due date further out than this is a typing mistake, not a plan.
const LONGEST_DAYS: i64 = 3 * 366;

pub(super) fn raise(
    ctx: &Ctx<'_>,
    record: &Record,
    what: &str,
    owner: &str,
    due_on: NaiveDate,
) -> Result<Vec<Change>, Refusal> {
    incident_of(record)?;
    if stage_number(ctx, record, &record.stage)? < FIRST_STAGE {
        return Err(Refusal::rule(
            "R-STAGE",
            "learning actions come from an investigation or review: stage 3 or later",
        ));
    }
    let what = required_text(what, "what", Some("R-STAGE"))?;
    let owner = required_text(owner, "owner", Some("R-STAGE"))?;
    let today = local_date(ctx.now);
    if due_on < today {
        return Err(
            Refusal::rule("R-STAGE", format!("the due date {due_on} has passed"))
                .on_field("due_on"),
        );
    }
    if (due_on - today).num_days() > LONGEST_DAYS {
        return Err(Refusal::invalid(format!(
            "the due date {due_on} is more than three years away"
        ))
        .on_field("due_on"));
    }
    let action = record
        .learning_actions
        .iter()
        .map(|a| a.id)
        .max()
        .unwrap_or(0)
        + 1;
    Ok(vec![Change::LearningActionRaised {
        action,
        what,
        owner,
        due_on,
    }])
}

pub(super) fn close(record: &Record, action: u32, outcome: &str) -> Result<Vec<Change>, Refusal> {
    let found = record
        .learning_actions
        .iter()
        .find(|a| a.id == action)
        .ok_or_else(|| {
            Refusal::invalid(format!("there is no learning action {action}")).on_field("action")
        })?;
    if !found.is_open() {
        return Err(
            Refusal::invalid(format!("learning action {action} is already closed"))
                .on_field("action"),
        );
    }
    let outcome = required_text(outcome, "outcome", Some("R-STAGE"))?;
    Ok(vec![Change::LearningActionClosed { action, outcome }])
}

/// R-STAGE: every action arising is tracked to completion before the record closes.
pub(super) fn all_closed(record: &Record) -> Result<(), Refusal> {
    let open: Vec<String> = record
        .open_learning_actions()
        .map(|a| a.id.to_string())
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(Refusal::rule(
            "R-STAGE",
            format!(
                "learning action{} {} still open: close {} with {} outcome first",
                if open.len() == 1 { "" } else { "s" },
                open.join(", "),
                if open.len() == 1 { "it" } else { "them" },
                if open.len() == 1 { "its" } else { "their" },
            ),
        ))
    }
}
