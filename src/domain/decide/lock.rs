//! R-LOCK-1: an endorsement covers the facts it was given. While it stands, an edit that
//! changes one of them is refused, naming them; the endorsement is withdrawn first, with
//! a reason, and endorsed again afterwards. Withdrawing is a decision someone takes and
//! the history shows, never a side effect of an edit, so what a reader sees of it never
//! depends on a fact that reader may not see (R-PRIV-8).

use crate::domain::events::Change;
use crate::domain::model::Record;
use crate::domain::refusal::Refusal;
use crate::domain::rules::facts;

use super::{Ctx, required_text};

/// Refuse new details that change a fact a standing endorsement covers.
pub(super) fn check(ctx: &Ctx<'_>, record: &Record, changes: &[Change]) -> Result<(), Refusal> {
    let Some(new) = changes.iter().find_map(|c| match c {
        Change::DetailsUpdated { details } => Some(details),
        _ => None,
    }) else {
        return Ok(());
    };
    // The endorsements that stand: done items that cover facts.
    let standing = ctx.policy.checklist.iter().filter(|item| {
        item.kind == record.kind() && !item.covers.is_empty() && record.is_done(&item.id)
    });
    let versions = facts::Versions::of(&record.details, new);
    for item in standing {
        let changed = versions.changed(&item.covers);
        if let Some(first) = changed.first() {
            return Err(Refusal::rule(
                "R-LOCK-1",
                format!(
                    "\"{}\" was given for these details, which would change: {}. Withdraw it first (withdraw_endorsement, with a reason); it is then endorsed again",
                    item.text,
                    changed.join(", ")
                ),
            )
            .on_field(first.split('.').next().unwrap_or(first)));
        }
    }
    Ok(())
}

/// Withdraw a standing endorsement, by someone who may give it.
pub(super) fn withdraw(
    ctx: &Ctx<'_>,
    record: &Record,
    id: &str,
    reason: &str,
) -> Result<Vec<Change>, Refusal> {
    let item = ctx
        .policy
        .item(record.kind(), id)
        .filter(|item| !item.covers.is_empty())
        .ok_or_else(|| {
            Refusal::invalid(format!(
                "{id:?} is not an endorsement of {} records",
                record.kind().as_str()
            ))
            .on_field("item")
        })?;
    if !ctx.actor.has_any(&item.tick) {
        return Err(Refusal::forbidden(format!(
            "\"{}\" is withdrawn by those who may give it",
            item.text
        )));
    }
    let reason = required_text(reason, "reason", Some("R-LOCK-1"))?;
    if !record.is_done(&item.id) {
        return Err(Refusal::invalid(format!(
            "\"{}\" is not given: there is nothing to withdraw",
            item.text
        )));
    }
    Ok(vec![Change::EndorsementWithdrawn {
        item: item.id.clone(),
        reason,
    }])
}
