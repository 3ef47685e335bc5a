//! R-PRIV-9: derived data carries the class of the fields it is derived from.
//!
//! A checklist item, a deadline or a stage is switched on by a policy condition, and a
//! condition reads fields of the record (`Condition::reads`), so what it switches on takes
//! their classes (`Policy::condition_classes`): the ACSASS items read Aboriginal status
//! (`cultural`), the feedback item and deadline read whether the reporter is a professional
//! (`protected`). A milestone takes the classes of the items that record it. Nothing here is
//! listed item by item: change a condition or a field class and the classes follow.
//!
//! To an actor who may not see one of those classes, such an item, milestone or deadline is
//! withheld with an explicit marker, and withheld whether or not it applies to the record:
//! its applying is exactly what would be revealed (R-PRIV-8). The same goes for an event
//! that ticks, waives or reaches one, and for a classed field of the details that holds
//! nothing (a feedback exception is only ever recorded for a professional reporter).
//!
//! A reporter's written consent, which lets the walker show their details to those who see
//! identifying fields, is not taken into account: what is derived from them stays withheld.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::domain::actor::Actor;
use crate::domain::deadlines::{Deadline, Status};
use crate::domain::events::{Change, Event};
use crate::domain::model::{Milestone, Record, RecordKind};
use crate::domain::policy::{ChecklistItem, Condition, DeadlineRule, FieldClass, Policy};
use crate::domain::rules;

use super::{View, Visibility, marker};

/// What one actor may see of what is derived from one record.
#[derive(Debug, Clone, Copy)]
pub struct Sight<'a> {
    visibility: Visibility,
    policy: &'a Policy,
    record: &'a Record,
}

/// A checklist item of the record's current stage as the actor is shown it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemView<'a> {
    /// The item applies and the actor may see why.
    Shown(&'a ChecklistItem),
    /// The item reads what the actor may not see: whether it applies is not said.
    Withheld(&'a ChecklistItem, FieldClass),
}

impl<'a> Sight<'a> {
    pub fn new(actor: &Actor, policy: &'a Policy, record: &'a Record) -> Sight<'a> {
        Sight::with(Visibility::of(actor, policy, record), policy, record)
    }

    /// What a visibility class is shown of the record.
    pub fn with(visibility: Visibility, policy: &'a Policy, record: &'a Record) -> Sight<'a> {
        Sight {
            visibility,
            policy,
            record,
        }
    }

    /// The first of `classes` the actor may not see on this record.
    fn hidden(&self, classes: BTreeSet<FieldClass>) -> Option<FieldClass> {
        classes.into_iter().find(|class| match class {
            FieldClass::Protected => !self.visibility.protected,
            FieldClass::Identifying | FieldClass::Cultural => !self.visibility.identifying,
            FieldClass::Open => false,
        })
    }

    /// The class withheld from the actor of what this condition switches on, if any.
    pub fn condition(&self, condition: Condition) -> Option<FieldClass> {
        self.hidden(self.policy.condition_classes(condition))
    }

    /// The class withheld of a field of the record (`reporter.professional`), if any.
    pub fn field(&self, object: &str, field: &str) -> Option<FieldClass> {
        self.hidden(BTreeSet::from([self.policy.field_class(object, field)]))
    }

    pub fn item(&self, item: &ChecklistItem) -> Option<FieldClass> {
        self.condition(item.when)
    }

    pub fn milestone(&self, milestone: Milestone) -> Option<FieldClass> {
        self.hidden(milestone_classes(
            self.policy,
            self.record.kind(),
            milestone,
        ))
    }

    /// A deadline reads its condition and the milestones that start and meet it.
    pub fn deadline(&self, rule: &DeadlineRule) -> Option<FieldClass> {
        let kind = self.record.kind();
        let mut classes = self.policy.condition_classes(rule.when);
        classes.extend(milestone_classes(self.policy, kind, rule.starts));
        classes.extend(milestone_classes(self.policy, kind, rule.met_by));
        self.hidden(classes)
    }

    fn deadline_rules(&self) -> impl Iterator<Item = &'a DeadlineRule> + use<'a> {
        let kind = self.record.kind();
        self.policy
            .deadlines
            .iter()
            .filter(move |rule| rule.applies_to(kind))
    }

    /// The actor may see every deadline the record's kind can have: the due time stored
    /// for the queue is theirs to see as it is.
    pub fn sees_every_deadline(&self) -> bool {
        self.deadline_rules()
            .all(|rule| self.deadline(rule).is_none())
    }

    /// The record's deadlines (`deadlines::deadlines`) as the actor may see them, in the
    /// policy's order: each one the actor may not see is withheld, with its label and a
    /// marker but no due time or status, whether or not it applies.
    pub fn deadlines(&self, all: Vec<Deadline>) -> Vec<Deadline> {
        let mut rest = all;
        let mut shown = Vec::new();
        for rule in self.deadline_rules() {
            let computed = rest.iter().position(|d| d.id == rule.id);
            match (self.deadline(rule), computed) {
                (Some(class), computed) => {
                    if let Some(index) = computed {
                        rest.remove(index);
                    }
                    shown.push(Deadline {
                        id: rule.id.clone(),
                        rule: rule.rule.clone(),
                        label: rule.label.clone(),
                        started_at: None,
                        due: None,
                        status: Status::Withheld { masked: class },
                        at_risk_from: None,
                        kept: None,
                    });
                }
                (None, Some(index)) => shown.push(rest.remove(index)),
                (None, None) => {}
            }
        }
        // What is left is not the policy's (a learning action's own deadline).
        shown.extend(rest);
        shown
    }

    /// R-ORDER-2: the items earlier stages are owed again, of those the actor may see. An
    /// earlier stage's hidden items are left out, so what the actor is told of what is owed
    /// never depends on them (R-PRIV-8).
    pub fn owed(&self) -> Vec<&'a ChecklistItem> {
        rules::obligations::owed(self.record, self.policy)
            .into_iter()
            .filter(|item| self.item(item).is_none())
            .collect()
    }

    /// The current stage's checklist for the actor, in the policy's order: the items that
    /// apply, and every item the actor may not see, withheld.
    pub fn checklist(&self) -> Vec<ItemView<'a>> {
        let record = self.record;
        self.policy
            .items_of(record.kind(), &record.stage)
            .filter_map(|item| match self.item(item) {
                Some(class) => Some(ItemView::Withheld(item, class)),
                None => {
                    rules::holds(item.when, record, self.policy).then_some(ItemView::Shown(item))
                }
            })
            .collect()
    }

    fn items(&self) -> impl Iterator<Item = &'a ChecklistItem> + use<'a> {
        let kind = self.record.kind();
        self.policy
            .checklist
            .iter()
            .filter(move |item| item.kind == kind)
    }

    /// R-NOTE-CAT: a note category that may be written only where a condition holds (a
    /// Statement of Recognition, for an Aboriginal child) says that it holds. To a reader
    /// who may not see such a condition, no note's category is shown: every one is a
    /// marker, so that which notes have one says nothing.
    fn note_categories(&self) -> Option<FieldClass> {
        self.policy
            .note_categories
            .iter()
            .find_map(|c| self.condition(c.when))
    }

    /// The class withheld of what an event did, if any.
    fn change(&self, change: &Change) -> Option<FieldClass> {
        let item = |id: &str| {
            self.policy
                .item(self.record.kind(), id)
                .and_then(|item| self.item(item))
        };
        match change {
            Change::ItemTicked { item: id }
            | Change::ItemUnticked { item: id }
            | Change::ItemWaived { item: id, .. }
            | Change::EndorsementWithdrawn { item: id, .. } => item(id),
            Change::MilestoneReached { milestone, .. } => self.milestone(*milestone),
            // A submission says its item applies (an SSR short form says the incident is
            // critical notifiable): it reads what that item reads.
            Change::SubmissionQueued { kind, .. }
            | Change::SubmissionAccepted { kind, .. }
            | Change::SubmissionRejected { kind, .. }
            | Change::SubmittedOutside { kind, .. } => self
                .policy
                .submission(*kind)
                .and_then(|route| item(&route.completes)),
            // Only ever recorded for a professional reporter (R-INT-DL-FB).
            Change::FeedbackExceptionRecorded { .. } => self.field("intake", "feedback_exception"),
            // A kept deadline reads what the deadline reads.
            Change::DeadlineKept { deadline, .. } => self
                .policy
                .deadline(deadline)
                .and_then(|rule| self.deadline(rule)),
            Change::Created { .. }
            | Change::DetailsUpdated { .. }
            | Change::StageAdvanced { .. }
            | Change::NoteAdded { .. }
            | Change::NoteAmended { .. }
            | Change::Assigned { .. }
            | Change::OrganisationChanged { .. }
            | Change::RcsScopeConfirmed { .. }
            | Change::PoliceHoldStarted
            | Change::PoliceHoldEnded
            | Change::InvestigationExtended { .. }
            | Change::InvestigationOutcomeRecorded { .. }
            | Change::ReviewSkipped { .. }
            | Change::PrivacyBreachRaised
            | Change::Endorsed
            | Change::IntakeClassified { .. }
            | Change::IncidentLinked { .. }
            | Change::RereportDecided { .. }
            | Change::RereportDelegated { .. }
            | Change::ContactRecorded { .. }
            | Change::LearningActionRaised { .. }
            | Change::LearningActionClosed { .. }
            | Change::AwarenessCorrected { .. }
            | Change::Closed { .. } => None,
        }
    }

    /// A classed field of a `details` object that the actor may not see is a marker even
    /// when the record holds nothing there, so that holding something says nothing.
    fn details(&self, details: &mut Value) {
        let Value::Object(map) = details else {
            return;
        };
        let Some(kind) = map.get("kind").and_then(Value::as_str).map(str::to_string) else {
            return;
        };
        for (field, class) in self.policy.field_classes.get(&kind).into_iter().flatten() {
            if self.hidden(BTreeSet::from([*class])).is_some() {
                map.entry(field.clone()).or_insert_with(|| marker(*class));
            }
        }
    }
}

/// A milestone takes the classes of the conditions of the items that record it: its being
/// reached says one of them applied. A milestone only commands record is open.
fn milestone_classes(
    policy: &Policy,
    kind: RecordKind,
    milestone: Milestone,
) -> BTreeSet<FieldClass> {
    policy
        .checklist
        .iter()
        .filter(|item| item.kind == kind && item.milestone == Some(milestone))
        .flat_map(|item| policy.condition_classes(item.when))
        .collect()
}

/// Each item or milestone the actor may not see becomes a marker in `map`, present
/// whether or not the record has it.
fn withhold_keys(map: &mut Map<String, Value>, keys: impl Iterator<Item = (String, FieldClass)>) {
    for (key, class) in keys {
        map.insert(key, marker(class));
    }
}

/// What the walker made of `view` (a record, or `{"record", "events"}`), with what is
/// derived from fields the actor may not see withheld.
pub(super) fn withhold(view: View<'_>, value: &mut Value, sight: &Sight<'_>) {
    match view {
        View::Record(_) => record(value, sight),
        View::History(_, events) => {
            if let Some(masked) = value.get_mut("events") {
                history(masked, events, sight);
            }
        }
    }
}

/// The masked record: its checklist, milestones and details.
fn record(value: &mut Value, sight: &Sight<'_>) {
    let Value::Object(map) = value else {
        return;
    };
    if let Some(Value::Object(checklist)) = map.get_mut("checklist") {
        let items = sight
            .items()
            .filter_map(|item| sight.item(item).map(|class| (item.id.clone(), class)));
        withhold_keys(checklist, items);
    }
    if let Some(Value::Object(milestones)) = map.get_mut("milestones") {
        let reached = Milestone::ALL.into_iter().filter_map(|milestone| {
            let class = sight.milestone(milestone)?;
            let key = serde_json::to_value(milestone).ok()?.as_str()?.to_string();
            Some((key, class))
        });
        withhold_keys(milestones, reached);
    }
    // Kept deadlines (R-DL-OWED) are withheld as the deadlines themselves are, and
    // present as markers whether or not the record kept one.
    let kept = sight
        .deadline_rules()
        .filter_map(|rule| sight.deadline(rule).map(|class| (rule.id.clone(), class)))
        .collect::<Vec<_>>();
    if !kept.is_empty() {
        let map_of_kept = map
            .entry("kept_deadlines")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(kept_map) = map_of_kept {
            withhold_keys(kept_map, kept.into_iter());
        }
    }
    if let Some(class) = sight.note_categories()
        && let Some(Value::Array(notes)) = map.get_mut("notes")
    {
        for note in notes.iter_mut().filter_map(Value::as_object_mut) {
            note.insert("category".to_string(), marker(class));
        }
    }
    if let Some(details) = map.get_mut("details") {
        sight.details(details);
    }
}

/// The masked events, one for each of `events`: an event that did something the actor
/// may not see has its change replaced by a marker; details in the others are treated as
/// the record's are.
fn history(value: &mut Value, events: &[Event], sight: &Sight<'_>) {
    let Value::Array(masked) = value else {
        return;
    };
    for (masked, event) in masked.iter_mut().zip(events) {
        let Some(change) = masked.get_mut("change") else {
            continue;
        };
        match sight.change(&event.change) {
            Some(class) => *change = marker(class),
            None => {
                if let Some(details) = change.get_mut("details") {
                    sight.details(details);
                }
                if let (Change::NoteAdded { .. }, Some(class), Value::Object(added)) =
                    (&event.change, sight.note_categories(), &mut *change)
                {
                    added.insert("category".to_string(), marker(class));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::domain::actor::{OrgKind, Role};
    use crate::domain::deadlines;
    use crate::domain::mask::{MaskContext, ProtectedTerms, View, mask};
    use crate::domain::policy::PolicySet;
    use crate::domain::rules::conditions::tests::{incident_json, intake_json, policy, record};

    fn actor(org: &str, kind: OrgKind, pi: bool) -> Actor {
        Actor {
            user: "someone".to_string(),
            org: org.to_string(),
            org_kind: kind,
            roles: BTreeSet::from([Role::Practitioner]),
            protective_intervener: pi,
        }
    }

    /// A protective intervener sees everything.
    fn pi() -> Actor {
        actor("dffh", OrgKind::Department, true)
    }

    /// A user of the owning organisation: identifying and cultural, not protected.
    fn owner() -> Actor {
        actor("anglicare", OrgKind::Cso, false)
    }

    /// A regulator: neither.
    fn regulator() -> Actor {
        actor("ssr", OrgKind::Regulator, false)
    }

    fn intake(professional: bool) -> Record {
        let mut json = intake_json();
        json["details"]["reporter"]["professional"] = json!(professional);
        record(&json)
    }

    #[test]
    fn r_priv_9_milestones_and_deadlines_take_the_classes_of_what_they_read() {
        let policy = policy();
        let record = intake(true);
        let owner = owner();
        let sight = Sight::new(&owner, &policy, &record);
        assert_eq!(
            sight.milestone(Milestone::FeedbackGiven),
            Some(FieldClass::Protected)
        );
        assert_eq!(sight.milestone(Milestone::Classified), None);
        for rule in policy
            .deadlines
            .iter()
            .filter(|d| d.applies_to(RecordKind::Intake))
        {
            let expected = (rule.id == "R-INT-DL-FB").then_some(FieldClass::Protected);
            assert_eq!(sight.deadline(rule), expected, "{}", rule.id);
        }
        assert!(!sight.sees_every_deadline());
        let pi = pi();
        assert!(Sight::new(&pi, &policy, &record).sees_every_deadline());
    }

    #[test]
    fn r_priv_9_a_withheld_deadline_stands_in_its_place_whether_or_not_it_applies() {
        let policies = PolicySet::embedded().expect("the embedded policy loads");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 24, 0, 0, 0)
            .single()
            .expect("a time");
        let shown = |professional: bool, who: &Actor| {
            let mut record = intake(professional);
            record
                .milestones
                .insert(Milestone::Received, record.created_at);
            record
                .milestones
                .insert(Milestone::Classified, record.created_at);
            let policy = policies.of_record(&record);
            let all = deadlines::deadlines(&record, &policies, now);
            Sight::new(who, policy, &record).deadlines(all)
        };
        let owner = owner();
        assert_eq!(shown(true, &owner), shown(false, &owner));
        let withheld = shown(false, &owner);
        let feedback = withheld.iter().find(|d| d.id == "R-INT-DL-FB");
        assert_eq!(
            feedback.map(|d| (&d.status, d.due.is_none())),
            Some((
                &Status::Withheld {
                    masked: FieldClass::Protected
                },
                true
            ))
        );
        let pi = pi();
        assert!(
            shown(true, &pi)
                .iter()
                .any(|d| d.id == "R-INT-DL-FB" && !matches!(d.status, Status::Withheld { .. }))
        );
        assert!(!shown(false, &pi).iter().any(|d| d.id == "R-INT-DL-FB"));
    }

    #[test]
    fn r_priv_9_the_checklist_shows_withheld_items_whether_or_not_they_apply() {
        let policy = policy();
        let mut json = incident_json();
        json["stage"] = json!("investigation");
        let aboriginal = record(&json);
        json["details"]["clients"][0]["aboriginal_status"] = json!("not_aboriginal");
        let not = record(&json);
        let regulator = regulator();
        let ids = |record: &Record| {
            Sight::new(&regulator, &policy, record)
                .checklist()
                .into_iter()
                .map(|view| match view {
                    ItemView::Shown(item) => (item.id.clone(), None),
                    ItemView::Withheld(item, class) => (item.id.clone(), Some(class)),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&aboriginal), ids(&not));
        let shown = ids(&aboriginal);
        for (item, class) in [
            ("acsass_plan", FieldClass::Cultural),
            ("cultural_safety", FieldClass::Cultural),
            ("both_children", FieldClass::Identifying),
        ] {
            assert!(
                shown.contains(&(item.to_string(), Some(class))),
                "{shown:?}"
            );
        }
        let pi = pi();
        let to_pi = Sight::new(&pi, &policy, &not).checklist();
        assert!(
            !to_pi
                .iter()
                .any(|view| matches!(view, ItemView::Shown(item) if item.id == "acsass_plan")),
            "{to_pi:?}"
        );
    }

    #[test]
    fn r_priv_9_a_kept_deadline_is_withheld_as_its_deadline_is() {
        let policy = policy();
        let terms = ProtectedTerms::new();
        let ctx = MaskContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
            protected_terms: &terms,
        };
        let kept = crate::domain::model::KeptDeadline {
            started_at: Utc
                .with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
                .single()
                .expect("a time"),
            due_at: Utc
                .with_ymd_and_hms(2026, 11, 25, 0, 0, 0)
                .single()
                .expect("a time"),
            explanation: "2 calendar days".to_string(),
            at: Utc
                .with_ymd_and_hms(2026, 11, 26, 0, 0, 0)
                .single()
                .expect("a time"),
            because: "an exception was recorded (asked for none)".to_string(),
            excused: None,
        };
        let with_kept = |keep: bool| {
            let mut record = intake(true);
            if keep {
                record
                    .kept_deadlines
                    .insert("R-INT-DL-FB".to_string(), kept.clone());
            }
            record
        };
        let owner = owner();
        let protected = json!({ "masked": "protected" });
        let masked = |record: &Record| mask(View::Record(record), &owner, &policy, &ctx).value;
        let (kept_record, plain) = (with_kept(true), with_kept(false));
        assert_eq!(masked(&kept_record), masked(&plain), "R-PRIV-8");
        assert_eq!(
            masked(&kept_record)["kept_deadlines"]["R-INT-DL-FB"],
            protected
        );
        let event = Event {
            at: kept.at,
            by: "alice".to_string(),
            change: Change::DeadlineKept {
                deadline: "R-INT-DL-FB".to_string(),
                kept: kept.clone(),
            },
        };
        let history = mask(
            View::History(&kept_record, std::slice::from_ref(&event)),
            &owner,
            &policy,
            &ctx,
        )
        .value;
        assert_eq!(history["events"][0]["change"], protected);
        let pi = pi();
        let shown = mask(View::Record(&kept_record), &pi, &policy, &ctx).value;
        assert_eq!(
            shown["kept_deadlines"]["R-INT-DL-FB"]["because"],
            "an exception was recorded (asked for none)"
        );
    }

    #[test]
    fn r_priv_9_note_categories_are_withheld_alike_from_who_may_not_see_where_they_apply() {
        let policy = policy();
        let terms = ProtectedTerms::new();
        let ctx = MaskContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
            protected_terms: &terms,
        };
        let with_note = |category: Option<&str>| {
            let mut json = intake_json();
            json["notes"] = json!([{ "id": 1, "category": category, "revisions": [{
                "text": "Seen today.", "by": "alice", "at": "2026-11-23T01:00:00Z" }] }]);
            record(&json)
        };
        let statement = with_note(Some("statement_of_recognition"));
        let case_note = with_note(None);
        let regulator = regulator();
        let masked = |record: &Record| mask(View::Record(record), &regulator, &policy, &ctx).value;
        assert_eq!(
            masked(&statement)["notes"],
            masked(&case_note)["notes"],
            "R-PRIV-8"
        );
        assert_eq!(
            masked(&statement)["notes"][0]["category"],
            json!({ "masked": "cultural" })
        );
        let pi = pi();
        let shown = mask(View::Record(&statement), &pi, &policy, &ctx).value;
        assert_eq!(shown["notes"][0]["category"], "statement_of_recognition");
    }

    #[test]
    fn r_priv_9_the_masked_record_and_its_history_withhold_derived_items() {
        let policy = policy();
        let mut record = intake(true);
        record.checklist.insert(
            "feedback_given".to_string(),
            crate::domain::model::ItemState::Done {
                by: "alice".to_string(),
                at: record.created_at,
            },
        );
        let terms = ProtectedTerms::new();
        let ctx = MaskContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
            protected_terms: &terms,
        };
        let event = |change| Event {
            at: record.created_at,
            by: "alice".to_string(),
            change,
        };
        let events = [
            event(Change::ItemTicked {
                item: "feedback_given".to_string(),
            }),
            event(Change::MilestoneReached {
                milestone: Milestone::FeedbackGiven,
                at: record.created_at,
            }),
            event(Change::FeedbackExceptionRecorded {
                reason: "asked for none".to_string(),
            }),
            event(Change::ItemTicked {
                item: "registered".to_string(),
            }),
        ];
        let owner = owner();
        let masked = mask(View::Record(&record), &owner, &policy, &ctx).value;
        let protected = json!({ "masked": "protected" });
        assert_eq!(masked["checklist"]["feedback_given"], protected);
        assert_eq!(masked["milestones"]["feedback_given"], protected);
        // Whether or not an exception was recorded, the field is withheld.
        assert_eq!(masked["details"]["feedback_exception"], protected);
        let history = mask(View::History(&record, &events), &owner, &policy, &ctx).value;
        let changes: Vec<&Value> = history["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| &e["change"])
            .collect();
        assert_eq!(
            changes,
            [
                &protected,
                &protected,
                &protected,
                &json!({ "event": "item_ticked", "item": "registered" })
            ]
        );
        let pi = pi();
        let shown = mask(View::Record(&record), &pi, &policy, &ctx).value;
        assert_eq!(shown["checklist"]["feedback_given"]["state"], "done");
        assert!(shown["details"].get("feedback_exception").is_none());
    }
}
