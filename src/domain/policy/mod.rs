//! Policy as data (DESIGN §3): stages, checklists, types, deadline rules, the critical
//! notifiable list, masking classes and permissions, loaded from TOML with an effective
//! date. Records are judged by the policy in force when they were created (R-ERA).

mod load;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::actor::Role;
use super::calendar::Calendar;
use super::local_time;
use super::model::{Circumstance, Milestone, RecordKind};

pub use load::PolicyError;

/// When a checklist item or deadline applies; evaluated by `rules::conditions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Always,
    /// R-ABORIGINAL-1
    AboriginalClient,
    /// R-RCS-1
    RcsPossible,
    /// R-RCS-2
    RcsInScope,
    /// R-RCS-3: the subject is an employee, not a kinship carer.
    RcsEmployee,
    /// R-KINSHIP-1
    KinshipCarerSubject,
    /// R-C2C-1
    ClientToClientMinors,
    /// R-POLICE-1
    PoliceReferral,
    /// R-SSR-1
    SsrCritical,
    /// R-FOLLOWUP-1, whichever scheme investigates.
    InvestigationRequired,
    /// R-FOLLOWUP-1 and not replaced by an RCS investigation (R-RCS-2).
    CimsInvestigation,
    /// R-FOLLOWUP-2
    ReviewRequired,
    /// R-PRIV-7
    PrivacyBreach,
    /// R-INT-ACSASS
    AboriginalChild,
    /// R-INT-FV
    FamilyViolence,
    /// R-INT-TTR
    TtrIndicated,
    /// R-INT-RSO
    RsoContact,
    /// R-INT-REREPORT-3
    ThirdReport,
    /// R-INT-REREPORT-5
    FifthReport,
    /// R-INT-CLASS: classified as a protective intervention report.
    Pir,
    UrgentPir,
    StandardPir,
    /// Classified to close at intake.
    ClosingAtIntake,
    /// R-INT-DL-FB: professional reporter with no recorded exception.
    ReporterFeedback,
    /// R-INT-TTR, R-INT-CLASS: classified as a protective intervention or a therapeutic
    /// treatment report, either of which is investigated.
    Investigated,
    /// R-INT-RA: an intake risk assessment is needed, unless the report is classified
    /// only as inappropriate or insufficient information.
    AssessmentNeeded,
    /// R-INT-POLICE: the report describes physical or sexual abuse or serious neglect.
    PoliceContact,
}

impl Condition {
    /// Every condition, so that tests can hold each one to what it declares it reads.
    pub const ALL: [Condition; 27] = [
        Condition::Always,
        Condition::AboriginalClient,
        Condition::RcsPossible,
        Condition::RcsInScope,
        Condition::RcsEmployee,
        Condition::KinshipCarerSubject,
        Condition::ClientToClientMinors,
        Condition::PoliceReferral,
        Condition::SsrCritical,
        Condition::InvestigationRequired,
        Condition::CimsInvestigation,
        Condition::ReviewRequired,
        Condition::PrivacyBreach,
        Condition::AboriginalChild,
        Condition::FamilyViolence,
        Condition::TtrIndicated,
        Condition::RsoContact,
        Condition::ThirdReport,
        Condition::FifthReport,
        Condition::Pir,
        Condition::UrgentPir,
        Condition::StandardPir,
        Condition::ClosingAtIntake,
        Condition::ReporterFeedback,
        Condition::Investigated,
        Condition::AssessmentNeeded,
        Condition::PoliceContact,
    ];
}

/// Tags on incident types that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeTag {
    /// Major impact by definition: never accepted as non-major (R-IMPACT-1).
    AlwaysMajor,
    /// Any abuse type (R-IMPACT-2, R-FOLLOWUP-1).
    Abuse,
    Neglect,
    /// Sexual exploitation – grooming (R-IMPACT-2).
    Grooming,
    UnexplainedInjury,
    /// Sexual or physical abuse: police first (R-POLICE-1).
    PoliceReferral,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentType {
    pub id: String,
    pub name: String,
    /// A label of a few characters, for where a column is narrow (`SexAb`, `Neglect`).
    pub short: String,
    #[serde(default)]
    pub tags: BTreeSet<TypeTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceType {
    pub id: String,
    pub name: String,
    pub group: String,
    /// The service is for adults only: no child is its client.
    #[serde(default)]
    pub adults_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub kind: RecordKind,
    pub id: String,
    pub number: u8,
    pub name: String,
    /// The stage only applies when this holds; otherwise it is skipped (R-FOLLOWUP).
    pub when: Condition,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub kind: RecordKind,
    pub stage: String,
    pub id: String,
    pub text: String,
    pub required: bool,
    /// Roles that may tick (or untick) the item.
    pub tick: BTreeSet<Role>,
    /// Roles that may waive the item with a reason.
    pub waive: BTreeSet<Role>,
    pub rule: String,
    pub when: Condition,
    /// Ticking the item records this milestone (and so may meet a deadline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    /// The item is completed only by this command, never ticked by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Items that must be done before this one (R-ORDER-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// An endorsement: the facts it was given (`rules::facts`), which change only after
    /// it is withdrawn (R-LOCK-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
}

/// Where a deadline falls, counted from the day its clock starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "count", rename_all = "snake_case")]
pub enum DueRule {
    /// The n-th business day after the start day, at `at` local time (R-CAL).
    BusinessDays { days: u32, at: TimeOfDay },
    /// The end of the n-th calendar day after the start day.
    CalendarDays { days: u32 },
    /// The 1 pm rule (R-INT-URGENT-1PM): received before the cut-off, the start day is day
    /// one; at or after it, day zero. Ends at the end of the last day.
    CalendarDaysWithCutoff { days: u32, cutoff: NaiveTime },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeOfDay {
    /// 23:59:59 local.
    EndOfDay,
    /// 17:00 local.
    CloseOfBusiness,
}

impl TimeOfDay {
    pub fn on(self, date: NaiveDate) -> DateTime<chrono_tz::Tz> {
        match self {
            TimeOfDay::EndOfDay => local_time::end_of_day(date),
            TimeOfDay::CloseOfBusiness => local_time::close_of_business(date),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRule {
    /// The rule ID, e.g. `R-DL-REPORT`; sub-deadlines add a suffix (`R-DL-RCS/detail`).
    pub id: String,
    pub rule: String,
    /// The kind of record it applies to; `None`: both kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RecordKind>,
    pub label: String,
    pub when: Condition,
    pub starts: Milestone,
    pub met_by: Milestone,
    pub due: DueRule,
    /// The clock stops while police hold the investigation (R-POLICE-2).
    #[serde(default)]
    pub paused_by_police: bool,
    /// Most business days one recorded request may add (R-DL-INVEST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_max_business_days: Option<u32>,
    /// When, before it falls due, a pending deadline counts as at risk.
    #[serde(default)]
    pub at_risk: AtRisk,
}

/// The at-risk band of a deadline: the stretch before its due time in which it is shown
/// as coming up (`soon`), between the plain countdown and overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtRisk {
    /// The last `percent` of the time from the clock's start to the due time.
    Share { percent: u8 },
    /// The last `hours` hours on the clock.
    Hours { hours: u32 },
    /// The last `hours` business hours (09:00–17:00 on business days, R-CAL).
    BusinessHours { hours: u32 },
}

impl Default for AtRisk {
    /// A deadline whose policy gives no band: the last quarter of its time.
    fn default() -> AtRisk {
        AtRisk::Share { percent: 25 }
    }
}

impl std::fmt::Display for AtRisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AtRisk::Share { percent } => write!(f, "the last {percent}% of its time"),
            AtRisk::Hours { hours } => write!(f, "the last {hours} hours"),
            AtRisk::BusinessHours { hours } => write!(f, "the last {hours} business hours"),
        }
    }
}

impl DeadlineRule {
    pub fn applies_to(&self, kind: RecordKind) -> bool {
        self.kind.is_none_or(|k| k == kind)
    }
}

/// One entry of the critical notifiable list (R-SSR-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalCriterion {
    pub id: String,
    pub name: String,
    /// The incident has one of these types (empty: any type).
    #[serde(default)]
    pub types: BTreeSet<String>,
    /// All of these circumstances hold.
    #[serde(default)]
    pub all_of: BTreeSet<Circumstance>,
    /// At least one of these holds (empty: no such requirement).
    #[serde(default)]
    pub any_of: BTreeSet<Circumstance>,
}

/// Field classes for masking (R-PRIV-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldClass {
    Protected,
    Identifying,
    Cultural,
    Open,
}

impl FieldClass {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldClass::Protected => "protected",
            FieldClass::Identifying => "identifying",
            FieldClass::Cultural => "cultural",
            FieldClass::Open => "open",
        }
    }
}

/// The object types whose fields carry a class, and their fields.
pub const MASKABLE_FIELDS: &[(&str, &[&str])] = &[
    (
        "person",
        &[
            "name",
            "date_of_birth",
            "aboriginal_status",
            "aboriginal_status_reason",
            "address",
            "phone",
            "cris_number",
        ],
    ),
    (
        "reporter",
        &[
            "name",
            "relationship",
            "phone",
            "email",
            "address",
            "professional",
            "consented_in_writing",
        ],
    ),
    ("incident", &["description", "location"]),
    ("intake", &["concerns", "feedback_exception"]),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameters {
    /// Users of a `community_service` organisation may see protected fields (R-PRIV-1).
    pub community_service_sees_protected: bool,
    /// Investigation outcomes (stage 3).
    pub investigation_outcomes: Vec<String>,
    /// Re-report window in months and count (R-INT-REREPORT-3).
    pub rereport_window_months: u32,
    pub rereport_count: usize,
    /// Reports with no investigation, over any period, that call for review (R-INT-REREPORT-5).
    pub independent_review_count: usize,
    /// Age range for a therapeutic treatment report, `[min, max)` (R-INT-TTR).
    pub ttr_min_age: u32,
    pub ttr_max_age: u32,
    /// Below this age, a client-to-client incident needs both-children assessment (R-C2C-1).
    pub adult_age: u32,
    /// Analytics counts below this are shown to users who are not protective interveners
    /// only as "fewer than" it, so an aggregate cannot single out a child (R-PRIV-4).
    pub analytics_min_count: u32,
    /// R-AUTH-CSO: what the department does on another organisation's record, where it
    /// supports and does not act for the owner: these commands, and ticking items that
    /// these roles of its own answer for (the Integrity Unit's RCS items).
    pub supporting_commands: Vec<String>,
    pub supporting_roles: BTreeSet<Role>,
    /// R-INT-REREPORT-3: the roles the DAOM may delegate a re-report decision to.
    pub rereport_delegate_roles: BTreeSet<Role>,
    /// R-PATTERN-1: this many incidents for one client within this many days (this one
    /// included) prompt the delegate to reconsider the impact.
    pub pattern_count: usize,
    pub pattern_window_days: u32,
    /// R-SUBMIT-4: a non-major incident's report may wait for its month's batch, where the
    /// server is set to send batches; otherwise each goes on its own.
    pub non_major_batch: bool,
}

/// A circumstance in which an intake report is a PIR unless a team manager or above
/// decides otherwise (R-INT-AUTO-PIR).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoPir {
    pub id: String,
    pub text: String,
}

/// A kind of note (R-NOTE-CAT): where it may be written (`when`) and the checklist items a
/// note of it evidences, ticked with it where the author may tick them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteCategory {
    pub id: String,
    pub name: String,
    pub when: Condition,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidences: Vec<String>,
}

/// The category of a note written without one.
pub const DEFAULT_NOTE_CATEGORY: &str = "case_note";

/// One era's policy, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub effective_from: NaiveDate,
    pub parameters: Parameters,
    pub stages: Vec<Stage>,
    pub checklist: Vec<ChecklistItem>,
    pub incident_types: Vec<IncidentType>,
    pub service_types: Vec<ServiceType>,
    pub deadlines: Vec<DeadlineRule>,
    pub critical_notifiable: Vec<CriticalCriterion>,
    /// `object type → field → class`, e.g. `person.name = identifying`.
    pub field_classes: BTreeMap<String, BTreeMap<String, FieldClass>>,
    /// Keys whose strings are codes, identifiers, times or user names: the only strings
    /// not treated as free text (R-PRIV-10).
    #[serde(default)]
    pub code_fields: BTreeSet<String>,
    /// `command name → roles allowed to issue it`.
    pub permissions: BTreeMap<String, BTreeSet<Role>>,
    pub auto_pir: Vec<AutoPir>,
    pub note_categories: Vec<NoteCategory>,
    /// The weights and thresholds of person matching (R-PERSON-2).
    #[serde(default)]
    pub matching: crate::domain::people::MatchWeights,
    /// What is transmitted, and which items its sending and its acceptance complete
    /// (R-SUBMIT-1, R-SUBMIT-3).
    #[serde(default)]
    pub submissions: Vec<SubmissionRoute>,
}

/// One kind of submission: completing `queued_by` queues it for `recipient`; the
/// recipient's acceptance completes `completes` and reaches its milestone at the time of
/// sending, which is what meets the deadline (R-SUBMIT-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionRoute {
    pub kind: crate::domain::submissions::SubmissionKind,
    pub recipient: crate::domain::submissions::Recipient,
    pub queued_by: String,
    pub completes: String,
    pub rule: String,
}

impl Policy {
    pub fn stages_of(&self, kind: RecordKind) -> impl Iterator<Item = &Stage> {
        self.stages.iter().filter(move |s| s.kind == kind)
    }

    pub fn stage(&self, kind: RecordKind, id: &str) -> Option<&Stage> {
        self.stages_of(kind).find(|s| s.id == id)
    }

    pub fn first_stage(&self, kind: RecordKind) -> Option<&Stage> {
        self.stages_of(kind).min_by_key(|s| s.number)
    }

    pub fn items_of<'a>(
        &'a self,
        kind: RecordKind,
        stage: &'a str,
    ) -> impl Iterator<Item = &'a ChecklistItem> {
        self.checklist
            .iter()
            .filter(move |i| i.kind == kind && i.stage == stage)
    }

    pub fn item(&self, kind: RecordKind, id: &str) -> Option<&ChecklistItem> {
        self.checklist.iter().find(|i| i.kind == kind && i.id == id)
    }

    /// The submission of this kind, if this policy transmits it.
    pub fn submission(
        &self,
        kind: crate::domain::submissions::SubmissionKind,
    ) -> Option<&SubmissionRoute> {
        self.submissions.iter().find(|r| r.kind == kind)
    }

    /// The submissions an item's completion queues (R-SUBMIT-1).
    pub fn submissions_queued_by<'a>(
        &'a self,
        item: &'a str,
    ) -> impl Iterator<Item = &'a SubmissionRoute> + 'a {
        self.submissions.iter().filter(move |r| r.queued_by == item)
    }

    pub fn incident_type(&self, id: &str) -> Option<&IncidentType> {
        self.incident_types.iter().find(|t| t.id == id)
    }

    pub fn type_has(&self, id: &str, tag: TypeTag) -> bool {
        self.incident_type(id)
            .is_some_and(|t| t.tags.contains(&tag))
    }

    pub fn note_category(&self, id: &str) -> Option<&NoteCategory> {
        self.note_categories.iter().find(|c| c.id == id)
    }

    pub fn deadline(&self, id: &str) -> Option<&DeadlineRule> {
        self.deadlines.iter().find(|d| d.id == id)
    }

    pub fn field_class(&self, object: &str, field: &str) -> FieldClass {
        self.field_classes
            .get(object)
            .and_then(|fields| fields.get(field))
            .copied()
            .unwrap_or(FieldClass::Open)
    }

    /// Strings under this key are codes, not free text (R-PRIV-10).
    pub fn is_code(&self, key: &str) -> bool {
        self.code_fields.contains(key)
    }

    /// R-PRIV-9: the classes of the fields a condition reads (see `Condition::reads`), so
    /// what the condition switches on (an item, a deadline, a refusal) carries them; empty
    /// when it reads only open facts. A set rather than one "most restrictive" class:
    /// `protected` and `identifying`/`cultural` are seen by different people (a community
    /// service sees protected fields but not another organisation's clients), so a reader
    /// must be allowed every class in it.
    pub fn condition_classes(&self, condition: Condition) -> BTreeSet<FieldClass> {
        condition
            .reads()
            .iter()
            .map(|(object, field)| self.field_class(object, field))
            .filter(|class| *class != FieldClass::Open)
            .collect()
    }

    /// The roles allowed to issue a command; a command the policy does not list is
    /// allowed to nobody.
    pub fn allowed(&self, command: &str) -> Option<&BTreeSet<Role>> {
        self.permissions.get(command)
    }
}

/// Every era's policy plus the business calendar they share.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// Sorted by effective date, oldest first.
    eras: Vec<Policy>,
    pub calendar: Calendar,
}

impl PolicySet {
    pub fn new(mut eras: Vec<Policy>, calendar: Calendar) -> Result<PolicySet, PolicyError> {
        if eras.is_empty() {
            return Err(PolicyError::new("policy set", "no policy era was given"));
        }
        eras.sort_by_key(|p| p.effective_from);
        for pair in eras.windows(2) {
            if pair[0].effective_from == pair[1].effective_from {
                return Err(PolicyError::new(
                    &pair[1].id,
                    format!(
                        "has the same effective date ({}) as {}",
                        pair[1].effective_from, pair[0].id
                    ),
                ));
            }
        }
        Ok(PolicySet { eras, calendar })
    }

    /// The policy compiled into the binary: the current era and the one before it.
    pub fn embedded() -> Result<PolicySet, PolicyError> {
        load::embedded()
    }

    /// Load eras from TOML texts (`(source name, text)`); an era may `extends` another by id.
    pub fn from_sources(
        sources: &[(&str, &str)],
        calendar: Calendar,
    ) -> Result<PolicySet, PolicyError> {
        load::from_sources(sources, calendar)
    }

    pub fn eras(&self) -> &[Policy] {
        &self.eras
    }

    /// The policy in force on a date (R-ERA): the latest era effective on or before it.
    /// Dates before the first era are judged by the first era.
    pub fn in_force(&self, on: NaiveDate) -> &Policy {
        self.eras
            .iter()
            .rev()
            .find(|p| p.effective_from <= on)
            .unwrap_or(&self.eras[0])
    }

    /// The policy in force at an instant, by its Melbourne date (R-ERA).
    pub fn in_force_at(&self, at: DateTime<Utc>) -> &Policy {
        self.in_force(local_time::local_date(at))
    }

    pub fn by_id(&self, id: &str) -> Option<&Policy> {
        self.eras.iter().find(|p| p.id == id)
    }

    /// The policy a record is judged by: the era it was created under (R-ERA), or the era
    /// in force at its creation when this server does not know that era's id.
    pub fn of_record(&self, record: &crate::domain::model::Record) -> &Policy {
        self.by_id(&record.policy)
            .unwrap_or_else(|| self.in_force_at(record.created_at))
    }

    pub fn current(&self) -> &Policy {
        &self.eras[self.eras.len() - 1]
    }
}
