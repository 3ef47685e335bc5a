//! Commands on incidents: update, endorsement, RCS, police, extensions, outcome, review.

use crate::domain::events::Change;
use crate::domain::model::{Incident, Milestone, RcsScope, Record};
use crate::domain::policy::Condition;
use crate::domain::refusal::Refusal;
use crate::domain::rules::incident as rules;

use super::{Ctx, applies, incident_of, required_text};

/// R-SCOPE-1/2/4, R-TYPE-1, R-IMPACT-2 and the basic shape of an incident.
pub(super) fn validate(ctx: &Ctx<'_>, incident: &Incident) -> Result<(), Refusal> {
    rules::check_scope(incident)?;
    rules::check_classification(incident, ctx.policy)?;
    required_text(&incident.description, "description", None)?;
    if incident.clients.iter().any(|c| c.name.trim().is_empty()) {
        return Err(Refusal::invalid("every client needs a name").on_field("clients"));
    }
    if let Some(occurred) = incident.occurred_at
        && occurred > incident.identified_at
    {
        return Err(Refusal::invalid(
            "the incident cannot have occurred after the provider became aware of it",
        )
        .on_field("occurred_at"));
    }
    Ok(())
}

/// A new version of the incident. R-AWARE-1: the awareness time is evidence, corrected
/// only with a reason; what a correction would do to deadlines already due is kept
/// (`owed`).
pub(super) fn update(
    ctx: &Ctx<'_>,
    record: &Record,
    new: &Incident,
    correction: Option<&str>,
) -> Result<Vec<Change>, Refusal> {
    let old = incident_of(record)?;
    validate(ctx, new)?;
    if new.identified_at > ctx.now {
        return Err(
            Refusal::invalid("the time of awareness is in the future").on_field("identified_at")
        );
    }
    let mut changes = vec![Change::DetailsUpdated {
        details: crate::domain::model::Details::Incident(new.clone()),
    }];
    if new.identified_at != old.identified_at {
        let reason = required_text(
            correction.unwrap_or_default(),
            "correction",
            Some("R-AWARE-1"),
        )
        .map_err(|refusal| {
            Refusal::rule(
                "R-AWARE-1",
                "the awareness time is evidence: give the reason for correcting it (correction)",
            )
            .on_field(refusal.field.as_deref().unwrap_or("correction"))
        })?;
        changes.push(Change::AwarenessCorrected {
            from: old.identified_at,
            to: new.identified_at,
            reason,
        });
    }
    Ok(changes)
}

/// Endorsement of the incident report by an incident delegate of the owning
/// organisation; the impact must be classified first (R-IMPACT-1).
pub(super) fn endorse(ctx: &Ctx<'_>, record: &Record) -> Result<Vec<Change>, Refusal> {
    let incident = incident_of(record)?;
    if ctx.endorsed(record, "endorse_incident") {
        return Err(Refusal::invalid("the incident report is already endorsed"));
    }
    if ctx.actor.org != record.org {
        return Err(Refusal::rule(
            "R-STAGE",
            "the incident report is endorsed by a delegate of the organisation that owns it",
        ));
    }
    if incident.impact.is_none() {
        return Err(Refusal::rule(
            "R-IMPACT-1",
            "classify the impact as major or non-major before the report is endorsed",
        )
        .on_field("impact"));
    }
    rules::check_classification(incident, ctx.policy)?;
    let via_stage_reached = ctx
        .policy
        .checklist
        .iter()
        .filter(|i| i.kind == record.kind() && i.via.as_deref() == Some("endorse_incident"))
        .all(|i| {
            let number = |s: &str| ctx.policy.stage(record.kind(), s).map(|s| s.number);
            number(&i.stage) <= number(&record.stage)
        });
    if !via_stage_reached {
        return Err(Refusal::rule(
            "R-STAGE",
            "the report is endorsed in the reporting stage",
        ));
    }
    let mut changes = vec![Change::Endorsed];
    changes.extend(ctx.complete_via_recording(
        record,
        "endorse_incident",
        Milestone::ReportEndorsed,
    ));
    Ok(changes)
}

/// R-RCS-2: the Integrity Unit's answer decides whether an RCS investigation replaces the
/// CIMS investigation.
pub(super) fn confirm_rcs(
    ctx: &Ctx<'_>,
    record: &Record,
    scope: RcsScope,
) -> Result<Vec<Change>, Refusal> {
    incident_of(record)?;
    if !applies(ctx, record, Condition::RcsPossible)? {
        return Err(Refusal::rule(
            "R-RCS-1",
            "only incidents in kinship care or in the care of departmental staff are checked for RCS scope",
        ));
    }
    if record.rcs_scope.is_some() {
        return Err(Refusal::invalid("RCS scope is already recorded"));
    }
    let mut changes = vec![Change::RcsScopeConfirmed { scope }];
    changes.extend(ctx.complete_via(record, "confirm_rcs_scope"));
    if scope == RcsScope::InScope {
        changes.push(Change::MilestoneReached {
            milestone: Milestone::RcsConfirmed,
            at: ctx.now,
        });
    }
    Ok(changes)
}

/// R-POLICE-2: police ask that the investigation wait; its clock pauses.
pub(super) fn police_hold(record: &Record) -> Result<Vec<Change>, Refusal> {
    incident_of(record)?;
    if record.police_hold_open() {
        return Err(Refusal::invalid("police already hold the investigation"));
    }
    Ok(vec![Change::PoliceHoldStarted])
}

/// R-POLICE-2: police confirm the investigation can go ahead; its clock runs again.
pub(super) fn police_clearance(ctx: &Ctx<'_>, record: &Record) -> Result<Vec<Change>, Refusal> {
    incident_of(record)?;
    let mut changes = Vec::new();
    if record.police_hold_open() {
        changes.push(Change::PoliceHoldEnded);
    }
    changes.extend(ctx.complete_via(record, "police_clearance"));
    if changes.is_empty() {
        return Err(Refusal::invalid("police clearance is already recorded"));
    }
    Ok(changes)
}

/// R-DL-INVEST: extend the investigation deadline by up to the policy's maximum per
/// recorded request.
pub(super) fn extend(
    ctx: &Ctx<'_>,
    record: &Record,
    business_days: u32,
    reason: &str,
) -> Result<Vec<Change>, Refusal> {
    incident_of(record)?;
    let rule = ctx
        .policy
        .deadlines
        .iter()
        .find(|d| d.applies_to(record.kind()) && d.extension_max_business_days.is_some())
        .ok_or_else(|| Refusal::invalid("the policy allows no extension"))?;
    let max = rule.extension_max_business_days.unwrap_or(0);
    if !applies(ctx, record, rule.when)? {
        return Err(Refusal::rule(
            "R-DL-INVEST",
            "this incident has no investigation to extend",
        ));
    }
    if !record.milestones.contains_key(&rule.starts) {
        return Err(Refusal::rule(
            "R-DL-INVEST",
            "the investigation clock has not started: the report is not endorsed yet",
        ));
    }
    if record.milestones.contains_key(&rule.met_by) {
        return Err(Refusal::rule(
            "R-DL-INVEST",
            "the investigation report is already submitted",
        ));
    }
    if business_days == 0 || business_days > max {
        return Err(Refusal::rule(
            "R-DL-INVEST",
            format!("an extension is 1 to {max} business days per recorded request"),
        )
        .on_field("business_days"));
    }
    let reason = required_text(reason, "reason", Some("R-DL-INVEST"))?;
    Ok(vec![Change::InvestigationExtended {
        business_days,
        reason,
    }])
}

pub(super) fn outcome(
    ctx: &Ctx<'_>,
    record: &Record,
    outcome: &str,
) -> Result<Vec<Change>, Refusal> {
    incident_of(record)?;
    if !applies(ctx, record, Condition::InvestigationRequired)? {
        return Err(Refusal::rule(
            "R-FOLLOWUP-1",
            "this incident has no investigation",
        ));
    }
    if !ctx
        .policy
        .parameters
        .investigation_outcomes
        .iter()
        .any(|o| o == outcome)
    {
        return Err(Refusal::invalid(format!(
            "outcome must be one of: {}",
            ctx.policy.parameters.investigation_outcomes.join(", ")
        ))
        .on_field("outcome"));
    }
    if record.investigation_outcome.is_some() {
        return Err(Refusal::invalid(
            "the investigation outcome is already recorded",
        ));
    }
    if record.police_hold_open() {
        return Err(Refusal::rule(
            "R-POLICE-2",
            "police still hold the investigation",
        ));
    }
    let mut changes = vec![Change::InvestigationOutcomeRecorded {
        outcome: outcome.to_string(),
    }];
    changes.extend(ctx.complete_via(record, "record_investigation_outcome"));
    Ok(changes)
}

/// R-FOLLOWUP-2: a review is not needed where the investigation covered the quality and
/// improvement questions; the delegate records that and stage 4 is skipped.
pub(super) fn skip_review(
    ctx: &Ctx<'_>,
    record: &Record,
    reason: &str,
) -> Result<Vec<Change>, Refusal> {
    incident_of(record)?;
    if !applies(ctx, record, Condition::InvestigationRequired)? {
        return Err(Refusal::rule(
            "R-FOLLOWUP-2",
            "a review can only be skipped when an investigation covered it",
        ));
    }
    if record.review_covered_by_investigation.is_some() {
        return Err(Refusal::invalid("the review is already skipped"));
    }
    let review_entered = ctx
        .policy
        .stage(record.kind(), &record.stage)
        .is_some_and(|s| s.when == Condition::ReviewRequired);
    if review_entered {
        return Err(Refusal::rule(
            "R-FOLLOWUP-2",
            "the review has already started",
        ));
    }
    let reason = required_text(reason, "reason", Some("R-FOLLOWUP-2"))?;
    Ok(vec![Change::ReviewSkipped { reason }])
}
