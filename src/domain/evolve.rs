//! `evolve(state, event) -> state`: the fold that rebuilds a record from its events.
//! It trusts that events were produced by `decide`; a sequence that cannot apply (an
//! event before creation, a second creation) is an error, never a silent skip.

use super::events::{Change, Event};
use super::model::{
    ActionClosure, Details, Extension, ItemState, LearningAction, Milestone, Note, NoteRevision,
    PoliceHold, Record, Status,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvolveError {
    #[error("the first event of a record must be its creation")]
    NotCreated,
    #[error("record {0} is already created")]
    AlreadyCreated(String),
    #[error("record {record}: {problem}")]
    Inconsistent { record: String, problem: String },
}

/// Apply one event.
pub fn evolve(state: Option<Record>, event: &Event) -> Result<Record, EvolveError> {
    let mut record = match (state, &event.change) {
        (
            None,
            Change::Created {
                id,
                org,
                policy,
                stage,
                details,
                assignee,
            },
        ) => {
            return Ok(Record {
                id: id.clone(),
                org: org.clone(),
                policy: policy.clone(),
                stage: stage.clone(),
                status: Status::Open,
                assignee: assignee.clone(),
                created_by: event.by.clone(),
                created_at: event.at,
                updated_at: event.at,
                version: 1,
                details: details.clone(),
                checklist: Default::default(),
                notes: Vec::new(),
                milestones: Default::default(),
                police_holds: Vec::new(),
                extensions: Vec::new(),
                rcs_scope: None,
                investigation_outcome: None,
                review_covered_by_investigation: None,
                privacy_breach: false,
                learning_actions: Vec::new(),
                kept_deadlines: Default::default(),
                classified_by: None,
                rereport_delegate: None,
                linked_incidents: Vec::new(),
            });
        }
        (None, _) => return Err(EvolveError::NotCreated),
        (Some(record), Change::Created { .. }) => {
            return Err(EvolveError::AlreadyCreated(record.id));
        }
        (Some(record), _) => record,
    };
    let id = record.id.clone();
    let inconsistent = |problem: &str| EvolveError::Inconsistent {
        record: id.clone(),
        problem: problem.to_string(),
    };
    let by = event.by.clone();
    let at = event.at;
    match &event.change {
        Change::Created { .. } => return Err(EvolveError::AlreadyCreated(id)),
        Change::DetailsUpdated { details } => {
            if details.kind() != record.kind() {
                return Err(inconsistent("details changed kind"));
            }
            record.details = details.clone();
        }
        Change::ItemTicked { item } => {
            record
                .checklist
                .insert(item.clone(), ItemState::Done { by, at });
        }
        Change::ItemUnticked { item } => {
            record.checklist.remove(item);
        }
        Change::ItemWaived { item, reason } => {
            record.checklist.insert(
                item.clone(),
                ItemState::Waived {
                    by,
                    at,
                    reason: reason.clone(),
                },
            );
        }
        Change::MilestoneReached { milestone, at } => {
            record.milestones.insert(*milestone, *at);
        }
        Change::EndorsementWithdrawn { item, .. } => {
            record.checklist.remove(item);
        }
        Change::AwarenessCorrected { to, .. } => {
            record.milestones.insert(Milestone::Identified, *to);
        }
        Change::DeadlineKept { deadline, kept } => {
            // The first keeping stands: a deadline keeps its original due time.
            record
                .kept_deadlines
                .entry(deadline.clone())
                .or_insert_with(|| kept.clone());
        }
        Change::StageAdvanced { to, .. } => record.stage = to.clone(),
        Change::NoteAdded {
            note,
            text,
            protected_spans,
            category,
        } => record.notes.push(Note {
            id: *note,
            category: category.clone(),
            revisions: vec![NoteRevision {
                text: text.clone(),
                protected_spans: protected_spans.clone(),
                by,
                at,
                reason: None,
            }],
        }),
        Change::NoteAmended {
            note,
            text,
            protected_spans,
            reason,
        } => {
            let target = record
                .notes
                .iter_mut()
                .find(|n| n.id == *note)
                .ok_or_else(|| {
                    inconsistent(&format!("amends note {note}, which does not exist"))
                })?;
            target.revisions.push(NoteRevision {
                text: text.clone(),
                protected_spans: protected_spans.clone(),
                by,
                at,
                reason: Some(reason.clone()),
            });
        }
        Change::Assigned { user } => record.assignee = user.clone(),
        Change::OrganisationChanged { to, .. } => record.org = to.clone(),
        Change::RcsScopeConfirmed { scope } => record.rcs_scope = Some(*scope),
        Change::PoliceHoldStarted => record.police_holds.push(PoliceHold {
            from: at,
            until: None,
        }),
        Change::PoliceHoldEnded => {
            let open = record
                .police_holds
                .iter_mut()
                .find(|h| h.until.is_none())
                .ok_or_else(|| inconsistent("ends a police hold that is not open"))?;
            open.until = Some(at);
        }
        Change::InvestigationExtended {
            business_days,
            reason,
        } => record.extensions.push(Extension {
            business_days: *business_days,
            reason: reason.clone(),
            by,
            at,
        }),
        Change::InvestigationOutcomeRecorded { outcome } => {
            record.investigation_outcome = Some(outcome.clone());
        }
        Change::ReviewSkipped { reason } => {
            record.review_covered_by_investigation = Some(reason.clone());
        }
        Change::PrivacyBreachRaised => record.privacy_breach = true,
        // What a submission does to the record is recorded beside it: the item it completes
        // and the milestone it reaches (R-SUBMIT-1).
        Change::Endorsed
        | Change::ContactRecorded { .. }
        | Change::SubmissionQueued { .. }
        | Change::SubmissionAccepted { .. }
        | Change::SubmissionRejected { .. }
        | Change::SubmittedOutside { .. } => {}
        Change::RereportDelegated { to } => record.rereport_delegate = Some(to.clone()),
        Change::IncidentLinked { incident } => record.linked_incidents.push(incident.clone()),
        Change::IntakeClassified { decision } => {
            intake_mut(&mut record)?.decision = Some(decision.clone());
            record.classified_by = Some(event.by.clone());
        }
        Change::RereportDecided {
            investigate,
            rationale,
        } => {
            intake_mut(&mut record)?.rereport_decision = Some(super::model::RereportDecision {
                investigate: *investigate,
                rationale: rationale.clone(),
                by,
            });
        }
        Change::FeedbackExceptionRecorded { reason } => {
            intake_mut(&mut record)?.feedback_exception = Some(reason.clone());
        }
        Change::LearningActionRaised {
            action,
            what,
            owner,
            due_on,
        } => record.learning_actions.push(LearningAction {
            id: *action,
            what: what.clone(),
            owner: owner.clone(),
            due_on: *due_on,
            raised_by: by,
            raised_at: at,
            closed: None,
        }),
        Change::LearningActionClosed { action, outcome } => {
            let target = record
                .learning_actions
                .iter_mut()
                .find(|a| a.id == *action && a.is_open())
                .ok_or_else(|| {
                    inconsistent(&format!(
                        "closes learning action {action}, which is not open"
                    ))
                })?;
            target.closed = Some(ActionClosure {
                outcome: outcome.clone(),
                by,
                at,
            });
        }
        Change::Closed { .. } => record.status = Status::Closed,
    }
    record.updated_at = event.at;
    record.version += 1;
    Ok(record)
}

fn intake_mut(record: &mut Record) -> Result<&mut super::model::Intake, EvolveError> {
    let id = record.id.clone();
    match &mut record.details {
        Details::Intake(intake) => Ok(intake),
        Details::Incident(_) => Err(EvolveError::Inconsistent {
            record: id,
            problem: "an intake event on an incident".to_string(),
        }),
    }
}

/// Rebuild a record from its whole history.
pub fn replay<'a>(
    events: impl IntoIterator<Item = &'a Event>,
) -> Result<Option<Record>, EvolveError> {
    let mut state = None;
    for event in events {
        state = Some(evolve(state, event)?);
    }
    Ok(state)
}
