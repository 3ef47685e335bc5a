//! Ticking, waiving, advancing stages and closing (R-STAGE).

use std::collections::BTreeSet;

use crate::domain::events::Change;
use crate::domain::model::{Milestone, Record, RecordKind};
use crate::domain::policy::{ChecklistItem, Condition, Stage};
use crate::domain::refusal::Refusal;
use crate::domain::rules;

use super::{Ctx, applies, required_text, withheld};

pub(super) fn checked_item<'a>(
    ctx: &Ctx<'a>,
    record: &Record,
    id: &str,
) -> Result<&'a ChecklistItem, Refusal> {
    let item = ctx.policy.item(record.kind(), id).ok_or_else(|| {
        Refusal::invalid(format!(
            "{id:?} is not a checklist item for {} records",
            record.kind().as_str()
        ))
        .on_field("item")
    })?;
    // R-PRIV-9: to an actor who may not see what the item reads, it is refused alike
    // whether it applies or not, and before anything about its state is said.
    if let Some(class) = ctx.sight(record).item(item) {
        return Err(withheld(
            class,
            &format!(
                "\"{}\" depends on details of this record you may not see",
                item.text
            ),
        )
        .on_field("item"));
    }
    if !applies(ctx, record, item.when)? {
        return Err(
            Refusal::invalid(format!("\"{}\" does not apply to this record", item.text))
                .on_field("item"),
        );
    }
    Ok(item)
}

pub(super) fn stage_number(ctx: &Ctx<'_>, record: &Record, stage: &str) -> Result<u8, Refusal> {
    ctx.policy
        .stage(record.kind(), stage)
        .map(|s| s.number)
        .ok_or_else(|| Refusal::invalid(format!("unknown stage {stage:?}")))
}

/// Is this stage the investigation stage (R-POLICE-1, R-POLICE-2)?
fn is_investigation(stage: Option<&Stage>) -> bool {
    stage.is_some_and(|s| {
        matches!(
            s.when,
            Condition::InvestigationRequired | Condition::CimsInvestigation
        )
    })
}

pub(super) fn tick(ctx: &Ctx<'_>, record: &Record, id: &str) -> Result<Vec<Change>, Refusal> {
    let item = checked_item(ctx, record, id)?;
    if let Some(via) = &item.via {
        return Err(Refusal::invalid(format!(
            "\"{}\" is completed by the {via} command, not ticked by hand",
            item.text
        )));
    }
    super::submit::not_by_hand(ctx, &item.id)?;
    if !ctx.actor.has_any(&item.tick) {
        return Err(Refusal::forbidden(format!(
            "\"{}\" may be ticked by: {}",
            item.text,
            roles(&item.tick)
        )));
    }
    if record.is_done(id) {
        return Err(Refusal::invalid(format!(
            "\"{}\" is already done",
            item.text
        )));
    }
    // R-POLICE-1/2 say more than the order of items does, so they are checked first.
    if record.kind() == RecordKind::Incident
        && is_investigation(ctx.policy.stage(record.kind(), &item.stage))
    {
        police_first(ctx, record)?;
    }
    prerequisites(ctx, record, item)?;
    // Obligations with a deadline may be met early; other items wait for their stage.
    let current = stage_number(ctx, record, &record.stage)?;
    if item.milestone.is_none() && stage_number(ctx, record, &item.stage)? > current {
        return Err(Refusal::rule(
            "R-STAGE",
            format!(
                "\"{}\" belongs to a later stage ({})",
                item.text, item.stage
            ),
        ));
    }
    let mut changes = vec![Change::ItemTicked {
        item: item.id.clone(),
    }];
    if let Some(milestone) = item.milestone {
        changes.push(Change::MilestoneReached {
            milestone,
            at: ctx.now,
        });
    }
    Ok(changes)
}

/// R-ORDER-1: the items `item` requires, where they apply, are done first.
pub(super) fn prerequisites(
    ctx: &Ctx<'_>,
    record: &Record,
    item: &ChecklistItem,
) -> Result<(), Refusal> {
    for needed in &item.requires {
        if let Some(first) = ctx.policy.item(record.kind(), needed)
            && applies(ctx, record, first.when)?
            && !record.is_done(needed)
        {
            return Err(Refusal::rule(
                "R-ORDER-1",
                format!("\"{}\" comes before \"{}\"", first.text, item.text),
            ));
        }
    }
    Ok(())
}

/// R-ORDER-1: a command that completes items (`via`) waits for what those items require.
pub(super) fn via_prerequisites(
    ctx: &Ctx<'_>,
    record: &Record,
    command: &str,
) -> Result<(), Refusal> {
    for item in ctx.policy.checklist.iter().filter(|i| {
        i.kind == record.kind() && i.via.as_deref() == Some(command) && !record.is_done(&i.id)
    }) {
        if applies(ctx, record, item.when)? {
            prerequisites(ctx, record, item)?;
        }
    }
    Ok(())
}

/// R-POLICE-1: police are told before any investigation work; R-POLICE-2: while police
/// hold the matter, the investigation does not begin.
fn police_first(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    if applies(ctx, record, Condition::PoliceReferral)? {
        let mut untold = None;
        for i in
            ctx.policy.checklist.iter().filter(|i| {
                i.kind == record.kind() && i.rule == "R-POLICE-1" && i.milestone.is_none()
            })
        {
            if applies(ctx, record, i.when)? && !record.is_done(&i.id) {
                untold = Some(i);
                break;
            }
        }
        if let Some(i) = untold {
            return Err(Refusal::rule(
                "R-POLICE-1",
                format!(
                    "sexual or physical abuse and serious neglect go to police before any investigation starts: \"{}\" is not done",
                    i.text
                ),
            ));
        }
    }
    if record.police_hold_open() {
        return Err(Refusal::rule(
            "R-POLICE-2",
            "police have asked that the investigation wait: record police clearance first",
        ));
    }
    Ok(())
}

pub(super) fn untick(ctx: &Ctx<'_>, record: &Record, id: &str) -> Result<Vec<Change>, Refusal> {
    let item = checked_item(ctx, record, id)?;
    if !record.is_done(id) {
        return Err(Refusal::invalid(format!("\"{}\" is not done", item.text)));
    }
    if item.via.is_some() || item.milestone.is_some() {
        return Err(Refusal::rule(
            "R-STAGE",
            format!(
                "\"{}\" recorded a decision or a milestone, which stays in the record; add a note to correct it",
                item.text
            ),
        ));
    }
    if item.stage != record.stage {
        return Err(Refusal::rule(
            "R-STAGE",
            format!("\"{}\" belongs to a stage already completed", item.text),
        ));
    }
    if !ctx.actor.has_any(&item.tick) {
        return Err(Refusal::forbidden(format!(
            "\"{}\" may be unticked by: {}",
            item.text,
            roles(&item.tick)
        )));
    }
    Ok(vec![Change::ItemUnticked {
        item: item.id.clone(),
    }])
}

pub(super) fn waive(
    ctx: &Ctx<'_>,
    record: &Record,
    id: &str,
    reason: &str,
) -> Result<Vec<Change>, Refusal> {
    let item = checked_item(ctx, record, id)?;
    if item.waive.is_empty() {
        return Err(Refusal::rule(
            "R-STAGE",
            format!("\"{}\" cannot be waived", item.text),
        ));
    }
    if !ctx.actor.has_any(&item.waive) {
        return Err(Refusal::forbidden(format!(
            "\"{}\" may be waived by: {}",
            item.text,
            roles(&item.waive)
        )));
    }
    let reason = required_text(reason, "reason", Some("R-STAGE"))?;
    if record.is_done(id) {
        return Err(Refusal::invalid(format!(
            "\"{}\" is already done",
            item.text
        )));
    }
    Ok(vec![Change::ItemWaived {
        item: item.id.clone(),
        reason,
    }])
}

pub(super) fn roles(set: &std::collections::BTreeSet<crate::domain::actor::Role>) -> String {
    set.iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// R-STAGE: the required items of the current stage that apply are done or waived.
///
/// R-PRIV-9 (R-PRIV-8): for an actor who may not see what a required item reads (a
/// client's Aboriginal status, whether the reporter is a professional), whether that item
/// is outstanding depends on the hidden value. Naming it, or counting it, would say so; and
/// letting the stage be left or not would say so too, since the command's success is
/// itself an answer. So such an actor never completes a stage that has such items, whatever
/// the record holds: they are told the items they may see that are missing, and that the
/// stage also has items depending on details they may not see, which is true of every
/// record at this stage. Someone who may see those details (a protective intervener, the
/// owning organisation, the assignee) completes it. Those who may see everything are told
/// every missing item, as before.
fn stage_complete(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    let sight = ctx.sight(record);
    let mut missing = Vec::new();
    let mut hidden = BTreeSet::new();
    for item in ctx
        .policy
        .items_of(record.kind(), &record.stage)
        .filter(|i| i.required)
    {
        match sight.item(item) {
            Some(class) => {
                hidden.insert(class);
            }
            None if rules::holds(item.when, record, ctx.policy) && !record.is_done(&item.id) => {
                missing.push(format!("\"{}\"", item.text));
            }
            None => {}
        }
    }
    // R-ORDER-2: what earlier stages require again, as far as the actor may see it.
    let owed: Vec<String> = sight
        .owed()
        .into_iter()
        .map(|item| format!("\"{}\" ({})", item.text, item.stage))
        .collect();
    let stage = &record.stage;
    if missing.is_empty() && hidden.is_empty() && !owed.is_empty() {
        return Err(Refusal::rule(
            "R-ORDER-2",
            format!(
                "earlier stages are owed required items again: {}",
                owed.join("; ")
            ),
        ));
    }
    let hidden = hidden
        .iter()
        .map(|class| class.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    match (missing.is_empty(), hidden.is_empty()) {
        (true, true) => Ok(()),
        (false, true) => Err(Refusal::rule(
            "R-STAGE",
            format!(
                "stage {stage} has required items not done or waived: {}",
                missing.join("; ")
            ),
        )),
        (false, false) => Err(Refusal::rule(
            "R-STAGE",
            format!(
                "stage {stage} has required items not done or waived: {}; it also has items that depend on details of this record you may not see ({hidden}), which someone who may see them completes",
                missing.join("; ")
            ),
        )),
        (true, false) => Err(Refusal::rule(
            "R-PRIV-9",
            format!(
                "stage {stage} has required items that depend on details of this record you may not see ({hidden}): someone who may see them completes the stage"
            ),
        )),
    }
}

pub(super) fn advance(ctx: &Ctx<'_>, record: &Record) -> Result<Vec<Change>, Refusal> {
    stage_complete(ctx, record)?;
    super::intake::before_leaving_stage(ctx, record)?;
    let current = stage_number(ctx, record, &record.stage)?;
    let mut skipped = Vec::new();
    let mut next = None;
    for stage in ctx
        .policy
        .stages_of(record.kind())
        .filter(|s| s.number > current)
    {
        // R-FOLLOWUP-1 / R-FOLLOWUP-2: stages 3 and 4 only when they apply.
        if applies(ctx, record, stage.when)? {
            next = Some(stage);
            break;
        }
        skipped.push(stage.id.clone());
    }
    let next = next.ok_or_else(|| {
        Refusal::rule(
            "R-STAGE",
            format!(
                "{} is the last stage: close the record instead",
                record.stage
            ),
        )
    })?;
    let mut changes = vec![Change::StageAdvanced {
        from: record.stage.clone(),
        to: next.id.clone(),
        skipped,
    }];
    // R-DL-REVIEW: the review clock starts with the decision to review.
    if next.when == Condition::ReviewRequired {
        changes.push(Change::MilestoneReached {
            milestone: Milestone::ReviewDecided,
            at: ctx.now,
        });
    }
    Ok(changes)
}

pub(super) fn close(ctx: &Ctx<'_>, record: &Record, reason: &str) -> Result<Vec<Change>, Refusal> {
    let reason = required_text(reason, "reason", None)?;
    stage_complete(ctx, record)?;
    let current = stage_number(ctx, record, &record.stage)?;
    let mut later = None;
    for stage in ctx
        .policy
        .stages_of(record.kind())
        .filter(|s| s.number > current)
    {
        if applies(ctx, record, stage.when)? {
            later = Some(stage);
            break;
        }
    }
    if let Some(stage) = later {
        return Err(Refusal::rule(
            "R-STAGE",
            format!("stage {} still applies: advance before closing", stage.id),
        ));
    }
    Ok(vec![Change::Closed { reason }])
}
