//! A record's life, written as the people of the demo would have lived it: registered,
//! checklist items ticked (a few waived), notes written, police holds and extensions, stages
//! advanced, sometimes closed. Every step goes through `decide`, so the rules decide what
//! can happen; a step no one in the cast may take ends the story where it stands.

use chrono::{DateTime, Duration, Utc};

use crate::domain::actor::{Actor, OrgKind};
use crate::domain::commands::Command;
use crate::domain::decide;
use crate::domain::events::{Change, Event};
use crate::domain::evolve;
use crate::domain::local_time::local_date;
use crate::domain::model::{
    Classification, Consequence, Details, IntakeDecision, MaramRating, Probability, RcsScope,
    Record, RecordKind, Span, Urgency,
};
use crate::domain::policy::{ChecklistItem, Policy, PolicySet};
use crate::domain::refusal::Refusal;
use crate::domain::rules;
use crate::domain::submissions::{
    Outcome, Recipient, SYSTEM_ACTOR, Sent, SubmissionKind, answered, submission_key,
};

use super::generate::{Planned, Rng};

/// The events of one record's life, from its registration to where its plan stops.
pub fn live(
    planned: Planned,
    id: String,
    people: &[Actor],
    policies: &PolicySet,
    now: DateTime<Utc>,
    rng: &mut Rng,
) -> Result<Vec<Event>, Refusal> {
    let Planned {
        author,
        new,
        created_at,
        progress,
        ..
    } = planned;
    let create = Command::Create {
        id,
        org: new.org,
        details: new.details,
        assignee: new.assignee,
    };
    let events = decide(&create, None, &author, created_at, policies)?;
    let record = fold(None, &events)
        .ok_or_else(|| Refusal::invalid("a new record's events do not make a record"))?;
    let mut story = Story {
        policy: policies.of_record(&record),
        policies,
        people,
        author,
        record,
        events,
        clock: created_at,
        end: now - Duration::minutes(2),
        rng,
    };
    story.note(NoteMoment::Registered);
    for _ in 0..progress.advances {
        // A stage the cast cannot finish, or the last stage, ends the advance.
        if !story.work_stage(true) || !story.act(&Command::AdvanceStage) {
            break;
        }
    }
    if progress.closed {
        if story.work_stage(true) {
            let reason = story.closing_reason().to_string();
            story.act(&Command::Close { reason });
        }
    } else {
        story.work_stage(false);
        story.follow_up_learning_actions();
    }
    Ok(story.events)
}

fn fold(state: Option<Record>, events: &[Event]) -> Option<Record> {
    let mut state = state;
    for event in events {
        state = Some(evolve(state, event).ok()?);
    }
    state
}

#[derive(Clone, Copy)]
enum NoteMoment {
    Registered,
    Working,
    PoliceHold,
}

struct Story<'a, 'r> {
    policy: &'a Policy,
    policies: &'a PolicySet,
    people: &'a [Actor],
    author: Actor,
    record: Record,
    events: Vec<Event>,
    clock: DateTime<Utc>,
    end: DateTime<Utc>,
    rng: &'r mut Rng,
}

impl Story<'_, '_> {
    /// The cast in the order they would be asked: the author, their organisation, then the
    /// department's specialists.
    fn cast(&self) -> Vec<Actor> {
        let mut cast = vec![self.author.clone()];
        cast.extend(
            self.people
                .iter()
                .filter(|p| p.user != self.author.user && p.org == self.record.org)
                .cloned(),
        );
        cast.extend(
            self.people
                .iter()
                .filter(|p| p.org != self.record.org && p.org_kind == OrgKind::Department)
                .cloned(),
        );
        cast
    }

    /// Move the clock on by a step of the pace work has at this stage: minutes to hours at
    /// first, days once an investigation or review is under way; never past `end`.
    fn tick_clock(&mut self) {
        const HOUR: u64 = 60;
        let stage = self
            .policy
            .stage(self.record.kind(), &self.record.stage)
            .map_or(1, |s| s.number);
        let longest = match (self.record.kind(), stage) {
            (RecordKind::Incident, 1) => 3 * HOUR,
            (RecordKind::Incident, 2) => 10 * HOUR,
            (RecordKind::Incident, _) => 4 * 24 * HOUR,
            (RecordKind::Intake, 1) => HOUR,
            (RecordKind::Intake, _) => 8 * HOUR,
        };
        let step = i64::try_from(5 + self.rng.below(longest)).unwrap_or(5);
        self.clock = (self.clock + Duration::minutes(step))
            .min(self.end)
            .max(self.clock);
    }

    /// The first of the cast who may take this step takes it.
    fn act(&mut self, command: &Command) -> bool {
        self.tick_clock();
        for actor in self.cast() {
            if let Ok(events) = decide(
                command,
                Some(&self.record),
                &actor,
                self.clock,
                self.policies,
            ) && let Some(record) = fold(Some(self.record.clone()), &events)
            {
                self.record = record;
                let first_version = self.events.len();
                self.events.extend(events);
                self.deliver_queued(first_version);
                return true;
            }
        }
        false
    }

    /// The submissions the last step queued, from `first` on in the history, were sent
    /// at once and accepted by their recipients (R-SUBMIT-1): the demo's past is a
    /// register that transmitted.
    fn deliver_queued(&mut self, first: usize) {
        let queued: Vec<(usize, SubmissionKind, Recipient)> = self.events[first..]
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.change {
                Change::SubmissionQueued { kind, recipient } => {
                    Some((first + i + 1, kind, recipient))
                }
                _ => None,
            })
            .collect();
        for (version, kind, recipient) in queued {
            let sent = Sent {
                key: submission_key(&self.record.id, i64::try_from(version).unwrap_or(0)),
                kind,
                recipient,
                queued_by: self.events[version - 1].by.clone(),
                sent_at: self.clock,
            };
            let reference = format!(
                "{}-{:06}",
                recipient.as_str().to_uppercase(),
                self.rng.below(1_000_000)
            );
            let changes = answered(
                self.policy,
                &self.record,
                &sent,
                &Outcome::Accepted { reference },
            );
            let events: Vec<Event> = changes
                .into_iter()
                .map(|change| Event {
                    at: self.clock,
                    by: SYSTEM_ACTOR.to_string(),
                    change,
                })
                .collect();
            if let Some(record) = fold(Some(self.record.clone()), &events) {
                self.record = record;
                self.events.extend(events);
            }
        }
    }

    /// Required items of the current stage that apply and are still open.
    fn open_items(&self) -> Vec<&ChecklistItem> {
        let record = &self.record;
        self.policy
            .items_of(record.kind(), &record.stage)
            .filter(|i| {
                i.required && rules::holds(i.when, record, self.policy) && !record.is_done(&i.id)
            })
            .collect()
    }

    /// Work through the current stage: all of it when `finish`, otherwise some of it.
    /// Whether every required item is done.
    fn work_stage(&mut self, finish: bool) -> bool {
        let mut budget = if finish {
            usize::MAX
        } else {
            let open = self.open_items().len();
            usize::try_from(self.rng.below(open as u64 + 1)).unwrap_or(0)
        };
        self.police_and_extensions(finish);
        while budget > 0 {
            let Some(item) = self.open_items().first().map(|i| (*i).clone()) else {
                return true;
            };
            if !self.complete(&item) {
                return false;
            }
            budget -= 1;
            if self.rng.chance(18) {
                self.note(NoteMoment::Working);
            }
        }
        self.open_items().is_empty()
    }

    fn complete(&mut self, item: &ChecklistItem) -> bool {
        if item.rule == "R-INT-FV" {
            self.record_maram();
        }
        // Investigations and reviews end with actions to learn from; the last stage
        // follows them through (R-STAGE).
        if item.id == "review_findings"
            || item.via.as_deref() == Some("record_investigation_outcome")
        {
            self.raise_learning_actions();
        }
        if item.id == "actions_tracked" {
            self.close_learning_actions();
        }
        let command = match item.via.as_deref() {
            None if !item.waive.is_empty() && self.rng.chance(8) => Command::Waive {
                item: item.id.clone(),
                reason: waive_reason(&item.id).to_string(),
            },
            None => Command::Tick {
                item: item.id.clone(),
            },
            Some("endorse_incident" | "endorse_intake") => Command::Endorse,
            Some("confirm_rcs_scope") => Command::ConfirmRcsScope {
                scope: if self.rcs_matter() && self.rng.chance(80) {
                    RcsScope::InScope
                } else {
                    RcsScope::NotInScope
                },
            },
            Some("police_clearance") => Command::PoliceClearance,
            Some("record_investigation_outcome") => Command::RecordInvestigationOutcome {
                outcome: self
                    .rng
                    .pick(&self.policy.parameters.investigation_outcomes)
                    .clone(),
            },
            Some("decide_rereport") => Command::DecideRereport {
                investigate: self.rng.chance(50),
                rationale: "Read all prior reports together: the pattern of concern is \
                            cumulative, not a series of single events."
                    .to_string(),
            },
            Some("classify_intake") => self.classification(),
            Some(_) => return false,
        };
        self.act(&command)
    }

    /// Conduct the Integrity Unit would take on (R-RCS-2): a carer or staff member is the
    /// subject of an allegation that must be investigated.
    fn rcs_matter(&self) -> bool {
        self.record.incident().is_some_and(|i| {
            i.subject
                .as_ref()
                .is_some_and(|s| s.relation.is_staff_or_carer())
                && rules::incident::investigation_required(i, self.policy)
        })
    }

    /// R-INT-FV: family violence is indicated, so the MARAM rating is recorded with the
    /// information gathered.
    fn record_maram(&mut self) {
        if let Details::Intake(n) = &self.record.details
            && n.family_violence
            && n.maram.is_none()
        {
            let mut intake = n.clone();
            intake.maram = Some(*self.rng.pick(&[
                MaramRating::AtRisk,
                MaramRating::ElevatedRisk,
                MaramRating::SeriousRisk,
            ]));
            self.act(&Command::UpdateIntake { intake });
        }
    }

    /// During an investigation police sometimes ask us to wait (R-POLICE-2), and some
    /// investigations need more time (R-DL-INVEST).
    fn police_and_extensions(&mut self, finish: bool) {
        let investigating = self.record.kind() == RecordKind::Incident
            && self
                .policy
                .stage(self.record.kind(), &self.record.stage)
                .is_some_and(|s| s.number == 3);
        if !investigating {
            return;
        }
        if rules::holds(
            crate::domain::policy::Condition::PoliceReferral,
            &self.record,
            self.policy,
        ) && self.rng.chance(45)
            && self.act(&Command::PoliceHold)
        {
            self.note(NoteMoment::PoliceHold);
            if !finish && self.rng.chance(50) {
                // Still held: the investigation clock is paused today.
                return;
            }
            self.clock += Duration::days(self.rng.between(2, 12));
            self.clock = self.clock.min(self.end);
        }
        if self.rng.chance(if finish { 20 } else { 35 }) {
            let days = u32::try_from(self.rng.between(5, 31)).unwrap_or(10);
            self.act(&Command::ExtendInvestigation {
                business_days: days,
                reason: "Waiting on the forensic interview and the carer's availability."
                    .to_string(),
            });
        }
    }

    /// The classification a practitioner would make: the matrix's suggestion mostly, and
    /// a written rationale where the rules ask for one (R-INT-MATRIX).
    fn classification(&mut self) -> Command {
        let (consequence, probability) = match &self.record.details {
            Details::Intake(n) => (n.consequence, n.probability),
            Details::Incident(_) => (None, None),
        };
        let consequence = consequence.unwrap_or(Consequence::Significant);
        let probability = probability.unwrap_or(Probability::Likely);
        let suggestion = rules::intake::matrix(consequence, probability);
        let follow = self.rng.chance(85);
        // R-INT-REREPORT-3: the DAOM decided this re-report is investigated.
        let must_investigate = matches!(&self.record.details,
            Details::Intake(n) if n.rereport_decision.as_ref().is_some_and(|d| d.investigate));
        let pir = must_investigate || suggestion.protective_intervention == follow;
        let ttr = match &self.record.details {
            Details::Intake(n) => rules::intake::ttr_indicated(n, &self.policy.parameters),
            Details::Incident(_) => false,
        };
        // R-INT-TTR: a therapeutic treatment report, with a protective one where needed.
        let classifications: std::collections::BTreeSet<Classification> = if ttr {
            let mut both = std::collections::BTreeSet::from([Classification::TherapeuticTreatment]);
            if pir {
                both.insert(Classification::ProtectiveIntervention);
            }
            both
        } else if pir {
            [Classification::ProtectiveIntervention].into()
        } else if self.rng.chance(70) {
            [Classification::ChildWellbeing].into()
        } else {
            [Classification::InsufficientInformation].into()
        };
        let urgency = pir.then(|| {
            if suggestion.urgency.is_some() || self.rng.chance(30) {
                Urgency::Urgent
            } else {
                Urgency::Standard
            }
        });
        let decision = IntakeDecision {
            classifications: classifications.clone(),
            urgency,
            rationale: None,
        };
        let rationale = rules::intake::rationale_required(consequence, probability, &decision)
            .then(|| {
                if pir {
                    "Younger children, no safe adult at home overnight and two earlier \
                     reports: the risk is higher than the matrix alone suggests."
                } else {
                    "A family support service is already working with the family daily and \
                     the concerns are being addressed with the school."
                }
                .to_string()
            });
        Command::ClassifyIntake {
            classifications,
            urgency,
            rationale,
            consequence: Some(consequence),
            probability: Some(probability),
        }
    }

    /// One or two actions, owned by someone of the record's organisation, due in two to
    /// eight weeks.
    fn raise_learning_actions(&mut self) {
        let Some(incident) = self.record.incident() else {
            return;
        };
        let ideas: &[&str] = match incident.primary_type.as_str() {
            "absent_client" => &[
                "Review night staffing across the residential units",
                "Agree a return conversation with each young person after an absence",
                "Meet police youth liaison about repeat absences",
            ],
            "physical_abuse" | "physical_abuse_hospital" | "assault" => &[
                "Refresh de-escalation training for the house team",
                "Review how placement matching weighs other residents' behaviour",
            ],
            "medication_error" => &[
                "Audit medication charts in every unit for a month",
                "Two-person check for evening medication",
            ],
            _ => &[
                "Share the review's learning at the practice forum",
                "Update the safety plan template with what was learnt",
                "Check supervision records for the team involved",
            ],
        };
        let owners: Vec<String> = self
            .people
            .iter()
            .filter(|p| p.org == self.record.org)
            .map(|p| p.user.clone())
            .collect();
        if owners.is_empty() {
            return;
        }
        let count = 1 + self.rng.below(2);
        for _ in 0..count {
            let what = (*self.rng.pick(ideas)).to_string();
            let owner = self.rng.pick(&owners).clone();
            let weeks = self.rng.between(2, 8);
            let due_on = local_date(self.clock) + Duration::weeks(weeks);
            self.act(&Command::RaiseLearningAction {
                what,
                owner,
                due_on,
            });
        }
    }

    /// On a record still open, most actions whose date has come are closed; the rest wait.
    fn follow_up_learning_actions(&mut self) {
        let due: Vec<u32> = self
            .record
            .open_learning_actions()
            .filter(|a| a.due_on <= local_date(self.end))
            .map(|a| a.id)
            .collect();
        let closing: Vec<u32> = due.into_iter().filter(|_| self.rng.chance(80)).collect();
        self.close_these(closing);
    }

    /// Each open action closed with what came of it, some after their due date.
    fn close_learning_actions(&mut self) {
        let open: Vec<u32> = self.record.open_learning_actions().map(|a| a.id).collect();
        self.close_these(open);
    }

    fn close_these(&mut self, actions: Vec<u32>) {
        for action in actions {
            let outcome = (*self.rng.pick(&[
                "Done and checked at the next team meeting.",
                "Done; the change is written into the unit's procedures.",
                "Partly done: the rest moved into the service plan for next quarter.",
            ]))
            .to_string();
            self.act(&Command::CloseLearningAction { action, outcome });
        }
    }

    fn closing_reason(&self) -> &'static str {
        match self.record.details {
            Details::Incident(_) => "All stages complete; learning shared at the team meeting.",
            Details::Intake(_) => "Classification endorsed and handed over.",
        }
    }

    /// A note of the kind practitioners write at this moment of the record.
    fn note(&mut self, moment: NoteMoment) {
        let text = match (&self.record.details, moment) {
            (Details::Incident(i), NoteMoment::Registered) => {
                let client = i
                    .clients
                    .first()
                    .map_or("the young person", |c| first(&c.name));
                format!(
                    "Checked on {client} straight after; settled with staff and agreed to the \
                     plan for tonight. Carer on shift briefed."
                )
            }
            (Details::Incident(_), NoteMoment::PoliceHold) => {
                "Police (sexual offences team) asked us not to interview anyone until they \
                 have spoken with the young person. Investigation on hold."
                    .to_string()
            }
            (Details::Incident(_), NoteMoment::Working) => self
                .rng
                .pick(&[
                    "Spoke with the house supervisor; rosters changed so the young person is \
                     not left with the same worker.",
                    "GP reviewed; no further treatment needed. Photographs on file.",
                    "Support person rang back and will visit tomorrow afternoon.",
                    "Delegate asked for the shift notes before endorsing; sent.",
                    "Young person says they feel safer since the room change.",
                ])
                .to_string(),
            (Details::Intake(n), NoteMoment::Registered) => {
                // The reporter's name is protected in the note (R-PRIV-6).
                let reporter = n.reporter.name.clone();
                let text = format!(
                    "Rang {reporter} back to confirm the dates and who else knows; they \
                     agreed to be called again."
                );
                let start = "Rang ".len();
                let span = Span {
                    start,
                    end: start + reporter.len(),
                };
                self.act(&Command::AddNote {
                    category: None,
                    text,
                    protected_spans: vec![span],
                });
                return;
            }
            (Details::Intake(n), _) => {
                let mut notes = vec![
                    "CRIS search done: prior reports read together, none investigated.",
                    "Consulted supervisor; agreed to ask the school for attendance records \
                     before classifying.",
                    "L17 search shows police attended the address twice this year.",
                    "Maternal and child health nurse confirms missed appointments.",
                ];
                // ACSASS is consulted about Aboriginal children (R-INT-ACSASS).
                if n.children
                    .iter()
                    .any(|c| c.person.aboriginal_status.identifies())
                {
                    notes.push(
                        "ACSASS consulted about the children's connection to community and \
                         family.",
                    );
                }
                self.rng.pick(&notes).to_string()
            }
        };
        self.act(&Command::AddNote {
            category: None,
            text,
            protected_spans: Vec::new(),
        });
    }
}

fn first(full: &str) -> &str {
    full.split(' ').next().unwrap_or(full)
}

fn waive_reason(item: &str) -> &'static str {
    match item {
        "medical_attention" | "emergency_services" => {
            "No injury and no danger at the time: not needed."
        }
        "evidence_preserved" => "Nothing physical to keep; the account is written down.",
        "support_person_contacted" | "client_acknowledged" => {
            "The young person asked that no one else be told yet; revisit next week."
        }
        "professional_information" => "No professionals involved with the family.",
        "risk_assessment" => "Insufficient information to assess; classified accordingly.",
        _ => "Not needed in this matter; reason discussed with the delegate.",
    }
}
