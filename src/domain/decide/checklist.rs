//! Ticking, waiving, advancing stages and closing (R-STAGE).

use crate::domain::events::Change;
use crate::domain::model::{Milestone, Record, RecordKind};
use crate::domain::policy::{ChecklistItem, Condition, Stage};
use crate::domain::refusal::Refusal;

use super::{Ctx, applies, required_text};

fn item<'a>(ctx: &Ctx<'a>, record: &Record, id: &str) -> Result<&'a ChecklistItem, Refusal> {
    let item = ctx.policy.item(record.kind(), id).ok_or_else(|| {
        Refusal::invalid(format!(
            "{id:?} is not a checklist item for {} records",
            record.kind().as_str()
        ))
        .on_field("item")
    })?;
    if !applies(ctx, record, item.when) {
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
    let item = item(ctx, record, id)?;
    if let Some(via) = &item.via {
        return Err(Refusal::invalid(format!(
            "\"{}\" is completed by the {via} command, not ticked by hand",
            item.text
        )));
    }
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
    for needed in &item.requires {
        if let Some(first) = ctx.policy.item(record.kind(), needed)
            && applies(ctx, record, first.when)
            && !record.is_done(needed)
        {
            return Err(Refusal::rule(
                "R-STAGE",
                format!("\"{}\" comes first", first.text),
            ));
        }
    }
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
    if record.kind() == RecordKind::Incident
        && is_investigation(ctx.policy.stage(record.kind(), &item.stage))
    {
        police_first(ctx, record)?;
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

/// R-POLICE-1: police are told before any investigation work; R-POLICE-2: while police
/// hold the matter, the investigation does not begin.
fn police_first(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    if applies(ctx, record, Condition::PoliceReferral) {
        let untold = ctx
            .policy
            .checklist
            .iter()
            .filter(|i| i.kind == record.kind() && i.rule == "R-POLICE-1" && i.milestone.is_none())
            .find(|i| applies(ctx, record, i.when) && !record.is_done(&i.id));
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
    let item = item(ctx, record, id)?;
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
    let item = item(ctx, record, id)?;
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

fn roles(set: &std::collections::BTreeSet<crate::domain::actor::Role>) -> String {
    set.iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Required items of the current stage that apply and are neither done nor waived.
pub fn outstanding<'a>(ctx: &Ctx<'a>, record: &Record) -> Vec<&'a ChecklistItem> {
    ctx.policy
        .checklist
        .iter()
        .filter(|i| {
            i.kind == record.kind()
                && i.stage == record.stage
                && i.required
                && applies(ctx, record, i.when)
                && !record.is_done(&i.id)
        })
        .collect()
}

fn stage_complete(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    let missing = outstanding(ctx, record);
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing
        .iter()
        .map(|i| format!("\"{}\"", i.text))
        .collect::<Vec<_>>()
        .join("; ");
    Err(Refusal::rule(
        "R-STAGE",
        format!(
            "stage {} has required items not done or waived: {list}",
            record.stage
        ),
    ))
}

pub(super) fn advance(ctx: &Ctx<'_>, record: &Record) -> Result<Vec<Change>, Refusal> {
    stage_complete(ctx, record)?;
    super::intake::before_leaving_stage(ctx, record)?;
    let current = stage_number(ctx, record, &record.stage)?;
    let mut skipped = Vec::new();
    let next = ctx
        .policy
        .stages_of(record.kind())
        .filter(|s| s.number > current)
        .find(|s| {
            // R-FOLLOWUP-1 / R-FOLLOWUP-2: stages 3 and 4 only when they apply.
            let applies = applies(ctx, record, s.when);
            if !applies {
                skipped.push(s.id.clone());
            }
            applies
        })
        .ok_or_else(|| {
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
    let later = ctx
        .policy
        .stages_of(record.kind())
        .find(|s| s.number > current && applies(ctx, record, s.when));
    if let Some(stage) = later {
        return Err(Refusal::rule(
            "R-STAGE",
            format!("stage {} still applies: advance before closing", stage.id),
        ));
    }
    Ok(vec![Change::Closed { reason }])
}
