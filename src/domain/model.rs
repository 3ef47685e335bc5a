//! The record model: incidents and intake reports, and everything the rules read.
//!
//! A `Record` is never edited in place by callers: it is the fold of its events
//! (`evolve`). Deadlines and flags are derived from it, never stored as truth.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Incident,
    Intake,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Incident => "incident",
            RecordKind::Intake => "intake",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Closed,
}

/// Aboriginal and/or Torres Strait Islander status (class `cultural`, R-PRIV-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AboriginalStatus {
    Aboriginal,
    TorresStraitIslander,
    AboriginalAndTorresStraitIslander,
    NotAboriginal,
    /// Unknown status is recorded as under assessment (R-INT-ABORIGINAL).
    #[default]
    UnderAssessment,
}

impl AboriginalStatus {
    /// True for any Aboriginal and/or Torres Strait Islander identification.
    pub fn identifies(self) -> bool {
        matches!(
            self,
            AboriginalStatus::Aboriginal
                | AboriginalStatus::TorresStraitIslander
                | AboriginalStatus::AboriginalAndTorresStraitIslander
        )
    }
}

/// A person named in a record: client, child, parent, subject of allegation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct Person {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    pub aboriginal_status: AboriginalStatus,
    /// Why a child's status was set by hand rather than following their parents'
    /// identification (R-INT-ABORIGINAL): with a reason, the parents' statuses no longer
    /// change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aboriginal_status_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Client Relationship Information System number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cris_number: Option<String>,
}

impl Person {
    /// Age in whole years on `on`, if the date of birth is known.
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        let dob = self.date_of_birth?;
        let mut years = on.year() - dob.year();
        if (on.month(), on.day()) < (dob.month(), dob.day()) {
            years -= 1;
        }
        u32::try_from(years).ok()
    }

    /// Initials, e.g. "J.S." for "Jordan Smith": the masked form of a name (R-PRIV-3).
    pub fn initials(&self) -> String {
        let initials: String = self
            .name
            .split_whitespace()
            .filter_map(|part| part.chars().find(|c| c.is_alphabetic()))
            .flat_map(|c| c.to_uppercase().chain(std::iter::once('.')))
            .collect();
        if initials.is_empty() {
            "?".to_string()
        } else {
            initials
        }
    }
}

// ---------------------------------------------------------------- incidents

/// Who the subject of allegation is, relative to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectRelation {
    Staff,
    Carer,
    KinshipCarer,
    DepartmentalStaff,
    Client,
    Other,
}

impl SubjectRelation {
    /// Staff members and carers of any kind (R-IMPACT-2, R-FOLLOWUP-1).
    pub fn is_staff_or_carer(self) -> bool {
        matches!(
            self,
            SubjectRelation::Staff
                | SubjectRelation::Carer
                | SubjectRelation::KinshipCarer
                | SubjectRelation::DepartmentalStaff
        )
    }
}

/// The subject of allegation (never "perpetrator").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subject {
    pub relation: SubjectRelation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
}

/// The care arrangement the client was in when the incident happened (R-SCOPE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CareArrangement {
    /// In the care of a parent (CYFA definition): out of scope (R-SCOPE-2).
    ParentalCare,
    /// Kinship placement approved and managed by child protection.
    KinshipCpApproved,
    /// Kinship care contracted to or managed by a CSO.
    KinshipCsoManaged,
    /// Family-arranged kinship care not approved by child protection: out of scope.
    KinshipFamilyArranged,
    /// Kinship placement still under assessment by child protection: out of scope.
    KinshipUnderAssessment,
    FosterCare,
    ResidentialCare,
    RespiteCpApproved,
    SecureWelfare,
    /// One-on-one with a child protection practitioner (e.g. transport).
    WithPractitioner,
    /// In the care of a departmental staff member.
    DepartmentalStaff,
    /// Another service delivery setting approved by child protection.
    OtherApprovedCare,
}

/// How severe the consequences were (R-IMPACT-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    Major,
    NonMajor,
}

/// What harm the incident caused, for the scope test (R-SCOPE-1, R-SCOPE-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HarmKind {
    /// The client was harmed.
    Harm,
    /// The client was not harmed but serious harm was reasonably likely.
    LikelySeriousHarm,
    /// An illness, not an incident (R-SCOPE-4).
    Illness,
    /// The young person's own dangerous actions without harm (R-SCOPE-4).
    OwnDangerousActions,
    /// No harm and none likely.
    NoHarm,
}

/// Facts that decide SSR critical notifiability and police involvement (R-SSR-1, R-POLICE-1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Circumstance {
    HospitalTreatment,
    PoliceInvolved,
    Relocation,
    UnexpectedDeath,
    EmergencyEvent,
    SeriousNeglect,
}

impl Circumstance {
    pub const ALL: [Circumstance; 6] = [
        Circumstance::HospitalTreatment,
        Circumstance::PoliceInvolved,
        Circumstance::Relocation,
        Circumstance::UnexpectedDeath,
        Circumstance::EmergencyEvent,
        Circumstance::SeriousNeglect,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Incident {
    /// When the provider became aware ("aware" in the deadline rules).
    pub identified_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    pub clients: Vec<Person>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    pub care_arrangement: CareArrangement,
    pub harm: HarmKind,
    pub service_type: String,
    pub primary_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    #[serde(default)]
    pub circumstances: BTreeSet<Circumstance>,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// R-SCOPE-3: why the incident is registered by an organisation other than the kind
    /// responsible for this care (a CSO for the placements it manages, CP otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsibility_reason: Option<String>,
}

impl Incident {
    /// The primary and (if any) secondary incident type.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.primary_type.as_str()).chain(self.secondary_type.as_deref())
    }

    pub fn has(&self, c: Circumstance) -> bool {
        self.circumstances.contains(&c)
    }
}

// ---------------------------------------------------------------- intakes

/// The person who made the report. Every field is class `protected` (R-PRIV-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct Reporter {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A professional reporter gets feedback on the outcome (R-INT-DL-FB).
    #[serde(default)]
    pub professional: bool,
    /// Written consent to disclose identity (s.191 CYFA).
    #[serde(default)]
    pub consented_in_writing: bool,
}

impl Reporter {
    /// The strings that would identify the reporter, for redaction elsewhere (R-PRIV-2).
    pub fn identifying_strings(&self) -> Vec<&str> {
        [
            Some(self.name.as_str()),
            self.phone.as_deref(),
            self.email.as_deref(),
            self.address.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
    }
}

/// An earlier report about the same child (R-INT-REREPORT-3, R-INT-REREPORT-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriorReport {
    pub received_on: NaiveDate,
    pub investigated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Child {
    pub person: Person,
    /// The reporter believes the child exhibited sexually abusive behaviour (R-INT-TTR).
    #[serde(default)]
    pub sexually_abusive_behaviour: bool,
    /// The child is in contact with a registered sex offender (R-INT-RSO).
    #[serde(default)]
    pub rso_contact: bool,
    #[serde(default)]
    pub prior_reports: Vec<PriorReport>,
    /// Earlier reports on the same child that cims holds itself (R-INT-REREPORT-3, §9):
    /// found through the person index as the reader or actor may see it, never stored.
    #[serde(skip)]
    pub known_reports: Vec<PriorReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Parent {
    pub person: Person,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// The children of the report (by their place in `children`, from 0) this person is a
    /// parent of (R-INT-ABORIGINAL). Left out, a parent of every child of the report; an
    /// empty list, a caregiver who is no child's parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_of: Option<Vec<usize>>,
}

impl Parent {
    /// Is this person a parent of the report's child at `index`?
    pub fn is_parent_of(&self, index: usize) -> bool {
        self.parent_of
            .as_ref()
            .is_none_or(|children| children.contains(&index))
    }
}

/// Consequence of harm (R-INT-MATRIX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Consequence {
    Severe,
    Significant,
    Concerning,
    InsufficientEvidence,
}

/// Probability of harm (R-INT-MATRIX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Probability {
    VeryLikely,
    Likely,
    Unlikely,
}

/// Report classification (R-INT-CLASS).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    ProtectiveIntervention,
    TherapeuticTreatment,
    ChildWellbeing,
    Inappropriate,
    InsufficientInformation,
}

impl Classification {
    /// A report so classified is closed at intake (no investigation follows).
    pub fn closes_at_intake(self) -> bool {
        matches!(
            self,
            Classification::ChildWellbeing
                | Classification::Inappropriate
                | Classification::InsufficientInformation
        )
    }
}

/// PIR response time (R-INT-CLASS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Urgent,
    Standard,
}

/// MARAM risk rating (R-INT-FV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaramRating {
    NoneIdentified,
    AtRisk,
    ElevatedRisk,
    SeriousRisk,
    SeriousRiskImmediateProtection,
}

/// The intake risk assessment and classification decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IntakeDecision {
    pub classifications: BTreeSet<Classification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Intake {
    pub received_at: DateTime<Utc>,
    pub reporter: Reporter,
    pub children: Vec<Child>,
    #[serde(default)]
    pub parents: Vec<Parent>,
    /// What the reporter is concerned about, in their words.
    pub concerns: String,
    #[serde(default)]
    pub family_violence: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maram: Option<MaramRating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consequence: Option<Consequence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<Probability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<IntakeDecision>,
    /// Recorded reason why feedback to a professional reporter is not given (R-INT-DL-FB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_exception: Option<String>,
    /// The DAOM's recorded decision on a third report within 12 months (R-INT-REREPORT-3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rereport_decision: Option<RereportDecision>,
    /// Automatic protective intervention circumstances that apply, by policy id
    /// (R-INT-AUTO-PIR).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub auto_pir: BTreeSet<String>,
    /// The kinds of harm reported (R-INT-POLICE).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub harm_types: BTreeSet<ReportedHarm>,
}

/// A kind of harm an intake report describes (seed 004's essential information).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReportedHarm {
    PhysicalAbuse,
    SexualAbuse,
    SeriousNeglect,
    Neglect,
    EmotionalAbuse,
    FamilyViolence,
}

impl ReportedHarm {
    /// R-INT-POLICE: physical or sexual abuse or serious neglect goes to Victoria Police.
    pub fn needs_police(self) -> bool {
        matches!(
            self,
            ReportedHarm::PhysicalAbuse | ReportedHarm::SexualAbuse | ReportedHarm::SeriousNeglect
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RereportDecision {
    pub investigate: bool,
    pub rationale: String,
    pub by: String,
}

// ---------------------------------------------------------------- common

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    Incident(Incident),
    Intake(Intake),
}

impl Details {
    pub fn kind(&self) -> RecordKind {
        match self {
            Details::Incident(_) => RecordKind::Incident,
            Details::Intake(_) => RecordKind::Intake,
        }
    }

    /// The instant every clock of the record starts from: awareness or receipt.
    pub fn started_at(&self) -> DateTime<Utc> {
        match self {
            Details::Incident(i) => i.identified_at,
            Details::Intake(i) => i.received_at,
        }
    }
}

/// A checklist item's state on this record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ItemState {
    Done {
        by: String,
        at: DateTime<Utc>,
    },
    Waived {
        by: String,
        at: DateTime<Utc>,
        reason: String,
    },
}

/// A span of a note's text, in bytes, marked protected (R-PRIV-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteRevision {
    pub text: String,
    #[serde(default)]
    pub protected_spans: Vec<Span>,
    pub by: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A case note. Amendments add revisions; nothing is overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Note {
    pub id: u32,
    pub revisions: Vec<NoteRevision>,
    /// The note's category (R-NOTE-CAT); a case note when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl Note {
    pub fn current(&self) -> Option<&NoteRevision> {
        self.revisions.last()
    }
}

/// Things that happened at a point in time and start or stop a deadline clock.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// Incident: the provider became aware.
    Identified,
    /// Intake: the report was received.
    Received,
    ReportEndorsed,
    ReportSubmitted,
    SsrNotified,
    RcsConfirmed,
    CcypNotified,
    CcypDetailProvided,
    InvestigationReportSubmitted,
    ReviewDecided,
    ReviewSubmitted,
    PrivacyBreachIdentified,
    PrivacyBreachReported,
    TeamManagerConsulted,
    Classified,
    ClassificationEndorsed,
    FeedbackGiven,
    InvestigationCommenced,
}

impl Milestone {
    pub const ALL: [Milestone; 18] = [
        Milestone::Identified,
        Milestone::Received,
        Milestone::ReportEndorsed,
        Milestone::ReportSubmitted,
        Milestone::SsrNotified,
        Milestone::RcsConfirmed,
        Milestone::CcypNotified,
        Milestone::CcypDetailProvided,
        Milestone::InvestigationReportSubmitted,
        Milestone::ReviewDecided,
        Milestone::ReviewSubmitted,
        Milestone::PrivacyBreachIdentified,
        Milestone::PrivacyBreachReported,
        Milestone::TeamManagerConsulted,
        Milestone::Classified,
        Milestone::ClassificationEndorsed,
        Milestone::FeedbackGiven,
        Milestone::InvestigationCommenced,
    ];
}

/// A period during which police asked that the investigation wait (R-POLICE-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PoliceHold {
    pub from: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// A recorded extension of the investigation deadline (R-DL-INVEST).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Extension {
    pub business_days: u32,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The Integrity Unit's answer on Reportable Conduct Scheme scope (R-RCS-1, R-RCS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RcsScope {
    InScope,
    NotInScope,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Record {
    pub id: String,
    pub org: String,
    /// The policy in force when the record was created (R-ERA).
    pub policy: String,
    pub stage: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
    pub details: Details,
    #[serde(default)]
    pub checklist: BTreeMap<String, ItemState>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub milestones: BTreeMap<Milestone, DateTime<Utc>>,
    #[serde(default)]
    pub police_holds: Vec<PoliceHold>,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcs_scope: Option<RcsScope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investigation_outcome: Option<String>,
    /// The delegate recorded that the investigation covered what a review would (R-FOLLOWUP-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_covered_by_investigation: Option<String>,
    #[serde(default)]
    pub privacy_breach: bool,
    /// Actions an investigation or review raised, tracked to completion in stage 5 (R-STAGE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learning_actions: Vec<LearningAction>,
    /// Deadlines kept as they stood when a later change would have moved or removed them
    /// (R-DL-OWED, R-AWARE-1), by deadline id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kept_deadlines: BTreeMap<String, KeptDeadline>,
    /// Who the DAOM delegated the re-report decision to (R-INT-REREPORT-3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rereport_delegate: Option<String>,
    /// Who recommended the intake classification, who may not endorse it (R-INT-ENDORSE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classified_by: Option<String>,
    /// R-LINK-1: on an intake report, the incidents it was registered for as new
    /// allegations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_incidents: Vec<String>,
}

/// A deadline as it stood when a change would have moved or removed it: its clock, its
/// due time and why it was kept. It is judged against that due time from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeptDeadline {
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// How the due time was reckoned, as it was shown.
    pub explanation: String,
    /// When it was kept, and the change that would have moved or removed it.
    pub at: DateTime<Utc>,
    pub because: String,
    /// An exception recorded before it fell due ended it (R-DL-OWED): the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excused: Option<String>,
}

/// Something to change so an incident is less likely to happen again: raised by an
/// investigation or review, owned by one person, due by a date, closed with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LearningAction {
    pub id: u32,
    pub what: String,
    /// The user who answers for it.
    pub owner: String,
    /// Due by the close of business on this Melbourne date.
    pub due_on: NaiveDate,
    pub raised_by: String,
    pub raised_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<ActionClosure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionClosure {
    pub outcome: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl LearningAction {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

impl Record {
    /// Give each child the earlier reports cims holds on them, by the child's position
    /// (R-INT-REREPORT-3); a child not given any has none.
    pub fn know_reports(&mut self, mut known: BTreeMap<usize, Vec<PriorReport>>) {
        if let Details::Intake(intake) = &mut self.details {
            for (position, child) in intake.children.iter_mut().enumerate() {
                child.known_reports = known.remove(&position).unwrap_or_default();
            }
        }
    }

    /// The earlier reports cims holds on each child, by position.
    pub fn known_reports(&self) -> BTreeMap<usize, Vec<PriorReport>> {
        self.intake()
            .map(|intake| {
                intake
                    .children
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.known_reports.is_empty())
                    .map(|(i, c)| (i, c.known_reports.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn kind(&self) -> RecordKind {
        self.details.kind()
    }

    pub fn incident(&self) -> Option<&Incident> {
        match &self.details {
            Details::Incident(i) => Some(i),
            Details::Intake(_) => None,
        }
    }

    pub fn intake(&self) -> Option<&Intake> {
        match &self.details {
            Details::Intake(i) => Some(i),
            Details::Incident(_) => None,
        }
    }

    pub fn is_done(&self, item: &str) -> bool {
        self.checklist.contains_key(item)
    }

    pub fn open_learning_actions(&self) -> impl Iterator<Item = &LearningAction> {
        self.learning_actions.iter().filter(|a| a.is_open())
    }

    pub fn police_hold_open(&self) -> bool {
        self.police_holds.iter().any(|h| h.until.is_none())
    }
}
