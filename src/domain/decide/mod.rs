//! `decide(command, state, actor, now, policy) -> events or a refusal`: every rule that
//! can refuse a change is applied here, before anything is stored.

mod checklist;
mod incident;
mod intake;
mod learning;
mod lock;
mod notes;
mod owed;
mod submit;

use chrono::{DateTime, Utc};

use super::actor::{Actor, OrgKind};
use super::commands::Command;
use super::events::{Change, Event};
use super::mask::Sight;
use super::model::{Details, Milestone, Record, RecordKind, Status};
use super::policy::{Condition, FieldClass, Policy, PolicySet};
use super::refusal::Refusal;
use super::rules;

/// What a command needs to know while it is decided.
pub(crate) struct Ctx<'a> {
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
    pub policy: &'a Policy,
}

impl<'a> Ctx<'a> {
    /// What the actor may see of what is derived from the record (R-PRIV-9).
    fn sight<'r>(&self, record: &'r Record) -> Sight<'r>
    where
        'a: 'r,
    {
        Sight::new(self.actor, self.policy, record)
    }

    /// The changes that complete the checklist items a command fulfils (`via`), with the
    /// milestones those items record.
    fn complete_via(&self, record: &Record, command: &str) -> Vec<Change> {
        let mut changes = Vec::new();
        for item in self.policy.checklist.iter().filter(|i| {
            i.kind == record.kind() && i.via.as_deref() == Some(command) && !record.is_done(&i.id)
        }) {
            changes.push(Change::ItemTicked {
                item: item.id.clone(),
            });
            // Given again after a withdrawal (R-LOCK-1), an endorsement does not move the
            // moment it first recorded: the clocks that started then keep running.
            if let Some(milestone) = item.milestone
                && !record.milestones.contains_key(&milestone)
            {
                changes.push(Change::MilestoneReached {
                    milestone,
                    at: self.now,
                });
            }
        }
        changes
    }

    /// Is the endorsement `command` gives standing (its items done)? Withdrawn, it is
    /// not, though the moment it was first given stays recorded (R-LOCK-1).
    fn endorsed(&self, record: &Record, command: &str) -> bool {
        let mut items = self
            .policy
            .checklist
            .iter()
            .filter(|i| i.kind == record.kind() && i.via.as_deref() == Some(command))
            .peekable();
        items.peek().is_some() && items.all(|i| record.is_done(&i.id))
    }

    /// `complete_via`, and the milestone the command itself stands for, recorded once even
    /// if the policy's item does not name it: the rules read it.
    fn complete_via_recording(
        &self,
        record: &Record,
        command: &str,
        milestone: Milestone,
    ) -> Vec<Change> {
        let mut changes = self.complete_via(record, command);
        let recorded = changes
            .iter()
            .any(|c| matches!(c, Change::MilestoneReached { milestone: m, .. } if *m == milestone));
        if !recorded && !record.milestones.contains_key(&milestone) {
            changes.push(Change::MilestoneReached {
                milestone,
                at: self.now,
            });
        }
        changes
    }
}

/// A trimmed reason that must not be empty.
pub(crate) fn required_text(
    text: &str,
    field: &str,
    rule: Option<&'static str>,
) -> Result<String, Refusal> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        let message = format!("a {} is required", field.replace('_', " "));
        return Err(match rule {
            Some(rule) => Refusal::rule(rule, message),
            None => Refusal::invalid(message),
        }
        .on_field(field));
    }
    Ok(trimmed.to_string())
}

/// Decide what a command does to a record (`None` before creation).
pub fn decide(
    command: &Command,
    state: Option<&Record>,
    actor: &Actor,
    now: DateTime<Utc>,
    policies: &PolicySet,
) -> Result<Vec<Event>, Refusal> {
    let changes = match (command, state) {
        (Command::Create { .. }, Some(record)) => {
            return Err(Refusal::invalid(format!(
                "record {} already exists",
                record.id
            )));
        }
        (Command::Create { .. }, None) => {
            // R-ERA: a record is judged by the policy in force when it is created.
            let policy = policies.in_force_at(now);
            let ctx = Ctx { actor, now, policy };
            create(&ctx, command)?
        }
        (_, None) => return Err(Refusal::invalid("the record does not exist")),
        (_, Some(record)) => {
            let policy = policies.by_id(&record.policy).ok_or_else(|| {
                Refusal::invalid(format!(
                    "record {} was created under policy {}, which this server does not have",
                    record.id, record.policy
                ))
            })?;
            let ctx = Ctx { actor, now, policy };
            if record.status == Status::Closed {
                return Err(Refusal::invalid(format!("record {} is closed", record.id)));
            }
            permit(&ctx, command, record.kind())?;
            tenancy(&ctx, record)?;
            supporting(&ctx, command, record)?;
            let mut changes = change(&ctx, command, record)?;
            if !matches!(command, Command::SubmittedOutside { .. }) {
                submit::queue(&ctx, record, &mut changes);
            }
            checklist::via_prerequisites(&ctx, record, command.name(record.kind()))?;
            lock::check(&ctx, record, &changes)?;
            let kept = owed::keep(record, &changes, &actor.user, now, policies)?;
            changes.extend(kept);
            changes
        }
    };
    Ok(changes
        .into_iter()
        .map(|change| Event {
            at: now,
            by: actor.user.clone(),
            change,
        })
        .collect())
}

/// Role check from the policy's `[permissions]` table.
fn permit(ctx: &Ctx<'_>, command: &Command, kind: RecordKind) -> Result<(), Refusal> {
    let name = command.name(kind);
    let allowed = ctx.policy.allowed(name);
    if allowed.is_some_and(|roles| ctx.actor.has_any(roles)) {
        return Ok(());
    }
    let roles = allowed
        .map(|roles| {
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    Err(Refusal::forbidden(format!(
        "{name} needs one of these roles: {}",
        if roles.is_empty() {
            "none is allowed"
        } else {
            &roles
        }
    )))
}

/// Users act on their own organisation's records, or on a record assigned to them;
/// department users act across organisations (they work alongside the CSOs whose
/// incidents they support, and the Integrity Unit answers for every RCS matter).
fn tenancy(ctx: &Ctx<'_>, record: &Record) -> Result<(), Refusal> {
    let actor = ctx.actor;
    if actor.org == record.org
        || actor.org_kind == OrgKind::Department
        || record.assignee.as_deref() == Some(actor.user.as_str())
    {
        Ok(())
    } else {
        Err(Refusal::forbidden(format!(
            "record {} belongs to another organisation",
            record.id
        )))
    }
}

/// R-AUTH-CSO: on another organisation's incident (R-SCOPE-3: a CSO is responsible) the
/// department supports and does not act for the owner. It may issue the policy's
/// supporting commands, and tick or waive the items one of its supporting roles answers
/// for (the Integrity Unit's); nothing else.
fn supporting(ctx: &Ctx<'_>, command: &Command, record: &Record) -> Result<(), Refusal> {
    let actor = ctx.actor;
    if record.kind() != RecordKind::Incident
        || actor.org_kind != OrgKind::Department
        || actor.org == record.org
    {
        return Ok(());
    }
    let parameters = &ctx.policy.parameters;
    let name = command.name(record.kind());
    if parameters.supporting_commands.iter().any(|c| c == name) {
        return Ok(());
    }
    let roles_for = |id: &str, waive: bool| {
        ctx.policy
            .item(record.kind(), id)
            .map(|item| if waive { &item.waive } else { &item.tick })
            .is_some_and(|roles| {
                roles
                    .iter()
                    .any(|r| parameters.supporting_roles.contains(r) && actor.roles.contains(r))
            })
    };
    let answers_for_it = match command {
        Command::Tick { item } | Command::Untick { item } => roles_for(item, false),
        Command::Waive { item, .. } => roles_for(item, true),
        _ => false,
    };
    if answers_for_it {
        return Ok(());
    }
    Err(Refusal::rule(
        "R-AUTH-CSO",
        format!(
            "record {} is {}'s to work: the department supports it (notes, information sharing, its own tasks) and does not {} for it",
            record.id,
            record.org,
            name.replace('_', " ")
        ),
    ))
}

/// R-SCOPE-3: an organisation registering an incident in its own name is of the kind
/// responsible for the care the child was in, or says why it registers it anyway. (The
/// department registering for another organisation names that organisation itself.)
fn responsible(ctx: &Ctx<'_>, org: &str, incident: &super::model::Incident) -> Result<(), Refusal> {
    let responsible = rules::incident::responsible_org_kind(incident.care_arrangement);
    let given = incident
        .responsibility_reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty());
    if org != ctx.actor.org || ctx.actor.org_kind == responsible || given {
        return Ok(());
    }
    let who = match responsible {
        OrgKind::Cso => "the community service organisation that manages the placement",
        _ => "child protection (the department)",
    };
    Err(Refusal::rule(
        "R-SCOPE-3",
        format!(
            "an incident in this care is reported by {who}: register it for that organisation, or give the reason to register it here (responsibility_reason)"
        ),
    )
    .on_field("responsibility_reason"))
}

fn create(ctx: &Ctx<'_>, command: &Command) -> Result<Vec<Change>, Refusal> {
    let Command::Create {
        id,
        org,
        details,
        assignee,
    } = command
    else {
        return Err(Refusal::invalid("not a create command"));
    };
    permit(ctx, command, details.kind())?;
    let id = required_text(id, "id", None)?;
    let org = required_text(org, "org", None)?;
    if org != ctx.actor.org && ctx.actor.org_kind != OrgKind::Department {
        return Err(Refusal::forbidden(
            "records can only be created for your own organisation",
        ));
    }
    if details.started_at() > ctx.now {
        return Err(
            Refusal::invalid("the time of awareness or receipt is in the future").on_field(
                match details.kind() {
                    RecordKind::Incident => "identified_at",
                    RecordKind::Intake => "received_at",
                },
            ),
        );
    }
    let (details, start) = match details {
        Details::Incident(incident) => {
            incident::validate(ctx, incident)?;
            responsible(ctx, &org, incident)?;
            (Details::Incident(incident.clone()), Milestone::Identified)
        }
        Details::Intake(raw) => (
            Details::Intake(intake::validate_new(ctx, raw)?),
            Milestone::Received,
        ),
    };
    let stage = ctx
        .policy
        .first_stage(details.kind())
        .ok_or_else(|| Refusal::invalid("the policy has no stages for this kind of record"))?;
    Ok(vec![
        Change::MilestoneReached {
            milestone: start,
            at: details.started_at(),
        },
        Change::Created {
            id,
            org,
            policy: ctx.policy.id.clone(),
            stage: stage.id.clone(),
            details,
            assignee: assignee.clone(),
        },
    ]
    .into_iter()
    .rev()
    .collect())
}

fn change(ctx: &Ctx<'_>, command: &Command, record: &Record) -> Result<Vec<Change>, Refusal> {
    match command {
        Command::Create { .. } => Err(Refusal::invalid("the record already exists")),
        Command::UpdateIncident {
            incident: new,
            correction,
        } => incident::update(ctx, record, new, correction.as_deref()),
        Command::UpdateIntake { intake: new } => intake::update(ctx, record, new),
        Command::Tick { item } => checklist::tick(ctx, record, item),
        Command::SubmittedOutside { kind, at, reason } => {
            submit::outside(ctx, record, *kind, *at, reason)
        }
        Command::Untick { item } => checklist::untick(ctx, record, item),
        Command::Waive { item, reason } => checklist::waive(ctx, record, item, reason),
        Command::AdvanceStage => checklist::advance(ctx, record),
        Command::Close { reason } => {
            learning::all_closed(record)?;
            checklist::close(ctx, record, reason)
        }
        Command::AddNote {
            text,
            protected_spans,
            category,
        } => notes::add(ctx, record, text, protected_spans, category.as_deref()),
        Command::AmendNote {
            note,
            text,
            protected_spans,
            reason,
        } => notes::amend(record, *note, text, protected_spans, reason),
        Command::Assign { user } => Ok(vec![Change::Assigned {
            user: user
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(String::from),
        }]),
        Command::ChangeOrganisation { org, reason } => {
            // R-AUTH-CSO: the owner's managers or the department's move a record; an
            // assignee from elsewhere does not take it.
            if ctx.actor.org != record.org && ctx.actor.org_kind != OrgKind::Department {
                return Err(Refusal::rule(
                    "R-AUTH-CSO",
                    "a record is moved to another organisation by the managers of the organisation that owns it, or the department's",
                ));
            }
            let to = required_text(org, "org", None)?;
            let reason = required_text(reason, "reason", None)?;
            if to == record.org {
                return Err(Refusal::invalid(format!(
                    "the record already belongs to {to}"
                )));
            }
            Ok(vec![Change::OrganisationChanged {
                from: record.org.clone(),
                to,
                reason,
            }])
        }
        Command::ConfirmRcsScope { scope } => incident::confirm_rcs(ctx, record, *scope),
        Command::PoliceHold => incident::police_hold(record),
        Command::PoliceClearance => incident::police_clearance(ctx, record),
        Command::ExtendInvestigation {
            business_days,
            reason,
        } => incident::extend(ctx, record, *business_days, reason),
        Command::RecordInvestigationOutcome { outcome } => incident::outcome(ctx, record, outcome),
        Command::SkipReview { reason } => incident::skip_review(ctx, record, reason),
        Command::RaisePrivacyBreach { identified_at } => {
            if record.privacy_breach {
                return Err(Refusal::invalid("a privacy breach is already recorded"));
            }
            if *identified_at > ctx.now {
                return Err(
                    Refusal::invalid("the breach cannot be identified in the future")
                        .on_field("identified_at"),
                );
            }
            Ok(vec![
                Change::PrivacyBreachRaised,
                Change::MilestoneReached {
                    milestone: Milestone::PrivacyBreachIdentified,
                    at: *identified_at,
                },
            ])
        }
        Command::Endorse => match record.kind() {
            RecordKind::Incident => incident::endorse(ctx, record),
            RecordKind::Intake => intake::endorse(ctx, record),
        },
        Command::ClassifyIntake {
            classifications,
            urgency,
            rationale,
            consequence,
            probability,
        } => intake::classify(
            ctx,
            record,
            classifications,
            *urgency,
            rationale.as_deref(),
            consequence.zip(*probability),
        ),
        Command::DecideRereport {
            investigate,
            rationale,
        } => intake::decide_rereport(ctx, record, *investigate, rationale),
        Command::DelegateRereport { to } => intake::delegate_rereport(ctx, record, to),
        Command::RecordFeedbackException { reason } => {
            intake::feedback_exception(ctx, record, reason)
        }
        Command::RecordContact { purpose } => intake::contact(record, *purpose),
        Command::LinkIncident { incident } => intake::link_incident(record, incident),
        Command::RaiseLearningAction {
            what,
            owner,
            due_on,
        } => learning::raise(ctx, record, what, owner, *due_on),
        Command::CloseLearningAction { action, outcome } => {
            learning::close(record, *action, outcome)
        }
        Command::WithdrawEndorsement { item, reason } => lock::withdraw(ctx, record, item, reason),
    }
}

/// The record's incident, or a refusal for an intake.
pub(crate) fn incident_of(record: &Record) -> Result<&super::model::Incident, Refusal> {
    record
        .incident()
        .ok_or_else(|| Refusal::invalid("this command applies to incidents, not intake reports"))
}

/// The record's intake details, or a refusal for an incident.
pub(crate) fn intake_of(record: &Record) -> Result<&super::model::Intake, Refusal> {
    record
        .intake()
        .ok_or_else(|| Refusal::invalid("this command applies to intake reports, not incidents"))
}

/// Does the policy condition hold for this record? R-PRIV-9: a condition that reads what
/// the actor may not see is not evaluated for them; the command is refused, in words that
/// do not depend on it (R-PRIV-8).
pub(crate) fn applies(ctx: &Ctx<'_>, record: &Record, when: Condition) -> Result<bool, Refusal> {
    match ctx.sight(record).condition(when) {
        Some(class) => Err(withheld(
            class,
            "this depends on details of the record you may not see",
        )),
        None => Ok(rules::holds(when, record, ctx.policy)),
    }
}

/// R-PRIV-9: the refusal for what depends on details of `class` the actor may not see.
pub(crate) fn withheld(class: FieldClass, what: &str) -> Refusal {
    Refusal::rule(
        "R-PRIV-9",
        format!(
            "{what} ({}): someone who may see them can do it",
            class.as_str()
        ),
    )
}
