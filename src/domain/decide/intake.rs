//! Commands on intake reports: registration, classification, endorsement, re-reports,
//! feedback and contact (procedure 1003).

use std::collections::BTreeSet;

use crate::domain::actor::Role;
use crate::domain::commands::ContactPurpose;
use crate::domain::events::Change;
use crate::domain::model::{
    Classification, Consequence, Details, Intake, IntakeDecision, Milestone, Probability, Record,
    RecordKind, Urgency,
};
use crate::domain::policy::Condition;
use crate::domain::refusal::Refusal;
use crate::domain::rules::intake as rules;

use super::{Ctx, applies, intake_of, required_text, withheld};

/// A new intake: people present, decisions not yet taken, Aboriginal status settled by
/// the parents' identification (R-INT-ABORIGINAL).
pub(super) fn validate_new(ctx: &Ctx<'_>, raw: &Intake) -> Result<Intake, Refusal> {
    check_auto_pir_ids(ctx, raw)?;
    if raw.decision.is_some() || raw.rereport_decision.is_some() {
        return Err(Refusal::invalid(
            "a new report carries no decision: classify it with classify_intake",
        ));
    }
    validate(None, raw)
}

/// The report as it will stand; `before`, as it stood when this is a change to it.
fn validate(before: Option<&Intake>, raw: &Intake) -> Result<Intake, Refusal> {
    if raw.children.is_empty() {
        return Err(Refusal::invalid("a report is about at least one child").on_field("children"));
    }
    if raw.children.iter().any(|c| c.person.name.trim().is_empty()) {
        return Err(Refusal::invalid(
            "every child needs a name (or a description such as \"unborn child\")",
        )
        .on_field("children"));
    }
    required_text(&raw.concerns, "concerns", None)?;
    let children = raw.children.len();
    for (n, parent) in raw.parents.iter().enumerate() {
        if let Some(beyond) = parent
            .parent_of
            .iter()
            .flatten()
            .find(|&&index| index >= children)
        {
            return Err(Refusal::invalid(format!(
                "parent {} is linked to child {beyond}, but the report's children are numbered \
                 0 to {}",
                n + 1,
                children - 1
            ))
            .on_field("parents"));
        }
    }
    for child in &raw.children {
        if let Some(reason) = &child.person.aboriginal_status_reason {
            required_text(reason, "aboriginal_status_reason", Some("R-INT-ABORIGINAL"))?;
        }
    }
    let mut intake = raw.clone();
    rules::apply_parent_identification(before, &mut intake);
    Ok(intake)
}

pub(super) fn update(ctx: &Ctx<'_>, record: &Record, new: &Intake) -> Result<Vec<Change>, Refusal> {
    let old = intake_of(record)?;
    let governed = [
        ("decision", old.decision != new.decision, "classify_intake"),
        (
            "rereport_decision",
            old.rereport_decision != new.rereport_decision,
            "decide_rereport",
        ),
        (
            "feedback_exception",
            old.feedback_exception != new.feedback_exception,
            "record_feedback_exception",
        ),
    ];
    if let Some((field, _, command)) = governed.iter().find(|(_, changed, _)| *changed) {
        return Err(
            Refusal::invalid(format!("{field} is changed with the {command} command"))
                .on_field(*field),
        );
    }
    if new.received_at != old.received_at {
        return Err(Refusal::invalid(
            "the time the report was received cannot change: every intake clock runs from it",
        )
        .on_field("received_at"));
    }
    check_auto_pir_ids(ctx, new)?;
    let new = validate(Some(old), new)?;
    if ctx.endorsed(record, "endorse_intake") {
        // R-INT-CLASS: the endorsed risk assessment stays as endorsed, and the report may
        // not drift away from the endorsed decision.
        if (old.consequence, old.probability) != (new.consequence, new.probability) {
            return Err(Refusal::rule(
                "R-INT-CLASS",
                "the risk assessment was endorsed with the classification and cannot change",
            )
            .on_field("consequence"));
        }
        if let Some(decision) = &old.decision {
            check_decision(ctx, &new, decision).map_err(|mut refusal| {
                refusal.message = format!(
                    "the endorsed classification would no longer fit the report: {}",
                    refusal.message
                );
                refusal
            })?;
        }
    }
    Ok(vec![Change::DetailsUpdated {
        details: Details::Intake(new),
    }])
}

/// R-INT-AUTO-PIR: the circumstances named are ones the policy lists.
fn check_auto_pir_ids(ctx: &Ctx<'_>, intake: &Intake) -> Result<(), Refusal> {
    match intake
        .auto_pir
        .iter()
        .find(|id| !ctx.policy.auto_pir.iter().any(|a| &a.id == *id))
    {
        Some(id) => Err(Refusal::invalid(format!(
            "{id:?} is not an automatic protective intervention circumstance of policy {}",
            ctx.policy.id
        ))
        .on_field("auto_pir")),
        None => Ok(()),
    }
}

/// R-INT-CLASS, R-INT-MATRIX, R-INT-TTR, R-INT-FV: classify the report.
pub(super) fn classify(
    ctx: &Ctx<'_>,
    record: &Record,
    classifications: &BTreeSet<Classification>,
    urgency: Option<Urgency>,
    rationale: Option<&str>,
    assessment: Option<(Consequence, Probability)>,
) -> Result<Vec<Change>, Refusal> {
    let stored = intake_of(record)?;
    // A risk assessment given with the decision is judged together with it.
    let assessed = assessment.map(|(consequence, probability)| Intake {
        consequence: Some(consequence),
        probability: Some(probability),
        ..stored.clone()
    });
    let intake = assessed.as_ref().unwrap_or(stored);
    if ctx.endorsed(record, "endorse_intake") {
        return Err(Refusal::invalid("the classification is already endorsed"));
    }
    check_combination(classifications)?;
    let pir = classifications.contains(&Classification::ProtectiveIntervention);
    match (pir, urgency) {
        (true, None) => {
            return Err(Refusal::rule(
                "R-INT-CLASS",
                "a protective intervention report needs a response: urgent (2 days) or standard (14 days)",
            )
            .on_field("urgency"));
        }
        (false, Some(_)) => {
            return Err(Refusal::rule(
                "R-INT-CLASS",
                "urgency applies only to a protective intervention report",
            )
            .on_field("urgency"));
        }
        _ => {}
    }
    if !intake.auto_pir.is_empty() && !pir && !ctx.actor.has_any(&MANAGERS) {
        return Err(Refusal::rule(
            "R-INT-AUTO-PIR",
            "this report is automatically a protective intervention report: only a team manager or above may decide otherwise",
        )
        .on_field("classifications"));
    }
    let decision = IntakeDecision {
        classifications: classifications.clone(),
        urgency,
        rationale: rationale
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(String::from),
    };
    decision_readable(ctx, record)?;
    check_decision(ctx, intake, &decision)?;
    let mut changes = Vec::new();
    if let Some(assessed) = assessed.filter(|a| a != stored) {
        changes.push(Change::DetailsUpdated {
            details: Details::Intake(assessed),
        });
    }
    changes.push(Change::IntakeClassified { decision });
    changes.extend(ctx.complete_via(record, "classify_intake"));
    Ok(changes)
}

/// R-PRIV-9: the stored report's decision is checked against the children's ages
/// (R-INT-TTR); an actor who may not see them is refused before that, whatever they are.
fn decision_readable(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    match ctx.sight(record).condition(Condition::TtrIndicated) {
        Some(class) => Err(withheld(
            class,
            "the classification is checked against details of this report you may not see",
        )),
        None => Ok(()),
    }
}

/// R-INT-TTR, R-INT-FV, R-INT-MATRIX: the decision fits the report as it stands. Checked
/// when the report is classified and again when the classification is endorsed, since
/// the details (risk assessment, children, family violence) may change in between.
fn check_decision(
    ctx: &Ctx<'_>,
    intake: &Intake,
    decision: &IntakeDecision,
) -> Result<(), Refusal> {
    let ttr = rules::ttr_indicated(intake, &ctx.policy.parameters);
    let ttr_chosen = decision
        .classifications
        .contains(&Classification::TherapeuticTreatment);
    if ttr && !ttr_chosen {
        return Err(Refusal::rule(
            "R-INT-TTR",
            format!(
                "the reporter believes a child aged {} to {} exhibited sexually abusive behaviour: register a therapeutic treatment report",
                ctx.policy.parameters.ttr_min_age,
                ctx.policy.parameters.ttr_max_age - 1
            ),
        )
        .on_field("classifications"));
    }
    // With a child's age unknown, a TTR is the practitioner's judgement (R-INT-TTR).
    if ttr_chosen && !ttr && !rules::ttr_possible(intake) {
        return Err(Refusal::rule(
            "R-INT-TTR",
            format!(
                "a therapeutic treatment report is for a child aged {} to {} believed to have exhibited sexually abusive behaviour; no child here is",
                ctx.policy.parameters.ttr_min_age,
                ctx.policy.parameters.ttr_max_age - 1
            ),
        )
        .on_field("classifications"));
    }
    if intake.family_violence && intake.maram.is_none() {
        return Err(Refusal::rule(
            "R-INT-FV",
            "family violence is indicated: record the MARAM risk rating with the risk assessment",
        )
        .on_field("maram"));
    }
    // R-INT-AUTO-PIR: deciding against an automatic PIR is recorded with its reasons.
    let pir = decision
        .classifications
        .contains(&Classification::ProtectiveIntervention);
    if !intake.auto_pir.is_empty() && !pir && decision.rationale.is_none() {
        return Err(Refusal::rule(
            "R-INT-AUTO-PIR",
            "the report is automatically a protective intervention report: record the rationale for deciding otherwise",
        )
        .on_field("rationale"));
    }
    // An intake risk assessment is not required for inappropriate or insufficient
    // information reports (procedure 1003).
    let needs_assessment = decision.classifications.iter().any(|c| {
        !matches!(
            c,
            Classification::Inappropriate | Classification::InsufficientInformation
        )
    });
    match (intake.consequence, intake.probability) {
        (Some(consequence), Some(probability))
            if rules::rationale_required(consequence, probability, decision)
                && decision.rationale.is_none() =>
        {
            let suggestion = rules::matrix(consequence, probability);
            return Err(Refusal::rule(
                "R-INT-MATRIX",
                format!(
                    "a written rationale is required: the matrix suggests {}, and this decision differs or closes a concerning report",
                    if suggestion.protective_intervention {
                        "an urgent protective intervention report"
                    } else {
                        "no protective intervention report"
                    }
                ),
            )
            .on_field("rationale"));
        }
        (None, _) | (_, None) if needs_assessment => {
            return Err(Refusal::rule(
                "R-INT-MATRIX",
                "complete the intake risk assessment (consequence and probability) before classifying",
            )
            .on_field("consequence"));
        }
        _ => {}
    }
    Ok(())
}

/// Team manager or above (procedure 1003).
const MANAGERS: [Role; 4] = [
    Role::TeamManager,
    Role::PracticeLeader,
    Role::PrincipalPractitioner,
    Role::Daom,
];

/// R-INT-CLASS, R-INT-TTR: PIR and/or TTR; or exactly one of the closing classifications,
/// where a TTR may stand with a child wellbeing report (procedure 1003).
fn check_combination(classifications: &BTreeSet<Classification>) -> Result<(), Refusal> {
    let closing: Vec<&Classification> = classifications
        .iter()
        .filter(|c| c.closes_at_intake())
        .collect();
    let ok = match closing.as_slice() {
        [] => !classifications.is_empty(),
        [Classification::ChildWellbeing] => {
            classifications.len() == 1
                || (classifications.len() == 2
                    && classifications.contains(&Classification::TherapeuticTreatment))
        }
        [_] => classifications.len() == 1,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::rule(
            "R-INT-CLASS",
            "classify as a protective intervention and/or therapeutic treatment report, or as exactly one of child wellbeing, inappropriate or insufficient information (a therapeutic treatment report may stand with a child wellbeing report)",
        )
        .on_field("classifications"))
    }
}

/// Endorsement of the classification by a team manager or above.
pub(super) fn endorse(ctx: &Ctx<'_>, record: &Record) -> Result<Vec<Change>, Refusal> {
    let intake = intake_of(record)?;
    let Some(decision) = &intake.decision else {
        return Err(Refusal::rule(
            "R-INT-CLASS",
            "classify the report before it is endorsed",
        ));
    };
    if record
        .milestones
        .contains_key(&Milestone::ClassificationEndorsed)
    {
        return Err(Refusal::invalid("the classification is already endorsed"));
    }
    // R-INT-ENDORSE: the endorsement is a second person's.
    if record.classified_by.as_deref() == Some(ctx.actor.user.as_str()) {
        return Err(Refusal::rule(
            "R-INT-ENDORSE",
            "the classification is endorsed by a team manager or above other than the practitioner who recommended it",
        ));
    }
    decision_readable(ctx, record)?;
    check_decision(ctx, intake, decision).map_err(|mut refusal| {
        refusal.message = format!(
            "the report changed after it was classified; classify it again: {}",
            refusal.message
        );
        refusal
    })?;
    // R-INT-ACSASS: no endorsement of an Aboriginal child's classification without ACSASS.
    if applies(ctx, record, Condition::AboriginalChild)? {
        let missing = ctx
            .policy
            .checklist
            .iter()
            .filter(|i| i.kind == RecordKind::Intake && i.rule == "R-INT-ACSASS")
            .find(|i| !record.is_done(&i.id));
        if let Some(item) = missing {
            return Err(Refusal::rule(
                "R-INT-ACSASS",
                format!(
                    "ACSASS must be consulted on the classification of an Aboriginal child: \"{}\" is not done",
                    item.text
                ),
            ));
        }
    }
    let closes = decision
        .classifications
        .iter()
        .all(|c| c.closes_at_intake());
    // R-INT-RSO: closing a report about a child in contact with a registered sex offender.
    if closes
        && rules::rso_contact(intake)
        && !ctx
            .actor
            .has_any(&[Role::PracticeLeader, Role::PrincipalPractitioner])
    {
        return Err(Refusal::rule(
            "R-INT-RSO",
            "closing a report about a child in contact with a registered sex offender is endorsed by a practice leader or principal practitioner",
        ));
    }
    // R-INT-REREPORT-3: a third report in 12 months is investigated unless the DAOM decides not to.
    if closes && rules::third_report(intake, &ctx.policy.parameters) {
        let decided_not = intake
            .rereport_decision
            .as_ref()
            .is_some_and(|d| !d.investigate);
        if !decided_not {
            return Err(Refusal::rule(
                "R-INT-REREPORT-3",
                "this is a third report on the child within 12 months with no investigation: it must be investigated unless the DAOM records a decision and rationale not to",
            ));
        }
    }
    let mut changes = vec![Change::Endorsed];
    changes.extend(ctx.complete_via_recording(
        record,
        "endorse_intake",
        Milestone::ClassificationEndorsed,
    ));
    Ok(changes)
}

fn third_report(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    if rules::third_report(intake_of(record)?, &ctx.policy.parameters) {
        Ok(())
    } else {
        Err(Refusal::rule(
            "R-INT-REREPORT-3",
            "this is not a third report within 12 months without investigation",
        ))
    }
}

/// R-INT-REREPORT-3: the DAOM delegates the decision to a named person (whose roles the
/// server checks against the policy's delegate roles).
pub(super) fn delegate_rereport(
    ctx: &Ctx<'_>,
    record: &Record,
    to: &str,
) -> Result<Vec<Change>, Refusal> {
    third_report(ctx, record)?;
    if record.is_done("rereport_reviewed") || intake_of(record)?.rereport_decision.is_some() {
        return Err(Refusal::invalid(
            "the re-report decision is already recorded",
        ));
    }
    let to = required_text(to, "to", Some("R-INT-REREPORT-3"))?;
    Ok(vec![Change::RereportDelegated { to }])
}

/// R-INT-REREPORT-3: the DAOM's recorded decision and rationale.
pub(super) fn decide_rereport(
    ctx: &Ctx<'_>,
    record: &Record,
    investigate: bool,
    rationale: &str,
) -> Result<Vec<Change>, Refusal> {
    third_report(ctx, record)?;
    // The DAOM decides, or the team manager or above the DAOM delegated it to.
    let delegated = record.rereport_delegate.as_deref() == Some(ctx.actor.user.as_str())
        && ctx
            .actor
            .roles
            .iter()
            .any(|r| ctx.policy.parameters.rereport_delegate_roles.contains(r));
    if !ctx.actor.has_any(&[Role::Daom]) && !delegated {
        return Err(Refusal::forbidden(
            "the re-report decision is the DAOM's, or that of the team manager or above the DAOM delegated it to",
        ));
    }
    let rationale = required_text(rationale, "rationale", Some("R-INT-REREPORT-3"))?;
    let mut changes = vec![Change::RereportDecided {
        investigate,
        rationale,
    }];
    changes.extend(ctx.complete_via(record, "decide_rereport"));
    Ok(changes)
}

/// R-INT-DL-FB: feedback to a professional reporter is not given, with the reason.
pub(super) fn feedback_exception(
    ctx: &Ctx<'_>,
    record: &Record,
    reason: &str,
) -> Result<Vec<Change>, Refusal> {
    let intake = intake_of(record)?;
    // R-PRIV-9: accepting or refusing would say whether the reporter is a professional.
    if let Some(class) = ctx.sight(record).field("reporter", "professional") {
        return Err(withheld(
            class,
            "whether feedback is owed depends on the reporter's details, which you may not see",
        ));
    }
    if !intake.reporter.professional {
        return Err(Refusal::rule(
            "R-INT-DL-FB",
            "feedback is owed only to a professional reporter",
        ));
    }
    let reason = required_text(reason, "reason", Some("R-INT-DL-FB"))?;
    Ok(vec![Change::FeedbackExceptionRecorded { reason }])
}

/// R-INT-NOCONTACT: intake does not contact the child or family to assess risk; after a
/// child wellbeing classification, contact for advice or referral is allowed.
pub(super) fn contact(record: &Record, purpose: ContactPurpose) -> Result<Vec<Change>, Refusal> {
    let intake = intake_of(record)?;
    let wellbeing = intake
        .decision
        .as_ref()
        .is_some_and(|d| d.classifications.contains(&Classification::ChildWellbeing));
    match purpose {
        ContactPurpose::RiskAssessment => Err(Refusal::rule(
            "R-INT-NOCONTACT",
            "intake does not contact the child, family or community to assess risk: the assessment rests on the reporter and professionals",
        )),
        ContactPurpose::AssistanceOrReferral if !wellbeing => Err(Refusal::rule(
            "R-INT-NOCONTACT",
            "contact for advice or referral is made only after a child wellbeing classification",
        )),
        ContactPurpose::AssistanceOrReferral => Ok(vec![Change::ContactRecorded { purpose }]),
    }
}

/// R-INT-FV: a ticked MARAM item is not enough; the rating itself must be recorded before
/// the stage where family violence is assessed is left.
pub(super) fn before_leaving_stage(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    let Some(intake) = record.intake() else {
        return Ok(());
    };
    let fv_stage =
        ctx.policy.checklist.iter().any(|i| {
            i.kind == RecordKind::Intake && i.stage == record.stage && i.rule == "R-INT-FV"
        });
    if fv_stage && intake.family_violence && intake.maram.is_none() {
        return Err(Refusal::rule(
            "R-INT-FV",
            "family violence is indicated: a MARAM risk rating is required",
        )
        .on_field("maram"));
    }
    Ok(())
}

/// The most incidents one intake report is linked to.
const MAX_LINKED: usize = 20;

/// R-LINK-1: an intake report is linked to an incident (by its id, which the server checks
/// the caller may see), once.
pub(super) fn link_incident(record: &Record, incident: &str) -> Result<Vec<Change>, Refusal> {
    intake_of(record).map_err(|_| {
        Refusal::rule(
            "R-LINK-1",
            "an incident is linked from the intake report registered for it",
        )
    })?;
    let incident = incident.trim();
    if !incident.starts_with("INC-") {
        return Err(
            Refusal::rule("R-LINK-1", format!("{incident:?} is not an incident"))
                .on_field("incident"),
        );
    }
    if record.linked_incidents.iter().any(|i| i == incident) {
        return Err(Refusal::invalid(format!("already linked to {incident}")).on_field("incident"));
    }
    if record.linked_incidents.len() >= MAX_LINKED {
        return Err(Refusal::invalid(format!(
            "linked to {MAX_LINKED} incidents already"
        )));
    }
    Ok(vec![Change::IncidentLinked {
        incident: incident.to_string(),
    }])
}
